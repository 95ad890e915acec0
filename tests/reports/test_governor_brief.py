"""The governor's monthly brief: a Thai A4 PDF whose figures are those of consistency_report for the month."""

import datetime as dt
import io
import json
import subprocess
import unicodedata

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from lessons.models import KeyLesson, LessonNote
from reports.brief import parse_month
from tests.factories import make_user


def pdf_text(content: bytes) -> str:
    done = subprocess.run(["pdftotext", "-layout", "-", "-"], input=content, capture_output=True, check=True)
    return done.stdout.decode("utf-8")


def skeleton(text: str) -> str:
    """Text without Thai vowel and tone marks or spaces: pdftotext may put a mark before its consonant or drop
    the spacing of SARA AM, which a person reading the PDF never sees."""
    return "".join(c for c in text if unicodedata.category(c) != "Mn" and c not in " \n\u0e33\u0e32")


def brief(tmp_path, month) -> bytes:
    out = tmp_path / "brief.pdf"
    call_command("governor_brief", "--month", month, "--output", str(out), stdout=io.StringIO())
    return out.read_bytes()


def report(start, end):
    out = io.StringIO()
    call_command("consistency_report", "--from", start, "--to", end, "--format", "json", stdout=out)
    return json.loads(out.getvalue())


def pct(value):
    return "–" if value is None else f"{value * 100:.2f}%"


@pytest.mark.parametrize(
    ("text", "expected"), [("2569-11", (2026, 11)), ("2026-11", (2026, 11)), (" 2549-1 ", (2006, 1))]
)
def test_the_month_is_read_in_either_era(text, expected):
    assert parse_month(text) == expected


@pytest.mark.parametrize("text", ["2569/11", "2569-13", "11-2569", "", "1500-01"])
def test_a_bad_month_is_refused_with_a_message(text, tmp_path, db):
    with pytest.raises(CommandError, match=r"month|year"):
        call_command("governor_brief", "--month", text, "--output", str(tmp_path / "x.pdf"))


def test_the_brief_shows_the_figures_of_consistency_report(tmp_path, program):
    author = make_user("facilitator")
    note = LessonNote.objects.create(
        title="บทเรียนเวทีคุณเอื้อเดือนพฤศจิกายน", slug="brief-note", author=author, body="<p>x</p>",
        status=LessonNote.Status.PUBLISHED, published_at=dt.datetime(2026, 11, 10, 10, tzinfo=timezone.get_current_timezone()),
    )  # fmt: skip
    KeyLesson.objects.create(note=note, text="ผู้ว่าฯ มาเอง หน่วยงานมาครบ", role="eua")
    LessonNote.objects.create(
        title="ร่างที่ยังไม่เผยแพร่", slug="brief-draft", author=author, body="<p>x</p>",
        published_at=dt.datetime(2026, 11, 11, tzinfo=timezone.get_current_timezone()),
    )  # fmt: skip

    content = brief(tmp_path, "2569-11")
    text = pdf_text(content)
    november = report("2026-11-01", "2026-11-30")

    assert content.startswith(b"%PDF")
    assert "พฤศจิกายน 2569" in text
    figures = next(line.split() for line in text.splitlines() if line.strip() and line.split()[0].isdigit())
    assert figures == [
        str(november["sessions_held"]),
        pct(november["mean_unison"]),
        pct(november["full_house_rate"]),
    ]
    rows = {line.split()[0]: line.split() for line in text.splitlines() if line.split() and "%" in line}
    for abbr, agency in zip(["พช.", "มวล.", "ธ.ก.ส."], november["agencies"][:3], strict=True):
        assert rows[abbr][1:4] == [
            str(agency["invited_sessions"]),
            str(agency["represented_sessions"]),
            pct(agency["attendance_rate"]),
        ]
    # BAAC came in November, not in October: +100 points.
    assert rows["ธ.ก.ส."][4:6] == ["0.00%", "+100.00"]
    assert skeleton("ผู้ว่าฯ มาเอง หน่วยงานมาครบ") in skeleton(text)
    assert skeleton("ร่างที่ยังไม่เผยแพร่") not in skeleton(text)
    assert "หน้า 1 / " in text


def test_the_brief_uses_sarabun_and_vector_charts(tmp_path, program):
    content = brief(tmp_path, "2026-10")
    path = tmp_path / "brief.pdf"
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout
    assert "Sarabun-Thai" in fonts
    images = subprocess.run(
        ["pdfimages", "-list", str(path)], capture_output=True, text=True, check=True
    ).stdout
    assert (
        len(images.strip().splitlines()) == 2
    )  # the header lines only: no raster image, the chart is vector
    assert "5 ต.ค. 2569" in pdf_text(content)  # Buddhist-era dates


def test_the_dashboard_button_downloads_the_brief(client, program):
    from bs4 import BeautifulSoup

    client.force_login(make_user("governor_office"))
    page = BeautifulSoup(client.get("/dashboard/").content, "html.parser")
    assert page.select_one("#governor-brief-form")["action"] == "/reports/governor-brief.pdf"

    response = client.get("/reports/governor-brief.pdf", {"month": "2569-10"})
    assert response["Content-Type"] == "application/pdf"
    assert "governor-brief-2569-10.pdf" in response["Content-Disposition"]
    assert "ตุลาคม 2569" in pdf_text(response.content)
    assert client.get("/reports/governor-brief.pdf", {"month": "nonsense"}).status_code == 400


def test_coordinators_cannot_download_the_brief(client, db):
    client.force_login(make_user("coordinator"))
    assert client.get("/reports/governor-brief.pdf").status_code == 403


def test_an_agency_name_with_markup_is_text_in_the_chart(client, program):
    # The chart is written into the template with |safe: its only source, reports.brief.bar_chart, escapes the
    # names, whatever path wrote them (here the admin).
    from xml.etree import ElementTree

    from django.template.loader import render_to_string

    from agencies.models import Organization
    from reports.brief import collect
    from tests.factories import change_in_admin

    client.force_login(make_user(is_staff=True, is_superuser=True))
    hostile = 'พช.<script>"x"</script>&'
    response = change_in_admin(client, Organization.objects.get(code="CDD"), abbr_th=hostile)
    assert response.status_code == 302, response.content[:2000]
    context = collect(2026, 10)
    svg = ElementTree.fromstring(context["chart"])  # well-formed: nothing of the name became markup
    texts = [element.text for element in svg.iter("{http://www.w3.org/2000/svg}text")]
    assert hostile in texts
    html = render_to_string("reports/governor_brief.html", context)
    assert "<script>" not in html and "&lt;script&gt;" in html
