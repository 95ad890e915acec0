"""The note editor in Chromium: bold, lists, links and a paste from a word processor, each shown and stored as
the server's render_body makes it (the editor has no rules of its own)."""

import pytest

from lessons.models import LessonNote
from tests.browser.test_checkin_flow import log_in
from tests.factories import make_user
from tests.lessons.test_richtext import WORD_LIST

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("reference_db")]


def open_editor(page):
    log_in(page, make_user("facilitator"))
    page.goto("/lessons/new/")
    page.locator("#id_title").fill("ทดสอบตัวแก้ไข")
    editor = page.locator("[contenteditable=true]")
    editor.click()
    return editor


def save(page):
    with page.expect_navigation():
        page.locator("button[name=save]").click()
    return LessonNote.objects.get(title="ทดสอบตัวแก้ไข")


def test_bold_and_lists(phone_page):
    page = phone_page
    editor = open_editor(page)
    editor.type("ย่อหน้าแรกเรื่อง KM")
    page.keyboard.press("Enter")
    page.locator(".rich-editor-bulleted").click()
    editor.type("ออมก่อนกู้")
    page.keyboard.press("Enter")
    editor.type("ปิดบัญชีทุกเดือน")
    page.keyboard.press("Control+Home")
    page.keyboard.press("End")
    page.keyboard.press("Shift+ArrowLeft")
    page.keyboard.press("Shift+ArrowLeft")
    page.locator(".rich-editor-bold").click()
    assert editor.locator("b").all_inner_texts() == ["KM"]
    assert editor.locator("ul li").count() == 2
    note = save(page)
    assert "<p>ย่อหน้าแรกเรื่อง <b>KM</b></p>" in note.body
    assert "<ul><li>ออมก่อนกู้</li><li>ปิดบัญชีทุกเดือน</li></ul>" in note.body


def test_a_link_goes_through_the_server_and_a_script_link_does_not(phone_page):
    page = phone_page
    editor = open_editor(page)
    editor.type("ดูรายงาน ")
    page.once("dialog", lambda dialog: dialog.accept("www.example.org/report"))
    page.keyboard.press("Control+K")
    page.wait_for_selector("[contenteditable=true] a[href]")
    assert editor.locator("a").get_attribute("href") == "https://www.example.org/report"
    editor.type(" และ ")
    page.once("dialog", lambda dialog: dialog.accept("javascript:alert(1)"))
    with page.expect_response(lambda response: response.url.endswith("/lessons/new/preview/")):
        page.locator(".rich-editor-link").click()
    page.wait_for_timeout(50)
    assert editor.locator("a").count() == 1
    assert 'href="javascript' not in editor.inner_html()  # the server kept the text, not the link
    note = save(page)
    assert '<a href="https://www.example.org/report" rel="noopener noreferrer">' in note.body
    assert 'href="javascript' not in note.body


def test_a_paste_from_a_word_processor_shows_what_the_server_keeps(phone_page):
    page = phone_page
    editor = open_editor(page)
    with page.expect_response(lambda response: response.url.endswith("/lessons/new/preview/")):
        editor.evaluate(
            """(area, html) => {
                const data = new DataTransfer();
                data.setData("text/html", html);
                data.setData("text/plain", "บทเรียนสามข้อ");
                area.dispatchEvent(new ClipboardEvent("paste", {clipboardData: data, bubbles: true, cancelable: true}));
            }""",
            WORD_LIST,
        )
    page.wait_for_selector("[contenteditable=true] ol li")
    assert editor.locator("ul li").all_inner_texts() == ["ออมก่อนกู้", "ปิดบัญชีทุกเดือน"]
    assert editor.locator("ol li").all_inner_texts() == ["ข้อที่หนึ่ง"]
    assert "mso" not in editor.inner_html() and "·" not in editor.inner_text()
    note = save(page)
    assert note.body == (
        "<p>บทเรียนสามข้อ</p><ul><li>ออมก่อนกู้</li><li>ปิดบัญชีทุกเดือน</li></ul><ol><li>ข้อที่หนึ่ง</li></ol>"
    )
