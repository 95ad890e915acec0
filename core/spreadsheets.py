"""Files meant for people to open in a spreadsheet (Excel, LibreOffice): CSV and XLSX.

- Formula injection: a cell a person typed (a name, a position) that starts with =, +, -, @, a tab or a carriage
  return is run as a formula by spreadsheets (OWASP "CSV injection"); such text is written with a leading
  apostrophe, which spreadsheets show as text. Numbers are written as numbers, so -5 stays a number.
- CSV: UTF-8 with a byte-order mark (Excel reads Thai only then), CRLF line ends, ISO dates (sortable as text).
- XLSX: dates are real date cells in a Thai Buddhist-calendar number format, so they sort and filter as dates
  and show 2549; percentages are fractions in a percent format; column widths fit the text; the header row is
  frozen and bold.

The interchange files of import_km/export_km are for machines and never pass through here: they keep the
exact text.
"""

import csv
import datetime as dt
import io
from collections.abc import Iterable, Sequence

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
# Excel's locale code [$-NNCCLLLL]: LLLL 041E is Thai, CC 07 the Thai Buddhist calendar, NN 01 Western digits.
# Excel and LibreOffice both show 25 ต.ค. 2549 for it, and LibreOffice writes it back as [$-107041E]; the spelling
# with D (Thai digits, [$-D07041E]) shows ๒๕๔๙, which people do not type into filters.
BE_DATE_FORMAT = "[$-107041E]d mmm yyyy"
BE_DATETIME_FORMAT = "[$-107041E]d mmm yyyy hh:mm"
PERCENT_FORMAT = "0.0%"
MAX_COLUMN_WIDTH = 60
# Thai vowel and tone marks written above or below a letter take no width of their own.
_ZERO_WIDTH_THAI = set(
    "\u0e31\u0e34\u0e35\u0e36\u0e37\u0e38\u0e39\u0e3a\u0e47\u0e48\u0e49\u0e4a\u0e4b\u0e4c\u0e4d\u0e4e"
)


class Percent(float):
    """A fraction (0.75) that a spreadsheet shows as a percentage (75.0%)."""


def safe_text(value: str) -> str:
    """Text that a spreadsheet shows as typed rather than running it as a formula."""
    if value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def csv_cell(value) -> str | int | float:
    kind = type(value)  # the usual cells first: a file of every session has tens of thousands
    if kind is str:
        return "'" + value if value.startswith(FORMULA_TRIGGERS) else value
    if kind is int or kind is float:
        return value
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, Percent):
        return round(value * 100, 1)
    if isinstance(value, dt.datetime):
        return (timezone.localtime(value) if timezone.is_aware(value) else value).isoformat(
            timespec="minutes"
        )
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, int | float):
        return value
    return safe_text(str(value))


def csv_text(header: Sequence, rows: Iterable[Sequence]) -> str:
    """The CSV text, byte-order mark first."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([csv_cell(v) for v in header])
    for row in rows:
        writer.writerow([csv_cell(v) for v in row])
    return "\ufeff" + buffer.getvalue()


def csv_bytes(header: Sequence, rows: Iterable[Sequence]) -> bytes:
    return csv_text(header, rows).encode("utf-8")


def _xlsx_value(value):
    """The value and number format of one cell."""
    if value is None:
        return None, None
    if isinstance(value, bool):
        return int(value), None
    if isinstance(value, Percent):
        return float(value), PERCENT_FORMAT
    if isinstance(value, dt.datetime):
        local = timezone.localtime(value) if timezone.is_aware(value) else value
        # Spreadsheet cells have no time zone: the time as read in Thailand.
        return local.replace(tzinfo=None), BE_DATETIME_FORMAT
    if isinstance(value, dt.date):
        return value, BE_DATE_FORMAT
    if isinstance(value, int | float):
        return value, None
    return safe_text(str(value)), None


_DROP_ZERO_WIDTH = str.maketrans(dict.fromkeys(_ZERO_WIDTH_THAI))
_FORMAT_WIDTHS = {BE_DATE_FORMAT: 12, BE_DATETIME_FORMAT: 18, PERCENT_FORMAT: 7}


def _text_width(text: str) -> int:
    """The widest line of the text in characters that take room."""
    return max((len(line.translate(_DROP_ZERO_WIDTH)) for line in text.splitlines()), default=0)


def _shown_width(value, number_format, widths: dict) -> int:
    """The cell's width as shown; `widths` remembers each text's width for the sheet (the same words repeat)."""
    if number_format in _FORMAT_WIDTHS:
        return _FORMAT_WIDTHS[number_format]
    text = "" if value is None else str(value)
    width = widths.get(text)
    if width is None:
        width = widths[text] = _text_width(text)
    return width


def add_sheet(workbook: Workbook, title: str, header: Sequence, rows: Iterable[Sequence]):
    """A sheet of a write-only workbook: the cells are prepared first (the column widths come from them and must
    be set before any row is written), then written straight to the file, with no cell kept in memory."""
    sheet = workbook.create_sheet(title=title[:31])
    widths = [len(str(h)) for h in header]
    text_widths: dict[str, int] = {}
    prepared = []
    for row in rows:
        cells = []
        for index, raw in enumerate(row):
            value, number_format = _xlsx_value(raw)
            if index == len(widths):
                widths.append(0)
            width = _shown_width(value, number_format, text_widths)
            if width > widths[index]:
                widths[index] = width
            if number_format:
                cell = WriteOnlyCell(sheet, value=value)
                cell.number_format = number_format
                cells.append(cell)
            else:
                cells.append(value)
        prepared.append(cells)
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = min(MAX_COLUMN_WIDTH, width + 2)
    sheet.freeze_panes = "A2"
    heads = []
    for text in header:
        cell = WriteOnlyCell(sheet, value=safe_text(str(text)))
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        heads.append(cell)
    sheet.append(heads)
    for cells in prepared:
        sheet.append(cells)
    return sheet


def xlsx_bytes(sheets: Iterable[tuple[str, Sequence, Iterable[Sequence]]]) -> bytes:
    """A workbook of one sheet per (title, header, rows)."""
    workbook = Workbook(write_only=True)
    for title, header, rows in sheets:
        add_sheet(workbook, title, header, rows)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
