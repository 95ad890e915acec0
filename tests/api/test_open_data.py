"""The open-data endpoints: the same figures as consistency_report, paging, filters, CSV, caching, the dataset
page and its CKAN metadata."""

import csv
import io
import json

import pytest
from bs4 import BeautifulSoup
from django.core.management import call_command


def report(*args):
    out = io.StringIO()
    call_command("consistency_report", "--format", "json", *args, stdout=out)
    return json.loads(out.getvalue())


def test_agency_figures_equal_the_consistency_report(client, program):
    expected = report("--from", "2026-10-01", "--to", "2026-10-31", "--circle", "eua")
    items = client.get("/api/v1/agencies?from=2026-10-01&to=2026-10-31&circle=eua").json()["items"]
    assert [a["code"] for a in items] == [a["code"] for a in expected["agencies"]]
    for got, want in zip(items, expected["agencies"], strict=True):
        assert {k: got[k] for k in want} == want


def test_trends_and_phases(client, program):
    trends = client.get("/api/v1/trends?page_size=500").json()["items"]
    baac = {row["month"]: row["attendance_rate"] for row in trends if row["agency"] == "BAAC"}
    assert baac == {"2026-10": 0.0, "2026-11": 1.0}
    phases = {row["phase"]: row for row in client.get("/api/v1/phases").json()}
    assert phases["pilot"]["sessions"] == 1 and phases["provincial"]["sessions"] == 2


def test_sessions_page_and_filter(client, program):
    first = client.get("/api/v1/sessions?page_size=2").json()
    assert first["count"] == 4 and [s["code"] for s in first["items"]] == ["F-API-0", "F-API-1"]
    second = client.get("/api/v1/sessions?page_size=2&page=2").json()
    assert [s["code"] for s in second["items"]] == ["F-API-2", "F-API-NEXT"]
    held_in_tambon = client.get("/api/v1/sessions?status=held&tambon=800119").json()["items"]
    assert [(s["code"], s["invited"], s["attended"]) for s in held_in_tambon] == [("F-API-1", 4, 3)]
    assert client.get("/api/v1/sessions?from=2026-11-01&to=2026-10-01").json()["count"] == 0
    assert client.get("/api/v1/sessions?circle=nope").status_code == 422


def test_csv_downloads_are_excel_friendly_and_safe(client, program):
    from forums.models import ForumSession

    ForumSession.objects.filter(code="F-API-0").update(title='=HYPERLINK("http://x")')
    response = client.get("/api/v1/sessions.csv")
    assert response["Content-Type"].startswith("text/csv")
    assert response.content.startswith("\ufeff".encode())
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0]["title"].startswith("'=") and rows[0]["start"] == "09:30"
    agencies = list(
        csv.DictReader(io.StringIO(client.get("/api/v1/agencies.csv").content.decode("utf-8-sig")))
    )
    assert [a["code"] for a in agencies][:3] == ["CDD", "WU", "BAAC"]


def test_public_figures_are_cached_briefly(client, program, django_assert_num_queries):
    client.get("/api/v1/agencies")
    with django_assert_num_queries(0):
        assert client.get("/api/v1/agencies").status_code == 200


@pytest.mark.parametrize("count", [1, 50])
def test_the_sessions_endpoint_runs_in_a_fixed_number_of_queries(
    client, db, count, django_assert_num_queries
):
    from tests.factories import make_session

    for n in range(count):
        make_session(code=f"F-N-{n:03d}")
    with django_assert_num_queries(2):  # count, page
        assert client.get("/api/v1/sessions").json()["count"] == count


def test_the_dataset_page_and_its_ckan_metadata(client, program):
    page = BeautifulSoup(client.get("/open-data/").content, "html.parser")
    links = [a["href"] for a in page.select("#downloads a")]
    assert "/api/v1/sessions.csv" in links and "/api/v1/agencies" in links
    assert "5 ตุลาคม 2569" in page.select_one("#coverage").get_text()  # Buddhist-era dates for people

    package = client.get("/open-data/catalog.json").json()["result"]
    assert package["license_id"] == "CC-BY-4.0" and package["title"] and package["notes"]
    assert (package["temporal_coverage_start"], package["temporal_coverage_end"]) == (
        "2026-10-05",
        "2026-11-03",
    )
    formats = {r["format"] for r in package["resources"]}
    assert formats == {"JSON", "CSV"} and package["num_resources"] == len(package["resources"])
    for resource in package["resources"]:
        assert resource["url"].startswith("http")
        path = resource["url"].split("://", 1)[1].split("/", 1)[1]
        assert client.get("/" + path).status_code == 200


def test_the_docs_page_loads_only_local_assets(client, db):
    page = BeautifulSoup(client.get("/api/docs/").content, "html.parser")
    sources = [t.get("src") or t.get("href") for t in page.select("script[src], link[href]")]
    assert sources and all(s.startswith("/static/") for s in sources)
    assert not [s for s in page.select("script") if not s.get("src") and s.get("type") != "application/json"]


@pytest.mark.parametrize("count", [1, 50])
def test_the_dataset_page_and_catalog_run_in_one_query(client, db, count, django_assert_num_queries):
    from tests.factories import make_session

    for n in range(count):
        make_session(code=f"F-C-{n:03d}", status="held")
    with django_assert_num_queries(1):  # the period covered; cached afterwards
        assert client.get("/open-data/").status_code == 200
    with django_assert_num_queries(0):
        assert client.get("/open-data/catalog.json").status_code == 200
