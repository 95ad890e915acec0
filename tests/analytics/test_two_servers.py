"""Two app servers (gunicorn processes) on one PostgreSQL database and one Redis: a mark made through one appears
at once on the other's cached dashboard.

Runs in both passes of the suite: it makes its own PostgreSQL database (TEST_POSTGRES_URL, default the local
server) and uses its own Redis database number and key prefix (TEST_REDIS_URL), whatever DATABASE_URL says.
"""

import json
import os
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg2
import pytest
import redis
import requests
from bs4 import BeautifulSoup

ROOT = Path(__file__).resolve().parents[2]
POSTGRES = os.environ.get("TEST_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/postgres")
REDIS = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/13")

SETUP = """
import json
from django.contrib.auth.models import Group, User
from django.test import Client
from accounts import roles
from agencies.models import KmRole, Organization, Person
from forums import services
from forums.models import ForumSession
import datetime as dt

cdd = Organization.objects.get(code="CDD")
person = Person.objects.create(code="P-TWO-1", title="นาย", first_name="สมชาย", last_name="ใจดี",
                               role=KmRole.EUA, organization=cdd)
session = ForumSession.objects.create(code="F-TWO-01", title="เวทีทดสอบสองเครื่อง", circle="eua",
                                      date=dt.date(2006, 1, 13), status="held", organizer=cdd)
services.invite(session, [person])
row = session.attendances.get()
user = User.objects.create_user("two-servers", password="a-long-test-password-2549")
user.groups.add(Group.objects.get(name=roles.ADMINISTRATOR))
client = Client()
client.force_login(user)
print(json.dumps({"cookie": client.cookies["sessionid"].value, "row": row.pk, "version": row.version}))
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _admin(sql: str):
    conn = psycopg2.connect(POSTGRES)
    conn.autocommit = True
    with conn.cursor() as cursor:
        cursor.execute(sql)
    conn.close()


@pytest.fixture
def shared_backends():
    name = f"kmportal_two_servers_{uuid.uuid4().hex[:10]}"
    prefix = f"kmtest-{uuid.uuid4().hex[:10]}"
    _admin(f'CREATE DATABASE "{name}"')
    env = {
        **os.environ,
        "DATABASE_URL": urlunsplit(urlsplit(POSTGRES)._replace(path=f"/{name}")),
        "REDIS_URL": REDIS,
        "REDIS_KEY_PREFIX": prefix,
        "DJANGO_DEBUG": "1",
        "DJANGO_SETTINGS_MODULE": "kmportal.settings",
    }
    env.pop("PYTEST_XDIST_WORKER", None)
    try:
        yield env, prefix
    finally:
        store = redis.Redis.from_url(REDIS)
        for found in store.scan_iter(f"{prefix}:*"):
            store.delete(found)
        _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _manage(env, *args) -> str:
    done = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True, capture_output=True, text=True
    )
    return done.stdout


def _start(env) -> tuple[subprocess.Popen, str]:
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "kmportal.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", "1"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    probe = requests.Session()
    probe.trust_env = False  # loopback: never through a proxy of the environment
    for _ in range(600):
        try:
            if probe.get(f"{base}/healthz", timeout=10).status_code == 200:
                return server, base
        except (requests.ConnectionError, requests.Timeout):
            time.sleep(0.1)
    server.kill()
    raise AssertionError("the app server did not start")


def _cdd_rate(http, base) -> str:
    page = BeautifulSoup(http.get(f"{base}/dashboard/").content, "html.parser")
    return page.select_one('#agency-figures tr[data-agency="CDD"] td:nth-of-type(2)').text.split()[0]


def test_a_mark_through_one_server_shows_at_once_on_the_others_cached_dashboard(shared_backends):
    env, prefix = shared_backends
    _manage(env, "migrate", "--verbosity", "0")
    setup = json.loads(_manage(env, "shell", "-c", SETUP).strip().splitlines()[-1])
    first, first_url = _start(env)
    second, second_url = _start(env)
    try:
        http = requests.Session()
        http.trust_env = False
        http.cookies.set("sessionid", setup["cookie"])
        assert _cdd_rate(http, first_url) == "0%"
        # The dashboard is now in Redis, and the first server answers from it.
        store = redis.Redis.from_url(REDIS)
        assert list(store.scan_iter(f"{prefix}:*analytics:dashboard:*"))
        assert _cdd_rate(http, first_url) == "0%"

        # The coordinator's tap, through the second server (the check-in page's queue, sent as it syncs).
        http.get(f"{second_url}/forums/F-TWO-01/checkin/")
        mark = {
            "clientId": str(uuid.uuid4()),
            "kind": "mark",
            "madeAt": "2006-01-13T09:00:00+07:00",
            "attendanceId": setup["row"],
            "status": "present",
            "version": setup["version"],
        }
        response = http.post(
            f"{second_url}/forums/F-TWO-01/checkin/sync/",
            json={"ops": [mark]},
            headers={"X-CSRFToken": http.cookies["csrftoken"]},
            allow_redirects=False,
        )
        assert response.status_code == 200
        assert [result["result"] for result in response.json()["results"]] == ["saved"]

        assert _cdd_rate(http, first_url) == "100%"
        assert _cdd_rate(http, second_url) == "100%"
    finally:
        for server in (first, second):
            server.terminate()
            server.wait(timeout=30)
