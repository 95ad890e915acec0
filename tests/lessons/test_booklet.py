"""The knowledge-asset booklet: grouped by KM role then collection or tag, filterable, and a PDF with Thai text
and Buddhist-era dates that pdftotext reads back; the command writes the same booklet."""

import datetime as dt
import subprocess

import pytest
from bs4 import BeautifulSoup
from django.core.management import call_command
from django.utils import timezone

from agencies.models import KmRole, Tambon
from lessons import services
from lessons.models import Collection, LessonNote
from tests.factories import make_user
from tests.lessons.helpers import publish_as_reviewer

pytestmark = pytest.mark.django_db


@pytest.fixture
def notes():
    author = make_user("facilitator")
    welfare = Collection.objects.create(slug="welfare", name="สวัสดิการชุมชน")
    made = []
    for index, (title, tambon, lessons, published) in enumerate(
        [
            (
                "กองทุนสวัสดิการบางจาก",
                "800119",
                [(KmRole.KIT, "สมาชิกออกแบบสวัสดิการเองจึงร่วมมือ", "สมาชิกเพิ่มเป็น ๑๘๐ คน")],
                dt.datetime(2026, 12, 12, 10),
            ),
            (
                "วงผู้บริหารประจำไตรมาส",
                "800106",
                [(KmRole.EUA, "ประธานมาเอง หน่วยงานก็มาครบ", ""), (KmRole.AMNUAY, "ส่งวาระล่วงหน้า", "")],
                dt.datetime(2027, 1, 3, 10),
            ),
        ]
    ):
        note = LessonNote(
            title=title, author=author, body="<p>x</p>", collection=welfare if index == 0 else None
        )
        services.save_note(
            note,
            save_related=lambda saved, tambon=tambon: saved.tambons.add(Tambon.objects.get(code=tambon)),
            key_lessons=lessons,
            tag_names=[] if index == 0 else ["การบูรณาการ"],
        )
        publish_as_reviewer(note)
        LessonNote.objects.filter(pk=note.pk).update(published_at=timezone.make_aware(published))
        made.append(note)
    LessonNote.objects.create(title="ร่างไม่อยู่ในเล่ม", slug="draft", author=author)
    return made


def test_the_page_groups_by_role_then_collection_or_tag_and_filters(client, notes):
    html = BeautifulSoup(client.get("/lessons/assets/").content, "html.parser")
    sections = html.select("#assets section")
    assert [s["data-role"] for s in sections] == ["eua", "amnuay", "kit"]
    assert sections[0].select_one("h3").text == "การบูรณาการ"
    assert sections[2].select_one("h3").text == "สวัสดิการชุมชน"
    assert "สมาชิกเพิ่มเป็น ๑๘๐ คน" in sections[2].text
    assert sections[2].select_one("a")["href"] == notes[0].get_absolute_url()

    by_tambon = BeautifulSoup(client.get("/lessons/assets/", {"tambon": "800119"}).content, "html.parser")
    assert [s["data-role"] for s in by_tambon.select("#assets section")] == ["kit"]
    # The period in Buddhist-era dates: only the note published in January 2570.
    by_period = BeautifulSoup(
        client.get("/lessons/assets/", {"start": "01/01/2570", "end": "31/01/2570"}).content, "html.parser"
    )
    assert [s["data-role"] for s in by_period.select("#assets section")] == ["eua", "amnuay"]
    assert "booklet.pdf?start=" in by_period.select_one("#booklet-pdf")["href"]


def pdf_text(path):
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True, text=True
    ).stdout


def folded(text):
    """Text as extracted, compared without spaces and with sara am folded to sara aa: HarfBuzz's Thai shaper
    draws ำ as nikhahit + the glyph of า, and a PDF maps each glyph back to one character, so extraction
    cannot tell the two apart (the page itself shows them right)."""
    return "".join(text.split()).replace("ำ", "า")


def test_the_pdf_has_a_cover_contents_thai_text_and_buddhist_era_dates(client, notes, tmp_path):
    response = client.get("/lessons/assets/booklet.pdf")
    assert response["Content-Type"] == "application/pdf"
    path = tmp_path / "booklet.pdf"
    path.write_bytes(response.content)
    text = pdf_text(path)
    pages = text.split("\f")
    cover, contents = folded(pages[0]), folded(pages[1])
    assert folded("ขุมความรู้") in cover and folded("บทเรียนสำคัญ 3 ข้อ") in cover
    assert "สารบัญ" in contents and "สวัสดิการชุมชน" in contents and "คุณเอื้อ" in contents
    # Thai shaped and extracted as written: vowels and tone marks in place and in order, no missing glyphs.
    assert "สมาชิกออกแบบสวัสดิการเองจึงร่วมมือ" in folded(text)
    assert "หลักฐาน:สมาชิกเพิ่มเป็น๑๘๐คน" in folded(text)
    assert "12ธันวาคม2569" in folded(text) and "3มกราคม2570" in folded(text)
    assert "2026" not in text.replace("-2026", "")

    out = tmp_path / "command.pdf"
    call_command("knowledge_booklet", "--output", str(out))
    command_text = pdf_text(out)
    # The same booklet: the same pages, apart from the time it was made.
    assert [line for line in command_text.splitlines() if "จัดทำเมื่อ" not in line] == [
        line for line in text.splitlines() if "จัดทำเมื่อ" not in line
    ]
