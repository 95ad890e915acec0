"""Security headers of the portal's pages, no inline script anywhere, and the production (HTTPS) settings."""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from django.conf import settings
from django.db import transaction
from django.test import Client, override_settings
from django.urls import reverse

from tests.factories import PASSWORD, make_user
from tests.security.test_permission_matrix import (
    GET,
    build_world,
    client_for,
    csp_directives,
    fetch,
    header_problems,
    is_html,
    plan,
)

ROOT = Path(settings.BASE_DIR)


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        built = build_world()
        yield built
        transaction.set_rollback(True)


# Headers of a few pages -----------------------------------------------------------------------------------------

PAGES = [
    ("login page", "anonymous", lambda w: reverse("accounts:login"), 200),
    ("home", "coordinator", lambda w: reverse("home"), 200),
    ("dashboard", "governor_office", lambda w: reverse("analytics:dashboard"), 200),
    ("lesson note", "anonymous", lambda w: w.published_note.get_absolute_url(), 200),
    ("check-in", "coordinator", lambda w: reverse("forums:checkin", args=[w.session_in_scope.code]), 200),
    ("admin index", "administrator", lambda w: reverse("admin:index"), 200),
    ("404 page", "anonymous", lambda w: "/lessons/no-such-note/", 404),
    ("404 page, logged in", "coordinator", lambda w: "/forums/F-NO-SUCH/", 404),
    ("404 page, no route", "coordinator", lambda w: "/no/such/address/", 404),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("label", "actor", "path", "status"), PAGES, ids=[p[0] for p in PAGES])
def test_security_headers(world, label, actor, path, status):
    response = fetch(client_for(actor, world), GET, path(world))
    assert response.status_code == status and is_html(response), (
        response.status_code,
        response["Content-Type"],
    )

    csp = csp_directives(response)
    assert csp, "no Content-Security-Policy header"
    script_src = csp.get("script-src", csp.get("default-src"))
    assert script_src, f"CSP without script-src or default-src: {response['Content-Security-Policy']}"
    assert "'unsafe-inline'" not in script_src and "'unsafe-eval'" not in script_src, script_src
    assert csp.get("frame-ancestors") == ["'none'"] or response.get("X-Frame-Options") == "DENY"
    assert csp.get("object-src") == ["'none'"]
    assert response.get("X-Content-Type-Options") == "nosniff"
    assert response.get("Referrer-Policy") == "same-origin"
    assert response.get("Cross-Origin-Opener-Policy") == "same-origin"
    assert header_problems(response) == []


def test_the_header_check_finds_what_is_missing():
    class Response(dict):
        pass

    weak = Response({"Content-Security-Policy": "default-src 'self'; script-src 'self' 'unsafe-inline'"})
    problems = header_problems(weak)
    assert any("unsafe-inline" in p for p in problems)
    assert any("frame-ancestors" in p for p in problems)
    assert any("object-src" in p for p in problems)
    assert any("X-Content-Type-Options" in p for p in problems)
    assert header_problems(Response()) == ["no Content-Security-Policy"]


# No inline script ----------------------------------------------------------------------------------------------

_TAG = re.compile(r"<[a-zA-Z][^>]*>")
_HANDLER_IN_TAG = re.compile(r"[\s\"'}](on[a-z]+)\s*=", re.IGNORECASE)


def inline_script_problems(html: str) -> list[str]:
    """Script that a CSP without 'unsafe-inline' would block: <script> without src (JSON data blocks apart),
    on* event-handler attributes and javascript: addresses."""
    problems, handlers = [], set()
    soup = BeautifulSoup(html, "html.parser")
    for script in soup.find_all("script"):
        if script.get("src"):
            continue
        if script.get("type", "").strip().lower() == "application/json":
            continue
        problems.append(f"inline <script>: {str(script)[:120]}")
    for tag in soup.find_all(True):
        for attribute, value in tag.attrs.items():
            if attribute.lower().startswith("on"):
                handlers.add(attribute.lower())
                problems.append(f"event handler <{tag.name} {attribute}=...>")
            elif isinstance(value, str) and value.strip().lower().startswith("javascript:"):
                problems.append(f"javascript: address in <{tag.name} {attribute}>")
    # Attributes that the parser does not see as such, e.g. behind a template tag: {% if x %}onclick="..."
    for tag in _TAG.findall(html):
        for handler in _HANDLER_IN_TAG.findall(tag):
            if handler.lower() not in handlers:
                problems.append(f"event handler in {tag[:120]}")
    return problems


def test_the_inline_script_check_catches_inline_script():
    bad = (
        '<script>alert(1)</script><script type="application/json" id="d">{}</script>'
        '<button onclick="go()">x</button><a href="javascript:go()">y</a>'
        '<div {% if x %}onmouseover="go()"{% endif %}>z</div><script src="/static/a.js"></script>'
    )
    problems = inline_script_problems(bad)
    assert len(problems) == 4, problems
    assert inline_script_problems('<script type="application/json">{"a": 1}</script><p>one = two</p>') == []


def project_templates() -> list[Path]:
    folders = [Path(folder) for engine in settings.TEMPLATES for folder in engine.get("DIRS", [])]
    folders += [p for p in ROOT.glob("*/templates") if ".venv" not in p.parts]
    return sorted({path for folder in folders for path in folder.rglob("*.html")})


def test_no_template_has_inline_script_or_event_handlers():
    templates = project_templates()
    assert len(templates) > 20, templates
    problems = [
        f"{path.relative_to(ROOT)}: {problem}"
        for path in templates
        for problem in inline_script_problems(path.read_text(encoding="utf-8"))
    ]
    assert not problems, "\n".join(problems)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "actor", ["anonymous", "coordinator", "facilitator", "governor_office", "administrator"]
)
def test_no_page_walked_has_inline_script(world, actor):
    visits, missing = plan(world)
    assert not missing, "\n".join(missing)
    client = client_for(actor, world)
    pages, problems = 0, []
    for visit in visits:
        response = fetch(client, visit.method, visit.path, visit.query)
        if not is_html(response) or not response.content:
            continue
        pages += 1
        problems += [
            f"{visit.method} {visit.path}: {p}" for p in inline_script_problems(response.content.decode())
        ]
    assert pages >= 10, f"only {pages} HTML pages answered {actor}"
    assert not problems, "\n".join(problems)


# Production settings -----------------------------------------------------------------------------------------------

PRODUCTION_ENV = {
    "DJANGO_DEBUG": "0",
    "DJANGO_SECRET_KEY": "production-like-secret-key-for-the-security-tests-0123456789",
    "DJANGO_ALLOWED_HOSTS": "km.example.go.th",
}
assert len(PRODUCTION_ENV["DJANGO_SECRET_KEY"]) == 60

HTTPS_SETTINGS = [
    "DEBUG",
    "SECURE_SSL_REDIRECT",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_HSTS_PRELOAD",
    "SESSION_COOKIE_SECURE",
    "CSRF_COOKIE_SECURE",
    "LANGUAGE_COOKIE_SECURE",
    "SESSION_COOKIE_NAME",
    "CSRF_COOKIE_NAME",
    "LANGUAGE_COOKIE_NAME",
    "SESSION_COOKIE_HTTPONLY",
]


def run_manage(*args, **env):
    """manage.py in a subprocess with the production environment: no DJANGO_SECURE, DJANGO_STATIC_MANIFEST or
    other DJANGO_ variable of the test run (as tests/kmportal/test_settings.py does)."""
    clean_env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    clean_env.update(PRODUCTION_ENV, **env)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=clean_env,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture(scope="module")
def production_settings():
    names = ", ".join(repr(name) for name in HTTPS_SETTINGS)
    code = f"import json; from django.conf import settings as s; print(json.dumps({{n: getattr(s, n) for n in [{names}]}}))"
    result = run_manage("shell", "-c", code)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_deploy_check_passes_with_production_settings():
    result = run_manage("check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_the_deploy_check_fails_without_https():
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", DJANGO_SECURE="0")
    assert result.returncode != 0
    assert "security.W004" in result.stderr  # no HSTS


def test_production_settings_are_https_only(production_settings):
    production = production_settings
    assert production["DEBUG"] is False
    assert production["SECURE_SSL_REDIRECT"] is True
    assert production["SECURE_HSTS_SECONDS"] >= 31_536_000
    assert production["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is True
    assert production["SESSION_COOKIE_SECURE"] is True
    assert production["CSRF_COOKIE_SECURE"] is True
    assert production["LANGUAGE_COOKIE_SECURE"] is True
    assert production["SESSION_COOKIE_HTTPONLY"] is True
    for name in ("SESSION_COOKIE_NAME", "CSRF_COOKIE_NAME", "LANGUAGE_COOKIE_NAME"):
        assert production[name].startswith("__Host-"), (name, production[name])


def host_cookie_problems(cookie) -> list[str]:
    """A __Host- cookie must be Secure, for Path=/ and without Domain, or browsers refuse it."""
    problems = []
    if not cookie["secure"]:
        problems.append("not Secure")
    if cookie["path"] != "/":
        problems.append(f"Path={cookie['path']}")
    if cookie["domain"]:
        problems.append(f"Domain={cookie['domain']}")
    return problems


@pytest.mark.django_db
def test_https_responses_carry_hsts_and_host_cookies(production_settings):
    production = {name: production_settings[name] for name in HTTPS_SETTINGS if name != "DEBUG"}
    user = make_user("coordinator")
    with override_settings(**production | {"SECURE_SSL_REDIRECT": False}):
        client = Client()
        login_page = client.get(reverse("accounts:login"), secure=True)
        assert login_page.status_code == 200
        assert login_page["Strict-Transport-Security"].startswith("max-age=31536000")
        assert "includeSubDomains" in login_page["Strict-Transport-Security"]
        assert "Strict-Transport-Security" not in client.get(reverse("accounts:login"))  # not over plain HTTP

        csrf = login_page.cookies[production["CSRF_COOKIE_NAME"]]
        assert production["CSRF_COOKIE_NAME"] == "__Host-csrftoken"
        assert host_cookie_problems(csrf) == []

        response = client.post(
            reverse("accounts:login"), {"username": user.username, "password": PASSWORD}, secure=True
        )
        assert response.status_code == 302 and response["Location"] == "/"
        assert "sessionid" not in response.cookies
        session = response.cookies["__Host-sessionid"]
        assert host_cookie_problems(session) == []
        assert session["httponly"]
        assert session["samesite"] == "Lax"
        assert client.get(reverse("home"), secure=True).status_code == 200  # the cookie logs in


def test_the_host_cookie_check_refuses_a_cookie_for_a_subdomain():
    from http.cookies import SimpleCookie

    cookie = SimpleCookie()
    cookie["__Host-sessionid"] = "x"
    cookie["__Host-sessionid"]["path"] = "/app/"
    cookie["__Host-sessionid"]["domain"] = "example.go.th"
    assert host_cookie_problems(cookie["__Host-sessionid"]) == [
        "not Secure",
        "Path=/app/",
        "Domain=example.go.th",
    ]
