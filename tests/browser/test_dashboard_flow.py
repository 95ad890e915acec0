import datetime as dt
import io
import re
from pathlib import Path

import pytest
from openpyxl import load_workbook

from agencies.models import KmRole
from tests.browser.test_checkin_flow import log_in
from tests.factories import make_attendance, make_person, make_session, make_user

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("reference_db")]


def test_governors_office_reads_filters_drills_down_and_downloads(browser, live_server):
    office = make_user("governor_office")
    chair = make_person("PROV", KmRole.EUA, is_chair=True)
    cdd, codi = make_person("CDD", KmRole.EUA), make_person("CODI", KmRole.EUA)
    for month in range(1, 7):
        session = make_session(circle="eua", status="held", date=dt.date(2006, month, 15))
        make_attendance(session, cdd, status="present")
        make_attendance(session, codi, status="present" if month < 3 else "absent")
        make_attendance(session, chair, status="present" if month % 2 else "excused")

    context = browser.new_context(
        viewport={"width": 1280, "height": 900}, base_url=live_server.url, accept_downloads=True
    )
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    log_in(page, office)
    page.goto("/dashboard/")
    assert page.locator('[data-kpi="sessions_held"]').inner_text() == "6"
    # The trend as small multiples, one chart per agency, months in Buddhist era.
    page.wait_for_function(
        "() => window.Chart && [...document.querySelectorAll('#trend-charts canvas')]"
        ".every((canvas) => Chart.getChart(canvas) !== undefined)"
    )
    assert page.locator("#trend-charts canvas").count() == 9
    labels = page.evaluate("() => Chart.getChart(document.querySelector('#trend-charts canvas')).data.labels")
    assert labels[0] == "ม.ค. 49"
    assert page.locator('tr[data-agency="CODI"] .badge').is_visible()  # dropped out: four misses at the end

    page.locator("#id_start").fill("01/03/2549")
    page.locator("#id_end").fill("30/04/2549")
    page.locator("#scope-form button[type=submit]").click()
    page.wait_for_url(re.compile(r"start=01%2F03%2F2549"))
    assert page.locator('[data-kpi="sessions_held"]').inner_text() == "2"

    page.locator('tr[data-agency="CODI"] a').first.click()
    page.wait_for_url(re.compile(r"/dashboard/agencies/CODI/\?"))
    assert page.locator("#agency-sessions tbody tr").count() == 2

    # From the agency to one of its people: the whole attendance history, newest first.
    page.locator('#agency-sessions a[href^="/people/"]').first.click()
    page.wait_for_url(re.compile(rf"/people/{codi.code}/"))
    assert page.locator("#attendance-history tbody tr").count() == 6
    page.go_back()

    page.go_back()
    with page.expect_download() as download_info:
        page.locator('a[href^="/dashboard/export/agencies.xlsx"]').click()
    download = download_info.value
    assert download.suggested_filename == "kmportal-agencies.xlsx"
    workbook = load_workbook(io.BytesIO(Path(download.path()).read_bytes()))
    assert [row[0] for row in workbook.active.iter_rows(min_row=2, values_only=True)][:2] == ["CDD", "WU"]
    assert errors == []
    context.close()
