import csv
import datetime as dt
import io

import pytest
from bs4 import BeautifulSoup
from django.core.cache import cache
from openpyxl import load_workbook

from agencies.models import KmRole
from tests.factories import make_attendance, make_person, make_session, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def office_client(client):
    client.force_login(make_user("governor_office"))
    return client


def held_eua_sessions(count, start=dt.date(2006, 1, 10)):
    """Executives' forums where CDD always comes, GHB sends a representative and CODI never comes."""
    cdd, ghb, codi = (make_person(code, KmRole.EUA) for code in ("CDD", "GHB", "CODI"))
    stand_in = make_person("GHB", KmRole.AMNUAY)
    sessions = []
    for index in range(count):
        session = make_session(circle="eua", status="held", date=start + dt.timedelta(days=30 * index))
        make_attendance(session, cdd, status="present")
        make_attendance(session, ghb, status="represented", representative=stand_in)
        make_attendance(session, codi, status="absent")
        sessions.append(session)
    return sessions


def page(response):
    return BeautifulSoup(response.content, "html.parser")


@pytest.mark.parametrize("count", [1, 12])
def test_dashboard_query_count_does_not_grow_with_sessions(office_client, django_assert_num_queries, count):
    held_eua_sessions(count)
    # Just written: the monthly figures (with their year's) and the people reached (with their mask counts: the
    # masks before and after, one change per mask) are recounted first (each in a transaction: a savepoint pair
    # in tests); the recount deletes the month's rows of the exports (analytics.export_rows) too.
    with django_assert_num_queries(36):
        response = office_client.get("/dashboard/")
    assert response.status_code == 200
    assert page(response).select_one('[data-kpi="sessions_held"]').text == str(count)
    cache.clear()
    with django_assert_num_queries(11):  # nothing written since: no recount
        office_client.get("/dashboard/")


def test_dashboard_shows_the_figures_of_the_metrics(office_client):
    held_eua_sessions(4)
    html = page(office_client.get("/dashboard/"))
    # CDD and GHB came (GHB by representative), CODI never: unison 2/3 in every session.
    assert html.select_one('[data-kpi="mean_unison"]').text == "67%"
    assert html.select_one('[data-kpi="full_house_rate"]').text == "0%"
    rows = {tr["data-agency"]: tr for tr in html.select("#agency-figures tbody tr")}
    assert len(rows) == 9
    assert "100%" in rows["CDD"].select("td")[1].text
    assert rows["CODI"].select_one(".badge") is not None  # dropped out: 4 misses in a row
    assert "table-warning" in rows["CODI"]["class"]
    states = [td["data-state"] for td in html.select("#heatmap tbody tr")[0].select("td")]
    assert states == ["in_person"] * 4
    ghb_states = {td["data-state"] for td in html.select("#heatmap tbody tr")[6].select("td")}
    assert ghb_states == {"representative"}


def test_dashboard_opens_on_the_executives_circle_and_keeps_filters_in_the_address(office_client):
    held_eua_sessions(2)
    make_session(circle="all", status="held", date=dt.date(2006, 2, 1))
    default = page(office_client.get("/dashboard/"))
    assert default.select_one('[data-kpi="sessions_held"]').text == "2"
    assert default.select_one("#id_circle option[selected]")["value"] == "eua"
    every_circle = page(office_client.get("/dashboard/", {"circle": ""}))
    assert every_circle.select_one('[data-kpi="sessions_held"]').text == "3"
    period = page(
        office_client.get("/dashboard/", {"circle": "eua", "start": "01/02/2549", "end": "28/02/2549"})
    )
    assert period.select_one('[data-kpi="sessions_held"]').text == "1"
    export_link = period.select_one('a[href^="/dashboard/export/agencies.csv"]')["href"]
    assert "start=01%2F02%2F2549" in export_link


def test_chart_data_reaches_the_page_as_json_without_inline_script(office_client):
    held_eua_sessions(3)
    html = page(office_client.get("/dashboard/"))
    data = html.select_one("script#trend-data")
    assert data["type"] == "application/json"
    for script in html.select("script"):
        assert script.get("src") or script.get("type") == "application/json"


def test_csv_export_has_a_bom_and_thai_headers(office_client):
    held_eua_sessions(2)
    response = office_client.get("/dashboard/export/agencies.csv")
    assert response["Content-Type"].startswith("text/csv")
    assert response.content.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert len(rows) == 10 and rows[1][0] == "CDD"
    assert rows[0][1] == "หน่วยงาน"


@pytest.mark.parametrize("table", ["agencies", "sessions", "heatmap", "co-attendance", "monthly", "phases"])
def test_every_table_downloads_as_xlsx(office_client, table):
    held_eua_sessions(2)
    response = office_client.get(f"/dashboard/export/{table}.xlsx")
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet.max_row >= 2


def test_unknown_export_is_404(office_client):
    assert office_client.get("/dashboard/export/secrets.csv").status_code == 404
    assert office_client.get("/dashboard/export/agencies.pdf").status_code == 404


def test_agency_drill_down_lists_the_sessions_and_people_behind_the_figures(office_client):
    sessions = held_eua_sessions(3)
    html = page(office_client.get("/dashboard/agencies/GHB/"))
    rows = html.select("#agency-sessions tbody tr")
    assert [r["data-state"] for r in rows] == ["representative"] * 3
    assert sessions[-1].code in rows[0].text  # newest first
    assert office_client.get("/dashboard/agencies/PROV/").status_code == 404


@pytest.mark.parametrize("role", ["coordinator", "facilitator"])
def test_only_the_governors_office_and_administrators_read_the_dashboard(client, role):
    client.force_login(make_user(role))
    assert client.get("/dashboard/").status_code == 403
    client.force_login(make_user("administrator"))
    assert client.get("/dashboard/").status_code == 200


def test_sessions_held_drills_down_to_the_same_sessions_in_the_list(office_client):
    held_eua_sessions(3)
    make_session(circle="all", status="held", date=dt.date(2006, 2, 1))
    link = page(office_client.get("/dashboard/")).select_one('[data-kpi="sessions_held"] + a')["href"]
    listed = page(office_client.get(link)).select("#session-table tbody tr")
    assert len(listed) == 3


@pytest.mark.parametrize("extension", ["csv", "xlsx"])
def test_dashboard_and_exports_work_with_a_single_partner_agency(office_client, extension):
    """With one partner agency the co-attendance table is one row of one blank cell (it raised TypeError)."""
    from agencies.models import Organization

    Organization.objects.partners().exclude(code="CDD").update(kind=Organization.Kind.PROVINCE)
    held_eua_sessions(2)
    response = office_client.get("/dashboard/")
    assert response.status_code == 200
    rows = page(response).select("#co-attendance tbody tr")
    assert [[cell.text.strip() for cell in row.select("th, td")] for row in rows] == [["CDD", "–"]]
    assert office_client.get(f"/dashboard/export/co-attendance.{extension}").status_code == 200
