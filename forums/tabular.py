"""Reading uploaded tables (CSV or XLSX) into rows with their line numbers, with errors people can act on."""

import csv
import io
from dataclasses import dataclass

from django.utils.translation import gettext as _

MAX_UPLOAD_BYTES = 2 * 1024 * 1024


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

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds of errors for a damaged or foreign file
        raise TableError(_("%(file)s is not a readable XLSX workbook.") % {"file": name}) from None
    sheet = workbook.worksheets[0]
    lines = [
        ["" if cell is None else _cell_text(cell) for cell in row]
        for row in sheet.iter_rows(values_only=True)
    ]
    workbook.close()
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
        return read_xlsx_bytes(data, required, name)
    if name.lower().endswith((".xlsx", ".xls")):
        raise TableError(_("%(file)s is not a readable XLSX workbook.") % {"file": name})
    if b"\x00" in data[:4096]:
        raise TableError(_("%(file)s is not a CSV or XLSX file.") % {"file": name})
    return read_csv_bytes(data, required, name)
