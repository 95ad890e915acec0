"""The two exports with a row per session (the sessions table and the heatmap, analytics.tables.SESSION_TABLES)
put together from rows written out a month at a time (analytics.ExportRows).

At province scale these files list every one of thousands of sessions: reading their masks and writing their
cells took 60–90 ms for a CSV and most of a second for an XLSX, on each download after a write. Here each
calendar month's rows, per circle, set of KM roles and language, are written once as CSV lines and as the XML of
XLSX rows (core.spreadsheets.xlsx_rows), compressed (zlib for the CSV, a piece of the XLSX file's own deflate
stream for the XML) and kept; a download reads them in one query and joins them: the CSV's decompressed, the
XML's as they are, zipped with the workbook's other parts without compressing them again.

Kept like the monthly figures they sit beside: a month's rows are good while its MonthFigures row is the one
they were read after (`source`). analytics.rollup recounts a month after any write to its sessions and writes
that row anew, so the next download writes the month's rows again, and deletes the rows it replaces. The days
of a period that cut a month (a period from the 15th) are read from their sessions on each download, as the
dashboard's figures are, and so are a tambon's few dozen sessions.
"""

import functools
import hashlib
import itertools
import json
import zlib
from collections import defaultdict
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils.translation import get_language

from agencies.models import Organization
from analytics import exports, rollup
from analytics.metrics import Scope, load_sessions, month_end, roles_key, whole_months
from analytics.models import ExportRows, MonthFigures
from analytics.tables import SESSION_TABLES
from core import spreadsheets
from forums import summaries
from forums.models import ForumSession

# Bumped whenever the rows' text changes shape, so that rows written by an older release are written again.
FORMAT = 1


@dataclass
class _Rows:
    """One table in the current language: what its rows are written with."""

    table: str
    language: str
    agency_ids: list[int]
    header: list

    @functools.cached_property
    def words(self) -> list[str]:
        """The translated words that fill the table's cells."""
        return [str(word) for word in SESSION_TABLES[self.table][2]().values() if word]

    @functools.cached_property
    def keys(self) -> spreadsheets.SheetKeys:
        return spreadsheets.xlsx_keys(self.table, self.header, self.words)

    @functools.cached_property
    def signature(self) -> str:
        """What a month's rows depend on besides its sessions: the format, the agencies' columns, the translated
        words in the cells (the shared strings' order follows them), the header (whose "%" columns hold
        percentages) and the spreadsheet's style numbers."""
        text = json.dumps(
            [FORMAT, self.table, self.language, self.agency_ids, self.words, list(map(str, self.header)),
             self.keys.styles]
        )  # fmt: skip
        return hashlib.sha256(text.encode()).hexdigest()

    def written(self, scope: Scope, sessions) -> tuple[bytes, spreadsheets.Deflated, list[int]]:
        """The CSV lines (compressed with zlib), the XLSX rows' XML (deflated) and the column widths of these
        sessions (a queryset of held sessions)."""
        figures = load_sessions(scope, self.agency_ids, sessions=sessions)
        return self.written_figures(figures)

    def written_figures(self, figures) -> tuple[bytes, spreadsheets.Deflated, list[int]]:
        rows = SESSION_TABLES[self.table][1](figures, self.agency_ids)
        csv = spreadsheets.csv_lines(rows)
        xml, widths = spreadsheets.xlsx_rows(
            exports.with_percentages(self.header, rows, self.table), self.keys
        )
        return zlib.compress(csv.encode(), 1), spreadsheets.deflate(xml.encode()), widths


def export_file(scope: Scope, table: str, extension: str) -> bytes:
    """The CSV or XLSX file of a sessions table or heatmap for a scope (a tambon's made whole): the same file as
    analytics.views writes from the report (tests/analytics/test_export_rows.py compares them), in a fixed number
    of queries when the months' rows are kept."""
    agencies = list(Organization.objects.partners())
    header = SESSION_TABLES[table][0](agencies)
    rows = _Rows(table, get_language() or "th", [a.pk for a in agencies], header)
    csv = extension == "csv"
    pieces: list[tuple] = []  # (compressed CSV lines or deflated XML, column widths) in date order

    def read(sessions):
        compressed, deflated, widths = rows.written(scope, sessions)
        pieces.append((compressed if csv else deflated, widths))

    first, last = whole_months(scope.start, scope.end)
    if scope.tambon or (first is not None and last is not None and first > last):
        read(scope.sessions())  # a tambon's few dozen sessions, or no whole month inside the period
    else:
        if scope.start and scope.start != first:
            read(scope.sessions().filter(date__lt=first))
        pieces += _kept_months(scope, rows, csv, first, last)
        if scope.end and last is not None and scope.end > month_end(last):
            read(scope.sessions().filter(date__gt=month_end(last)))
    if csv:
        head = ("\ufeff" + spreadsheets.csv_lines([header])).encode()
        return b"".join([head, *(zlib.decompress(text) for text, _w in pieces)])
    widths: list[int] = []
    for _text, piece_widths in pieces:
        widths = [max(a, b) for a, b in itertools.zip_longest(widths, piece_widths, fillvalue=0)]
    return spreadsheets.xlsx_with_rows(table, header, rows.words, widths, [text for text, _w in pieces])


def _kept_months(scope: Scope, rows: _Rows, csv: bool, first, last) -> list[tuple]:
    """The kept rows (compressed CSV lines or deflated XML) and widths of the whole months from `first` to
    `last` (None: unbounded), writing those missing or out of date."""
    circle, roles = scope.circle or "", roles_key(scope.roles)
    rollup.refresh(summaries.partner_bits(rows.agency_ids))
    # The months' figures first, then their rows: rows read after a write carry the id of a month row that the
    # recount after that write replaces, and are written again then.
    months = MonthFigures.objects.filter(circle=circle, roles=roles)
    kept = ExportRows.objects.filter(
        table=rows.table, circle=circle, roles=roles, language=rows.language, signature=rows.signature
    )
    if first:
        months, kept = months.filter(month__gte=first), kept.filter(month__gte=first)
    if last:
        months, kept = months.filter(month__lte=last), kept.filter(month__lte=last)
    sources = dict(months.values_list("month", "pk"))
    found = {}
    if csv:
        for month, source, text, widths in kept.values_list("month", "source", "csv", "widths"):
            found[month] = (source, text, widths)
    else:
        for month, source, data, crc, size, widths in kept.values_list(
            "month", "source", "xml", "xml_crc", "xml_size", "widths"
        ):
            found[month] = (source, spreadsheets.Deflated(bytes(data), crc, size), widths)
    missing = sorted(month for month, source in sources.items() if found.get(month, (None,))[0] != source)
    if missing:
        for month, (compressed, deflated, widths) in _write_months(scope, rows, missing, sources).items():
            found[month] = (sources[month], compressed if csv else deflated, widths)
    return [found[month][1:] for month in sorted(sources)]


def _write_months(scope: Scope, rows: _Rows, months: list, sources: dict) -> dict:
    """Writes the rows of these months (and returns them: {month: (compressed CSV, deflated XML, widths)})."""
    in_months = Q()
    for first in months:
        in_months |= Q(date__gte=first, date__lte=month_end(first))
    sessions = ForumSession.objects.held().filter(in_months)
    if scope.circle:
        sessions = sessions.filter(circle=scope.circle)
    by_month = defaultdict(list)
    for figures in load_sessions(scope, rows.agency_ids, sessions=sessions):
        by_month[figures.date.replace(day=1)].append(figures)
    new = {month: rows.written_figures(by_month.get(month, [])) for month in months}
    circle, roles = scope.circle or "", roles_key(scope.roles)
    written = [
        ExportRows(table=rows.table, circle=circle, roles=roles, language=rows.language, month=month,
                   source=sources[month], signature=rows.signature, csv=csv, xml=xml.data, xml_crc=xml.crc,
                   xml_size=xml.size, widths=widths)
        for month, (csv, xml, widths) in new.items()
    ]  # fmt: skip
    try:
        with transaction.atomic():
            ExportRows.objects.filter(
                table=rows.table, circle=circle, roles=roles, language=rows.language, month__in=months
            ).delete()
            ExportRows.objects.bulk_create(written, batch_size=100)
    except IntegrityError:
        pass  # another download wrote them at the same moment: these rows are as good, and served
    return new
