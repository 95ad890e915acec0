import datetime as dt

import pytest
from bs4 import BeautifulSoup
from django.utils import timezone

from accounts import roles
from agencies.models import Organization
from tests.factories import make_session, make_user

pytestmark = pytest.mark.django_db


def my_sessions(response):
    """(code, href) of each session in the home page's "your sessions" card, in page order; None without it."""
    card = BeautifulSoup(response.content, "html.parser").select_one("#my-sessions")
    if card is None:
        return None
    return [(link["data-session"], link["href"]) for link in card.select("a[data-session]")]


def test_coordinator_reaches_todays_session_check_in_in_one_tap(coordinator_client):
    today = timezone.localdate()
    todays = make_session(date=today)
    later = make_session(date=today + dt.timedelta(days=3))
    assert my_sessions(coordinator_client.get("/")) == [
        (todays.code, f"/forums/{todays.code}/checkin/"),
        (later.code, f"/forums/{later.code}/"),
    ]


def test_home_lists_only_coming_sessions_of_the_coordinators_scope(coordinator_client):
    today = timezone.localdate()
    wanted = make_session(date=today + dt.timedelta(days=1))
    make_session(date=today - dt.timedelta(days=1))  # past
    make_session(date=today + dt.timedelta(days=2), status="cancelled")
    make_session(
        date=today + dt.timedelta(days=2), organizer_id=None
    )  # nobody's scope: no organizer, no tambon
    make_session(date=today + dt.timedelta(days=2), organizer=Organization.objects.get(code="WU"))
    assert my_sessions(coordinator_client.get("/")) == [(wanted.code, f"/forums/{wanted.code}/")]


def test_home_lists_the_soonest_six_sessions(coordinator_client):
    today = timezone.localdate()
    sessions = [make_session(date=today + dt.timedelta(days=days)) for days in (9, 1, 7, 3, 0, 5, 2, 8)]
    listed = [code for code, _href in my_sessions(coordinator_client.get("/"))]
    soonest = sorted(sessions, key=lambda session: session.date)[:6]
    assert listed == [session.code for session in soonest]


def test_coordinator_without_coming_sessions_is_told_so_and_led_to_the_list(coordinator_client):
    soup = BeautifulSoup(coordinator_client.get("/").content, "html.parser")
    card = soup.select_one("#my-sessions")
    assert card is not None and not card.select("a[data-session]")
    assert card.select_one("a[href='/forums/']") is not None


@pytest.mark.parametrize("role", [roles.GOVERNOR_OFFICE, roles.FACILITATOR])
def test_readers_who_take_no_attendance_see_no_session_card(client, role):
    make_session(date=timezone.localdate())
    client.force_login(make_user(role))
    assert my_sessions(client.get("/")) is None


@pytest.mark.parametrize("count", [1, 50])
def test_home_page_of_a_coordinator_has_a_fixed_query_count(
    coordinator_client, django_assert_num_queries, count
):
    today = timezone.localdate()
    for index in range(count):
        make_session(date=today + dt.timedelta(days=index % 10))
    # session, user, people by role, permissions (two), coordinator scope, sessions, agency count, chair,
    # tambons (which sessions are the user's own is asked through a permission: no query of their groups)
    with django_assert_num_queries(8):
        response = coordinator_client.get("/")
    assert len(my_sessions(response)) == min(count, 6)
