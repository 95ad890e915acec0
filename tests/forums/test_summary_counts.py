"""The head counts and agency masks statement is built once and reused with the real keys: each refresh writes
the sessions it names, and only those."""

import pytest

from agencies.models import Organization
from forums import summaries
from forums.models import ForumSession
from tests.factories import make_attendance, make_person, make_session

pytestmark = pytest.mark.django_db


def bit(code):
    partners = list(Organization.objects.partners().values_list("pk", flat=True))
    return summaries.partner_bits(partners)[Organization.objects.get(code=code).pk]


def test_each_refresh_writes_the_sessions_it_names():
    first, second, third = (make_session(status="held") for _ in range(3))
    make_attendance(first, make_person("CDD"), status="present")
    make_attendance(second, make_person("WU"), status="absent")
    make_attendance(second, make_person("WU"), status="late")
    make_attendance(third, make_person("BAAC"), status="present")
    # Undo what the factories' own refreshes wrote, so that only the calls below can put it back.
    ForumSession.objects.update(
        invited_count=0, attended_count=0, invited_eua=0, represented_eua=0, in_person_eua=0
    )
    summaries.refresh([first.pk])
    summaries.refresh([second.pk])  # the same statement as for the first, with another key
    summaries.refresh([first.pk, third.pk])
    rows = {
        s.pk: (s.invited_count, s.attended_count, s.invited_eua, s.represented_eua, s.in_person_eua)
        for s in ForumSession.objects.all()
    }
    assert rows[first.pk] == (1, 1, bit("CDD"), bit("CDD"), bit("CDD"))
    assert rows[second.pk] == (2, 1, bit("WU"), bit("WU"), bit("WU"))
    assert rows[third.pk] == (1, 1, bit("BAAC"), bit("BAAC"), bit("BAAC"))


def test_a_session_not_named_is_left_alone():
    first, second = make_session(status="held"), make_session(status="held")
    make_attendance(first, make_person("CDD"), status="present")
    ForumSession.objects.filter(pk=second.pk).update(invited_count=99, invited_eua=7)
    summaries.refresh([first.pk])
    summaries.refresh([first.pk])
    second.refresh_from_db()
    assert (second.invited_count, second.invited_eua) == (99, 7)
