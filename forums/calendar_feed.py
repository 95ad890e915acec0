"""iCalendar (RFC 5545) files of forum sessions: a person's secret feed, the public feeds of a circle or a tambon,
and the one-event invitation sent with a reminder or downloaded from the personal reply page.

Every file names the same UID for the same session (``<code>@<portal host>``), whichever way it was obtained, so a
calendar program that has the session from a reminder updates it from a feed instead of showing it twice.
"""

import datetime as dt
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone
from icalendar import Calendar, Event

from forums.models import ForumSession

PAST_DAYS = 30  # keep recent sessions in the feed so a calendar sees them move or get cancelled
# Public feeds list planned and held sessions of this many days back, so that a subscriber sees recent history
# without the file growing for ever.
PUBLIC_PAST_DAYS = 365


def uid_domain() -> str:
    """The host part of every UID: the portal's public address, not the host a request happened to use."""
    return urlsplit(settings.PORTAL_BASE_URL).hostname or "kmportal"


def session_uid(session) -> str:
    return f"{session.code}@{uid_domain()}"


def person_sessions(person):
    since = timezone.localdate() - dt.timedelta(days=PAST_DAYS)
    return (
        ForumSession.objects.filter(attendances__person=person, attendances__invited=True, date__gte=since)
        .select_related("tambon")
        .order_by("date", "start", "code")
    )


def public_sessions(*, circle: str | None = None, tambon: str | None = None):
    """Planned and held sessions of a circle or of a tambon (cancelled ones drop out of a public feed)."""
    since = timezone.localdate() - dt.timedelta(days=PUBLIC_PAST_DAYS)
    sessions = ForumSession.objects.filter(
        status__in=(ForumSession.Status.PLANNED, ForumSession.Status.HELD), date__gte=since
    )
    if circle is not None:
        sessions = sessions.filter(circle=circle)
    if tambon is not None:
        sessions = sessions.filter(tambon_id=tambon)
    return sessions.select_related("tambon").order_by("date", "start", "code")


def session_event(session, *, description: str | None = None) -> Event:
    """One session as a VEVENT: title, times in Asia/Bangkok, venue and agenda. Nothing about people."""
    zone = ZoneInfo(settings.TIME_ZONE)
    event = Event()
    event.add("uid", session_uid(session))
    event.add("summary", session.title)
    event.add("dtstamp", timezone.now())
    if session.start:
        start = dt.datetime.combine(session.date, session.start, tzinfo=zone)
        event.add("dtstart", start)
        end = dt.datetime.combine(session.date, session.end, tzinfo=zone) if session.end else None
        event.add("dtend", end or start + dt.timedelta(hours=3))
    else:
        event.add("dtstart", session.date)
        event.add("dtend", session.date + dt.timedelta(days=1))
    location = session.venue or (str(session.tambon) if session.tambon_id else "")
    if location:
        event.add("location", location)
    text = description if description is not None else session.agenda
    if text:
        event.add("description", text)
    event.add("status", "CANCELLED" if session.status == ForumSession.Status.CANCELLED else "CONFIRMED")
    event.add("sequence", session.version)
    return event


def _calendar(name: str, method: str | None = None) -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", "-//kmportal//Nakhon Si Thammarat KM forums//TH")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    if method:
        calendar.add("method", method)
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", settings.TIME_ZONE)
    return calendar


def _finish(calendar: Calendar) -> bytes:
    # RFC 5545 requires a VTIMEZONE for every TZID the events use; without it some programs misplace the hour.
    calendar.add_missing_timezones()
    return calendar.to_ical()


def build_calendar(person, sessions, host: str | None = None) -> bytes:
    calendar = _calendar(f"เวทีแลกเปลี่ยนเรียนรู้ – {person.full_name}")
    for session in sessions:
        calendar.add_component(session_event(session))
    return _finish(calendar)


def build_public_calendar(name: str, sessions) -> bytes:
    calendar = _calendar(name)
    for session in sessions:
        calendar.add_component(session_event(session))
    return _finish(calendar)


def build_invitation(session, *, organizer_email: str, attendee_email: str = "", description=None) -> bytes:
    """A one-event METHOD:REQUEST file, as mail programs expect with an invitation: the organizer is the portal's
    sender address and the attendee, when known, the invitee, so that the program offers to add it."""
    calendar = _calendar(session.title, method="REQUEST")
    event = session_event(session, description=description)
    event.add("organizer", f"mailto:{organizer_email}")
    if attendee_email:
        event.add(
            "attendee",
            f"mailto:{attendee_email}",
            parameters={"ROLE": "REQ-PARTICIPANT", "PARTSTAT": "NEEDS-ACTION", "RSVP": "FALSE"},
        )
    calendar.add_component(event)
    return _finish(calendar)
