"""Personal invitation codes: one per invitation, printed as a QR code and sent as a link.

A code names one attendance row of one session and carries a keyed hash of both, so it cannot be guessed, cannot be
turned into another invitee's code by changing a digit, and means nothing for another session. It is stateless (no
table): rotating SECRET_KEY invalidates every code, which is what one wants after a leak.

Shape: ``<session id>-<attendance id>-<16 characters of base32 HMAC>``, short enough for a small QR code and for
a link pasted into a LINE group.
"""

import base64
import hmac

from django.utils.crypto import salted_hmac

_SALT = "forums.codes.invitation"
_SIGNATURE_LENGTH = 16


class InvalidCode(ValueError):
    """The code is malformed, forged, or names an invitation that no longer exists."""


def _signature(session_id: int, attendance_id: int) -> str:
    digest = salted_hmac(_SALT, f"{session_id}:{attendance_id}", algorithm="sha256").digest()
    return base64.b32encode(digest).decode("ascii")[:_SIGNATURE_LENGTH]


def invitation_code(attendance) -> str:
    """The personal code of an attendance row (an invitation or a walk-in)."""
    return f"{attendance.session_id}-{attendance.pk}-{_signature(attendance.session_id, attendance.pk)}"


def parse_invitation_code(code: str) -> tuple[int, int]:
    """(session id, attendance id) of a well-formed, authentic code; InvalidCode otherwise. No query."""
    parts = (code or "").strip().upper().split("-")
    if len(parts) != 3 or not parts[0].isdigit() or not parts[1].isdigit():
        raise InvalidCode(code)
    session_id, attendance_id = int(parts[0]), int(parts[1])
    if not hmac.compare_digest(parts[2], _signature(session_id, attendance_id)):
        raise InvalidCode(code)
    return session_id, attendance_id


def attendance_for_code(code: str, *, session=None):
    """The attendance row a code names, optionally required to belong to ``session``; InvalidCode otherwise."""
    from forums.models import Attendance

    session_id, attendance_id = parse_invitation_code(code)
    if session is not None and session.pk != session_id:
        raise InvalidCode(code)
    row = (
        Attendance.objects.select_related("session", "person", "organization")
        .filter(pk=attendance_id, session_id=session_id)
        .first()
    )
    if row is None:
        raise InvalidCode(code)
    return row
