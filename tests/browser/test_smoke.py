import re

import pytest

from agencies.demo.builder import DemoBuilder

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("reference_db")]


def test_demo_coordinator_logs_in_on_a_phone_and_sees_the_thai_home_page(phone_page):
    accounts = DemoBuilder(seed=2549, scale="pilot", progress=lambda _message: None).build()["accounts"]
    password = next(password for _label, username, password in accounts if username == "coordinator")

    page = phone_page
    page.goto("/")
    assert re.search(r"/accounts/login/", page.url)
    assert page.locator("html").get_attribute("lang") == "th"
    page.get_by_label("ชื่อผู้ใช้").fill("coordinator")
    page.get_by_label("รหัสผ่าน").fill(password)
    page.get_by_role("button", name="เข้าสู่ระบบ").click()

    page.wait_for_url(re.compile(r"/$"))
    heading = page.locator("h1")
    assert "เวทีแลกเปลี่ยนเรียนรู้" in heading.inner_text()
    assert page.get_by_text("ตำบลนำร่อง").first.is_visible()
    # The Buddhist-era year of today, e.g. 2569, is on the page.
    assert re.search(r"25[6-9]\d", page.get_by_test_id("today").inner_text())
    # Nothing overflows a phone-wide screen sideways.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    # The menu collapses behind the toggler and opens on a tap.
    toggler = page.locator(".navbar-toggler")
    assert toggler.is_visible()
    toggler.tap()
    page.get_by_role("link", name="บุคคล").wait_for(state="visible")
    # Sarabun was served from the portal itself and is the face in use.
    assert page.evaluate("document.fonts.check('16px Sarabun')")
    page.screenshot(path="var/screenshot-home-phone.png", full_page=True)
