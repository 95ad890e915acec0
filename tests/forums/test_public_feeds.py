"""Public calendar feeds of a circle or a tambon: planned and held sessions, no personal data, two parsers agree."""

import datetime as dt

import pytest
import vobject
from django.core.cache import cache
from django.utils import timezone
from icalendar import Calendar

from tests.factories import make_attendance, make_person, make_session

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()
    yield
    cache.clear()


def days(n):
    return timezone.localdate() + dt.timedelta(days=n)


@pytest.fixture
def sessions():
    chair = make_person(
        "PROV", first_name="ประธาน", last_name="ลับมาก", phone="081-111-2222", email="c@x.go.th"
    )
    planned = make_session(
        code="F-PUB-PLANNED",
        circle="eua",
        date=days(10),
        venue="ห้องประชุมศาลากลาง",
        agenda="ทบทวน",
        end=dt.time(12),
    )
    held = make_session(code="F-PUB-HELD", circle="eua", date=days(-10), status="held", tambon="800119")
    make_session(code="F-PUB-CANCELLED", circle="eua", date=days(3), status="cancelled")
    make_session(code="F-PUB-OTHER", circle="all", date=days(4), tambon="800106")
    for session in (planned, held):
        make_attendance(session, chair, status="present" if session is held else "")
    return chair


def parse_both(content):
    """(codes from icalendar, codes from vobject) of a feed's events."""
    with_icalendar = sorted(str(e["UID"]).split("@")[0] for e in Calendar.from_ical(content).walk("VEVENT"))
    parsed = vobject.readOne(content.decode("utf-8"))
    with_vobject = sorted(e.uid.value.split("@")[0] for e in parsed.contents.get("vevent", []))
    return with_icalendar, with_vobject, parsed


def test_a_circles_feed_lists_its_planned_and_held_sessions_in_two_parsers(client, sessions):
    response = client.get("/calendar/circle/eua.ics")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    with_icalendar, with_vobject, parsed = parse_both(response.content)
    assert with_icalendar == with_vobject == ["F-PUB-HELD", "F-PUB-PLANNED"]
    planned = next(e for e in parsed.vevent_list if e.uid.value.startswith("F-PUB-PLANNED"))
    assert planned.dtstart.value.utcoffset() == dt.timedelta(hours=7)
    assert planned.dtend.value.hour == 12
    assert planned.location.value == "ห้องประชุมศาลากลาง"
    assert parsed.vtimezone.tzid.value == "Asia/Bangkok"


def test_a_tambons_feed_lists_the_sessions_held_there(client, sessions):
    with_icalendar, with_vobject, _parsed = parse_both(client.get("/calendar/tambon/800119.ics").content)
    assert with_icalendar == with_vobject == ["F-PUB-HELD"]


def test_a_feed_contains_no_personal_data(client, sessions):
    body = b"".join(
        client.get(f"/calendar/{path}").content for path in ("circle/eua.ics", "tambon/800119.ics")
    )
    text = body.decode("utf-8")
    for value in ("ประธาน", "ลับมาก", "081-111-2222", "c@x.go.th", "ATTENDEE", "ORGANIZER"):
        assert value not in text


@pytest.mark.parametrize("path", ["/calendar/circle/nope.ics", "/calendar/tambon/999999.ics"])
def test_unknown_circle_or_tambon_is_404(client, path, db):
    assert client.get(path).status_code == 404


@pytest.mark.parametrize("count", [1, 50])
def test_a_feed_runs_in_one_query(client, count, django_assert_num_queries, db):
    for n in range(count):
        make_session(code=f"F-Q-{n:03d}", circle="all", date=days(n % 20), tambon="800114")
    with django_assert_num_queries(2):  # the tambon, its sessions
        assert client.get("/calendar/tambon/800114.ics").status_code == 200
    cache.clear()
    with django_assert_num_queries(1):
        assert client.get("/calendar/circle/all.ics").status_code == 200
