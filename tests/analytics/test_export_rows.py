"""The two exports with a row per session, put together from month rows kept in the database
(analytics.export_rows), are the files that the report's tables make through core.spreadsheets (the way every
other export is made): the same CSV bytes and the same XLSX cells, formats, widths and frozen header, in Thai and
English, for every kind of scope, and still after any edit. A month's rows are written again only when a write
touched that month."""

import datetime as dt
import io

import pytest
from django.core.cache import cache
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from agencies.models import KmRole, Organization
from analytics import export_rows, exports, tables
from analytics.metrics import Scope, compute
from analytics.models import ExportRows
from forums import services
from forums.models import Attendance, ForumSession
from tests.analytics.test_summaries_property import SCOPES, apply, edit, world  # noqa: F401 (a fixture)
from tests.factories import make_attendance, make_person, make_session, make_user
from tests.forums.test_write_path import form_data

pytestmark = pytest.mark.django_db

TABLES = ["sessions", "heatmap"]
URLS = [f"/dashboard/export/{table}.{extension}?circle=" for table in TABLES for extension in ("csv", "xlsx")]
# Titles a person may type: markup and entities, a formula, spaces at the ends, Thai with its marks.
TITLES = ["ทุน & <สวัสดิการ>", "=SUM(A1:A9)", "  เวทีออมทรัพย์ ", "-5", "เวทีคุณเอื้อ \"ปี\" 'ใหม่'"]


def from_report(scope: Scope, table: str, extension: str) -> bytes:
    """The file as every other table's: the report's rows written by core.spreadsheets."""
    header, rows = tables.TABLES[table](compute(scope))
    if extension == "csv":
        return exports.csv_response("kmportal", header, rows).content
    return exports.xlsx_response("kmportal", table, header, rows).content


def shown(content: bytes) -> dict:
    """What a spreadsheet shows of an XLSX file: every cell's value, format and boldness, the widths, the
    frozen rows, the sheet's name."""
    sheet = load_workbook(io.BytesIO(content)).active
    return {
        "title": sheet.title,
        "cells": [
            [(cell.value, cell.number_format, cell.font.b) for cell in row] for row in sheet.iter_rows()
        ],
        "widths": {key: value.width for key, value in sheet.column_dimensions.items()},
        "frozen": sheet.freeze_panes,
    }


def assert_same_file(scope: Scope, table: str, extension: str):
    kept, made = export_rows.export_file(scope, table, extension), from_report(scope, table, extension)
    if extension == "csv":
        assert kept == made, (scope, table)
    else:
        assert shown(kept) == shown(made), (scope, table)


@pytest.fixture
def months():
    """Sessions over fourteen months across a new year, in every circle, two to five a month, with agencies
    present, represented, absent and not invited, and the chair at some."""
    people = [make_person(code, KmRole.EUA) for code in ("CDD", "GHB", "CODI", "BAAC")]
    people.append(make_person("CDD", KmRole.KIT))
    stand_in = make_person("GHB", KmRole.AMNUAY)
    chair = make_person("PROV", KmRole.EUA, is_chair=True)
    statuses = ["present", "represented", "absent", "late", ""]
    sessions = []
    for index in range(40):
        day = dt.date(2005, 11, 3) + dt.timedelta(days=index * 11)
        session = make_session(
            circle=["eua", "eua_amnuay", "all"][index % 3], status="held", date=day, title=TITLES[index % 5]
        )
        for number, person in enumerate(people[: 2 + index % 4]):
            status = statuses[(index + number) % 5]
            make_attendance(
                session, person, status=status, representative=stand_in if status == "represented" else None
            )
        if index % 4 == 0:
            make_attendance(session, chair, status="present")
        sessions.append(session)
    return sessions


def held_months() -> list[dt.date]:
    return sorted({day.replace(day=1) for day in ForumSession.objects.held().values_list("date", flat=True)})


@pytest.fixture
def office_client(client):
    client.force_login(make_user("governor_office"))
    return client


@pytest.mark.parametrize("language", ["th", "en"])
@pytest.mark.parametrize("extension", ["csv", "xlsx"])
@pytest.mark.parametrize("table", TABLES)
def test_kept_rows_make_the_same_file_as_the_report(months, table, extension, language):
    with translation.override(language):
        for scope in [
            *SCOPES,
            Scope(start=dt.date(2006, 1, 1), end=dt.date(2006, 12, 31), circle="eua_amnuay"),
        ]:
            assert_same_file(scope, table, extension)
            assert_same_file(scope, table, extension)  # read back from the kept rows
    assert ExportRows.objects.filter(table=table, language=language).exists()


@pytest.mark.parametrize("table", TABLES)
def test_a_write_rewrites_only_the_rows_of_its_month(months, table):
    scope = Scope()
    before = export_rows.export_file(scope, table, "csv")
    kept = dict(ExportRows.objects.filter(table=table, circle="").values_list("month", "pk"))
    assert sorted(kept) == held_months()
    # A mark in January 2006: an agency that had nobody there now has someone present.
    came = ("present", "late", "represented")
    row = next(
        row
        for row in Attendance.objects.filter(
            session__date__range=("2006-01-01", "2006-01-31"), status="absent"
        )
        if not Attendance.objects.filter(
            session=row.session, organization=row.organization_id, status__in=came
        ).exists()
    )
    services.save_marks(row.session, [services.Mark(row.pk, "present", row.version)])
    after = export_rows.export_file(scope, table, "csv")
    assert after != before and after == from_report(scope, table, "csv")
    now = dict(ExportRows.objects.filter(table=table, circle="").values_list("month", "pk"))
    assert now.keys() == kept.keys()
    assert [month for month in kept if now[month] != kept[month]] == [dt.date(2006, 1, 1)]


def test_queries_do_not_grow_with_the_months(office_client):
    def count(url):
        office_client.get(url)  # the months' rows written
        cache.clear()
        with CaptureQueriesContext(connection) as queries:
            assert office_client.get(url).status_code == 200
        return len(queries)

    person = make_person("CDD", KmRole.EUA)
    make_attendance(make_session(status="held", date=dt.date(2006, 1, 5)), person, status="present")
    one = {url: count(url) for url in URLS}
    for index in range(1, 24):
        session = make_session(status="held", date=dt.date(2006, 1, 5) + dt.timedelta(days=31 * index))
        make_attendance(session, person, status="present")
    assert {url: count(url) for url in URLS} == one


def test_the_download_is_the_kept_file_and_a_tambons_is_made_whole(office_client, months):
    response = office_client.get("/dashboard/export/heatmap.csv?circle=")
    assert response["Content-Disposition"] == 'attachment; filename="kmportal-heatmap.csv"'
    with translation.override("th"):
        assert response.content == from_report(Scope(), "heatmap", "csv")
    written = ExportRows.objects.count()
    assert written == len(held_months())  # the heatmap's months of all circles, in Thai
    ForumSession.objects.filter(pk=months[0].pk).update(tambon_id="800106")
    response = office_client.get("/dashboard/export/heatmap.xlsx?circle=&tambon=800106")
    assert response.status_code == 200
    assert ExportRows.objects.count() == written  # a tambon's scope is not kept
    with translation.override("th"):
        assert shown(response.content) == shown(from_report(Scope(tambon="800106"), "heatmap", "xlsx"))


def test_a_title_changed_in_the_admin_is_in_the_next_download(office_client, admin_client_portal, months):
    assert office_client.get("/dashboard/export/sessions.csv?circle=").status_code == 200
    session = months[7]
    url = f"/admin/forums/forumsession/{session.pk}/change/"
    data = form_data(admin_client_portal.get(url), "forumsession_form")
    data["title"] = "เวทีที่แก้ชื่อแล้ว"
    assert admin_client_portal.post(url, data).status_code == 302
    content = office_client.get("/dashboard/export/sessions.csv?circle=").content.decode("utf-8-sig")
    assert f"{session.code},{session.date.isoformat()},เวทีที่แก้ชื่อแล้ว," in content
    with translation.override("th"):
        assert content.encode("utf-8-sig") == from_report(Scope(), "sessions", "csv")


def test_rows_read_before_a_recount_are_written_again(months):
    scope = Scope(circle="eua")
    export_rows.export_file(scope, "sessions", "csv")
    # As if a download had read its rows just before a write that the recount then counted: rows of another
    # source, holding something else.
    stale = ExportRows.objects.filter(table="sessions", circle="eua").order_by("month").first()
    ExportRows.objects.filter(pk=stale.pk).update(source=stale.source - 1, csv=b"stale\r\n")
    assert b"stale" not in export_rows.export_file(scope, "sessions", "csv")
    assert export_rows.export_file(scope, "sessions", "csv") == from_report(scope, "sessions", "csv")


def test_each_language_keeps_its_own_rows(months):
    with translation.override("en"):
        english = export_rows.export_file(Scope(), "heatmap", "csv").decode("utf-8-sig")
    with translation.override("th"):
        thai = export_rows.export_file(Scope(), "heatmap", "csv").decode("utf-8-sig")
    assert "came in person" in english and "came in person" not in thai
    assert (
        ExportRows.objects.filter(language="en").count() == ExportRows.objects.filter(language="th").count()
    )


def test_the_agencies_new_order_reorders_the_heatmaps_columns(months):
    export_rows.export_file(Scope(), "heatmap", "csv")
    ghb = Organization.objects.get(code="GHB")
    ghb.sort_order = 0  # first
    ghb.save()
    content = export_rows.export_file(Scope(), "heatmap", "xlsx")
    assert shown(content) == shown(from_report(Scope(), "heatmap", "xlsx"))
    assert shown(content)["cells"][0][2][0] == "GHB"


title_edit = st.tuples(st.just("title"), st.integers(0, 60), st.sampled_from(TITLES))


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(edits=st.lists(st.one_of(edit, title_edit), min_size=1, max_size=8))
def test_kept_rows_equal_the_reports_after_random_edits(world, edits):  # noqa: F811 (the fixture)
    with transaction.atomic():
        # Every scope's rows kept first, so that a month not written again would be caught after the edits.
        for scope in SCOPES:
            for table in TABLES:
                export_rows.export_file(scope, table, "csv")
        for one in edits:
            if one[0] == "title":
                session = ForumSession.objects.get(pk=world["sessions"][one[1] % len(world["sessions"])].pk)
                session.title = one[2]
                session.save()
            else:
                apply(one, world["people"], world["sessions"])
        for scope in SCOPES:
            for table in TABLES:
                assert_same_file(scope, table, "csv")
        for scope in SCOPES[:3]:
            assert_same_file(scope, "heatmap", "xlsx")
        transaction.set_rollback(True)
