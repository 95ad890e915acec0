"""Files meant for people: formula-like cells are neutralized, CSV reads back with a BOM, and XLSX files open in
LibreOffice (Debian's libreoffice-calc-nogui, headless) with Buddhist-era dates that are real, sortable dates and
intact Thai."""

import csv
import datetime as dt
import io
import subprocess
import uuid

import pytest
from django.contrib.auth.models import Group
from openpyxl import load_workbook

from core.spreadsheets import BE_DATE_FORMAT, Percent, csv_text, safe_text, xlsx_bytes
from tests.factories import make_attendance, make_person, make_session, make_user

INJECTIONS = ["=1+2", "+cmd|' /C calc'!A0", "-2+3", "@SUM(A1)", "\t=1", "\r=1", '=HYPERLINK("http://x","y")']


@pytest.mark.parametrize("text", INJECTIONS)
def test_formula_like_text_is_written_as_text(text):
    assert safe_text(text) == "'" + text
    rows = list(csv.reader(io.StringIO(csv_text(["name"], [[text]]).removeprefix("\ufeff"))))
    assert rows[1] == ["'" + text]


def test_numbers_and_ordinary_text_are_left_alone():
    assert safe_text("สมชาย") == "สมชาย"
    rows = list(csv.reader(io.StringIO(csv_text(["n", "rate"], [[-5, Percent(0.755)]]))))
    assert rows[1] == ["-5", "75.5"]


@pytest.mark.django_db
def test_a_person_named_like_a_formula_exports_as_text(admin_client_portal):
    make_person(code="P-EVIL", first_name="=1+2", last_name='=HYPERLINK("http://evil","x")', position="+cmd")

    response = admin_client_portal.get("/people/P-EVIL/export.csv")

    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"))))
    person = next(row for row in rows if row["section"] == "person")
    assert (person["first_name"], person["last_name"], person["position"]) == (
        "'=1+2",
        '\'=HYPERLINK("http://evil","x")',
        "'+cmd",
    )


def libreoffice(directory, target: str, files) -> None:
    """One LibreOffice start for several files (each start takes seconds), with a profile of its own so that it
    never meets another LibreOffice running on the machine."""
    profile = directory / f"lo-profile-{uuid.uuid4().hex}"
    subprocess.run(
        ["soffice", f"-env:UserInstallation=file://{profile}", "--headless", "--norestore", "--convert-to", target,
         "--outdir", str(directory / "out"), *map(str, files)],
        check=True, capture_output=True, timeout=300,
    )  # fmt: skip


@pytest.mark.django_db
def test_xlsx_exports_open_in_libreoffice_with_sortable_buddhist_dates_and_thai(client, tmp_path):
    office = make_user()
    office.groups.add(Group.objects.get(name="governor_office"))
    client.force_login(office)
    for code, date in (("F-2549-02", dt.date(2006, 10, 25)), ("F-2548-01", dt.date(2005, 8, 12))):
        session = make_session(code=code, date=date, status="held", circle="eua", title=f"เวทีคุณเอื้อ {code}")
        make_attendance(session, make_person("CDD"), status="present")
    files = {
        "sessions": client.get("/dashboard/export/sessions.xlsx").content,
        "agencies": client.get("/dashboard/export/agencies.xlsx").content,
        "cells": xlsx_bytes(
            [("ทดสอบ", ["ชื่อ", "วันที่", "อัตรา"], [["=1+2", dt.date(2006, 10, 25), Percent(0.5)]])]
        ),
    }
    paths = []
    for name, content in files.items():
        (tmp_path / f"{name}.xlsx").write_bytes(content)
        paths.append(tmp_path / f"{name}.xlsx")

    # As a person sees the cells (CSV of the shown text, UTF-8), and as LibreOffice saves them back.
    libreoffice(tmp_path, "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,true", paths)
    libreoffice(tmp_path, "fods", paths)  # flat OpenDocument: one XML file
    shown = {
        name: list(csv.reader((tmp_path / "out" / f"{name}.csv").open(encoding="utf-8", newline="")))
        for name in files
    }

    sessions = shown["sessions"]
    assert [row[0] for row in sessions[1:]] == ["F-2548-01", "F-2549-02"]
    assert [row[1] for row in sessions[1:]] == ["12 ส.ค. 2548", "25 ต.ค. 2549"]
    assert sessions[1][2] == "เวทีคุณเอื้อ F-2548-01"
    assert shown["cells"][1] == ["'=1+2", "25 ต.ค. 2549", "50.0%"]
    assert shown["agencies"][1][1] == "พช."
    # The dates are date cells (numbers underneath), so they sort as dates: LibreOffice keeps them as dates in
    # the file it saves, with the Buddhist calendar format.
    resaved = (tmp_path / "out" / "sessions.fods").read_bytes()
    assert b'office:value-type="date"' in resaved and b'office:date-value="2005-08-12"' in resaved
    assert b'number:calendar="buddhist"' in resaved
    workbook = load_workbook(io.BytesIO(files["sessions"]))
    cell = workbook.active["B2"]
    assert cell.is_date and cell.number_format == BE_DATE_FORMAT
    assert workbook.active.freeze_panes == "A2"
    assert workbook.active.column_dimensions["C"].width > 10
