"""The check-in at a venue without a steady connection, in Chromium emulating a phone.

Service workers, IndexedDB and the page's retries are asynchronous: every step waits for a state the page shows
(the worker ready, the queue counter, a row's state), never for a fixed time.
"""

import contextlib
import json
import re
import uuid

import pytest
from django.contrib.sessions.models import Session
from django.utils import timezone
from playwright.sync_api import expect

from agencies.models import KmRole
from forums import services
from forums.codes import invitation_code
from forums.models import Attendance
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, PHONE
from tests.factories import PASSWORD, make_person, make_session, make_user

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("reference_db")]
WAIT = 20_000  # ms: the page retries within 8 s once the connection is back


@pytest.fixture
def open_phone(browser, live_server, tmp_path):
    """Opens a phone browser with its own profile folder; opening it again with the same folder is the phone after
    the browser was closed (the service worker, IndexedDB and cookies are kept)."""
    contexts = []

    def open_(profile="phone"):
        context = browser.browser_type.launch_persistent_context(
            str(tmp_path / profile),
            executable_path=CHROMIUM,
            headless=True,
            args=CHROMIUM_ARGS,
            locale="th-TH",
            base_url=live_server.url,
            **PHONE,
        )
        context.set_default_timeout(WAIT)
        contexts.append(context)
        return context

    yield open_
    for context in contexts:
        with contextlib.suppress(Exception):  # already closed by the test
            context.close()


def log_in(page, user, next_url=None):
    page.goto("/accounts/login/" + (f"?next={next_url}" if next_url else ""))
    page.locator("main input[name=username]").fill(user.username)
    page.locator("main input[name=password]").fill(PASSWORD)
    page.locator("main button[type=submit]").click()
    page.wait_for_url(re.compile(next_url or r"/$"))


def open_checkin(page, session):
    page.goto(f"/forums/{session.code}/checkin/")
    page.locator("html[data-offline-ready=yes]").wait_for(state="attached")
    page.wait_for_function("() => navigator.serviceWorker.controller !== null")


def row(page, attendance):
    return page.locator(f"#row-{attendance.pk}")


def embedded_generated_at(page):
    return page.evaluate("JSON.parse(document.getElementById('checkin-data').textContent).generatedAt")


def cached_generated_at(page):
    """When the copy of the page the service worker keeps was made on the server."""
    return page.evaluate(
        """async () => {
            const response = await caches.match(location.origin + location.pathname);
            const html = new DOMParser().parseFromString(await response.text(), "text/html");
            return JSON.parse(html.getElementById("checkin-data").textContent).generatedAt;
        }"""
    )


def tap(page, attendance, status):
    row(page, attendance).locator(f"button[data-status={status}]").tap()


def pending(page):
    return page.locator('#checkin-queue [data-count="pending"]')


def wait_until_sent(page):
    page.wait_for_function(
        "() => document.querySelector('#checkin-queue [data-count=pending]').textContent === '0'",
        timeout=WAIT,
    )


@contextlib.contextmanager
def sent(page):
    """Waits until the change made inside has been answered by the server and the queue is empty again."""
    with page.expect_response(lambda response: "/checkin/sync/" in response.url):
        yield
    wait_until_sent(page)


def go_offline(context):
    """Cuts the phone off: the browser's offline mode (navigator.onLine false, the "offline" event) and every
    request failing as with no connection. Chromium's offline emulation alone has let a request through (a page
    just reloaded from the service worker's copy once sent its queue in CI), which no real lost connection does."""
    context.set_offline(True)
    context.route("**/*", lambda route: route.abort("internetdisconnected"))


def go_online(context):
    context.unroute("**/*")
    context.set_offline(False)


def venue(invitees=8):
    coordinator = make_user("coordinator", first_name="วิไล", last_name="ประสานงาน")
    session = make_session(date=timezone.localdate())
    people = [make_person("CDD", KmRole.EUA, first_name=f"ผู้บริหาร{i:02d}") for i in range(invitees)]
    services.invite(session, people)
    rows = list(session.attendances.order_by("person__first_name"))
    walk_in = make_person("NFE", KmRole.AMNUAY, first_name="วันเพ็ญ", last_name="มาเอง")
    return coordinator, session, rows, walk_in


def mark_offline(page, rows, walk_in):
    for attendance in rows[:5]:
        tap(page, attendance, "present")
        expect(row(page, attendance)).to_have_attribute("data-state", "pending")
    page.locator("#walk-in-search").fill("วันเพ็ญ")
    page.locator("#search-results button[data-status=late]").tap()
    page.locator(".checkin-row", has_text="วันเพ็ญ").wait_for()
    expect(pending(page)).to_have_text("6")


def test_marks_made_offline_survive_reload_and_browser_restart_and_are_sent_without_a_tap(
    open_phone, monkeypatch
):
    # While the phone is offline the server takes no marks at all, whatever reaches it: under load in CI a page
    # reloaded from the service worker's copy has once sent its queue through both the browser's offline mode and
    # the context's aborting route. A refused request is one more failure to the page (it keeps the queue).
    apply_checkin_ops = services.apply_checkin_ops

    def unreachable(*args, **kwargs):
        raise ConnectionAbortedError("the phone is offline in this test")

    monkeypatch.setattr(services, "apply_checkin_ops", unreachable)
    coordinator, session, rows, walk_in = venue()
    context = open_phone()
    page = context.pages[0]
    log_in(page, coordinator)
    open_checkin(page, session)

    go_offline(context)
    mark_offline(page, rows, walk_in)
    expect(page.locator("#checkin-queue")).to_have_attribute("data-online", "no")

    cached = cached_generated_at(page)
    page.reload()
    expect(pending(page)).to_have_text("6")
    expect(row(page, rows[0])).to_have_attribute("data-state", "pending")
    assert embedded_generated_at(page) == cached  # the page came from the phone, not from the server
    context.close()

    assert not session.attendances.exclude(status="").exists()  # nothing reached the server yet

    context = open_phone()
    go_offline(context)
    page = context.pages[0]
    page.goto(f"/forums/{session.code}/checkin/")
    expect(pending(page)).to_have_text("6")
    expect(page.locator(".checkin-row", has_text="วันเพ็ญ")).to_have_attribute("data-state", "pending")
    assert embedded_generated_at(page) == cached

    monkeypatch.setattr(services, "apply_checkin_ops", apply_checkin_ops)
    go_online(context)
    wait_until_sent(page)
    statuses = dict(session.attendances.values_list("person_id", "status"))
    assert statuses == {
        **{attendance.person_id: "present" for attendance in rows[:5]},
        **{attendance.person_id: "" for attendance in rows[5:]},
        walk_in.pk: "late",
    }
    expect(row(page, rows[0])).to_have_attribute("data-state", "saved")
    expect(page.locator(".checkin-row", has_text="วันเพ็ญ")).to_have_attribute("data-state", "saved")
    # The history knows when each mark was made on the phone and when it reached the server.
    record = Attendance.history.filter(id=rows[0].pk, history_type="~").get()
    assert record.made_at < record.history_date
    assert record.history_user.username == coordinator.username


def test_a_row_changed_meanwhile_by_another_coordinator_is_shown_as_a_conflict(open_phone):
    coordinator, session, rows, walk_in = venue()
    context = open_phone()
    page = context.pages[0]
    log_in(page, coordinator)
    open_checkin(page, session)

    go_offline(context)
    mark_offline(page, rows, walk_in)
    # Another coordinator, online, marks the second of them absent meanwhile.
    other = make_user("coordinator", first_name="สมศรี", last_name="ใจดี")
    services.apply_checkin_ops(
        session,
        [services.CheckinOp(uuid.uuid4(), "mark", timezone.now(), rows[1].pk, "absent", 1)],
        user=other,
    )

    go_online(context)
    wait_until_sent(page)
    conflict = row(page, rows[1])
    expect(conflict).to_have_attribute("data-state", "refused")
    expect(conflict.locator(".checkin-refusal")).to_contain_text("สมศรี ใจดี")
    expect(conflict).to_have_attribute("data-status", "absent")
    statuses = dict(session.attendances.values_list("pk", "status"))
    assert statuses[rows[1].pk] == "absent"  # not overwritten
    assert [statuses[a.pk] for a in (rows[0], *rows[2:5])] == ["present"] * 4
    assert session.attendances.get(person=walk_in).status == "late"

    # The coordinator checks, and marks again on the new version: now it is saved.
    tap(page, rows[1], "present")
    wait_until_sent(page)
    expect(conflict).to_have_attribute("data-state", "saved")
    assert session.attendances.get(pk=rows[1].pk).status == "present"


def test_an_expired_login_keeps_the_tap_and_sends_it_after_logging_in_again(open_phone):
    coordinator, session, rows, _walk_in = venue(3)
    context = open_phone()
    page = context.pages[0]
    log_in(page, coordinator)
    open_checkin(page, session)

    Session.objects.all().delete()  # the login expired
    tap(page, rows[0], "late")
    page.locator("#checkin-login").wait_for(state="visible")
    expect(row(page, rows[0])).to_have_attribute("data-state", "pending")
    assert page.locator("#checkin-list .checkin-row").count() == 3  # no login page inside the list
    assert session.attendances.get(pk=rows[0].pk).status == ""

    # Logging in again in another tab leaves this page and its queue where they are.
    with context.expect_page() as new_tab:
        page.locator("#checkin-login-link").click()
    login_page = new_tab.value
    log_in(login_page, coordinator, next_url=f"/forums/{session.code}/checkin/")
    wait_until_sent(page)
    page.locator("#checkin-login").wait_for(state="hidden")
    expect(row(page, rows[0])).to_have_attribute("data-state", "saved")
    assert session.attendances.get(pk=rows[0].pk).status == "late"


def test_undo_a_mark_a_walk_in_and_mark_the_rest_absent(open_phone):
    coordinator, session, rows, walk_in = venue(4)
    context = open_phone()
    page = context.pages[0]
    log_in(page, coordinator)
    open_checkin(page, session)

    # A mistaken mark, cleared back to "not yet marked".
    with sent(page):
        tap(page, rows[0], "present")
    with sent(page):
        row(page, rows[0]).locator("button[data-action=clear]").tap()
    expect(row(page, rows[0])).to_have_attribute("data-state", "unmarked")
    assert session.attendances.get(pk=rows[0].pk).status == ""

    # A walk-in added by mistake, removed.
    page.locator("#walk-in-search").fill("วันเพ็ญ")
    with sent(page):
        page.locator("#search-results button[data-status=present]").tap()
    added = session.attendances.get(person=walk_in)
    with sent(page):
        row(page, added).locator("button[data-action=remove]").tap()
    assert not session.attendances.filter(person=walk_in).exists()
    expect(row(page, added)).to_have_count(0)

    # "Mark the rest absent" asks first; cancelling changes nothing.
    with sent(page):
        tap(page, rows[1], "late")
    page.locator("#checkin-rest-absent").tap()
    dialog = page.locator("#checkin-confirm-rest")
    dialog.wait_for(state="visible")
    expect(dialog.locator('[data-count="unmarked"]')).to_have_text("3")
    page.locator("#checkin-confirm-rest-cancel").tap()
    dialog.wait_for(state="hidden")
    assert not session.attendances.filter(status="absent").exists()
    page.locator("#checkin-rest-absent").tap()
    with sent(page):
        page.locator("#checkin-confirm-rest-ok").tap()
    assert sorted(session.attendances.values_list("status", flat=True)) == [
        "absent",
        "absent",
        "absent",
        "late",
    ]

    # Reversed as one change, after a reload.
    page.reload()
    with sent(page):
        page.locator("#checkin-undo-rest-button").tap()
    assert sorted(session.attendances.values_list("status", flat=True)) == ["", "", "", "late"]
    expect(page.locator('#checkin-counter [data-count="unmarked"]')).to_have_text("3")
    types = list(
        Attendance.history.filter(session_id=session.pk)
        .order_by("history_id")
        .values_list("history_type", flat=True)
    )
    assert types.count("-") == 1 and types.count("~") == 1 + 1 + 1 + 3 + 3


def test_logging_out_clears_what_the_phone_kept(open_phone):
    coordinator, session, _rows, _walk_in = venue(2)
    context = open_phone()
    page = context.pages[0]
    log_in(page, coordinator)
    open_checkin(page, session)
    assert page.evaluate("async () => (await indexedDB.databases()).length") == 1
    assert page.evaluate("async () => (await caches.keys()).length") == 1
    with page.expect_navigation():
        # The navbar's logout form (folded away on a phone).
        page.locator('form[action$="/logout/"]').evaluate("form => form.requestSubmit()")
    page.wait_for_function("async () => (await indexedDB.databases()).length === 0")
    assert page.evaluate("async () => (await caches.keys()).length") == 0


def test_the_scanner_interface_finds_by_personal_code_and_marks_through_the_queue(open_phone):
    coordinator, session, rows, _walk_in = venue(3)
    context = open_phone()
    page = context.pages[0]
    log_in(page, coordinator)
    open_checkin(page, session)
    go_offline(context)
    found = page.evaluate("code => KmCheckin.findByCode(code)", invitation_code(rows[2]).lower())
    assert found == {
        "attendanceId": rows[2].pk,
        "name": rows[2].person.full_name,
        "code": rows[2].person.code,
        "status": "",
        "invited": True,
    }
    assert page.evaluate("KmCheckin.findByCode('1-2-AAAAAAAAAAAAAAAA')") is None
    page.evaluate("id => KmCheckin.mark(id, 'late')", rows[2].pk)
    expect(row(page, rows[2])).to_have_attribute("data-state", "pending")
    assert page.evaluate("KmCheckin.pendingCount()") == 1
    go_online(context)
    wait_until_sent(page)
    assert session.attendances.get(pk=rows[2].pk).status == "late"


def test_the_list_of_a_session_that_is_over_is_forgotten(open_phone):
    coordinator, session, _rows, _walk_in = venue(1)
    context = open_phone()
    page = context.pages[0]
    log_in(page, coordinator)
    open_checkin(page, session)
    # A list kept from a session of last week, its queue all sent.
    page.evaluate(
        """() => new Promise((resolve, reject) => {
            const open = indexedDB.open("kmportal-checkin", 1);
            open.onsuccess = () => {
                const tx = open.result.transaction("sessions", "readwrite");
                tx.objectStore("sessions").put({code: "F-OLD", data: {session: {keepUntil: "2020-01-02"}, rows: []}});
                tx.oncomplete = () => { open.result.close(); resolve(); };
                tx.onerror = () => reject(tx.error);
            };
        })"""
    )
    stored = """() => new Promise((resolve) => {
        const open = indexedDB.open("kmportal-checkin", 1);
        open.onsuccess = () => {
            const get = open.result.transaction("sessions").objectStore("sessions").getAllKeys();
            get.onsuccess = () => { open.result.close(); resolve(get.result); };
        };
    })"""
    assert page.evaluate(stored) == ["F-OLD", session.code]
    page.reload()
    page.wait_for_function(
        f"async () => JSON.stringify(await ({stored})()) === '{json.dumps([session.code])}'"
    )


def test_logging_out_from_any_page_asks_first_when_check_in_changes_wait(open_phone):
    """Logging out clears the phone; from a page other than the check-in, a queue of marks not yet sent (another
    tab, a login that expired) is counted first and the coordinator asked."""
    coordinator, session, rows, _walk_in = venue(2)
    context = open_phone()
    page = context.pages[0]
    log_in(page, coordinator)
    open_checkin(page, session)
    page.goto("/")
    page.evaluate(
        """([code, id]) => new Promise((resolve, reject) => {
            const opening = indexedDB.open("kmportal-checkin");
            opening.onsuccess = () => {
                const adding = opening.result.transaction("queue", "readwrite").objectStore("queue")
                    .add({code, kind: "mark", attendanceId: id, status: "present", version: 1});
                adding.onsuccess = () => resolve();
                adding.onerror = () => reject(adding.error);
            };
        })""",
        [session.code, rows[0].pk],
    )
    questions = []

    def answer(dialog, accept):
        questions.append(dialog.message)
        dialog.accept() if accept else dialog.dismiss()

    page.once("dialog", lambda dialog: answer(dialog, accept=False))
    page.locator('form[action$="/logout/"]').evaluate("form => form.requestSubmit()")
    page.wait_for_timeout(500)
    assert len(questions) == 1 and "1" in questions[0]
    assert Session.objects.count() == 1  # still logged in, the queue kept
    assert page.evaluate("async () => (await indexedDB.databases()).length") == 1
    page.once("dialog", lambda dialog: answer(dialog, accept=True))
    with page.expect_navigation():
        page.locator('form[action$="/logout/"]').evaluate("form => form.requestSubmit()")
    assert len(questions) == 2
    page.wait_for_function("async () => (await indexedDB.databases()).length === 0")
    assert Session.objects.count() == 0


def test_logging_out_with_nothing_waiting_asks_nothing(open_phone):
    coordinator, _session, _rows, _walk_in = venue(1)
    context = open_phone()
    page = context.pages[0]
    log_in(page, coordinator)
    page.goto("/")
    page.on("dialog", lambda dialog: pytest.fail(f"unexpected question: {dialog.message}"))
    with page.expect_navigation():
        page.locator('form[action$="/logout/"]').evaluate("form => form.requestSubmit()")
    assert Session.objects.count() == 0
