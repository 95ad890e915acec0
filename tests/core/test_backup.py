"""scripts/backup.py: a backup of the suite's own database restored into a fresh one gives back every row and the
same dashboard figures, on SQLite and on PostgreSQL alike."""

import contextlib
import datetime as dt
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection, connections
from django.db.utils import load_backend
from django.test import override_settings

from agencies.models import KmRole, Organization, Person
from analytics.metrics import Scope, compute
from kmportal import settings as portal_settings
from lessons import search
from lessons.models import KeyLesson, LessonNote
from scripts import backup
from tests.factories import make_attendance, make_person, make_session, make_user
from tests.lessons.helpers import publish_as_reviewer

ROOT = Path(__file__).resolve().parent.parent.parent
RESTORED = "restored"


class ReadFrom:
    """A database router that sends every query to one alias: the portal's own code, run against the restored
    database without knowing it."""

    def __init__(self, alias):
        self.alias = alias

    def db_for_read(self, model, **hints):
        return self.alias

    def db_for_write(self, model, **hints):
        return self.alias


def build_data():
    """People of three agencies, two held sessions and a planned one with attendance, a published lesson note."""
    people = [
        make_person("CDD", KmRole.EUA),
        make_person("WU", KmRole.EUA),
        make_person("BAAC", KmRole.AMNUAY),
        make_person("CDD", KmRole.KIT, first_name="สมศรี", last_name="มีสุข"),
    ]
    first = make_session(circle="eua", status="held", date=dt.date(2006, 3, 1))
    second = make_session(circle="eua", status="held", date=dt.date(2006, 4, 5))
    make_session(circle="eua", status="planned")
    make_attendance(first, people[0], status="present")
    make_attendance(first, people[1], status="absent")
    make_attendance(first, people[2], status="represented", representative=people[3])
    make_attendance(second, people[0], status="late")
    make_attendance(second, people[1], status="present")
    make_attendance(second, people[3], invited=False, status="present")
    author = make_user("facilitator")
    note = LessonNote.objects.create(
        title="บทเรียนวงคุณเอื้อ",
        slug="บทเรียนวงคุณเอื้อ",
        author=author,
        body="<p>ผู้ว่าฯ มา หน่วยงานก็มา</p>",
        report_scope={"from": None, "to": None, "circle": "eua", "tambon": None, "roles": None},
    )
    note.sessions.set([first, second])
    KeyLesson.objects.create(note=note, text="คุณอำนวยสรุปประเด็นก่อนประชุม", role=KmRole.AMNUAY, order=0)
    search.refresh_search_text(note)
    publish_as_reviewer(note)


def row_counts(alias) -> dict[str, int]:
    """Every table of the database (Django's own and the migrations' included) with its number of rows."""
    db = connections[alias]
    with db.cursor() as cursor:
        counts = {}
        for table in sorted(db.introspection.table_names(cursor)):
            cursor.execute(f"SELECT COUNT(*) FROM {db.ops.quote_name(table)}")
            counts[table] = cursor.fetchone()[0]
    return counts


def sqlite_file(path, rows):
    """A small SQLite database in WAL mode, as the portal keeps its own."""
    db = sqlite3.connect(path)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("CREATE TABLE t (x)")
    db.executemany("INSERT INTO t VALUES (?)", [(i,) for i in range(rows)])
    db.commit()
    db.close()


@contextlib.contextmanager
def fresh_database(tmp_path):
    """Settings of a new, empty database beside the test database, dropped afterwards."""
    settings = dict(connection.settings_dict)
    if connection.vendor == "sqlite":
        settings["NAME"] = str(tmp_path / "restored.sqlite3")
        yield settings
        return
    import psycopg2
    from psycopg2 import sql

    settings["NAME"] = f"{connection.settings_dict['NAME']}_restore"
    dsn, env = backup._libpq({**settings, "NAME": "postgres"})
    admin = psycopg2.connect(dsn, password=env.get("PGPASSWORD"))
    admin.autocommit = True
    name = sql.Identifier(settings["NAME"])
    try:
        with admin.cursor() as cursor:
            cursor.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(name))
            cursor.execute(sql.SQL("CREATE DATABASE {}").format(name))
        yield settings
    finally:
        with admin.cursor() as cursor:
            cursor.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(name))
        admin.close()


@contextlib.contextmanager
def database_alias(alias, settings):
    """The database as a second Django connection, for as long as the block runs.

    Made by hand rather than added to the DATABASES setting: Django's test case forbids queries to configured
    aliases the test did not declare, and the alias exists only inside this block."""
    wrapper = load_backend(settings["ENGINE"]).DatabaseWrapper(settings, alias)
    connections[alias] = wrapper
    try:
        yield wrapper
    finally:
        wrapper.close()
        del connections[alias]


@pytest.mark.usefixtures("reference_db")
def test_a_backup_restored_into_a_fresh_database_gives_every_row_and_the_same_figures(tmp_path):
    build_data()
    expected_counts = row_counts("default")
    expected_report = compute(Scope()).as_json()

    path = backup.backup(connection.settings_dict, tmp_path / "backups" / "kmportal.backup")
    assert path.is_file() and not path.with_name(path.name + ".partial").exists()
    assert path.stat().st_mode & 0o077 == 0  # personal data: readable by its owner only

    with fresh_database(tmp_path) as target:
        assert backup.table_count(target) == 0
        backup.restore(path, target)
        with database_alias(RESTORED, target):
            restored_counts = row_counts(RESTORED)
            with override_settings(DATABASE_ROUTERS=[ReadFrom(RESTORED)]):
                restored_report = compute(Scope()).as_json()
                # Sequences come back too: the next row gets a fresh key rather than colliding.
                Person.objects.create(
                    code="T-AFTER-RESTORE",
                    first_name="หลังกู้คืน",
                    role=KmRole.KIT,
                    organization=Organization.objects.get(code="CDD"),
                )
                note = LessonNote.objects.get()

    assert restored_counts == expected_counts
    for table in ("agencies_person", "forums_forumsession", "forums_attendance", "lessons_lessonnote"):
        assert expected_counts[table] > 0
    assert restored_report == expected_report
    assert len(restored_report["sessions"]) == 2
    assert note.status == LessonNote.Status.PUBLISHED and note.report_snapshot is not None


@pytest.mark.usefixtures("reference_db")
def test_restore_refuses_a_database_that_is_not_empty_unless_forced(tmp_path):
    make_person("CDD", KmRole.EUA)
    path = backup.backup(connection.settings_dict, tmp_path / "first.backup")
    with fresh_database(tmp_path) as target:
        backup.restore(path, target)
        with pytest.raises(backup.BackupError, match="not empty"):
            backup.restore(path, target)
        # Forced, the restore replaces what is there rather than adding to it.
        backup.restore(path, target, force=True)
        with database_alias(RESTORED, target):
            assert row_counts(RESTORED) == row_counts("default")


def test_a_backup_of_the_other_database_kind_is_refused(tmp_path):
    sqlite_settings = {"ENGINE": "django.db.backends.sqlite3", "NAME": str(tmp_path / "target.sqlite3")}
    dump = tmp_path / "kmportal.pgdump"
    dump.write_bytes(b"PGDMP\x01\x0e\x00")
    with pytest.raises(backup.BackupError, match="not an SQLite database"):
        backup.restore(dump, sqlite_settings)
    assert not Path(sqlite_settings["NAME"]).exists()


def test_an_existing_backup_file_is_never_overwritten(tmp_path):
    source = tmp_path / "source.sqlite3"
    sqlite_file(source, rows=1)
    output = tmp_path / "kept.sqlite3"
    output.write_bytes(b"an earlier backup")
    with pytest.raises(backup.BackupError, match="already exists"):
        backup.backup({"ENGINE": "django.db.backends.sqlite3", "NAME": str(source)}, output)
    assert output.read_bytes() == b"an earlier backup"


@pytest.mark.parametrize(
    "url",
    [
        "",
        "sqlite:////srv/kmportal/db.sqlite3",
        "postgres://km:s3cr%40t@db.example.go.th:5433/kmportal?sslmode=require",
        "postgresql://postgres@127.0.0.1/kmportal",
    ],
)
def test_the_script_reads_the_database_that_the_settings_read(monkeypatch, url):
    monkeypatch.setenv("DATABASE_URL", url)
    portal, script = portal_settings._database(), backup.database_settings()
    for key in ("NAME", "USER", "PASSWORD", "HOST", "PORT"):
        assert str(script[key]) == str(portal[key]), key
    assert script["ENGINE"].endswith("sqlite3") == portal["ENGINE"].endswith("sqlite3")
    assert script.get("OPTIONS", {}).get("sslmode") == portal.get("OPTIONS", {}).get("sslmode")


def test_the_password_travels_in_the_environment_not_on_the_command_line():
    dsn, env = backup._libpq(
        {"NAME": "kmportal", "USER": "km", "PASSWORD": "s3cr@t", "HOST": "db", "PORT": 5432,
         "OPTIONS": {"sslmode": "require", "isolation_level": 1}}
    )  # fmt: skip
    assert "s3cr@t" not in dsn and env["PGPASSWORD"] == "s3cr@t"
    assert "sslmode=require" in dsn and "isolation_level" not in dsn


def test_the_command_line_backs_up_prints_the_path_and_restores_only_into_an_empty_database(tmp_path):
    """The script as `make backup` and `make restore` run it, on an SQLite file of its own."""
    source = tmp_path / "portal.sqlite3"
    sqlite_file(source, rows=500)

    def run(url, *args):
        env = {**os.environ, "DATABASE_URL": url}
        return subprocess.run(
            [sys.executable, "scripts/backup.py", *args], cwd=ROOT, env=env, capture_output=True, text=True
        )

    made = run(f"sqlite:///{source}", "backup", "--output", str(tmp_path / "out" / "b.sqlite3"))
    assert made.returncode == 0, made.stderr
    path = Path(made.stdout.strip())
    assert path == tmp_path / "out" / "b.sqlite3" and path.is_file()

    target = f"sqlite:///{tmp_path / 'new.sqlite3'}"
    assert run(target, "restore", str(path)).returncode == 0
    refused = run(target, "restore", str(path))
    assert refused.returncode == 1 and "not empty" in refused.stderr
    assert run(target, "restore", str(path), "--force").returncode == 0
    restored = sqlite3.connect(tmp_path / "new.sqlite3")
    assert restored.execute("SELECT count(*) FROM t").fetchone()[0] == 500
    restored.close()


def test_the_default_backup_file_name_carries_the_time(tmp_path):
    at = dt.datetime(2026, 11, 24, 2, 30, 5)
    assert backup.default_output({"ENGINE": "core.sqlite3"}, at).name == "kmportal-20261124-023005.sqlite3"
    assert (
        backup.default_output({"ENGINE": "django.db.backends.postgresql"}, at).name
        == "kmportal-20261124-023005.pgdump"
    )


def test_the_media_folder_is_backed_up_beside_the_database_and_restored(tmp_path):
    media = tmp_path / "media"
    (media / "lessons" / "7").mkdir(parents=True)
    (media / "lessons" / "7" / "photo.jpg").write_bytes(b"\xff\xd8 photo")
    path = backup.backup(connection.settings_dict, tmp_path / "backups" / "kmportal.backup", media_dir=media)
    archive = backup.media_archive(path)
    assert archive.is_file() and archive.stat().st_mode & 0o077 == 0  # photos may show people

    restored = tmp_path / "restored" / "uploads"
    with fresh_database(tmp_path) as target:
        backup.restore(path, target, media_dir=restored)
    assert (restored / "lessons" / "7" / "photo.jpg").read_bytes() == b"\xff\xd8 photo"


def test_no_media_archive_without_uploaded_files(tmp_path):
    path = backup.backup(
        connection.settings_dict, tmp_path / "b" / "kmportal.backup", media_dir=tmp_path / "none"
    )
    assert not backup.media_archive(path).exists()
