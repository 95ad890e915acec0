import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import connection

from kmportal import settings as portal_settings

ROOT = Path(__file__).resolve().parents[2]


def run_manage(*args, **env):
    clean_env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    clean_env.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=clean_env,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize("raw", ["maybe", "2", "yes please"])
def test_env_bool_refuses_values_it_cannot_read(monkeypatch, raw):
    monkeypatch.setenv("SOME_FLAG", raw)
    with pytest.raises(ImproperlyConfigured, match="SOME_FLAG"):
        portal_settings.env_bool("SOME_FLAG", False)


def test_env_int_refuses_words(monkeypatch):
    monkeypatch.setenv("EMAIL_PORT", "twenty-five")
    with pytest.raises(ImproperlyConfigured, match="EMAIL_PORT"):
        portal_settings.env_int("EMAIL_PORT", 25)


def test_env_list_splits_and_trims(monkeypatch):
    monkeypatch.setenv("HOSTS", " a.example , b.example,, ")
    assert portal_settings.env_list("HOSTS", []) == ["a.example", "b.example"]


def test_production_settings_require_a_secret_key():
    result = run_manage("check", DJANGO_DEBUG="0")
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY is required" in result.stderr


def test_a_bad_database_url_fails_loudly():
    result = run_manage("check", DJANGO_DEBUG="1", DATABASE_URL="mysql://root@localhost/x")
    assert result.returncode != 0
    assert "DATABASE_URL" in result.stderr


def test_deploy_check_passes_with_production_settings():
    result = run_manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY="k" * 20 + "production-like-secret-key-for-the-deploy-check-0123",
        DJANGO_ALLOWED_HOSTS="km.example.go.th",
    )
    assert result.returncode == 0, result.stderr


def test_sqlite_default_uses_wal_and_immediate_transactions(monkeypatch):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    config = portal_settings._database()
    assert config["ENGINE"] == "core.sqlite3"
    assert config["NAME"].endswith("var/kmportal.sqlite3")
    assert config["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
    assert "journal_mode=WAL" in config["OPTIONS"]["init_command"]


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("DJANGO_LOG_LEVEL", "verbose"),
        ("DJANGO_ALLOWED_HOSTS", "https://km.example.go.th"),
        ("DJANGO_ALLOWED_HOSTS", "km.example.go.th:8000"),
        ("DJANGO_ALLOWED_HOSTS", ""),
        ("DJANGO_CSRF_TRUSTED_ORIGINS", "km.example.go.th"),
        ("DJANGO_CSRF_TRUSTED_ORIGINS", "https://km.example.go.th/portal"),
        ("DJANGO_PROXY_COUNT", "-1"),
        ("DJANGO_PROXY_COUNT", "two"),
        ("DEFAULT_FROM_EMAIL", "kmportal"),
        ("EMAIL_PORT", "70000"),
        ("DJANGO_SECURE", "sometimes"),
        ("PDPA_RETENTION_YEARS", "0"),
    ],
)
def test_a_bad_environment_value_stops_the_start_naming_the_variable(variable, value):
    env = {
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": "k" * 60,
        "DJANGO_ALLOWED_HOSTS": "km.example.go.th",
        "EMAIL_HOST": "mail.example.go.th",
        variable: value,
    }
    result = run_manage("check", **env)
    assert result.returncode != 0
    assert variable in result.stderr.splitlines()[-1]


def test_log_level_is_read_without_case(monkeypatch):
    monkeypatch.setenv("DJANGO_LOG_LEVEL", "debug")
    assert portal_settings.env_choice("DJANGO_LOG_LEVEL", "INFO", ["DEBUG", "INFO"]) == "DEBUG"


def test_sqlite_database_and_its_folder_are_created_for_the_owner_only(tmp_path):
    folder = tmp_path / "data"
    result = run_manage(
        "migrate", "--verbosity", "0", DJANGO_DEBUG="1", DATABASE_URL=f"sqlite:///{folder / 'portal.sqlite3'}"
    )
    assert result.returncode == 0, result.stderr
    assert (folder.stat().st_mode & 0o777) == 0o700
    for path in folder.iterdir():
        assert (path.stat().st_mode & 0o077) == 0, f"{path.name} is readable by others"


def test_postgresql_connections_plan_for_solid_state_storage_without_jit(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgres://kmportal@db.example.go.th:5432/kmportal")
    monkeypatch.delenv("DATABASE_RANDOM_PAGE_COST", raising=False)
    assert portal_settings._database()["OPTIONS"]["options"] == "-c jit=off -c random_page_cost=1.1"
    # Options already in the address come last, so that they win; an empty cost leaves the server's.
    monkeypatch.setenv(
        "DATABASE_URL", "postgres://kmportal@db.example.go.th:5432/kmportal?options=-c%20jit%3Don"
    )
    monkeypatch.setenv("DATABASE_RANDOM_PAGE_COST", "2")
    assert portal_settings._database()["OPTIONS"]["options"] == "-c jit=off -c random_page_cost=2 -c jit=on"
    monkeypatch.setenv("DATABASE_RANDOM_PAGE_COST", "")
    assert portal_settings._database()["OPTIONS"]["options"] == "-c jit=off -c jit=on"
    for bad in ("fast", "0", "-1"):
        monkeypatch.setenv("DATABASE_RANDOM_PAGE_COST", bad)
        with pytest.raises(ImproperlyConfigured, match="DATABASE_RANDOM_PAGE_COST"):
            portal_settings._database()


@pytest.mark.django_db
def test_the_connection_of_this_run_has_the_setting():
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SHOW random_page_cost")
            assert cursor.fetchone()[0] == "1.1"
            cursor.execute("SHOW jit")
            assert cursor.fetchone()[0] == "off"
    else:  # SQLite has no planner costs: nothing is set
        assert "options" not in connection.settings_dict["OPTIONS"]
