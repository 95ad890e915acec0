"""The benchmark commands run end to end on a pilot-scale database: every page answers and is measured (a bench
that stops on a broken page, or measures nothing, would let `make bench` say nothing true)."""

import io
import json

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.db import connection

from agencies.models import Person
from forums.models import Attendance, ForumSession

pytestmark = pytest.mark.django_db


def _json(command, *args) -> dict:
    out = io.StringIO()
    call_command(command, "--json", *args, stdout=out)
    return json.loads(out.getvalue().strip().splitlines()[-1])


def test_bench_measures_every_page_and_export_on_the_pilot_dataset():
    call_command("seed_demo", "--force", stdout=io.StringIO())
    latest = ForumSession.objects.held().order_by("-date", "-code").values_list("pk", "updated_at").first()
    results = _json("bench", "--runs", "1")
    pages = results["pages"]
    assert {"dashboard_all_circles", "drill_agency", "public_lesson", "checkin_page"} <= set(pages)
    assert sum(name.startswith("export_") for name in pages) == 12
    for name, page in pages.items():
        assert "error" not in page, (name, page)
        for kind in ("uncached", "cached"):
            assert page[kind]["median_ms"] > 0 and page[kind]["queries"] > 0, (name, kind)
    assert pages["public_lesson"]["uncached"]["bytes"] > 1000
    # The cached dashboard reads the cache: fewer queries than computing it.
    assert pages["dashboard"]["cached"]["queries"] < pages["dashboard"]["uncached"]["queries"]
    # After a write: measured for the heaviest views, and the session saved for it is as it was (rolled back).
    assert set(results["after_write"]) == {
        "dashboard_all_circles",
        "export_agencies_xlsx",
        "export_heatmap_xlsx",
    }
    assert all(figures["median_ms"] > 0 for figures in results["after_write"].values())
    assert (
        ForumSession.objects.held().order_by("-date", "-code").values_list("pk", "updated_at").first()
        == latest
    )


def test_bench_checkin_counts_the_queries_of_a_request_as_production_makes_them():
    call_command("seed_demo", "--force", stdout=io.StringIO())
    before = (
        Person.objects.count(),
        ForumSession.objects.count(),
        Attendance.history.count(),
        User.objects.count(),
    )
    results = _json("bench_checkin", "--runs", "1", "--invitees", "20")
    # One statement writes the marks and their history on PostgreSQL, two on SQLite (forums.marks_sql).
    expected = 9 if connection.vendor == "postgresql" else 10
    assert results["save_all"]["queries"] == results["tap"]["queries"] == expected
    assert results["save_all"]["median_ms"] > 0
    assert results["checkin_page"]["bytes"] > 1000
    # Its requests committed as in production; what it made for them is gone again.
    after = (
        Person.objects.count(),
        ForumSession.objects.count(),
        Attendance.history.count(),
        User.objects.count(),
    )
    assert after == before
