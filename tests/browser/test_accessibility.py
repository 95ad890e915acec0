"""axe-core and a phone-width layout check over the pages the four portal roles use, in Thai and in English.

axe (vendored in static/vendor/axe-core/, loaded by no page) is injected into each page after it has loaded; a
serious or critical violation fails the test. At 360 px no page may scroll sideways, and no code (F-2569-0146,
P000006) or percentage may be split over two lines. One test per language builds the demo data once and reuses
one browser page per role for all the pages and both widths.
"""

import datetime as dt
from pathlib import Path
from urllib.parse import quote, unquote

import pytest
from django.conf import settings
from django.utils import timezone

from agencies.demo.builder import DemoBuilder
from agencies.models import Organization, Person, Tambon
from forums import services
from forums.codes import invitation_code
from forums.demo import ForumDemoBuilder
from forums.models import Attendance, ForumSession
from lessons.demo import build_demo_notes
from lessons.models import LessonNote
from tests.browser.conftest import PHONE

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("reference_db")]

AXE_CORE = Path(settings.BASE_DIR) / "static" / "vendor" / "axe-core" / "axe.min.js"
PHONE_WIDTH = 360
DESKTOP_WIDTH = 1366
FAILING_IMPACTS = ("serious", "critical")

RUN_AXE = """async () => {
  const result = await axe.run(document, {resultTypes: ["violations"]});
  return result.violations.map((violation) => ({
    id: violation.id,
    impact: violation.impact,
    help: violation.help,
    nodes: violation.nodes.map((node) => ({
      target: node.target.join(" "),
      summary: (node.failureSummary || "").replace(/\\s+/g, " ").trim(),
    })),
  }));
}"""

# At phone width: no sideways scrolling; codes and percentages, read as one unit, each on one line (its text's
# client rects share a top); no line-breaking rule that cuts words anywhere; buttons at least 44 px high.
LAYOUT_PROBLEMS = r"""() => {
  const problems = [];
  const width = window.innerWidth;
  if (document.documentElement.scrollWidth > width) {
    const wide = [...document.querySelectorAll("body *")]
      .filter((el) => el.getBoundingClientRect().right > width + 1)
      .filter((el) => !el.parentElement.closest(".table-responsive, [style*=overflow]"))
      .slice(0, 3)
      .map((el) => el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") +
           (typeof el.className === "string" && el.className ? "." + el.className.trim().split(/\s+/).join(".") : ""));
    problems.push(`scrolls sideways: ${document.documentElement.scrollWidth} px wide (${wide.join(", ")})`);
  }
  const unit = /F-\d{4}-\d{4}|P\d{6}|\d+(?:[.,]\d+)?\s?%/g;
  const split = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode;
    if (!node.parentElement || node.parentElement.closest("script, style, textarea, option, [contenteditable]")) continue;
    for (const match of node.data.matchAll(unit)) {
      const range = document.createRange();
      range.setStart(node, match.index);
      range.setEnd(node, match.index + match[0].length);
      const lines = new Set([...range.getClientRects()].filter((r) => r.width > 0).map((r) => Math.round(r.top)));
      if (lines.size > 1) split.push(`"${match[0]}"`);
    }
  }
  if (split.length) {
    const more = split.length > 5 ? ` and ${split.length - 5} more` : "";
    problems.push(`split over two lines or more: ${split.slice(0, 5).join(", ")}${more}`);
  }
  const small = [...document.querySelectorAll(".navbar .btn, .navbar-toggler, main .btn, .page-link")]
    .filter((el) => el.getClientRects().length && el.getBoundingClientRect().height < 43.5)
    .map((el) => `${el.tagName.toLowerCase()} "${el.textContent.trim().slice(0, 30)}"`);
  if (small.length) problems.push(`tap targets under 44 px high: ${small.slice(0, 5).join(", ")}`);
  for (const el of [document.body, ...document.querySelectorAll("main, main *")]) {
    const style = getComputedStyle(el);
    // An editing box wraps like a textarea; nothing else may.
    if (el.closest("[contenteditable]")) continue;
    if (style.overflowWrap === "anywhere" || style.wordBreak === "break-all") {
      problems.push(`${el.tagName.toLowerCase()} breaks words anywhere`);
      break;
    }
  }
  return problems;
}"""


def demo_data():
    """The pilot demo (people, two years of sessions, lesson notes, one account per role) and a session of
    today in the coordinator's scope, with a few marks, for the check-in page and the home page."""
    builder = DemoBuilder(seed=2549, scale="pilot", progress=lambda _message: None)
    accounts = builder.build()["accounts"]
    ForumDemoBuilder(builder.rng, "pilot", progress=lambda _message: None).build()
    build_demo_notes()
    passwords = {username: password for _label, username, password in accounts}
    today = ForumSession.objects.create(
        code="F-TODAY-0001",
        title="เวทีสามฝ่าย: ทบทวนการจัดสวัสดิการชุมชนตำบลท่าไร่",
        circle="all",
        date=timezone.localdate(),
        start=dt.time(9, 0),
        end=dt.time(12, 0),
        tambon=Tambon.objects.get(code="800106"),
        organizer=Organization.objects.get(code="CDD"),
        venue="ศาลาประชาคมตำบลท่าไร่",
    )
    services.invite(today, Person.objects.active().order_by("code")[:30])
    rows = list(today.attendances.order_by("pk")[:3])
    services.save_marks(
        today,
        [
            services.Mark(row.pk, status, row.version)
            for row, status in zip(
                rows,
                (Attendance.Status.PRESENT, Attendance.Status.LATE, Attendance.Status.ABSENT),
                strict=True,
            )
        ],
    )
    # A session next week, for the invitee's own pages (reply, personal link): they open without a login and
    # only until the session is over.
    upcoming = ForumSession.objects.create(
        code="F-NEXT-0001",
        title="วงคุณเอื้อ: แผนการออมของกองทุนหมู่บ้าน",
        circle="eua",
        date=timezone.localdate() + dt.timedelta(days=7),
        start=dt.time(13, 30),
        organizer=Organization.objects.get(code="CDD"),
        venue="ศาลากลางจังหวัดนครศรีธรรมราช",
    )
    services.invite(upcoming, Person.objects.active().order_by("code")[:5])
    invitation = invitation_code(upcoming.attendances.order_by("pk").first())
    held = ForumSession.objects.held().filter(tambon__code="800106").order_by("-date").first()
    note = LessonNote.objects.published().order_by("pk").first()
    person = Person.objects.active().order_by("code").first()
    return passwords, today, held, note, person, invitation


def log_in(browser, live_server, language, username, password):
    context = browser.new_context(**PHONE, locale="th-TH", base_url=live_server.url, bypass_csp=True)
    context.add_cookies([{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": live_server.url}])
    page = context.new_page()
    if username:
        page.goto("/accounts/login/")
        page.locator("main input[name=username]").fill(username)
        page.locator("main input[name=password]").fill(password)
        with page.expect_navigation():
            page.locator("main button[type=submit]").click()
        assert "/accounts/login/" not in page.url, f"{username} could not log in"
    return page


def visit(page, path, width):
    page.set_viewport_size({"width": width, "height": 800})
    response = page.goto(path)
    assert response.ok, f"{path}: {response.status}"
    page.wait_for_load_state("load")


def axe_problems(page):
    # The pages' strict CSP would refuse an injected script; the test's contexts bypass it.
    page.add_script_tag(path=AXE_CORE)
    violations = page.evaluate(RUN_AXE)
    lines = []
    for violation in violations:
        if violation["impact"] not in FAILING_IMPACTS:
            continue
        lines.append(f"axe {violation['impact']} {violation['id']}: {violation['help']}")
        lines.extend(f"      {node['target']}: {node['summary']}" for node in violation["nodes"][:5])
        if len(violation["nodes"]) > 5:
            lines.append(f"      … and {len(violation['nodes']) - 5} more")
    return lines


@pytest.mark.parametrize("language", ["th", "en"])
def test_main_pages_pass_axe_and_fit_a_phone_in_each_language(browser, live_server, language):
    passwords, today, held, note, person, invitation = demo_data()
    note_path = f"/lessons/{quote(note.slug)}/"
    pages = {"anonymous": log_in(browser, live_server, language, None, None)}
    for role in ("coordinator", "governor_office", "facilitator"):
        pages[role] = log_in(browser, live_server, language, role, passwords[role])
    axe_pages = [
        ("anonymous", "/accounts/login/"),
        ("anonymous", f"/i/{invitation}/"),
        ("coordinator", "/"),
        ("coordinator", "/forums/"),
        ("coordinator", f"/forums/{held.code}/"),
        ("coordinator", f"/forums/{today.code}/checkin/"),
        ("coordinator", f"/forums/{today.code}/sheet/"),
        ("governor_office", "/dashboard/"),
        # the filter form with an error under a field
        ("governor_office", "/dashboard/?start=31/02/2549"),
        ("coordinator", "/lessons/"),
        ("coordinator", "/lessons/assets/"),
        ("coordinator", note_path),
        ("coordinator", "/lessons/search/?q=" + quote("ออม")),
        ("coordinator", "/people/"),
        ("coordinator", "/tambons/"),
        ("coordinator", f"/people/{person.code}/"),
        ("anonymous", "/privacy/"),
    ]
    layout_pages = [
        ("coordinator", "/agencies/"),
        ("coordinator", "/organizations/CDD/"),
        ("governor_office", "/dashboard/agencies/CDD/"),
        ("facilitator", "/lessons/mine/"),
        ("facilitator", "/lessons/new/"),
        ("facilitator", f"{note_path}edit/"),
        ("coordinator", "/forums/new/"),
        ("coordinator", f"/forums/{today.code}/edit/"),
        ("coordinator", f"/forums/{today.code}/invitations/"),
        ("coordinator", f"/forums/{today.code}/sheet/import/"),
        ("coordinator", "/forums/calendar/"),
        ("anonymous", note_path),
    ]

    problems = []
    for width in (PHONE_WIDTH, DESKTOP_WIDTH):
        for role, path in axe_pages:
            page = pages[role]
            visit(page, path, width)
            # What is folded away (the check-in's walk-in form, the chart's table) is checked too.
            page.evaluate("document.querySelectorAll('details').forEach(d => { d.open = true; })")
            found = axe_problems(page)
            if width == PHONE_WIDTH:
                found += page.evaluate(LAYOUT_PROBLEMS)
            problems.extend(f"[{language} {width} px, {role}] {unquote(path)}: {line}" for line in found)
    for role, path in layout_pages:
        page = pages[role]
        visit(page, path, PHONE_WIDTH)
        problems.extend(
            f"[{language} {PHONE_WIDTH} px, {role}] {unquote(path)}: {line}"
            for line in page.evaluate(LAYOUT_PROBLEMS)
        )
    for page in pages.values():
        page.context.close()
    assert not problems, "\n" + "\n".join(problems)


def test_no_page_loads_axe_core():
    """axe-core is vendored for the tests only: no template refers to it."""
    templates = Path(settings.BASE_DIR) / "templates"
    assert AXE_CORE.is_file()
    assert not [path for path in templates.rglob("*.html") if "axe-core" in path.read_text(encoding="utf-8")]
