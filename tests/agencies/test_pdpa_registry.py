"""PDPA export and erasure reach every app's personal data through registration (agencies.pdpa.register)."""

import pytest

from agencies import pdpa
from forums.models import CalendarFeed, Reminder
from tests.factories import make_person, make_session

pytestmark = pytest.mark.django_db


def test_every_model_pointing_at_a_person_or_an_account_is_registered():
    assert pdpa.uncovered_models() == []


def test_an_app_that_registers_nothing_is_found(monkeypatch):
    holders = {label: h for label, h in pdpa._holders.items() if label != "forums"}
    monkeypatch.setattr(pdpa, "_holders", holders)
    missing = pdpa.uncovered_models()
    assert {"forums.Attendance", "forums.ForumSession", "forums.Reminder", "forums.CalendarFeed"} <= set(
        missing
    )
    assert "forums.HistoricalAttendance" in missing  # the history of a model counts as the model


def test_the_apps_above_register_in_the_order_of_installed_apps():
    assert [h.app_label for h in pdpa.holders()] == ["forums", "lessons", "api"]


def test_a_newly_registered_app_is_exported_and_erased(monkeypatch):
    """What registration gives: the export has the app's sections and erasure calls its eraser."""
    erased = []
    monkeypatch.setitem(
        pdpa._holders,
        "portal",
        pdpa.PersonalDataHolder(
            app_label="portal",
            export=lambda person: {"visits": [{"code": person.code}]},
            erase=lambda ids, now: erased.extend(ids),
        ),
    )
    person = make_person()
    assert pdpa.personal_data(person)["visits"] == [{"code": person.code}]
    pdpa.anonymize(person)
    assert erased == [person.pk]


def test_erasure_still_reaches_the_forums_records_through_their_registration():
    person = make_person()
    CalendarFeed.objects.create(person=person)
    Reminder.objects.create(session=make_session(), person=person)
    pdpa.anonymize(person)
    assert not CalendarFeed.objects.filter(person=person).exists()
    assert not Reminder.objects.filter(person=person).exists()
