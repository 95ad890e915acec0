"""Every URL pattern × every actor, against tests/security/access_table.py.

The world (sample people, sessions, notes, admin objects) is built once for the module in a transaction that is
rolled back at the end; each request runs in its own rolled-back transaction, so a POST (publish, log out,
anonymize...) changes nothing for the next one.
"""

import copy
import dataclasses
import datetime as dt
import re
from urllib.parse import urlsplit

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.apps import apps
from django.contrib import admin
from django.contrib.admin.utils import quote
from django.contrib.auth import SESSION_KEY
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.db import transaction
from django.test import Client
from django.urls import Resolver404, URLPattern, URLResolver, get_resolver, resolve, reverse
from django.utils import timezone

from accounts import roles
from agencies import pdpa
from agencies.models import Organization
from api.models import ApiToken
from forums.codes import invitation_code
from forums.models import CalendarFeed, Reminder
from forums.self_checkin import venue_token
from lessons.attachments import add_attachment
from lessons.models import Collection, Comment, KeyLesson, LessonNote, Tag
from tests.factories import PASSWORD, make_attendance, make_person, make_session, make_user
from tests.lessons.helpers import publish_as_reviewer, tiny_png
from tests.security import access_table
from tests.security.access_table import ACTORS, GET, POST, TABLE

# The URL configuration --------------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Pattern:
    name: str  # "forums:checkin", or "admin:(unnamed) admin/auth/group/<path:object_id>/"
    route: str  # the full route, prefixes joined
    params: tuple[str, ...]  # named parameters, in order
    positional: int  # unnamed regex groups


_CONVERTER = re.compile(r"(?<!\?P)<(?:\w+:)?(\w+)>")
_NAMED_GROUP = re.compile(r"\(\?P<(\w+)>[^)]*\)")
_UNNAMED_GROUP = re.compile(r"\((?!\?)[^)]*\)")


def url_patterns(patterns=None, prefix="", namespace="") -> list[Pattern]:
    """Every URL pattern of the root URL configuration, admin included."""
    found = []
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            ns = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            found += url_patterns(pattern.url_patterns, prefix + str(pattern.pattern), ns)
        elif isinstance(pattern, URLPattern):
            route = prefix + str(pattern.pattern)
            name = f"{namespace}{pattern.name}" if pattern.name else f"{namespace}(unnamed) {route}"
            params = tuple(_CONVERTER.findall(route) + _NAMED_GROUP.findall(route))
            found.append(Pattern(name, route, params, len(_UNNAMED_GROUP.findall(route))))
    return found


def fill(pattern: Pattern, values: dict, positional=()) -> str:
    route = pattern.route.replace("^", "").replace("$", "").replace("\\Z", "")
    route = _NAMED_GROUP.sub(lambda m: str(values[m.group(1)]), route)
    route = _CONVERTER.sub(lambda m: str(values[m.group(1)]), route)
    rest = iter(positional)
    route = _UNNAMED_GROUP.sub(lambda m: str(next(rest)), route)
    return "/" + route.replace("\\", "")


@pytest.fixture(autouse=True)
def _no_rate_limits(monkeypatch):
    """The matrix checks access, not throttling: every actor sends the same forged codes, which would add up to
    a 429 (the limits are tested in tests/forums/test_personal_codes.py)."""
    from forums.views import qr

    monkeypatch.setattr(qr, "FAILURES_PER_ADDRESS", 10**9)
    monkeypatch.setattr(qr, "REQUESTS_PER_CODE", 10**9)


# The world --------------------------------------------------------------------------------------------------------


@dataclasses.dataclass
class Sample:
    values: dict
    query: str = ""
    positional: tuple = ()


@dataclasses.dataclass
class World:
    users: dict  # actor -> User (no anonymous)
    samples: dict  # URL name -> {label: Sample}; label "" for the URL's only sample
    objects: dict  # model label -> pk of a row, for the admin's object URLs
    history_ids: dict  # model label -> history_id of a row of its simple_history table
    session_in_scope: object
    session_out_of_scope: object
    published_note: object


SCOPE_TAMBON = "800119"
OTHER_TAMBON = "800106"
SESSION_URLS = [
    "session_detail",
    "session_edit",
    "invitations",
    "invite_proposed",
    "uninvite",
    "reply",
    "checkin",
    "checkin_data",
    "checkin_sync",
    "walk_in",
    "sign_in_sheet",
    "import_sheet",
    "invitation_slips",
    "venue_qr",
    "personal_links",
]


def build_world() -> World:
    today = timezone.localdate()
    users = {
        "coordinator": make_user(roles.COORDINATOR, username="sec-coordinator", scope_tambons=[SCOPE_TAMBON]),
        "facilitator": make_user(roles.FACILITATOR, username="sec-facilitator"),
        "governor_office": make_user(roles.GOVERNOR_OFFICE, username="sec-governor"),
        "administrator": make_user(roles.ADMINISTRATOR, username="sec-administrator", is_staff=True),
        # Logs in during the test, then is deactivated.
        "deactivated": make_user(roles.ADMINISTRATOR, username="sec-deactivated", is_staff=True),
    }
    author = make_user(roles.FACILITATOR, username="sec-author")  # the other facilitator

    coordinator_person = make_person("CDD", code="SEC00001", user=users["coordinator"])
    facilitator_person = make_person("CDD", code="SEC00002", user=users["facilitator"])
    cdd_person = make_person("CDD", code="SEC00003", phone="081-234-5678")
    wu_person = make_person("WU", code="SEC00004")

    # The coordinator's scope: sessions organized by CDD, or held in SCOPE_TAMBON.
    wu = Organization.objects.get(code="WU")
    in_scope = make_session(code="F-SEC-IN", status="held", date=today - dt.timedelta(days=14))
    in_tambon = make_session(
        code="F-SEC-TAMBON",
        status="held",
        date=today - dt.timedelta(days=12),
        organizer=wu,
        tambon=SCOPE_TAMBON,
    )
    out_of_scope = make_session(
        code="F-SEC-OUT", status="held", date=today - dt.timedelta(days=10), organizer=wu, tambon=OTHER_TAMBON
    )
    in_rows = [
        make_attendance(in_scope, cdd_person, status="present"),
        make_attendance(in_scope, coordinator_person, status="present"),
        make_attendance(in_scope, facilitator_person, status="absent"),
    ]
    out_row = make_attendance(out_of_scope, wu_person, status="present")
    make_attendance(out_of_scope, cdd_person, status="absent")

    live_feed = CalendarFeed.objects.create(person=coordinator_person)
    ApiToken.issue(Organization.objects.get(code="CDD"), "sec-partner")
    revoked_feed = CalendarFeed.objects.create(person=wu_person, revoked_at=timezone.now())
    Reminder.objects.create(session=in_scope, person=cdd_person)
    pdpa.log_access(users["administrator"], cdd_person)

    collection = Collection.objects.create(slug="sec-collection", name="ชั้นทดสอบ")
    tag = Tag.objects.create(slug="sec-tag", name="ป้ายทดสอบ")
    published = LessonNote.objects.create(
        title="บันทึกเผยแพร่",
        slug="sec-published",
        author=author,
        summary="สรุป",
        body="<p>เนื้อหา</p>",
        collection=collection,
    )
    published.tags.add(tag)
    published.sessions.add(in_scope)
    KeyLesson.objects.create(note=published, text="บทเรียนสำคัญ", role="eua")
    publish_as_reviewer(published)
    draft = LessonNote.objects.create(title="ร่างของผู้อื่น", slug="sec-draft", author=author, body="<p>ร่าง</p>")
    own_draft = LessonNote.objects.create(
        title="ร่างของฉัน", slug="sec-own-draft", author=users["facilitator"], body="<p>ร่าง</p>"
    )
    comment = Comment.objects.create(note=published, author=users["coordinator"], body="ความเห็น")
    published_photo = add_attachment(published, tiny_png(), "ภาพเวที", users["administrator"])
    draft_photo = add_attachment(draft, tiny_png(), "ภาพร่าง", users["administrator"])

    attempt = {
        "user_agent": "pytest",
        "ip_address": "192.0.2.1",
        "username": "sec-stranger",
        "http_accept": "*/*",
        "path_info": "/accounts/login/",
    }
    AccessAttempt.objects.create(**attempt, get_data="", post_data="", failures_since_start=1)
    AccessLog.objects.create(**attempt)
    AccessFailureLog.objects.create(**attempt, locked_out=False)

    session_samples = {
        "in scope": Sample({"code": in_scope.code}),
        "in scope by tambon": Sample({"code": in_tambon.code}),
        "out of scope": Sample({"code": out_of_scope.code}),
    }
    person = Sample({"code": cdd_person.code})
    unknown_person = Sample({"code": "NO-SUCH-PERSON"})
    notes = {"published": published, "draft": draft, "own draft": own_draft}
    samples = {
        "agencies:organization_detail": {"": Sample({"code": "CDD"})},
        "agencies:person_detail": {"": person, "unknown": unknown_person},
        "agencies:person_export_json": {"": person, "unknown": unknown_person},
        "agencies:person_export_csv": {"": person, "unknown": unknown_person},
        "agencies:person_anonymize": {"": person, "unknown": unknown_person},
        "forums:calendar_feed": {
            "live": Sample({"token": live_feed.token}),
            "revoked": Sample({"token": revoked_feed.token}),
            "unknown": Sample({"token": "not-a-token"}),
        },
        "public:invitee_reply": {
            "expired": Sample({"code": invitation_code(in_rows[0])}),
            "unknown": Sample({"code": "1-2-AAAAAAAAAAAAAAAA"}),
        },
        "public:invitee_calendar": {
            "expired": Sample({"code": invitation_code(in_rows[0])}),
            "unknown": Sample({"code": "1-2-AAAAAAAAAAAAAAAA"}),
        },
        "api:partner_invitations": {"": Sample({"code": in_scope.code})},
        "api:partner_marks": {"": Sample({"code": in_scope.code})},
        "public:circle_feed": {"": Sample({"code": "eua"}), "unknown": Sample({"code": "nope"})},
        "public:tambon_feed": {"": Sample({"code": SCOPE_TAMBON}), "unknown": Sample({"code": "999999"})},
        **{f"forums:{name}": dict(session_samples) for name in SESSION_URLS},
        "forums:session_detail": {**session_samples, "unknown": Sample({"code": "F-NO-SUCH"})},
        "forums:checkin": {**session_samples, "unknown": Sample({"code": "F-NO-SUCH"})},
        # Personal invitation codes and the venue's self check-in page: no login; the code is the key.
        "forums:old_personal_link": {"valid": Sample({"code": invitation_code(in_rows[0])})},
        "public:invitee_checkin": {
            "valid": Sample({"code": invitation_code(in_rows[2])}),
            "forged": Sample({"code": f"{in_scope.pk}-{in_rows[0].pk}-AAAAAAAAAAAAAAAA"}),
        },
        "forums:venue": {
            "valid": Sample({"token": venue_token(in_scope)}),
            "forged": Sample({"token": f"{in_scope.pk}-forged"}),
        },
        "forums:representative": {
            "in scope": Sample({"code": in_scope.code, "attendance_id": in_rows[0].pk}),
            "out of scope": Sample({"code": out_of_scope.code, "attendance_id": out_row.pk}),
            "foreign attendance": Sample({"code": in_scope.code, "attendance_id": out_row.pk}),
        },
        "analytics:agency_detail": {"": Sample({"code": "CDD"})},
        "analytics:export": {"": Sample({"table": "agencies", "extension": "csv"})},
        "lessons:note_detail": {label: Sample({"slug": n.slug}) for label, n in notes.items()},
        "lessons:note_edit": {label: Sample({"slug": n.slug}) for label, n in notes.items()},
        "lessons:comment_create": {
            label: Sample({"slug": notes[label].slug}) for label in ("published", "draft")
        },
        "lessons:comment_moderate": {
            "published": Sample({"slug": published.slug, "comment_id": comment.pk, "action": "hide"})
        },
        "lessons:note_transition": {
            "published": Sample({"slug": published.slug, "action": "unpublish"}),
            "draft": Sample({"slug": draft.slug, "action": "publish"}),
            "own draft": Sample({"slug": own_draft.slug, "action": "submit"}),
        },
        "lessons:attachment": {
            "published": Sample({"slug": published.slug, "pk": published_photo.pk, "variant": "thumb"}),
            "draft": Sample({"slug": draft.slug, "pk": draft_photo.pk, "variant": "file"}),
        },
        "lessons:attachment_add": {"published": Sample({"slug": published.slug})},
        "lessons:note_card": {label: Sample({"slug": notes[label].slug}) for label in ("published", "draft")},
        "lessons:attachment_delete": {
            "published": Sample({"slug": published.slug, "pk": published_photo.pk})
        },
        "admin:app_list": {"": Sample({"app_label": "agencies"})},
        "admin:autocomplete": {
            "": Sample({}, query="app_label=forums&model_name=attendance&field_name=person&term=SEC")
        },
        "admin:view_on_site": {
            "": Sample(
                {
                    "content_type_id": ContentType.objects.get_for_model(LessonNote).pk,
                    "object_id": published.pk,
                }
            )
        },
        "admin:auth_user_password_change": {"": Sample({"id": author.pk})},
        "admin:(unnamed) admin/(?P<url>.*)$": {"": Sample({"url": "no-such-page/"})},
    }
    objects, history_ids = {}, {}
    for model in admin.site._registry:
        row = model._default_manager.order_by("pk").first()
        assert row is not None, f"build_world() makes no {model._meta.label} row: the admin URLs need one"
        objects[model._meta.label_lower] = quote(row.pk)
        if hasattr(row, "history"):
            history_ids[model._meta.label_lower] = row.history.order_by("history_id").first().history_id
    return World(users, samples, objects, history_ids, in_scope, out_of_scope, published)


_ADMIN_MODEL_ROUTE = re.compile(r"^admin/(?P<app>\w+)/(?P<model>\w+)/")
_ADMIN_MODEL_NAME = re.compile(
    r"^admin:(?P<app>[a-z]+)_(?P<model>[a-z]+)_"
    r"(?P<kind>changelist|add|change|delete|history|simple_history|password_change)$"
)


def _admin_model(pattern: Pattern) -> str | None:
    match = _ADMIN_MODEL_ROUTE.match(pattern.route)
    if not match or not pattern.name.startswith("admin:"):
        return None
    try:
        return apps.get_model(match["app"], match["model"])._meta.label_lower
    except LookupError:
        return None


def samples_for(pattern: Pattern, world: World) -> dict[str, Sample]:
    """The labelled sample arguments of a pattern: explicit ones, the admin's model objects, or none needed."""
    if pattern.name in world.samples:
        return world.samples[pattern.name]
    model = _admin_model(pattern)
    if model and (pattern.params or pattern.positional):
        pk = world.objects[model]
        values = dict.fromkeys(pattern.params, pk)
        return {"": Sample(values, positional=(pk, world.history_ids.get(model))[: pattern.positional])}
    if not pattern.params and not pattern.positional:
        return {"": Sample({})}
    raise LookupError(
        f"add sample arguments for {pattern.name} ({pattern.route}) to build_world() in {__name__.split('.')[-1]}"
    )


def expected_rows(key: str, pattern: Pattern) -> dict:
    """The table's rows for a key: explicit, else the admin rule for admin model URLs."""
    if key in TABLE:
        return TABLE[key]
    model = _admin_model(pattern)
    if model:
        named = _ADMIN_MODEL_NAME.match(pattern.name)
        if named:
            return access_table.admin_rule(model, named["kind"])
        if pattern.name.startswith("admin:(unnamed) ") and pattern.route.endswith("<path:object_id>/"):
            return access_table.admin_rule(model, "redirect")
    raise LookupError(f"add a row for {key!r} ({pattern.route}) to tests/security/access_table.py")


@dataclasses.dataclass(frozen=True)
class Visit:
    key: str
    method: str
    path: str
    query: str
    expected: dict  # actor -> answer


def plan(world: World) -> tuple[list[Visit], list[str]]:
    """Every request to make, and what is missing to make them (samples, rows)."""
    visits, problems = [], []
    for pattern in url_patterns():
        try:
            samples = samples_for(pattern, world)
        except LookupError as exc:
            problems.append(str(exc))
            continue
        for label, sample in samples.items():
            key = f"{pattern.name} [{label}]" if label else pattern.name
            try:
                rows = expected_rows(key, pattern)
            except LookupError as exc:
                problems.append(str(exc))
                continue
            path = fill(pattern, sample.values, sample.positional)
            try:
                match = resolve(path)
            except Resolver404:
                problems.append(f"{key}: the sample path {path} resolves to nothing")
                continue
            if match.route.replace("^", "") != pattern.route.replace("^", ""):
                problems.append(
                    f"{key}: the sample path {path} reaches {match.route!r}, not {pattern.route!r}"
                )
                continue
            for method in (GET, POST):
                if method in rows:
                    visits.append(
                        Visit(key, method, path, sample.query if method == GET else "", rows[method])
                    )
    return visits, problems


# Requests ---------------------------------------------------------------------------------------------------------


def outcome(response):
    if response.status_code == 302:
        location = urlsplit(response["Location"]).path
        if location == reverse("accounts:login"):
            return access_table.LOGIN
        if location == reverse("admin:login"):
            return access_table.ADMIN_LOGIN
        return access_table.REDIRECT
    return response.status_code


def fetch(client: Client, method: str, path: str, query: str = ""):
    """One request in a transaction rolled back afterwards; the client's cookies (its session) are put back."""
    cookies = copy.deepcopy(client.cookies)
    with transaction.atomic():
        if method == GET:
            response = client.get(f"{path}?{query}" if query else path)
        else:
            response = client.post(path, {})
        transaction.set_rollback(True)
    client.cookies = cookies
    return response


def client_for(actor: str, world: World) -> Client:
    """A client as the actor. The deactivated one logs in through the login form, then is deactivated."""
    client = Client(raise_request_exception=False)
    if actor == "anonymous":
        return client
    user = world.users[actor]
    if actor == "deactivated":
        response = client.post(reverse("accounts:login"), {"username": user.username, "password": PASSWORD})
        assert response.status_code == 302 and client.session[SESSION_KEY] == str(user.pk), "login failed"
        assert client.get(reverse("admin:index")).status_code == 200
        type(user).objects.filter(pk=user.pk).update(is_active=False)
    else:
        client.force_login(user)
    return client


def is_html(response) -> bool:
    return response.get("Content-Type", "").startswith("text/html")


def csp_directives(response) -> dict[str, list[str]]:
    directives = {}
    for part in response.get("Content-Security-Policy", "").split(";"):
        words = part.split()
        if words:
            directives[words[0].lower()] = words[1:]
    return directives


def header_problems(response) -> list[str]:
    """What an HTML page lacks of the portal's security headers (empty when all are there)."""
    problems = []
    csp = csp_directives(response)
    if not csp:
        return ["no Content-Security-Policy"]
    script_src = csp.get("script-src", csp.get("default-src"))
    if script_src is None:
        problems.append("CSP has neither script-src nor default-src")
    elif {"'unsafe-inline'", "'unsafe-eval'"} & set(script_src):
        problems.append(f"CSP script-src allows {' '.join(script_src)}")
    if csp.get("frame-ancestors") != ["'none'"] and response.get("X-Frame-Options") != "DENY":
        problems.append("neither CSP frame-ancestors 'none' nor X-Frame-Options DENY")
    if csp.get("object-src") != ["'none'"]:
        problems.append(f"CSP object-src is {csp.get('object-src')}, not 'none'")
    for header, value in (
        ("X-Content-Type-Options", "nosniff"),
        ("Referrer-Policy", "same-origin"),
        ("Cross-Origin-Opener-Policy", "same-origin"),
    ):
        if response.get(header) != value:
            problems.append(f"{header} is {response.get(header)!r}, not {value!r}")
    return problems


def describe(response) -> str:
    exc_info = getattr(response, "exc_info", None)
    if response.status_code >= 500 and exc_info:
        return f" — {exc_info[0].__name__}: {exc_info[1]}"
    if response.status_code == 302:
        return f" — Location {response['Location']}"
    return ""


# Tests ------------------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        built = build_world()
        yield built
        transaction.set_rollback(True)


@pytest.mark.django_db
def test_every_url_pattern_has_samples_and_a_row(world):
    visits, problems = plan(world)
    assert not problems, "\n".join(problems)
    assert len({v.key for v in visits}) > 150, "the walk missed most of the URL configuration"


@pytest.mark.django_db
def test_the_table_has_no_stale_rows_and_is_complete(world):
    visits, _problems = plan(world)
    walked = {v.key for v in visits}
    problems = [
        f"row {key!r} matches no URL pattern (or no sample of one)" for key in TABLE if key not in walked
    ]
    for key, rows in TABLE.items():
        for method, row in rows.items():
            if set(row) != set(ACTORS):
                problems.append(f"{key} {method}: actors {sorted(row)} instead of {sorted(ACTORS)}")
            if row.get("deactivated") != row.get("anonymous"):
                problems.append(f"{key} {method}: a deactivated account must be answered as an anonymous one")
        if access_table.NOT_ALLOWED in rows.get(GET, {}).values() and POST not in rows:
            problems.append(f"{key}: refuses GET with 405, so it needs a POST row")
    assert not problems, "\n".join(problems)


@pytest.mark.django_db
@pytest.mark.parametrize("actor", ACTORS)
def test_access_matrix(world, actor):
    visits, problems = plan(world)
    assert not problems, "\n".join(problems)
    # Rate limits (the personal reply link) count in the cache: start each actor with none spent by other tests.
    cache.clear()
    client = client_for(actor, world)
    mismatches, header_failures = [], []
    for visit in visits:
        response = fetch(client, visit.method, visit.path, visit.query)
        got, want = outcome(response), visit.expected[actor]
        if got != want:
            mismatches.append(
                f"{visit.method} {visit.path}{'?' + visit.query if visit.query else ''} [{visit.key}]: "
                f"got {got}, expected {want}{describe(response)}"
            )
        if response.status_code == 200 and is_html(response):
            header_failures += [f"{visit.method} {visit.path}: {p}" for p in header_problems(response)]
    report = []
    if mismatches:
        report += [f"{len(mismatches)} answers differ from access_table.py for {actor}:", *mismatches]
    if header_failures:
        report += [f"{len(header_failures)} HTML pages lack security headers:", *header_failures]
    assert not report, "\n".join(report)


@pytest.mark.django_db
def test_a_deactivated_account_is_treated_as_anonymous(world):
    user = world.users["deactivated"]
    client = client_for("deactivated", world)  # logged in, then deactivated
    assert client.session[SESSION_KEY] == str(user.pk)  # the session is still there...
    response = client.get(reverse("home"))
    assert outcome(response) == access_table.LOGIN  # ...but no longer logs anyone in
    assert response.wsgi_request.user.is_anonymous
    assert outcome(client.get(reverse("admin:index"))) == access_table.ADMIN_LOGIN
    assert outcome(client.get(reverse("admin:auth_user_changelist"))) == access_table.LOGIN
    note = world.published_note
    assert client.get(note.get_absolute_url()).wsgi_request.user.is_anonymous
    # Logging in again with the right password is refused as well.
    client = Client()
    response = client.post(reverse("accounts:login"), {"username": user.username, "password": PASSWORD})
    assert response.status_code == 200 and SESSION_KEY not in client.session


@pytest.mark.django_db
def test_the_walk_checks_the_answers(world):
    """The comparison itself can fail: a coordinator outside the scope is refused, an administrator is not."""
    path = reverse("forums:checkin", kwargs={"code": world.session_out_of_scope.code})
    assert outcome(fetch(client_for("coordinator", world), GET, path)) == access_table.NOT_FOUND
    assert outcome(fetch(client_for("administrator", world), GET, path)) == access_table.OK
    assert header_problems(fetch(client_for("administrator", world), GET, path)) == []
