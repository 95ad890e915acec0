"""The whole database survives `dumpdata > all.json` and `loaddata all.json` into an empty database.

Run as a newcomer would, through manage.py in other processes, on a demo database: every model is serialized
(a model without a table once made dumpdata fail) and the loaded copy gives the same consistency report.
"""

import datetime as dt
import json
import os
import re
import subprocess
import sys
import uuid
from pathlib import Path

import psycopg2
import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]


def manage(database_url, *args, stdout=None):
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env.update(DJANGO_DEBUG="1", DATABASE_URL=database_url)
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        stdout=stdout or subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout


@pytest.fixture
def database_urls(db, tmp_path):
    """Two empty databases of the kind this test run uses (SQLite files, or PostgreSQL databases)."""
    if connection.vendor == "sqlite":
        yield f"sqlite:///{tmp_path / 'source.sqlite3'}", f"sqlite:///{tmp_path / 'copy.sqlite3'}"
        return
    settings = connection.settings_dict
    base = f"postgres://{settings['USER'] or 'postgres'}@{settings['HOST'] or '127.0.0.1'}:{settings['PORT'] or 5432}"
    names = [f"kmportal_dump_{uuid.uuid4().hex[:8]}_{side}" for side in ("source", "copy")]
    admin = psycopg2.connect(f"{base}/postgres")
    admin.autocommit = True
    with admin.cursor() as cursor:
        for name in names:
            cursor.execute(f'CREATE DATABASE "{name}"')
    yield tuple(f"{base}/{name}" for name in names)
    with admin.cursor() as cursor:
        for name in names:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.close()


def _round_trip(source, copy, tmp_path):
    manage(source, "migrate", "--verbosity", "0")
    manage(source, "seed_demo", "--seed", "7")
    dump = tmp_path / "all.json"
    with dump.open("w") as handle:
        manage(source, "dumpdata", stdout=handle)
    manage(copy, "migrate", "--verbosity", "0")
    manage(copy, "loaddata", str(dump))

    objects = json.loads(dump.read_text())
    assert {obj["model"] for obj in objects} >= {"agencies.person", "forums.attendance", "lessons.lessonnote"}
    report = ["consistency_report", "--format", "json", "--circle", "all"]
    assert json.loads(manage(copy, *report)) == json.loads(manage(source, *report))
    again = tmp_path / "again.json"
    with again.open("w") as handle:
        manage(copy, "dumpdata", stdout=handle)
    assert _to_milliseconds(json.loads(again.read_text())) == _to_milliseconds(objects)


_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")


def _to_milliseconds(value):
    """Django's JSON serializer writes date-times to the millisecond ("36.000Z" and "36Z" are the same instant)."""
    if isinstance(value, list):
        return [_to_milliseconds(item) for item in value]
    if isinstance(value, dict):
        return {key: _to_milliseconds(item) for key, item in value.items()}
    if isinstance(value, str) and _DATETIME.match(value):
        return dt.datetime.fromisoformat(value.replace("Z", "+00:00")).isoformat(timespec="milliseconds")
    return value


def test_dumpdata_and_loaddata_round_trip(database_urls, tmp_path):
    _round_trip(*database_urls, tmp_path)
