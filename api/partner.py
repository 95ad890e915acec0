"""The partner API: an agency's own systems read the sessions it organizes and their invitations, and send
attendance marks through the same write path and version checks as the check-in page (forums.services.save_marks).

Authentication is a bearer token (api.models.ApiToken) issued by an administrator; a token reaches only its
agency's sessions, and another agency's session answers 404 as if it did not exist.
"""

import datetime as dt
from typing import Literal

from django.shortcuts import get_object_or_404
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate
from ninja.security import HttpBearer

from agencies.models import Person
from api.models import ApiToken
from api.public import INVALID, TIME_OF_DAY, ErrorOut, IsoDate, Paged, hh_mm
from forums import services
from forums.models import Attendance, ForumSession


class PartnerToken(HttpBearer):
    def authenticate(self, request, token):
        api_token = ApiToken.authenticate(token)
        if api_token is not None:
            request.partner = api_token.organization
        return api_token


router = Router(tags=["partner"], auth=PartnerToken())

StatusCode = Literal["present", "late", "absent", "excused", "represented"]


def _sessions(request):
    return ForumSession.objects.filter(organizer=request.partner)


class PartnerSessionFilter(Schema):
    date_from: IsoDate | None = Field(None, alias="from")
    date_to: IsoDate | None = Field(None, alias="to")
    status: Literal["planned", "held", "cancelled"] | None = None


class PartnerSessionOut(Schema):
    code: str
    title: str
    date: dt.date
    start: str | None = Field(**TIME_OF_DAY)
    end: str | None = Field(**TIME_OF_DAY)
    circle: str
    tambon: str | None
    venue: str
    format: str
    status: str
    invited: int
    attended: int


@router.get(
    "/sessions",
    response={200: list[PartnerSessionOut], 401: ErrorOut, **INVALID},
    summary="The agency's sessions",
)
@paginate(Paged)
def partner_sessions(request, filters: Query[PartnerSessionFilter]):
    sessions = _sessions(request)
    if filters.date_from:
        sessions = sessions.filter(date__gte=filters.date_from)
    if filters.date_to:
        sessions = sessions.filter(date__lte=filters.date_to)
    if filters.status:
        sessions = sessions.filter(status=filters.status)
    return [
        {
            "code": s.code,
            "title": s.title,
            "date": s.date,
            "start": hh_mm(s.start),
            "end": hh_mm(s.end),
            "circle": s.circle,
            "tambon": s.tambon_id,
            "venue": s.venue,
            "format": s.format,
            "status": s.status,
            "invited": s.invited_count,
            "attended": s.attended_count,
        }
        for s in sessions.order_by("date", "code")
    ]


class InvitationOut(Schema):
    attendance_id: int
    person: str = Field(description="The person's portal code")
    name: str
    organization: str
    role: str
    invited: bool
    reply: str
    status: str = Field(description="Empty while not yet marked")
    representative: str | None = Field(description="Portal code of the representative, with 'represented'")
    version: int = Field(
        description="Send it back with a mark: a mark made on an older version is a conflict"
    )


def _invitation(row: Attendance) -> dict:
    return {
        "attendance_id": row.pk,
        "person": row.person.code,
        "name": row.person.full_name,
        "organization": row.organization.code,
        "role": row.role,
        "invited": row.invited,
        "reply": row.reply,
        "status": row.status,
        "representative": row.representative.code if row.representative_id else None,
        "version": row.version,
    }


@router.get(
    "/sessions/{code}/invitations",
    response={200: list[InvitationOut], 401: ErrorOut, 404: ErrorOut, **INVALID},
    summary="Invitations and attendance of one session",
)
@paginate(Paged)
def partner_invitations(request, code: str):
    session = get_object_or_404(_sessions(request), code=code)
    rows = session.attendances.select_related("person", "organization", "representative").order_by("pk")
    return [_invitation(row) for row in rows]


class MarkIn(Schema):
    attendance_id: int
    status: StatusCode
    version: int = Field(ge=1)
    representative: str | None = Field(None, max_length=20, description="Portal code, with 'represented'")


class MarksIn(Schema):
    marks: list[MarkIn] = Field(min_length=1, max_length=1000)


class ConflictOut(Schema):
    attendance_id: int
    current_status: str
    current_version: int
    message: str


class MarksOut(Schema):
    saved: list[InvitationOut]
    unchanged: int
    conflicts: list[ConflictOut]


@router.post(
    "/sessions/{code}/marks",
    response={200: MarksOut, 400: ErrorOut, 401: ErrorOut, 404: ErrorOut, **INVALID},
    summary="Send attendance marks",
)
def partner_marks(request, code: str, payload: MarksIn):
    """Saves marks with the check-in page's rules: a mark made on an older version than the row now holds is
    returned as a conflict and not saved; a mark that asks for what the row holds changes nothing; a mark that
    breaks a rule (walk-in absent, representative missing, cancelled session) refuses the whole request (400)."""
    session = get_object_or_404(_sessions(request), code=code)
    codes = {m.representative for m in payload.marks if m.representative}
    people = {p.code: p for p in Person.objects.filter(code__in=codes)}
    unknown = codes - set(people)
    if unknown:
        return Status(400, {"detail": f"Unknown representative code(s): {', '.join(sorted(unknown))}"})
    marks = [
        services.Mark(
            m.attendance_id, m.status, m.version, people.get(m.representative) if m.representative else None
        )
        for m in payload.marks
    ]
    if len({m.attendance_id for m in marks}) != len(marks):
        return Status(400, {"detail": "Each attendance_id may appear once."})
    try:
        result = services.save_marks(session, marks, user=None)
    except services.MarkError as exc:
        return Status(400, {"detail": str(exc)})
    return Status(
        200,
        {
            "saved": [_invitation(row) for row in result.saved],
            "unchanged": result.unchanged,
            "conflicts": [
                {
                    "attendance_id": c.attendance.pk,
                    "current_status": c.attendance.status,
                    "current_version": c.attendance.version,
                    "message": c.message(),
                }
                for c in result.conflicts
            ],
        },
    )
