"""One piece of figures (analytics.metrics.Piece) per calendar month, circle ("" for all circles) and set of KM
roles, in analytics.MonthFigures: a scope over the whole province combines a few dozen of them instead of reading
every session.

Kept lazily, as the people reached are: a write marks its session (ForumSession.figures_stale, set in the same
statement as the session's counts, or by the session's own save), and `refresh`, called before figures are read,
recounts the months of the marked sessions — one query when nothing changed, so that the check-in pays nothing.
A session that leaves a month (a new date or circle) or is deleted marks that month's rows instead
(analytics/apps.py); so does anything that changes every figure (who is the chair, which agencies are partners).
"""

import datetime as dt
from collections.abc import Iterable

from django.db import transaction
from django.db.models import Q

from agencies.models import Organization
from analytics.metrics import ROLE_SETS, Piece, session_pieces
from analytics.models import MonthFigures
from forums import summaries
from forums.models import ForumSession


def month_of(day: dt.date) -> dt.date:
    return dt.date(day.year, day.month, 1)


def stored(circle: str, roles: str, first: dt.date | None, last: dt.date | None) -> list[Piece]:
    """The stored pieces of one circle ("" for all) and set of roles, for the months from `first` to `last`
    (first days; None: unbounded), in date order. One query."""
    rows = MonthFigures.objects.filter(circle=circle, roles=roles)
    if first:
        rows = rows.filter(month__gte=first)
    if last:
        rows = rows.filter(month__lte=last)
    return [Piece.from_json(data) for data in rows.order_by("month").values_list("data", flat=True)]


def _stale_months() -> set[tuple[str, dt.date]]:
    sessions = ForumSession.objects.filter(figures_stale=True).order_by().values_list("circle", "date")
    rows = MonthFigures.objects.filter(stale=True).order_by().values_list("circle", "month")
    return {(circle, month_of(day)) for circle, day in sessions.union(rows)}


def refresh(bits: dict[int, int] | None = None) -> int:
    """Recounts the months of every session written since the last call, and the months marked stale. Returns
    the number of months recounted; one query when nothing changed. `bits`: the partner agencies' bits
    (forums.summaries.partner_bits), when the caller has read them."""
    if not _stale_months():
        return 0
    with transaction.atomic():
        # Locked, so that two servers do not recount the same months at once; the second finds nothing left.
        stale = list(
            ForumSession.objects.select_for_update()
            .filter(figures_stale=True)
            .order_by("pk")
            .values_list("pk", "circle", "date")
        )
        rows = list(
            MonthFigures.objects.select_for_update().filter(stale=True).values_list("circle", "month")
        )
        months = {month_of(day) for _pk, _circle, day in stale} | {month for _circle, month in rows}
        if not months:
            return 0
        _recount(months, bits)
        ForumSession.objects.filter(pk__in=[pk for pk, _c, _d in stale]).update(figures_stale=False)
        return len(months)


def rebuild() -> int:
    """Recounts every month (after a bulk load). Returns the number of rows written."""
    with transaction.atomic():
        MonthFigures.objects.all().delete()
        days = ForumSession.objects.held().order_by().values_list("date", flat=True).distinct()
        count = _recount({month_of(day) for day in days})
        ForumSession.objects.filter(figures_stale=True).update(figures_stale=False)
        return count


def _recount(months: Iterable[dt.date], bits: dict[int, int] | None = None) -> int:
    """Rewrites the rows of these months, for every circle and set of roles, from their held sessions."""
    months = sorted(set(months))
    in_months = Q()
    for first in months:
        in_months |= Q(date__gte=first, date__lt=_next_month(first))
    sessions = ForumSession.objects.held().filter(in_months)
    if bits is None:
        bits = summaries.partner_bits(Organization.objects.partners().values_list("pk", flat=True))
    pieces = session_pieces(sessions, ROLE_SETS, bits, monthly=True)
    MonthFigures.objects.filter(month__in=months).delete()
    MonthFigures.objects.bulk_create(
        [
            MonthFigures(
                circle=circle, month=dt.date.fromisoformat(f"{month}-01"), roles=roles, data=piece.as_json()
            )
            for (circle, month, roles), piece in sorted(pieces.items())
        ],
        batch_size=500,
    )
    return len(pieces)


def _next_month(day: dt.date) -> dt.date:
    return dt.date(day.year + day.month // 12, day.month % 12 + 1, 1)


def mark_stale(circle: str | None = None, day: dt.date | None = None) -> None:
    """Marks the stored months to recount when next read: one month of one circle (and of all circles), or
    every month."""
    rows = MonthFigures.objects.all()
    if day is not None:
        rows = rows.filter(month=month_of(day), circle__in=["", circle or ""])
    rows.update(stale=True)
