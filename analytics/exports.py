"""CSV and XLSX downloads of a dashboard table, through core.spreadsheets (formula-safe cells; in XLSX real
Buddhist-era dates, percentages and column widths)."""

from django.http import HttpResponse

from core.spreadsheets import Percent, csv_bytes, xlsx_bytes

# Tables whose every number is a percentage (a rate per month, a pair's co-attendance); elsewhere a percentage
# column says so in its header ("Attendance rate %").
PERCENT_TABLES = {"monthly", "co-attendance"}


def with_percentages(header, rows, table: str):
    """The rows with their percentages as core.spreadsheets.Percent, for XLSX."""
    all_percent = table in PERCENT_TABLES
    percent_columns = {i for i, h in enumerate(header) if all_percent or str(h).rstrip().endswith("%")}
    for row in rows:
        yield [
            Percent(v / 100)
            if i in percent_columns and isinstance(v, int | float) and not isinstance(v, bool)
            else v
            for i, v in enumerate(row)
        ]


def csv_response(filename: str, header, rows) -> HttpResponse:
    response = HttpResponse(csv_bytes(header, rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    return response


def xlsx_response(filename: str, title: str, header, rows) -> HttpResponse:
    # Percentages stay numbers 0-100 in CSV (as the page shows them); XLSX gets fractions in a percent format.
    rows = with_percentages(header, rows, title)
    response = HttpResponse(
        xlsx_bytes([(title, header, rows)]),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}.xlsx"'
    return response
