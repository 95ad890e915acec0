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
import functools
import io
import itertools
import re
import struct
import zipfile
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.compat import safe_string
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.utils.datetime import to_excel

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


def csv_lines(rows: Iterable[Sequence]) -> str:
    """The CSV lines of these rows, each ending in CRLF."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    for row in rows:
        writer.writerow([csv_cell(v) for v in row])
    return buffer.getvalue()


def csv_text(header: Sequence, rows: Iterable[Sequence]) -> str:
    """The CSV text, byte-order mark first."""
    return "\ufeff" + csv_lines([header]) + csv_lines(rows)


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


def _measured(rows: Iterable[Sequence], widths: list[int]):
    """Each row's cells as (value, number format), widening `widths` (per column, the widest cell shown so far)
    as they go."""
    text_widths: dict[str, int] = {}  # the same words repeat: each text measured once
    for row in rows:
        cells = []
        for index, raw in enumerate(row):
            value, number_format = _xlsx_value(raw)
            if index == len(widths):
                widths.append(0)
            width = _shown_width(value, number_format, text_widths)
            if width > widths[index]:
                widths[index] = width
            cells.append((value, number_format))
        yield cells


def add_sheet(workbook: Workbook, title: str, header: Sequence, rows: Iterable[Sequence]):
    """A sheet of a write-only workbook: the cells are prepared first (the column widths come from them and must
    be set before any row is written), then written straight to the file, with no cell kept in memory."""
    sheet = workbook.create_sheet(title=title[:31])
    widths = [len(str(h)) for h in header]
    prepared = []
    for row in _measured(rows, widths):
        cells = []
        for value, number_format in row:
            if number_format:
                cell = WriteOnlyCell(sheet, value=value)
                cell.number_format = number_format
                cells.append(cell)
            else:
                cells.append(value)
        prepared.append(cells)
    _frame(sheet, header, widths)
    for cells in prepared:
        sheet.append(cells)
    return sheet


def _frame(sheet, header: Sequence, widths: list[int]):
    """The column widths, the frozen header row and the header itself."""
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


def xlsx_bytes(sheets: Iterable[tuple[str, Sequence, Iterable[Sequence]]]) -> bytes:
    """A workbook of one sheet per (title, header, rows)."""
    workbook = Workbook(write_only=True)
    for title, header, rows in sheets:
        add_sheet(workbook, title, header, rows)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# Sheets of tens of thousands of rows put together from rows written ahead (analytics.export_rows): openpyxl writes
# about 100,000 cells a second, too slow for a download of every session. The rows are written here once, as the
# XML of their row elements, and kept; a download puts them into a workbook that openpyxl made with the header
# alone (same parts, styles, widths and frozen header as xlsx_bytes). Words that fill most cells ("came in
# person") are shared strings of that workbook, a number in the cell: a third of the XML to keep and compress.

_PROBES = (
    (dt.date(2000, 1, 1), BE_DATE_FORMAT),
    (dt.datetime(2000, 1, 1), BE_DATETIME_FORMAT),
    (Percent(0), PERCENT_FORMAT),
)
_SHEET = "xl/worksheets/sheet1.xml"
_STRINGS = "xl/sharedStrings.xml"
_TYPES = "[Content_Types].xml"
_RELATIONS = "xl/_rels/workbook.xml.rels"
_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_XML_TEXT = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;"})


@dataclass(frozen=True)
class SheetKeys:
    """What the rows of a sheet refer to in its workbook: the style index of each number format, the shared
    string index of each word."""

    styles: dict[str, int]
    strings: dict[str, int]


@functools.lru_cache(maxsize=64)
def _template(title: str, header: tuple[str, ...], words: tuple[str, ...]):
    """openpyxl's workbook of one sheet with this header and no rows, and the words as its shared strings: its
    parts, deflated (the sheet's as None, in its place), the sheet's XML and its SheetKeys (the style numbers
    read from a row of probes that is then taken out)."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title[:31])
    _frame(sheet, header, [len(h) for h in header])
    probes = []
    for value, number_format in _PROBES:
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = number_format
        probes.append(cell)
    sheet.append(probes)
    buffer = io.BytesIO()
    workbook.save(buffer)
    with zipfile.ZipFile(buffer) as archive:
        parts = {name: archive.read(name) for name in archive.namelist()}
    xml = parts[_SHEET].decode()
    probe_row = re.search(r'<row r="2">.*?</row>', xml)
    styles = [int(index) for index in re.findall(r' s="(\d+)"', probe_row.group(0))]
    keys = SheetKeys(
        styles=dict(zip((number_format for _value, number_format in _PROBES), styles, strict=True)),
        strings={word: index for index, word in enumerate(words)},
    )
    parts[_SHEET] = None
    if words:  # openpyxl writes every text inline: the shared strings' part, and its two mentions, added here
        items = "".join(f"<si><t>{word.translate(_XML_TEXT)}</t></si>" for word in words)
        parts[_STRINGS] = f'<sst xmlns="{_MAIN}" uniqueCount="{len(words)}">{items}</sst>'.encode()
        parts[_TYPES] = parts[_TYPES].replace(
            b"</Types>",
            b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-'
            b'officedocument.spreadsheetml.sharedStrings+xml" /></Types>',
        )
        parts[_RELATIONS] = parts[_RELATIONS].replace(
            b"</Relationships>",
            b'<Relationship Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
            b'sharedStrings" Target="sharedStrings.xml" Id="rIdStrings" /></Relationships>',
        )
    parts = tuple((name, None if data is None else deflate(data, last=True)) for name, data in parts.items())
    return parts, xml[: probe_row.start()] + xml[probe_row.end() :], keys


def xlsx_keys(title: str, header: Sequence, words: Sequence[str]) -> SheetKeys:
    """The keys of the workbook of xlsx_with_rows(title, header, words, …), for xlsx_rows. `words`: the texts
    that fill many cells, kept once as shared strings."""
    return _template(title, tuple(str(h) for h in header), tuple(w for w in words if w))[2]


def _cell_xml(value, number_format, keys: SheetKeys) -> str:
    if value is None:
        return "<c/>"  # rows carry no cell references: an empty cell keeps the next in its column
    if type(value) is str:
        if not value:
            return "<c/>"
        shared = keys.strings.get(value)
        if shared is not None:
            return f'<c t="s"><v>{shared}</v></c>'
        text = ILLEGAL_CHARACTERS_RE.sub("", value).translate(_XML_TEXT)
        space = ' xml:space="preserve"' if text != text.strip() else ""
        return f'<c t="inlineStr"><is><t{space}>{text}</t></is></c>'
    style = f' s="{keys.styles[number_format]}"' if number_format else ""
    if isinstance(value, dt.date):
        value = to_excel(value)
    return f'<c{style} t="n"><v>{safe_string(value)}</v></c>'


def xlsx_rows(rows: Iterable[Sequence], keys: SheetKeys) -> tuple[str, list[int]]:
    """The XML of these rows' row elements, referring to the styles and shared strings of `keys` (xlsx_keys),
    and the width each column needs. Rows and cells carry no references (they follow one another), so that
    rows written at different times can be put one after another."""
    widths: list[int] = []
    xml = "".join(
        f"<row>{''.join(_cell_xml(value, number_format, keys) for value, number_format in row)}</row>"
        for row in _measured(rows, widths)
    )
    return xml, widths


@dataclass(frozen=True)
class Deflated:
    """A piece of a file's compressed data written ahead: raw deflate (no header) that ends on a byte boundary
    without ending the stream (zlib's sync flush), so that pieces written at different times join into one
    stream; with the CRC-32 and the length of the bytes it holds, so that the file's CRC needs no decompressing."""

    data: bytes
    crc: int
    size: int


def deflate(data: bytes, *, last: bool = False) -> Deflated:
    """`data` compressed at zlib's fastest level as a Deflated piece (`last`: the piece that ends the stream)."""
    compressor = zlib.compressobj(1, zlib.DEFLATED, -15)
    flush = zlib.Z_FINISH if last else zlib.Z_SYNC_FLUSH
    return Deflated(compressor.compress(data) + compressor.flush(flush), zlib.crc32(data), len(data))


def _joined(pieces: Sequence[Deflated]) -> Deflated:
    """One stream of these pieces, in order (the last must end it). CRC-32 is affine in its starting value:
    crc(A‖B) is A's CRC run on over |B| zero bytes, plus B's own, less what the zero bytes alone give."""
    zeros = memoryview(bytes(max((piece.size for piece in pieces), default=0)))
    crc = size = 0
    for piece in pieces:
        run = zeros[: piece.size]
        crc = zlib.crc32(run, crc) ^ piece.crc ^ zlib.crc32(run)
        size += piece.size
    return Deflated(b"".join(piece.data for piece in pieces), crc, size)


# 1 January 2000 in the archive's MS-DOS date: the same rows give the same bytes.
_ZIP_DATE = (2000 - 1980) << 9 | 1 << 5 | 1


def _zip(members: Sequence[tuple[str, Deflated]]) -> bytes:
    """A ZIP archive (PKWARE's APPNOTE: a local header and the data of each member, the central directory, the
    end record) of members already deflated: zipfile compresses what it is given, and the sheet's rows are
    compressed when they are kept. No ZIP64: a workbook here is megabytes, not gigabytes."""
    out, directory, offset = [], [], 0
    for name, member in members:
        raw = name.encode()
        # version 2.0, no flags, deflate, time 00:00, date, CRC, sizes, the name's length
        fields = (20, 0, 8, 0, _ZIP_DATE, member.crc, len(member.data), member.size, len(raw))
        local = struct.pack("<I5H3I2H", 0x04034B50, *fields, 0) + raw
        directory.append(struct.pack("<I6H3I5H2I", 0x02014B50, 20, *fields, 0, 0, 0, 0, 0, offset) + raw)
        out += [local, member.data]
        offset += len(local) + len(member.data)
    central = b"".join(directory)
    end = struct.pack("<I4H2IH", 0x06054B50, 0, 0, len(members), len(members), len(central), offset, 0)
    return b"".join([*out, central, end])


def xlsx_with_rows(
    title: str, header: Sequence, words: Sequence[str], widths: Sequence[int], rows: Sequence[Deflated]
) -> bytes:
    """A workbook of one sheet: this header, then rows written by xlsx_rows with xlsx_keys(title, header, words),
    encoded in UTF-8 and deflated (in order), with columns as wide as the header and `widths` (the widest of the
    rows' widths). The rows are not compressed again: a sheet of every session is megabytes of XML."""
    header = tuple(str(h) for h in header)
    parts, xml, _keys = _template(title, header, tuple(w for w in words if w))
    heads = [len(h) for h in header]
    columns = [max(pair) for pair in itertools.zip_longest(heads, widths, fillvalue=0)]
    cols = "".join(
        f'<col width="{min(MAX_COLUMN_WIDTH, width + 2)}" customWidth="1" min="{index}" max="{index}" />'
        for index, width in enumerate(columns, start=1)
    )
    xml = re.sub(r"<cols>.*?</cols>", lambda _match: f"<cols>{cols}</cols>", xml, count=1)
    head, tail = xml.split("</sheetData>", 1)
    sheet = _joined([deflate(head.encode()), *rows, deflate(f"</sheetData>{tail}".encode(), last=True)])
    return _zip([(name, sheet if part is None else part) for name, part in parts])
