"""Arrival rules shared by the scanner and self check-in, and self check-in itself.

Self check-in window (documented in the README): on the session's day only, from 60 minutes before the start until
the end; a session without an end closes 4 hours after its start; one without a start time is open 07:00-18:00.
Arrivals more than CHECKIN_LATE_AFTER_MINUTES (setting, default 15) after the start are "late".

A self check-in is an ordinary mark written by forums.services.save_marks (history, versions, turnout, undo all
apply), recorded with the change reason SELF_CHECKIN_REASON. That reason is what makes it "at most once": once an
invitee has checked themselves in, a later attempt is refused even if the coordinator has undone the mark.
"""

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _

from forums import services
from forums.models import Attendance, ForumSession

SELF_CHECKIN_REASON = "self check-in"
OPENS_BEFORE_START = dt.timedelta(minutes=60)
OPEN_WITHOUT_END = dt.timedelta(hours=4)
DAY_WITHOUT_START = (dt.time(7, 0), dt.time(18, 0))
_VENUE_SALT = "forums.self_checkin.venue"


def late_after() -> dt.timedelta:
    return dt.timedelta(minutes=getattr(settings, "CHECKIN_LATE_AFTER_MINUTES", 15))


def _at(session: ForumSession, time: dt.time) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(session.date, time))


def late_from(session: ForumSession) -> dt.datetime | None:
    """From when an arrival counts as late; None for a session without a start time (never late)."""
    return _at(session, session.start) + late_after() if session.start else None


def arrival_status(session: ForumSession, at: dt.datetime) -> str:
    late = late_from(session)
    return Attendance.Status.LATE if late is not None and at > late else Attendance.Status.PRESENT


def window(session: ForumSession) -> tuple[dt.datetime, dt.datetime]:
    """When invitees may check themselves in."""
    if session.start is None:
        return _at(session, DAY_WITHOUT_START[0]), _at(session, DAY_WITHOUT_START[1])
    opens = _at(session, session.start) - OPENS_BEFORE_START
    closes = _at(session, session.end) if session.end else _at(session, session.start) + OPEN_WITHOUT_END
    # Never past midnight: only on the session's day.
    return max(opens, _at(session, dt.time(0, 0))), min(closes, _at(session, dt.time(23, 59, 59)))


def is_open(session: ForumSession, now: dt.datetime | None = None) -> bool:
    if session.status == ForumSession.Status.CANCELLED:
        return False
    opens, closes = window(session)
    return opens <= (now or timezone.now()) <= closes


class SelfCheckinRefused(ValueError):
    """Why an invitee cannot check themselves in; the message is for them (Thai or English)."""

    def __init__(self, message: str, status: int = 409):
        super().__init__(message)
        self.status = status


def already_self_checked_in(attendance: Attendance) -> bool:
    return services.HISTORY.filter(id=attendance.pk, history_change_reason=SELF_CHECKIN_REASON).exists()


def check(attendance: Attendance, now: dt.datetime) -> None:
    """Raises SelfCheckinRefused when this invitee cannot check in now."""
    session = attendance.session
    if session.status == ForumSession.Status.CANCELLED:
        raise SelfCheckinRefused(_("This session was cancelled."), 409)
    if attendance.attended:
        raise SelfCheckinRefused(_("You are already checked in."), 409)
    if not is_open(session, now):
        opens, closes = window(session)
        raise SelfCheckinRefused(
            _("Self check-in is open only on the day of the session, from %(opens)s to %(closes)s.")
            % {
                "opens": timezone.localtime(opens).strftime("%H:%M"),
                "closes": timezone.localtime(closes).strftime("%H:%M"),
            },
            403,
        )
    if attendance.status:
        raise SelfCheckinRefused(
            _(
                "The coordinator has already recorded your attendance as “%(status)s”. Please see the coordinator."
            )
            % {"status": attendance.get_status_display()},
            409,
        )
    if already_self_checked_in(attendance):
        raise SelfCheckinRefused(
            _("You have already checked yourself in once. Please see the coordinator."), 409
        )


@dataclass
class SelfCheckin:
    attendance: Attendance
    status: str


def self_check_in(attendance: Attendance, now: dt.datetime | None = None) -> SelfCheckin:
    """Marks an invitee present (or late) on their own, through the ordinary write path."""
    now = now or timezone.now()
    check(attendance, now)
    status = arrival_status(attendance.session, now)
    try:
        result = services.save_marks(
            attendance.session,
            [services.Mark(attendance.pk, status, attendance.version)],
            reason=SELF_CHECKIN_REASON,
        )
    except services.MarkError as exc:
        raise SelfCheckinRefused(str(exc), 409) from exc
    if result.conflicts:
        # Marked by a coordinator a moment ago: their mark stands.
        raise SelfCheckinRefused(_("Your attendance was just recorded by the coordinator."), 409)
    attendance.refresh_from_db()
    return SelfCheckin(attendance, status)


# The venue's QR code ------------------------------------------------------------------------------------------


def _venue_signature(session_id: int) -> str:
    return salted_hmac(_VENUE_SALT, str(session_id), algorithm="sha256").hexdigest()[:20]


def venue_token(session: ForumSession) -> str:
    """The token in the venue link: names the session without letting anyone list sessions by guessing."""
    return f"{session.pk}-{_venue_signature(session.pk)}"


def session_for_venue_token(token: str) -> ForumSession | None:
    session_id, _sep, signature = (token or "").partition("-")
    if not session_id.isdigit() or not constant_time_compare(signature, _venue_signature(int(session_id))):
        return None
    return ForumSession.objects.filter(pk=int(session_id)).first()
