"""The check-in page's scan mode, read through Chromium's fake camera: a video of a generated QR code.

The video is a Y4M file (raw YUV 4:2:0 frames) drawn from segno's module matrix, so no image library is needed.
"""

import datetime as dt
import re

import pytest
import segno
from django.utils import timezone
from playwright.sync_api import expect

from forums import services
from forums.codes import invitation_code
from forums.models import Attendance
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, PHONE
from tests.browser.test_checkin_flow import log_in
from tests.factories import make_person, make_session, make_user

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("reference_db")]
Status = Attendance.Status
WIDTH, HEIGHT = 640, 480


def write_y4m(path, text, frames=10):
    """A still video of the QR code of ``text``: black modules on white, centred, with its quiet zone."""
    matrix = [list(row) for row in segno.make(text, error="m").matrix]
    modules = len(matrix) + 8  # 4 modules of quiet zone on each side
    scale = (HEIGHT - 40) // modules
    left, top = (WIDTH - modules * scale) // 2, (HEIGHT - modules * scale) // 2
    luma = bytearray(b"\xeb" * (WIDTH * HEIGHT))  # video white (235)
    for y, row in enumerate(matrix):
        for x, dark in enumerate(row):
            if dark:
                for dy in range((y + 4) * scale, (y + 5) * scale):
                    start = (top + dy) * WIDTH + left + (x + 4) * scale
                    luma[start : start + scale] = b"\x10" * scale  # video black (16)
    chroma = b"\x80" * (WIDTH // 2 * HEIGHT // 2)
    with open(path, "wb") as video:
        video.write(f"YUV4MPEG2 W{WIDTH} H{HEIGHT} F10:1 Ip A1:1 C420jpeg\n".encode())
        for _ in range(frames):
            video.write(b"FRAME\n" + bytes(luma) + chroma + chroma)


@pytest.fixture
def camera_page(browser, live_server, tmp_path):
    """A phone-sized page whose camera films the video made by the test (call it with the text to show)."""
    opened = []

    def open_with(text):
        video = tmp_path / "code.y4m"
        write_y4m(video, text)
        # A browser of its own (the camera's file is a launch flag), from the suite's Playwright instance.
        camera_browser = browser.browser_type.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                *CHROMIUM_ARGS,
                "--use-fake-device-for-media-stream",
                "--use-fake-ui-for-media-stream",
                f"--use-file-for-fake-video-capture={video}",
            ],
        )
        context = camera_browser.new_context(**PHONE, locale="th-TH", base_url=live_server.url)
        context.grant_permissions(["camera"])
        opened.append(camera_browser)
        return context.new_page()

    yield open_with
    for camera_browser in opened:
        camera_browser.close()


def session_with_invitees(**fields):
    session = make_session(date=timezone.localdate(), **fields)
    first = make_person("CDD", first_name="สมศรี", last_name="ทองดี")
    second = make_person("WU", first_name="ประเสริฐ", last_name="ใจงาม")
    services.invite(session, [first, second])
    rows = {row.person_id: row for row in session.attendances.all()}
    return session, rows[first.pk], rows[second.pk]


def test_a_scanned_personal_link_marks_the_right_person_late_after_the_threshold(camera_page):
    coordinator = make_user("coordinator")
    # Started long ago (yesterday's date keeps the threshold in the past at any hour): arrivals are late.
    session, scanned, other = session_with_invitees(start=dt.time(0, 0))
    session.date = timezone.localdate() - dt.timedelta(days=1)
    session.save(update_fields=["date"])
    page = camera_page(f"https://km.example.go.th/i/{invitation_code(scanned)}/")
    log_in(page, coordinator)
    page.goto(f"/forums/{session.code}/checkin/")
    page.locator("#scanner-toggle").tap()

    result = page.locator("#scanner-result")
    expect(result).to_have_attribute("data-kind", "ok", timeout=15000)
    expect(page.locator("#scanner-name")).to_have_text(re.compile("สมศรี ทองดี"))
    expect(page.locator("#scanner-message")).to_have_text("มาสาย")
    # The mark travels through the check-in queue: the row says "saved" once the server has it.
    expect(page.locator(f"#row-{scanned.pk}")).to_have_attribute("data-state", "saved")
    scanned.refresh_from_db()
    other.refresh_from_db()
    assert (scanned.status, other.status) == (Status.LATE, Status.UNMARKED)
    # The same code held up again is not marked twice.
    page.wait_for_timeout(1500)
    scanned.refresh_from_db()
    assert scanned.version == 2


def test_a_code_of_a_session_without_start_marks_present(camera_page):
    coordinator = make_user("coordinator")
    session, scanned, _other = session_with_invitees(start=None)
    page = camera_page(invitation_code(scanned))  # the bare code, as printed on the sign-in sheet
    log_in(page, coordinator)
    page.goto(f"/forums/{session.code}/checkin/")
    page.locator("#scanner-toggle").tap()
    expect(page.locator("#scanner-result")).to_have_attribute("data-kind", "ok", timeout=15000)
    expect(page.locator("#scanner-message")).to_have_text("มา")
    expect(page.locator(f"#row-{scanned.pk}")).to_have_attribute("data-state", "saved")
    scanned.refresh_from_db()
    assert scanned.status == Status.PRESENT


@pytest.mark.parametrize("case", ["other session", "removed invitation", "not a code"])
def test_a_foreign_or_bad_code_is_refused_with_a_clear_message_and_marks_nobody(camera_page, case):
    coordinator = make_user("coordinator")
    session, _first, second = session_with_invitees()
    if case == "other session":
        _elsewhere, foreign, _ = session_with_invitees()
        text, message = invitation_code(foreign), "รหัสนี้เป็นของเวทีอื่น"
    elif case == "removed invitation":
        text = invitation_code(second)
        services.uninvite(session, [second.pk])
        message = "ไม่มีชื่อบุคคลนี้ในรายชื่อของเวทีนี้ (คำเชิญอาจถูกยกเลิกแล้ว)"
    else:
        text, message = "https://example.org/some/other/thing", "นี่ไม่ใช่รหัสเชิญของพอร์ทัล"
    page = camera_page(text)
    log_in(page, coordinator)
    page.goto(f"/forums/{session.code}/checkin/")
    page.locator("#scanner-toggle").tap()
    expect(page.locator("#scanner-result")).to_have_attribute("data-kind", "error", timeout=15000)
    expect(page.locator("#scanner-message")).to_have_text(message)
    assert not Attendance.objects.exclude(status="").exists()
