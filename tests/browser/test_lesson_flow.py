import datetime as dt
import re

import pytest

from agencies.models import KmRole
from tests.browser.test_checkin_flow import log_in
from tests.factories import make_attendance, make_person, make_session, make_user

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("reference_db")]


def test_facilitator_publishes_a_note_and_an_anonymous_reader_finds_it_by_a_thai_word(phone_page):
    facilitator = make_user("facilitator")
    for month in (1, 2):
        session = make_session(circle="eua", status="held", date=dt.date(2006, month, 10))
        make_attendance(session, make_person("CDD", KmRole.EUA), status="present")
        make_attendance(session, make_person("GHB", KmRole.EUA), status="absent")

    page = phone_page
    log_in(page, facilitator)
    page.goto("/lessons/new/")
    page.locator("#id_title").fill("บทเรียนจากเวทีสามฝ่าย")
    editor = page.locator("[contenteditable=true]")
    editor.click()
    editor.type("สมาชิกองค์กรการเงินชุมชนตำบลบางจากออมเงินทุกวัน")
    page.locator("#id_lessons-0-text").fill("ผู้ว่าฯ มา หน่วยงานก็มา")
    page.locator("#id_lessons-0-role").select_option("eua")
    page.locator("#id_lessons-1-text").fill("คุณกิจออกแบบสวัสดิการเอง")
    page.locator("#id_lessons-1-role").select_option("kit")
    page.locator("#id_include_report").check()
    page.locator("#id_report_circle").select_option("eua")
    with page.expect_navigation():
        page.locator("button[name=save]").tap()
    with page.expect_navigation():
        page.locator("form[action$='/submit/'] button").tap()
    assert page.locator("form[action$='/publish/']").count() == 0  # review is on: not the author's to publish
    note_url = page.url

    def log_out():
        page.locator("form[action='/accounts/logout/'] button").evaluate("button => button.form.submit()")
        page.wait_for_url(re.compile(r"/accounts/login/"))

    log_out()
    log_in(page, make_user("facilitator_lead"))
    page.goto(note_url)
    with page.expect_navigation():
        page.locator("form[action$='/publish/'] button").tap()
    assert page.locator("#report-table").is_visible()
    log_out()
    page.goto("/lessons/search/?q=บางจาก")
    result = page.locator("#results li").first
    assert "บทเรียนจากเวทีสามฝ่าย" in result.inner_text()
    assert result.locator("mark").first.inner_text() == "บางจาก"
    with page.expect_navigation():
        result.locator("a").tap()
    rows = page.locator("#report-table tbody tr")
    assert rows.count() == 9
    assert page.locator('#report-table tr[data-agency="CDD"] td').first.inner_text().startswith("100%")
    assert page.locator("#key-lessons li").count() == 2
    page.wait_for_function("() => window.Chart && Chart.getChart('report-chart') !== undefined")
