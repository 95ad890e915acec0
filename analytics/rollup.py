"""One piece of figures (analytics.metrics.Piece) per calendar month, circle ("" for all circles) and set of KM
roles, in analytics.MonthFigures, and the months of each calendar year combined in analytics.YearFigures: a scope
over the whole province combines one piece a year and the months at its ends instead of reading every session.

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
from analytics.metrics import ROLE_SETS, Piece, combine, session_pieces
from analytics.models import ExportRows, MonthFigures, YearFigures
from forums import summaries
from forums.models import ForumSession


def month_of(day: dt.date) -> dt.date:
    return dt.date(day.year, day.month, 1)


def stored(circle: str, roles: str, first: dt.date | None, last: dt.date | None) -> list[Piece]:
    """The stored pieces of one circle ("" for all) and set of roles, for the months from `first` to `last`
    (first days; None: unbounded), in date order: a year's piece for every year wholly inside, the months'
    pieces for the years cut at either end. One query."""
    low = None if first is None else (first.year if first.month == 1 else first.year + 1)
    high = None if last is None else (last.year if last.month == 12 else last.year - 1)
    years = YearFigures.objects.filter(circle=circle, roles=roles)
    months = MonthFigures.objects.filter(circle=circle, roles=roles)
    if first:
        months = months.filter(month__gte=first)
    if last:
        months = months.filter(month__lte=last)
    if low is not None and high is not None and low > high:  # no whole year inside
        years = years.none()
    else:
        whole = Q(pk__isnull=False)  # every month, when the period is unbounded at both ends
        if low is not None:
            years = years.filter(year__gte=dt.date(low, 1, 1))
            whole &= Q(month__gte=dt.date(low, 1, 1))
        if high is not None:
            years = years.filter(year__lte=dt.date(high, 1, 1))
            whole &= Q(month__lte=dt.date(high, 12, 1))
        months = months.exclude(whole)  # read by their year's piece
    rows = years.values_list("year", "data").union(months.values_list("month", "data"), all=True)
    return [Piece.from_json(data) for _day, data in sorted(rows, key=lambda row: row[0])]


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
        YearFigures.objects.all().delete()
        ExportRows.objects.all().delete()
        days = ForumSession.objects.held().order_by().values_list("date", flat=True).distinct()
        count = _recount({month_of(day) for day in days})
        ForumSession.objects.filter(figures_stale=True).update(figures_stale=False)
        return count


def _recount(months: Iterable[dt.date], bits: dict[int, int] | None = None) -> int:
    """Rewrites the rows of these months, for every circle and set of roles, from their held sessions, and
    then the rows of their years."""
    months = sorted(set(months))
    in_months = Q()
    for first in months:
        in_months |= Q(date__gte=first, date__lt=_next_month(first))
    sessions = ForumSession.objects.held().filter(in_months)
    if bits is None:
        bits = summaries.partner_bits(Organization.objects.partners().values_list("pk", flat=True))
    pieces = session_pieces(sessions, ROLE_SETS, bits, monthly=True)
    MonthFigures.objects.filter(month__in=months).delete()
    # The exports' rows of these months are written again when next downloaded (analytics.export_rows).
    ExportRows.objects.filter(month__in=months).delete()
    MonthFigures.objects.bulk_create(
        [
            MonthFigures(
                circle=circle, month=dt.date.fromisoformat(f"{month}-01"), roles=roles, data=piece.as_json()
            )
            for (circle, month, roles), piece in sorted(pieces.items())
        ],
        batch_size=500,
    )
    write_years({month.year for month in months})
    return len(pieces)


def write_years(years: Iterable[int], month_model=MonthFigures, year_model=YearFigures, using=None) -> None:
    """Rewrites the year rows of these years from their month rows: two queries and one insert. The models
    are parameters so that a migration can use its own."""
    years = sorted(set(years))
    if not years:
        return
    in_years = Q()
    for year in years:
        in_years |= Q(month__gte=dt.date(year, 1, 1), month__lte=dt.date(year, 12, 1))
    grouped: dict[tuple[str, str, int], list[Piece]] = {}
    rows = month_model.objects.using(using).filter(in_years).order_by("month")
    for circle, roles, month, data in rows.values_list("circle", "roles", "month", "data"):
        grouped.setdefault((circle, roles, month.year), []).append(Piece.from_json(data))
    year_model.objects.using(using).filter(year__in=[dt.date(year, 1, 1) for year in years]).delete()
    year_model.objects.using(using).bulk_create(
        [
            year_model(circle=circle, roles=roles, year=dt.date(year, 1, 1), data=combine(pieces).as_json())
            for (circle, roles, year), pieces in sorted(grouped.items())
        ],
        batch_size=500,
    )


def _next_month(day: dt.date) -> dt.date:
    return dt.date(day.year + day.month // 12, day.month % 12 + 1, 1)


def mark_stale(circle: str | None = None, day: dt.date | None = None) -> None:
    """Marks the stored months to recount when next read: one month of one circle (and of all circles), or
    every month."""
    rows = MonthFigures.objects.all()
    if day is not None:
        rows = rows.filter(month=month_of(day), circle__in=["", circle or ""])
    rows.update(stale=True)
