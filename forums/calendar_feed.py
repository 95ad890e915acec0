"""iCalendar (RFC 5545) feed of a person's forum sessions."""

import datetime as dt
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone
from icalendar import Calendar, Event

from forums.models import ForumSession

PAST_DAYS = 30  # keep recent sessions in the feed so a calendar sees them move or get cancelled


def person_sessions(person):
    since = timezone.localdate() - dt.timedelta(days=PAST_DAYS)
    return (
        ForumSession.objects.filter(attendances__person=person, attendances__invited=True, date__gte=since)
        .select_related("tambon")
        .order_by("date", "start", "code")
    )


def build_calendar(person, sessions, host: str) -> bytes:
    zone = ZoneInfo(settings.TIME_ZONE)
    calendar = Calendar()
    calendar.add("prodid", "-//kmportal//Nakhon Si Thammarat KM forums//TH")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", f"เวทีแลกเปลี่ยนเรียนรู้ – {person.full_name}")
    calendar.add("x-wr-timezone", settings.TIME_ZONE)
    for session in sessions:
        event = Event()
        event.add("uid", f"{session.code}@{host}")
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
        if session.venue:
            event.add("location", session.venue)
        if session.agenda:
            event.add("description", session.agenda)
        event.add("status", "CANCELLED" if session.status == ForumSession.Status.CANCELLED else "CONFIRMED")
        event.add("sequence", session.version)
        calendar.add_component(event)
    # RFC 5545 requires a VTIMEZONE for every TZID the events use; without it some programs misplace the hour.
    calendar.add_missing_timezones()
    return calendar.to_ical()
