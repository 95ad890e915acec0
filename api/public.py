"""The open-data API: read-only aggregates anyone may read, with no personal data (no names, phones, emails or
attendance rows of people). Figures come from analytics.metrics, the one place that computes them, and responses
are cached briefly in Django's cache so that a harvester polling every endpoint costs little.
"""

import csv
import datetime as dt
import hashlib
import io
import re
from typing import Annotated, Any, Literal

from django.core.cache import cache
from django.db.models import F
from django.http import HttpResponse
from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError
from ninja.pagination import PageNumberPagination, paginate
from pydantic import BeforeValidator

from agencies.models import Tambon
from analytics import metrics
from forums.models import ForumSession

router = Router(tags=["open data"])

CACHE_SECONDS = 120
CSV_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

CircleCode = Literal["eua", "eua_amnuay", "all"]
StatusCode = Literal["planned", "held", "cancelled"]
FormatCode = Literal["formal", "informal"]
PhaseCode = Literal["pilot", "expansion"]


def _iso_date(value):
    # Pydantic would also read a number as a Unix timestamp ("0" -> 1970-01-01); the schema promises ISO dates.
    if isinstance(value, str) and not ISO_DATE.fullmatch(value):
        raise ValueError("expected an ISO date, YYYY-MM-DD")
    return value


ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
IsoDate = Annotated[dt.date, BeforeValidator(_iso_date)]


class ErrorOut(Schema):
    detail: str


class ValidationErrorOut(Schema):
    """django-ninja's answer to a parameter that does not validate: one entry per problem."""

    detail: list[dict[str, Any]]


INVALID = {422: ValidationErrorOut}


class Paged(PageNumberPagination):
    class Input(Schema):
        page: int = Field(1, ge=1, le=100_000)
        page_size: int = Field(50, ge=1, le=500)

    def paginate_queryset(self, queryset, pagination: Input, **params):
        offset = (pagination.page - 1) * pagination.page_size
        return {
            "items": queryset[offset : offset + pagination.page_size],
            "count": self._items_count(queryset),
        }


# Scope ------------------------------------------------------------------------------------------------------


class ScopeFilter(Schema):
    date_from: IsoDate | None = Field(None, alias="from", description="First day (ISO date), inclusive")
    date_to: IsoDate | None = Field(None, alias="to", description="Last day (ISO date), inclusive")
    circle: CircleCode | None = None
    tambon: str | None = Field(None, max_length=6, pattern=r"^\d{6}$", description="DOPA code")


class EmptyPeriod(metrics.Scope):
    """A period that ends before it starts holds no session: the API answers with empty figures rather than an
    error, as for any other period without sessions."""

    def __init__(self, circle=None, tambon=None):
        super().__init__(circle=circle, tambon=tambon)

    def sessions(self):
        return ForumSession.objects.none()


def _scope(filters: ScopeFilter) -> metrics.Scope:
    if filters.date_from and filters.date_to and filters.date_from > filters.date_to:
        return EmptyPeriod(circle=filters.circle, tambon=filters.tambon)
    try:
        return metrics.Scope(
            start=filters.date_from, end=filters.date_to, circle=filters.circle, tambon=filters.tambon
        )
    except ValueError as exc:  # not reached through the schema's own checks; kept for direct callers
        raise HttpError(400, str(exc)) from None


def _report_json(scope: metrics.Scope) -> dict:
    """The metrics report of a scope as JSON, with each agency's monthly rates, cached briefly."""
    key = "api:report:" + hashlib.sha256(repr(scope).encode()).hexdigest()

    def build():
        report = metrics.compute(scope)
        data = report.as_json(sessions=False)  # the figures: the sessions one by one are /sessions
        names = {a.code: a.organization for a in report.agencies}
        for agency, figures in zip(data["agencies"], report.agencies, strict=True):
            agency["name_th"] = names[agency["code"]].name_th
            agency["name_en"] = names[agency["code"]].name_en
            agency["monthly"] = {m: metrics.rounded(v) for m, v in figures.monthly.items()}
        data["phases"] = [
            {**row, "mean_unison": metrics.rounded(row["mean_unison"]),
             "attendance_rate": metrics.rounded(row["attendance_rate"])}
            for row in metrics.tambon_phases(report)
        ]  # fmt: skip
        return data

    return cache.get_or_set(key, build, CACHE_SECONDS)


def _safe_cell(value):
    if value is None:
        return ""
    if isinstance(value, dt.time):
        value = hh_mm(value)
    text = value.isoformat() if isinstance(value, dt.date) else str(value)
    # A cell starting with = + - @ is a formula to a spreadsheet; a quote makes it text.
    return "'" + text if text.startswith(CSV_FORMULA_START) else text


def csv_download(filename: str, header: list[str], rows) -> HttpResponse:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([_safe_cell(row.get(column)) for column in header])
    # A byte-order mark so that Excel reads the Thai as UTF-8.
    response = HttpResponse(
        ("\ufeff" + buffer.getvalue()).encode("utf-8"), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    return response


CSV_RESPONSE = {
    "responses": {
        200: {
            "description": "CSV, UTF-8 with a byte-order mark",
            "content": {"text/csv": {"schema": {"type": "string"}}},
        }
    }
}


# Sessions ---------------------------------------------------------------------------------------------------


class SessionFilter(ScopeFilter):
    status: StatusCode | None = None
    format: FormatCode | None = None


def hh_mm(value: dt.time | None) -> str | None:
    return value.strftime("%H:%M") if value else None


TIME_OF_DAY = {"pattern": r"^\d{2}:\d{2}$", "description": "HH:MM, Asia/Bangkok"}


class SessionOut(Schema):
    code: str
    title: str
    date: dt.date
    # HH:MM strings: JSON Schema's "time" format needs a UTC offset, which a local time of day has not.
    start: str | None = Field(**TIME_OF_DAY)
    end: str | None = Field(**TIME_OF_DAY)
    circle: CircleCode
    tambon_code: str | None = Field(description="DOPA code of the tambon; null for a provincial session")
    format: FormatCode
    status: StatusCode
    organizer_code: str | None = Field(description="Code of the organizing agency")
    invited: int = Field(description="People invited")
    attended: int = Field(description="People who came (present or late, walk-ins included)")

    @staticmethod
    def resolve_start(row):
        return hh_mm(row["start"])

    @staticmethod
    def resolve_end(row):
        return hh_mm(row["end"])


SESSION_COLUMNS = list(SessionOut.model_fields)


def _sessions(filters: SessionFilter):
    empty = isinstance(_scope(filters), EmptyPeriod)
    sessions = ForumSession.objects.none() if empty else ForumSession.objects.all()
    if filters.date_from:
        sessions = sessions.filter(date__gte=filters.date_from)
    if filters.date_to:
        sessions = sessions.filter(date__lte=filters.date_to)
    for name in ("circle", "status", "format"):
        if getattr(filters, name):
            sessions = sessions.filter(**{name: getattr(filters, name)})
    if filters.tambon:
        sessions = sessions.filter(tambon_id=filters.tambon)
    return sessions.order_by("date", "code").values(
        "code", "title", "date", "start", "end", "circle", "format", "status",
        tambon_code=F("tambon_id"), organizer_code=F("organizer__code"),
        invited=F("invited_count"), attended=F("attended_count"),
    )  # fmt: skip


@router.get("/sessions", response={200: list[SessionOut], 400: ErrorOut, **INVALID}, summary="Forum sessions")
@paginate(Paged)
def sessions(request, filters: Query[SessionFilter]):
    """Forum sessions with their head counts, by date then code."""
    return _sessions(filters)


@router.get(
    "/sessions.csv",
    response={400: ErrorOut, **INVALID},
    openapi_extra=CSV_RESPONSE,
    summary="Forum sessions (CSV)",
)
def sessions_csv(request, filters: Query[SessionFilter]):
    return csv_download("sessions", SESSION_COLUMNS, _sessions(filters))


# Agencies ---------------------------------------------------------------------------------------------------


class AgencyOut(Schema):
    code: str
    name_th: str
    name_en: str
    invited_sessions: int
    represented_sessions: int
    attendance_rate: float | None
    in_person_rate: float | None
    representative_share: float | None
    longest_streak: int
    current_miss_streak: int
    dropped_out: bool
    rate_with_chair: float | None
    rate_without_chair: float | None
    chair_effect_pp: float | None


AGENCY_COLUMNS = list(AgencyOut.model_fields)


@router.get(
    "/agencies",
    response={200: list[AgencyOut], 400: ErrorOut, **INVALID},
    summary="Partner agencies' attendance",
)
@paginate(Paged)
def agencies(request, filters: Query[ScopeFilter]):
    """The nine partner agencies' attendance figures over a period, circle or tambon (held sessions only)."""
    return _report_json(_scope(filters))["agencies"]


@router.get(
    "/agencies.csv", response={400: ErrorOut, **INVALID}, openapi_extra=CSV_RESPONSE, summary="Agencies (CSV)"
)
def agencies_csv(request, filters: Query[ScopeFilter]):
    return csv_download("agencies", AGENCY_COLUMNS, _report_json(_scope(filters))["agencies"])


# Monthly trends ---------------------------------------------------------------------------------------------


class TrendOut(Schema):
    month: str = Field(description="YYYY-MM (Gregorian)")
    agency: str
    attendance_rate: float | None


TREND_COLUMNS = list(TrendOut.model_fields)


def _trends(filters: ScopeFilter) -> list[dict]:
    data = _report_json(_scope(filters))
    rows = [
        {"month": month, "agency": agency["code"], "attendance_rate": rate}
        for agency in data["agencies"]
        for month, rate in agency["monthly"].items()
    ]
    return sorted(rows, key=lambda row: row["month"])  # stable: agencies stay in the program's order


@router.get(
    "/trends", response={200: list[TrendOut], 400: ErrorOut, **INVALID}, summary="Monthly attendance trend"
)
@paginate(Paged)
def trends(request, filters: Query[ScopeFilter]):
    """Each agency's attendance rate per calendar month of the session date."""
    return _trends(filters)


@router.get(
    "/trends.csv", response={400: ErrorOut, **INVALID}, openapi_extra=CSV_RESPONSE, summary="Trends (CSV)"
)
def trends_csv(request, filters: Query[ScopeFilter]):
    return csv_download("trends", TREND_COLUMNS, _trends(filters))


# Tambons and phases -----------------------------------------------------------------------------------------


class TambonFilter(Schema):
    phase: PhaseCode | None = Field(None, description="Only tambons of this program phase")
    in_program: bool = Field(False, description="Only tambons in the program")


class TambonOut(Schema):
    code: str
    name_th: str
    name_en: str
    district_code: str
    phase: str = Field(description="pilot, expansion, or empty when not in the program")
    joined_on: dt.date | None


TAMBON_COLUMNS = list(TambonOut.model_fields)


def _tambons(filters: TambonFilter):
    tambons = Tambon.objects.order_by("code")
    if filters.in_program:
        tambons = tambons.in_program()
    if filters.phase:
        tambons = tambons.filter(phase=filters.phase)
    return tambons.values("code", "name_th", "name_en", "phase", "joined_on", district_code=F("district_id"))


@router.get("/tambons", response={200: list[TambonOut], **INVALID}, summary="Tambons and their program phase")
@paginate(Paged)
def tambons(request, filters: Query[TambonFilter]):
    return _tambons(filters)


@router.get("/tambons.csv", response=INVALID, openapi_extra=CSV_RESPONSE, summary="Tambons (CSV)")
def tambons_csv(request, filters: Query[TambonFilter]):
    return csv_download("tambons", TAMBON_COLUMNS, _tambons(filters))


class PhaseOut(Schema):
    phase: Literal["pilot", "expansion", "provincial"]
    sessions: int
    tambons: int
    mean_unison: float | None
    attendance_rate: float | None


@router.get(
    "/phases", response={200: list[PhaseOut], 400: ErrorOut, **INVALID}, summary="Figures per program phase"
)
def phases(request, filters: Query[ScopeFilter]):
    """Held sessions grouped by where they were held: pilot tambons, expansion tambons, provincial."""
    return _report_json(_scope(filters))["phases"]
