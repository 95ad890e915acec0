"""The calendar feed at a secret address, and the page where a person makes, renews and revokes it."""

import datetime as dt
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

import pytest
from bs4 import BeautifulSoup
from django.utils import timezone
from icalendar import Calendar

from forums.models import Attendance, CalendarFeed
from tests.factories import make_attendance, make_person, make_session, make_user

pytestmark = pytest.mark.django_db
BANGKOK = ZoneInfo("Asia/Bangkok")


def days_from_today(days):
    return timezone.localdate() + dt.timedelta(days=days)


def feed_url(token):
    return f"/forums/calendar/{token}.ics"


def events_by_code(response):
    """The feed's VEVENTs, keyed by the session code at the front of their UID."""
    calendar = Calendar.from_ical(response.content)
    return {str(event["UID"]).split("@")[0]: event for event in calendar.walk("VEVENT")}


@pytest.fixture
def person(db):
    return make_person("WU", email="somsri@example.org")


def test_feed_lists_the_persons_recent_and_coming_sessions_without_login(client, person):
    planned = make_session(
        code="F-PLAN-01",
        title="เวทีคุณเอื้อ ครั้งที่ 5",
        date=days_from_today(10),
        start=dt.time(9, 30),
        end=dt.time(12, 0),
        venue="ห้องประชุมศาลากลางจังหวัด",
        agenda="ทบทวนงบประมาณ",
    )
    recent = make_session(code="F-PAST-01", date=days_from_today(-30), status="held", start=dt.time(13, 0))
    old = make_session(code="F-OLD-01", date=days_from_today(-31), status="held")
    cancelled = make_session(code="F-CANC-01", date=days_from_today(20), status="cancelled")
    all_day = make_session(code="F-DAY-01", date=days_from_today(3), start=None)
    for session in (planned, recent, old, cancelled, all_day):
        make_attendance(session, person)
    not_invited = make_session(code="F-OTHER-01", date=days_from_today(5))
    make_attendance(not_invited, make_person("CDD"))
    walked_in = make_session(code="F-WALK-01", date=days_from_today(-2), status="held")
    make_attendance(walked_in, person, invited=False, status=Attendance.Status.PRESENT)
    feed = CalendarFeed.objects.create(person=person)

    response = client.get(feed_url(feed.token))

    assert response.status_code == 200
    assert response["Content-Type"].split(";")[0] == "text/calendar"
    events = events_by_code(response)
    assert set(events) == {"F-PLAN-01", "F-PAST-01", "F-CANC-01", "F-DAY-01"}
    event = events["F-PLAN-01"]
    assert str(event["SUMMARY"]) == "เวทีคุณเอื้อ ครั้งที่ 5"
    assert str(event["LOCATION"]) == "ห้องประชุมศาลากลางจังหวัด"
    assert str(event["DESCRIPTION"]) == "ทบทวนงบประมาณ"
    assert event["DTSTART"].params["TZID"] == "Asia/Bangkok"
    start = event.decoded("DTSTART")
    assert (start.date(), start.time(), start.utcoffset()) == (
        planned.date,
        dt.time(9, 30),
        dt.timedelta(hours=7),
    )
    assert event.decoded("DTEND") == dt.datetime.combine(planned.date, dt.time(12, 0), tzinfo=BANGKOK)
    assert str(event["STATUS"]) == "CONFIRMED"
    # Without an end time the feed still gives the event a length.
    recent_event = events["F-PAST-01"]
    assert recent_event.decoded("DTEND") - recent_event.decoded("DTSTART") == dt.timedelta(hours=3)
    assert str(events["F-CANC-01"]["STATUS"]) == "CANCELLED"
    # Without a start time the session is an all-day event.
    assert events["F-DAY-01"].decoded("DTSTART") == all_day.date
    assert "LOCATION" not in events["F-DAY-01"]


def test_feed_defines_the_timezone_its_times_refer_to(client, person):
    # RFC 5545: a VTIMEZONE must be given for every TZID used, or some calendar programs show the wrong hour.
    make_attendance(make_session(date=days_from_today(4), start=dt.time(9, 0)), person)
    feed = CalendarFeed.objects.create(person=person)

    calendar = Calendar.from_ical(client.get(feed_url(feed.token)).content)

    zones = calendar.walk("VTIMEZONE")
    assert [str(zone["TZID"]) for zone in zones] == ["Asia/Bangkok"]
    assert zones[0].to_tz().utcoffset(dt.datetime(2026, 1, 1)) == dt.timedelta(hours=7)


def test_feed_uid_stays_the_same_when_the_session_changes(client, person):
    session = make_session(code="F-MOVE-01", date=days_from_today(8))
    make_attendance(session, person)
    feed = CalendarFeed.objects.create(person=person)
    before = events_by_code(client.get(feed_url(feed.token)))["F-MOVE-01"]

    session.date = days_from_today(9)
    session.title = "เวทีย้ายวัน"
    session.save()
    after = events_by_code(client.get(feed_url(feed.token)))["F-MOVE-01"]

    assert str(after["UID"]) == str(before["UID"])
    assert after.decoded("DTSTART").date() == days_from_today(9)
    assert str(after["SUMMARY"]) == "เวทีย้ายวัน"


def test_a_revoked_feed_answers_404(client, person):
    make_attendance(make_session(), person)
    feed = CalendarFeed.objects.create(person=person, revoked_at=timezone.now())

    assert client.get(feed_url(feed.token)).status_code == 404


def test_an_unknown_token_answers_404(client, person):
    CalendarFeed.objects.create(person=person)

    assert client.get(feed_url("not-a-token-anybody-was-given")).status_code == 404


def test_feed_is_read_only(client, person):
    feed = CalendarFeed.objects.create(person=person)

    assert client.post(feed_url(feed.token)).status_code == 405


@pytest.mark.parametrize("count", [1, 20])
def test_feed_query_count_does_not_grow_with_the_sessions(client, person, django_assert_num_queries, count):
    for day in range(count):
        make_attendance(make_session(date=days_from_today(day + 1), tambon="800106"), person)
    feed = CalendarFeed.objects.create(person=person)

    with django_assert_num_queries(2):
        response = client.get(feed_url(feed.token))

    assert len(events_by_code(response)) == count


# The "my calendar" page -----------------------------------------------------------------------------------------


@pytest.fixture
def person_client(client, person):
    person.user = make_user()
    person.save()
    client.force_login(person.user)
    return client


def live_feeds(person):
    return list(person.calendar_feeds.filter(revoked_at__isnull=True))


def page_forms(response):
    page = BeautifulSoup(response.content, "html.parser")
    return {form["action"] for form in page.select("form[action^='/forums/calendar/']")}


def test_my_calendar_page_shows_the_live_address(person_client, person):
    feed = CalendarFeed.objects.create(person=person)

    response = person_client.get("/forums/calendar/")

    assert response.status_code == 200
    page = BeautifulSoup(response.content, "html.parser")
    address = page.select_one("#feed-url")["value"]
    assert address == f"http://testserver{feed_url(feed.token)}"
    assert person_client.get(address.removeprefix("http://testserver")).status_code == 200
    assert page_forms(response) == {"/forums/calendar/renew/", "/forums/calendar/revoke/"}


def test_a_person_without_an_address_can_make_one(person_client, person):
    page = person_client.get("/forums/calendar/")
    assert page_forms(page) == {"/forums/calendar/renew/"}

    response = person_client.post("/forums/calendar/renew/")

    assert response.status_code == 302
    [feed] = live_feeds(person)
    assert person_client.get(feed_url(feed.token)).status_code == 200


def test_renewing_makes_a_new_address_and_the_old_one_stops_working(person_client, person, client):
    old = CalendarFeed.objects.create(person=person)

    response = person_client.post("/forums/calendar/renew/")

    assert response.status_code == 302
    assert response["Location"] == "/forums/calendar/"
    [new] = live_feeds(person)
    assert new.token != old.token
    old.refresh_from_db()
    assert old.revoked_at is not None
    client.logout()  # a calendar program has no session
    assert client.get(feed_url(old.token)).status_code == 404
    assert client.get(feed_url(new.token)).status_code == 200


def test_revoking_makes_the_address_answer_404(person_client, person, client):
    feed = CalendarFeed.objects.create(person=person)

    response = person_client.post("/forums/calendar/revoke/")

    assert response.status_code == 302
    assert live_feeds(person) == []
    client.logout()
    assert client.get(feed_url(feed.token)).status_code == 404


def test_renew_and_revoke_accept_post_only(person_client, person):
    feed = CalendarFeed.objects.create(person=person)

    assert person_client.get("/forums/calendar/renew/").status_code == 405
    assert person_client.get("/forums/calendar/revoke/").status_code == 405
    assert live_feeds(person) == [feed]


def test_a_user_without_a_person_sees_an_explanation(client):
    client.force_login(make_user())

    response = client.get("/forums/calendar/")

    assert response.status_code == 200
    assert response.context["person"] is None
    page = BeautifulSoup(response.content, "html.parser")
    assert page.select_one(".alert-info") is not None
    assert page_forms(response) == set()
    assert client.post("/forums/calendar/renew/").status_code == 404
    assert CalendarFeed.objects.count() == 0


def test_my_calendar_page_needs_a_login(client):
    response = client.get("/forums/calendar/")

    assert response.status_code == 302
    location = urlsplit(response["Location"])
    assert parse_qs(location.query)["next"] == ["/forums/calendar/"]  # back to the page after logging in
