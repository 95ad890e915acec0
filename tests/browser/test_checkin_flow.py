import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from agencies.models import KmRole
from forums import services
from forums.models import Attendance
from tests.factories import PASSWORD, make_person, make_session, make_user

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("reference_db")]


def log_in(page, user):
    page.goto("/accounts/login/")
    page.locator("main input[name=username]").fill(user.username)
    page.locator("main input[name=password]").fill(PASSWORD)
    page.locator("main button[type=submit]").click()
    page.wait_for_url(re.compile(r"/$"))


def test_coordinator_checks_in_20_people_adds_a_walk_in_and_a_representative_on_a_phone(phone_page):
    coordinator = make_user("coordinator")
    session = make_session(date=timezone.localdate())
    agencies = ["CDD", "WU", "BAAC", "NFE", "DOAE"]
    invitees = [make_person(agencies[i % 5], KmRole.EUA, first_name=f"ผู้บริหาร{i:02d}") for i in range(22)]
    services.invite(session, invitees)
    walk_in = make_person("CPD", KmRole.AMNUAY, first_name="วันเพ็ญ", last_name="มาเอง")
    stand_in = make_person(invitees[21].organization, KmRole.AMNUAY, first_name="ผู้แทน", last_name="มาแทน")

    page = phone_page
    log_in(page, coordinator)
    page.goto(f"/forums/{session.code}/checkin/")
    counter = page.locator("#checkin-counter")
    expect(counter.locator('[data-count="invited"]')).to_have_text("22")

    # One tap per person: the first 20 come; each row says "saved" once the server has it.
    for person in invitees[:20]:
        row = page.locator(".checkin-row", has_text=person.first_name)
        row.locator("button[data-status=present]").tap()
        expect(row).to_have_attribute("data-state", "saved")
    expect(counter.locator('[data-count="attended"]')).to_have_text("20")
    # Tap targets of at least 44 px.
    box = page.locator(".checkin-row button[data-status=late]").first.bounding_box()
    assert box["height"] >= 44 and box["width"] >= 44

    # Type-to-filter in Thai narrows the list.
    page.locator("#checkin-filter").fill("ผู้บริหาร07")
    expect(page.locator(".checkin-row:visible")).to_have_count(1)
    page.locator("#checkin-filter").fill("")

    # A walk-in found by name, added with one tap.
    page.locator("#walk-in-search").fill("วันเพ็ญ")
    page.locator("#search-results button[data-status=present]").tap()
    walk_in_row = page.locator(".checkin-row", has_text="วันเพ็ญ")
    expect(walk_in_row).to_have_attribute("data-state", "saved")
    assert walk_in_row.locator(".badge").first.is_visible()

    page.screenshot(path="var/screenshot-checkin-phone.png")

    # The 22nd invitee sent a representative.
    page.locator(".checkin-row", has_text=invitees[21].first_name).locator(
        "a[data-action=representative]"
    ).tap()
    page.locator("input[name=representative]").fill(stand_in.code)
    with page.expect_navigation():
        page.get_by_role("button", name="บันทึกผู้แทน").tap()
    expect(counter.locator('[data-count="attended"]')).to_have_text("21")  # 20 invitees and the walk-in
    expect(counter.locator('[data-count="unmarked"]')).to_have_text("1")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390

    statuses = dict(session.attendances.values_list("person_id", "status"))
    assert sum(status == Attendance.Status.PRESENT for status in statuses.values()) == 21
    assert statuses[invitees[21].pk] == Attendance.Status.REPRESENTED
    assert session.attendances.get(person=walk_in).invited is False
    page.goto(f"/forums/{session.code}/")
    assert page.locator('#attendance-summary [data-count="walk_ins"]').inner_text() == "1"
    assert page.locator('#attendance-summary [data-count="sent_representative"]').inner_text() == "1"
    page.screenshot(path="var/screenshot-session-phone.png", full_page=True)
