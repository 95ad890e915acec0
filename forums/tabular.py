"""Reading uploaded tables (CSV or XLSX) into rows with their line numbers, with errors people can act on."""

import csv
import io
import itertools
import zipfile
from dataclasses import dataclass

from django.utils.translation import gettext as _

MAX_UPLOAD_BYTES = 2 * 1024 * 1024
# A sign-in sheet holds one forum's people, a few hundred rows. Without these caps one upload under 2 MB could hold
# a worker for minutes: an XLSX file is a zip archive, and 700 KB of it can unpack to 2,000,000 rows of XML.
MAX_UPLOAD_ROWS = 5_000
MAX_XLSX_UNPACKED_BYTES = 10 * 1024 * 1024
# Read-only openpyxl fills the rows and columns a sheet skips up to the size the sheet declares (A1:XFD1048576):
# a 2 KB file would otherwise become a million rows of 16,384 cells.
MAX_XLSX_COLUMNS = 50


class TableError(ValueError):
    """The file as a whole cannot be read; the message is fit to show."""


@dataclass
class Row:
    line: int
    values: dict[str, str]


def _clean_header(cells) -> list[str]:
    return [str(c or "").strip().lstrip("\ufeff").lower() for c in cells]


def read_csv_bytes(data: bytes, required: list[str], name: str) -> list[Row]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise TableError(
            _("%(file)s is not UTF-8 text. Save it as “CSV UTF-8” and try again.") % {"file": name}
        ) from None
    if "\x00" in text:
        # Never in a text file, and PostgreSQL refuses it in any value.
        raise TableError(
            _("%(file)s line %(line)s holds a NUL character: it is not a CSV text file.")
            % {"file": name, "line": text.count("\n", 0, text.index("\x00")) + 1}
        )
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        lines = list(reader)
    except csv.Error as exc:
        raise TableError(
            _("%(file)s is not a readable CSV file: %(error)s") % {"file": name, "error": exc}
        ) from None
    return _rows(lines, required, name)


def read_xlsx_bytes(data: bytes, required: list[str], name: str) -> list[Row]:
    from openpyxl import load_workbook

    unreadable = TableError(_("%(file)s is not a readable XLSX workbook.") % {"file": name})
    try:
        # The members' sizes as the archive declares them: zipfile never unpacks more than declared.
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(member.file_size for member in archive.infolist())
    except Exception:
        raise unreadable from None
    if unpacked > MAX_XLSX_UNPACKED_BYTES:
        raise TableError(
            _("%(file)s unpacks to more than %(limit)s MB: a sign-in sheet is much smaller.")
            % {"file": name, "limit": MAX_XLSX_UNPACKED_BYTES // (1024 * 1024)}
        )
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds of errors for a damaged or foreign file
        raise unreadable from None
    try:
        # A read-only workbook parses its sheet while the rows are read: a damaged sheet (a missing part, a
        # number cell holding text) fails here rather than when the file is opened.
        sheet = workbook.worksheets[0]
        rows = sheet.iter_rows(values_only=True, max_col=MAX_XLSX_COLUMNS)
        # The header and the rows allowed, and one more to tell that there are too many (blank rows count).
        lines = [
            ["" if cell is None else _cell_text(cell) for cell in row]
            for row in itertools.islice(rows, MAX_UPLOAD_ROWS + 2)
        ]
    except Exception:
        raise unreadable from None
    finally:
        workbook.close()
    if len(lines) > MAX_UPLOAD_ROWS + 1:
        raise _too_many_rows(name)
    return _rows(lines, required, name)


def _cell_text(value) -> str:
    if hasattr(value, "strftime"):
        return value.strftime("%Y-%m-%d")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _rows(lines: list[list[str]], required: list[str], name: str) -> list[Row]:
    lines = [
        (number, line) for number, line in enumerate(lines, start=1) if any(str(c).strip() for c in line)
    ]
    if not lines:
        raise TableError(_("%(file)s is empty.") % {"file": name})
    header_line, header_cells = lines[0]
    header = _clean_header(header_cells)
    missing = [column for column in required if column not in header]
    if missing:
        raise TableError(
            _("%(file)s line %(line)s: missing column(s) %(columns)s.")
            % {"file": name, "line": header_line, "columns": ", ".join(missing)}
        )
    rows = []
    for number, cells in lines[1:]:
        values = {
            column: (str(cells[i]).strip() if i < len(cells) else "") for i, column in enumerate(header)
        }
        rows.append(Row(number, values))
    return rows


def read_upload(upload, required: list[str]) -> list[Row]:
    """An uploaded CSV or XLSX file's rows; TableError for a file too large, of another type, or unreadable."""
    name = upload.name or "file"
    if upload.size > MAX_UPLOAD_BYTES:
        raise TableError(
            _("%(file)s is larger than %(limit)s MB.")
            % {"file": name, "limit": MAX_UPLOAD_BYTES // (1024 * 1024)}
        )
    data = upload.read()
    if data[:4] == b"PK\x03\x04":
        rows = read_xlsx_bytes(data, required, name)
    elif name.lower().endswith((".xlsx", ".xls")):
        raise TableError(_("%(file)s is not a readable XLSX workbook.") % {"file": name})
    elif b"\x00" in data[:4096]:
        raise TableError(_("%(file)s is not a CSV or XLSX file.") % {"file": name})
    else:
        rows = read_csv_bytes(data, required, name)
    if len(rows) > MAX_UPLOAD_ROWS:
        raise _too_many_rows(name)
    return rows


def _too_many_rows(name: str) -> TableError:
    return TableError(
        _("%(file)s has more than %(limit)s rows: a sign-in sheet holds one forum's people.")
        % {"file": name, "limit": f"{MAX_UPLOAD_ROWS:,}"}
    )
