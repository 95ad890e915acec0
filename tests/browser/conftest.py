"""Playwright driving Debian's Chromium (Playwright's own browser download cannot work on the intranet)."""

import os

import pytest
from playwright.sync_api import sync_playwright

CHROMIUM = os.environ.get("KMPORTAL_CHROMIUM", "/usr/bin/chromium")
# Without these, Chromium tries to reach Google's services at start and on a closed network waits for them.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PHONE = {
    "viewport": {"width": 390, "height": 844},
    "device_scale_factor": 2,
    "is_mobile": True,
    "has_touch": True,
}


@pytest.fixture(scope="session")
def browser():
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def phone_page(browser, live_server):
    context = browser.new_context(**PHONE, locale="th-TH", base_url=live_server.url)
    page = context.new_page()
    yield page
    context.close()
