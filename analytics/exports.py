"""CSV (UTF-8 with a byte-order mark, so that Excel shows Thai) and XLSX downloads of a table."""

import csv
import datetime as dt
import io

from django.http import HttpResponse
from openpyxl import Workbook
from openpyxl.styles import Font

from core.thaidates import format_date


def _cell(value):
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def csv_response(filename: str, header, rows) -> HttpResponse:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows([[_cell(v) for v in row] for row in rows])
    response = HttpResponse(
        ("\ufeff" + buffer.getvalue()).encode("utf-8"), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    return response


def xlsx_response(filename: str, title: str, header, rows) -> HttpResponse:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = title[:31]
    sheet.append(list(header))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append([_xlsx_cell(v) for v in row])
    sheet.freeze_panes = "B2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = HttpResponse(
        buffer.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}.xlsx"'
    return response


def _xlsx_cell(value):
    # Dates are written as Buddhist-era text: Excel would show a real date cell in the Gregorian calendar.
    if isinstance(value, dt.date):
        return format_date(value, "numeric")
    return value
