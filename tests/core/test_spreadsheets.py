"""Files meant for people: formula-like cells are neutralized, CSV reads back with a BOM, and XLSX files open in
LibreOffice (Debian's libreoffice-calc-nogui, headless) with Buddhist-era dates that are real, sortable dates and
intact Thai."""

import csv
import datetime as dt
import io
import itertools
import subprocess
import uuid
import zipfile
import zlib

import pytest
from django.contrib.auth.models import Group
from openpyxl import load_workbook

from core import spreadsheets as core_spreadsheets
from core.spreadsheets import (
    BE_DATE_FORMAT,
    Percent,
    csv_lines,
    csv_text,
    deflate,
    safe_text,
    xlsx_bytes,
    xlsx_keys,
    xlsx_rows,
    xlsx_with_rows,
)
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
        "heatmap": client.get("/dashboard/export/heatmap.xlsx").content,  # its words are shared strings
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
    heatmap = shown["heatmap"]
    cdd = heatmap[0].index("CDD")
    assert [row[:2] for row in heatmap[1:]] == [["F-2548-01", "12 ส.ค. 2548"], ["F-2549-02", "25 ต.ค. 2549"]]
    assert [row[cdd] for row in heatmap[1:]] == ["มาด้วยตนเอง", "มาด้วยตนเอง"]
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


# Rows written ahead and put together later (core.spreadsheets.xlsx_rows, xlsx_with_rows; analytics.export_rows)

HEADER = ["รหัส", "วันที่", "ชื่อเวที", "จำนวน", "อัตรา %", "เวลา", "สถานะ", "หมายเหตุ"]
WORDS = ["มาด้วยตนเอง", "ส่งผู้แทน", "ได้รับเชิญแต่ไม่มา"]
ROWS = [
    ["F-1", dt.date(2006, 10, 25), "ทุน & <สวัสดิการ>", 3, Percent(0.333), dt.datetime(2006, 10, 25, 9, 30), WORDS[0], None],
    ["F-2", dt.date(2005, 8, 12), "=SUM(A1)", -5, Percent(1 / 3), None, WORDS[1], ""],
    ["F-3", dt.date(2549 - 543, 1, 1), "  ช่องว่างหน้าหลัง ", 0, None, None, WORDS[2], True],
    ["F-4", None, "เวทีคุณเอื้อ \"ปี\" 'ใหม่'\nบรรทัดสอง", 2.5, Percent(0), None, "", False],
    ["F-5", dt.date(2007, 2, 28), "ยาวมาก " * 20, 10**9, Percent(0.5), None, WORDS[0], "เพิ่ม", "เกินหัวตาราง"],
]  # fmt: skip


def workbook_cells(content: bytes) -> dict:
    sheet = load_workbook(io.BytesIO(content)).active
    return {
        "title": sheet.title,
        "cells": [[(c.value, c.number_format, c.font.b, c.alignment.wrap_text) for c in row] for row in sheet.iter_rows()],
        "widths": {key: value.width for key, value in sheet.column_dimensions.items()},
        "frozen": sheet.freeze_panes,
    }  # fmt: skip


@pytest.mark.parametrize("cut", [0, 1, 3, 5])
def test_rows_written_ahead_make_the_workbook_that_xlsx_bytes_makes(cut):
    """Two pieces of rows written at different times, joined: the same cells, number formats, header, widths
    and frozen row as the whole sheet written by openpyxl."""
    keys = xlsx_keys("ตาราง", HEADER, WORDS)
    first, first_widths = xlsx_rows(ROWS[:cut], keys)
    second, second_widths = xlsx_rows(ROWS[cut:], keys)
    widths = [max(a, b) for a, b in itertools.zip_longest(first_widths, second_widths, fillvalue=0)]
    joined = xlsx_with_rows(
        "ตาราง", HEADER, WORDS, widths, [deflate(first.encode()), deflate(second.encode())]
    )
    with zipfile.ZipFile(io.BytesIO(joined)) as archive:
        assert archive.testzip() is None  # every member's CRC and length as the archive says
        made = zipfile.ZipFile(io.BytesIO(xlsx_bytes([("ตาราง", HEADER, ROWS)])))
        assert sorted(archive.namelist()) == sorted([*made.namelist(), "xl/sharedStrings.xml"])
    assert workbook_cells(joined) == workbook_cells(xlsx_bytes([("ตาราง", HEADER, ROWS)]))
    assert "มาด้วยตนเอง" not in first + second  # the words are shared strings, written once
    assert csv_lines(ROWS[:cut]) + csv_lines(ROWS[cut:]) == csv_text(HEADER, ROWS).split("\r\n", 1)[1]


def test_a_control_character_in_a_kept_row_is_dropped_not_an_error():
    keys = xlsx_keys("t", ["ชื่อ"], [])
    xml, _widths = xlsx_rows([["เวที\x01ทดสอบ\x1f"]], keys)
    sheet = load_workbook(io.BytesIO(xlsx_with_rows("t", ["ชื่อ"], [], [1], [deflate(xml.encode())]))).active
    assert sheet["A2"].value == "เวทีทดสอบ"


def test_deflated_pieces_join_into_one_stream_with_its_crc():
    """Pieces compressed at different times, and the CRC-32 of the whole from theirs."""
    pieces = [b"", "เวที ".encode() * 3000, bytes(range(256)) * 40, b"<row/>" * 7]
    joined = core_spreadsheets._joined([*(deflate(piece) for piece in pieces), deflate(b"end", last=True)])
    whole = b"".join(pieces) + b"end"
    assert zlib.decompress(joined.data, -15) == whole
    assert (joined.crc, joined.size) == (zlib.crc32(whole), len(whole))
