"""The sign-in sheet printed to PDF by Chromium: full pages, no nearly empty last page, names whole, QR per row."""

import re
import subprocess

import pytest

from agencies.models import KmRole
from forums import services
from forums.views.sheet import BLANK_ROWS, FIRST_PAGE_ROWS, PAGE_ROWS
from tests.browser.test_checkin_flow import log_in
from tests.factories import make_person, make_session, make_user

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("reference_db")]

# Realistic long names: a given name and a family name that must each stay whole.
GIVEN = ["ประเสริฐศักดิ์", "สมศรี", "วราภรณ์", "ธนพัฒน์", "กิตติพงษ์", "จันทร์เพ็ญ"]
FAMILY = ["ทองประเสริฐวงศ์", "ศรีสุวรรณ", "แก้วมณีโชติ", "บุญญาศิริ", "เจริญรุ่งเรืองกิจ"]


def printed_pages(page, tmp_path) -> list[str]:
    pdf = tmp_path / "sheet.pdf"
    page.emulate_media(media="print")
    page.pdf(path=str(pdf), prefer_css_page_size=True, print_background=True)
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], check=True, capture_output=True, text=True
    ).stdout
    return [p for p in text.split("\f") if p.strip()]


def row_numbers(page_text: str) -> list[int]:
    return [int(m.group(1)) for m in re.finditer(r"^\s*(\d{1,3})\s", page_text, re.MULTILINE)]


@pytest.mark.parametrize("invited", [1, 17, 40])
def test_printed_sheet_fills_its_pages_and_keeps_names_whole(browser, live_server, tmp_path, invited):
    coordinator = make_user("coordinator")
    session = make_session(
        title="เวทีแลกเปลี่ยนเรียนรู้ภาคีเครือข่ายองค์กรการเงินชุมชน " * (1 + invited % 3), venue="ศาลากลางจังหวัด"
    )
    people = [
        make_person(
            ["CDD", "WU", "BAAC"][i % 3],
            KmRole.EUA,
            title="นางสาว",
            first_name=f"{GIVEN[i % len(GIVEN)]}",
            last_name=f"{FAMILY[i % len(FAMILY)]}",
            code=f"P{i:05d}",
        )
        for i in range(invited)
    ]
    services.invite(session, people)
    context = browser.new_context(locale="th-TH", base_url=live_server.url)
    page = context.new_page()
    try:
        log_in(page, coordinator)
        page.goto(f"/forums/{session.code}/sheet/")
        assert page.locator("tbody tr:not(.blank) td.qr svg").count() == invited
        pages = printed_pages(page, tmp_path)
    finally:
        context.close()

    numbers = [row_numbers(text) for text in pages]
    total = invited + (len(pages) * PAGE_ROWS)  # an upper bound, for the message only
    assert [n for page_numbers in numbers for n in page_numbers] == list(
        range(1, sum(len(n) for n in numbers) + 1)
    ), f"rows out of order or missing: {numbers} (at most {total})"
    # Every page is full: the first holds FIRST_PAGE_ROWS rows, the others PAGE_ROWS, the last one too.
    assert len(numbers[0]) == FIRST_PAGE_ROWS, numbers
    assert all(len(n) == PAGE_ROWS for n in numbers[1:]), numbers
    assert sum(len(n) for n in numbers) - invited >= BLANK_ROWS
    # Names are never broken inside a word: each given and family name appears whole on one line.
    text = "\n".join(pages)
    for person in people:
        assert person.first_name in text and person.last_name in text, person.full_name
