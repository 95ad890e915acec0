"""The "copy for LINE" messages, and demo people reachable by (example) email, reminders printed to the console."""

import datetime as dt
import io

import pytest
from bs4 import BeautifulSoup
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from agencies.models import Person
from forums.codes import invitation_code
from forums.models import Reminder
from forums.notifiers import line_message
from tests.factories import make_attendance, make_person, make_session

pytestmark = pytest.mark.django_db


@pytest.fixture
def session():
    return make_session(
        title="เวทีวงรวม ครั้งที่ 3",
        circle="all",
        date=dt.date(2026, 12, 24),
        start=dt.time(9, 0),
        venue="หอประชุม",
    )


def test_the_personal_line_message_is_short_thai_with_the_reply_link(settings, session):
    settings.PORTAL_BASE_URL = "https://km.example.go.th"
    row = make_attendance(session, make_person())
    lines = line_message(session, row).splitlines()
    assert lines[:3] == ["ขอเชิญร่วม เวทีวงรวม ครั้งที่ 3", "วันที่ 24 ธันวาคม 2569 เวลา 09:00 น.", "สถานที่ หอประชุม"]
    assert lines[3].endswith(f"https://km.example.go.th/i/{invitation_code(row)}/")


def test_the_copy_buttons_carry_the_message(coordinator_client, session, settings):
    settings.PORTAL_BASE_URL = "https://km.example.go.th"
    row = make_attendance(session, make_person())
    detail = BeautifulSoup(
        coordinator_client.get(reverse("forums:session_detail", kwargs={"code": session.code})).content,
        "html.parser",
    )
    group = detail.select_one("#copy-line")["data-copy-text"]
    assert group.startswith("ขอเชิญร่วม เวทีวงรวม ครั้งที่ 3") and "/calendar/circle/all.ics" in group
    assert detail.find("script", src=lambda src: src and src.endswith("js/copy-line.js"))
    invitations = BeautifulSoup(
        coordinator_client.get(reverse("forums:invitations", kwargs={"code": session.code})).content,
        "html.parser",
    )
    (button,) = invitations.select("#invitation-table .copy-line")
    assert button["data-copy-text"].endswith(f"/i/{invitation_code(row)}/")


def test_demo_people_have_example_addresses_and_reminders_print_to_the_console(settings, capsys):
    settings.EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
    call_command("seed_demo", "--force", stdout=io.StringIO())
    emails = list(Person.objects.values_list("email", flat=True))
    assert emails and all(e.endswith("@example.go.th") for e in emails)

    session = make_session(date=timezone.localdate() + dt.timedelta(days=3))
    make_attendance(session, Person.objects.order_by("code").first())
    call_command("send_reminders", "--days", "3", stdout=io.StringIO())

    printed = capsys.readouterr().out
    assert "@example.go.th" in printed and "text/calendar" in printed
    assert Reminder.objects.filter(session=session).count() == 1
