"""The heatmap table (export): a row per session, a column per agency, whatever the number of sessions."""

import datetime as dt
import io

import openpyxl
import pytest
from django.utils import translation

from agencies.models import Organization
from analytics import exports, tables
from analytics.metrics import AgencyFigures, Report, Scope, SessionFigures

pytestmark = pytest.mark.django_db


def test_more_sessions_than_a_spreadsheet_has_columns_still_export():
    agencies = [AgencyFigures(o) for o in Organization.objects.partners()]
    cdd = next(a for a in agencies if a.code == "CDD")
    sessions = [
        SessionFigures(n, f"F-{n:05d}", dt.date(2006, 1, 1) + dt.timedelta(days=n % 300), "", "all", None,
                       invited={cdd.organization.pk}, in_person={cdd.organization.pk} if n % 2 else set())
        for n in range(17_000)
    ]  # fmt: skip
    report = Report(Scope(), agencies, [], [], sessions_held=len(sessions), _sessions=sessions)
    with translation.override("en"):
        header, rows = tables.heatmap(report)
    assert len(header) == 2 + len(agencies) and len(rows) == 17_000
    response = exports.xlsx_response("kmportal-heatmap", "heatmap", header, rows)
    sheet = openpyxl.load_workbook(io.BytesIO(response.content), read_only=True).active
    values = list(sheet.iter_rows(values_only=True))
    assert len(values) == 17_001
    column = list(values[0]).index("CDD")
    assert values[1][0] == "F-00000" and values[1][column] == "invited, did not come"
    assert values[2][0] == "F-00001" and values[2][column] == "came in person"
    other = next(i for i, a in enumerate(agencies) if a.code != "CDD") + 2
    assert values[1][other] in ("", None)
