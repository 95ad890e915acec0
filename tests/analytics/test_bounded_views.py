"""Drill-downs and lists stay bounded at any size, figures are read from the cache after the first view and
never after a write, and the page says which scope it shows."""

import datetime as dt

import pytest
from django.http import QueryDict
from django.test import override_settings
from django.utils import translation

from agencies.models import KmRole, Organization
from analytics import rollup
from analytics.forms import ScopeForm
from analytics.metrics import compute
from analytics.views import _agency_sessions, trend_chart
from core.thaidates import format_month
from forums import services
from tests.analytics.test_dashboard import held_eua_sessions, page
from tests.factories import change_in_admin, make_attendance, make_person, make_session, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def office_client(client):
    client.force_login(make_user("governor_office"))
    return client


@pytest.mark.parametrize("count", [1, 45])
def test_agency_drill_down_pages_its_sessions_with_a_fixed_query_count(
    office_client, django_assert_num_queries, count
):
    held_eua_sessions(count)
    rollup.refresh()  # the monthly figures of the sessions just written (tests/analytics/test_rollup.py)
    # session, user, permissions, the agency, the partners, the check for sessions written since, the stored
    # months, the page's sessions, their attendance rows (the number of sessions is the report's)
    with django_assert_num_queries(9):
        response = office_client.get("/dashboard/agencies/CDD/")
    rows = page(response).select("#agency-sessions tbody tr")
    assert len(rows) == min(count, 20)
    # The second view of the same page reads the cache: no figures, no attendance rows, not even the agency.
    with django_assert_num_queries(3):
        again = office_client.get("/dashboard/agencies/CDD/")
    assert str(page(again).select_one("#agency-sessions")) == str(
        page(response).select_one("#agency-sessions")
    )


def test_the_drill_down_pages_as_many_sessions_as_the_agency_was_invited_to_in_every_scope(office_client):
    held_eua_sessions(3)
    cdd_kit, ghb_kit = make_person("CDD", KmRole.KIT), make_person("GHB", KmRole.KIT)
    for month, circle in [(2, "all"), (3, "all"), (4, "eua_amnuay")]:
        session = make_session(circle=circle, status="held", date=dt.date(2006, month, 20))
        make_attendance(session, cdd_kit, status="present" if month != 3 else "absent")
        make_attendance(session, ghb_kit, status="absent")
    make_attendance(make_session(circle="all", status="planned", date=dt.date(2006, 5, 1)), cdd_kit)
    rollup.refresh()
    for query, expected in [
        ("circle=", 6),
        ("circle=eua", 3),
        ("circle=all", 2),
        ("circle=&roles=kit", 3),
        ("circle=&roles=eua&roles=amnuay", 3),
        ("circle=&start=01/02/2549&end=31/03/2549", 4),
    ]:
        html = page(office_client.get(f"/dashboard/agencies/CDD/?{query}"))
        assert len(html.select("#agency-sessions tbody tr[data-state]")) == expected, query
        summary = html.select_one("#agency-summary").text
        assert f"/{expected})" in summary, query
        # The paginator takes the report's count for the list's: the two must agree.
        scope = ScopeForm(QueryDict(query)).scope()
        report = compute(scope)
        cdd = next(a for a in report.agencies if a.code == "CDD")
        ids = [a.organization.pk for a in report.agencies]
        assert _agency_sessions(scope, cdd.organization.pk, ids).count() == cdd.invited_sessions == expected


def test_a_drill_down_of_exactly_one_page_offers_no_next_page(office_client):
    held_eua_sessions(20)
    html = page(office_client.get("/dashboard/agencies/CDD/?circle=eua"))
    assert len(html.select("#agency-sessions tbody tr")) == 20
    assert html.select("nav .pagination") == []


def test_agency_drill_down_last_page_and_person_links(office_client):
    sessions = held_eua_sessions(45)
    last = page(office_client.get("/dashboard/agencies/CDD/?circle=eua&page=3"))
    rows = last.select("#agency-sessions tbody tr")
    assert len(rows) == 5  # 45 sessions, 20 a page, newest first: the oldest five
    assert sessions[0].code in rows[-1].text
    person_link = rows[0].select_one('a[href^="/people/"]')
    assert person_link is not None
    history = page(office_client.get(person_link["href"]))
    assert len(history.select("#attendance-history tbody tr")) == 20
    assert "45" in history.select_one("#attendance-history p").text


def test_agency_drill_down_names_only_the_agencys_own_people(office_client):
    session = make_session(status="held", date=dt.date(2006, 3, 1))
    ours, theirs = make_person("CDD", KmRole.EUA), make_person("WU", KmRole.EUA)
    make_attendance(session, ours, status="present")
    make_attendance(session, theirs, status="present")
    rollup.refresh()
    row = page(office_client.get("/dashboard/agencies/CDD/?circle=")).select_one("#agency-sessions tbody tr")
    names = {a["href"] for a in row.select('a[href^="/people/"]')}
    assert names == {f"/people/{ours.code}/"}


def test_the_drill_down_follows_an_agency_renamed_in_the_admin(office_client):
    # The nine are read from the cache under the agencies' version (analytics.access.partner_for_user).
    held_eua_sessions(1)
    assert office_client.get("/dashboard/agencies/CDD/").status_code == 200
    assert office_client.get("/dashboard/agencies/NOPE/").status_code == 404
    cdd = Organization.objects.get(code="CDD")
    office_client.force_login(make_user(is_staff=True, is_superuser=True))
    response = change_in_admin(office_client, cdd, abbr_th="พช.ใหม่")
    assert response.status_code == 302, response.content[:2000]
    office_client.force_login(make_user("governor_office", username="office-after"))
    heading = page(office_client.get("/dashboard/agencies/CDD/")).select_one("h1").get_text()
    assert "(พช.ใหม่)" in heading


def test_drill_down_of_an_agency_never_invited_explains_it(office_client):
    held_eua_sessions(2)
    html = page(office_client.get("/dashboard/agencies/NFE/"))
    assert "not invited" in html.select_one("#agency-sessions tbody").text or "ไม่ได้รับเชิญ" in html.text


@pytest.mark.parametrize("count", [1, 50])
def test_person_history_is_paged_with_a_fixed_query_count(office_client, django_assert_num_queries, count):
    person = make_person("CDD", KmRole.EUA)
    for index in range(count):
        session = make_session(status="held", date=dt.date(2006, 1, 1) + dt.timedelta(days=index))
        make_attendance(session, person, status="present")
    # Session, user, the user's two permission sets, the person, the access log, the person with their
    # organization, tambon and account to draw the page, the history's count and page and the possible
    # duplicates: whether the reader is an administrator now comes from the permissions already read, not from a
    # query of its own.
    with django_assert_num_queries(9):
        response = office_client.get(f"/people/{person.code}/")
    assert len(page(response).select("#attendance-history tbody tr")) == min(count, 20)


def test_person_history_needs_the_right_to_read_attendance(client):
    person = make_person("CDD", KmRole.EUA)
    make_attendance(make_session(status="held"), person, status="present")
    facilitator = make_user("facilitator")
    facilitator.groups.clear()
    from django.contrib.auth.models import Permission

    facilitator.user_permissions.add(Permission.objects.get(codename="view_person"))
    client.force_login(facilitator)
    html = page(client.get(f"/people/{person.code}/"))
    assert html.select_one("#attendance-history") is None


def test_a_mark_changes_the_cached_dashboard_at_once(office_client):
    session = make_session(circle="eua", status="held", date=dt.date(2006, 1, 10))
    row = make_attendance(session, make_person("CDD", KmRole.EUA))
    before = page(office_client.get("/dashboard/"))
    assert before.select_one('#agency-figures tr[data-agency="CDD"] td:nth-of-type(2)').text.startswith("0%")
    row.refresh_from_db()
    services.save_marks(session, [services.Mark(row.pk, "present", row.version)])
    after = page(office_client.get("/dashboard/"))
    assert after.select_one('#agency-figures tr[data-agency="CDD"] td:nth-of-type(2)').text.startswith("100%")


def test_a_session_status_change_reaches_the_cached_dashboard(office_client):
    sessions = held_eua_sessions(2)
    assert page(office_client.get("/dashboard/")).select_one('[data-kpi="sessions_held"]').text == "2"
    sessions[0].status = "cancelled"
    sessions[0].save()
    assert page(office_client.get("/dashboard/")).select_one('[data-kpi="sessions_held"]').text == "1"


def test_the_heading_names_the_scope(office_client):
    held_eua_sessions(1)
    with translation.override("th"):
        heading = page(office_client.get("/dashboard/", HTTP_ACCEPT_LANGUAGE="th")).select_one("#scope-title")
    assert heading.text.strip() == "วงคุณเอื้อ · ทุกช่วงเวลา"
    period = page(
        office_client.get("/dashboard/", {"circle": "", "start": "01/01/2549", "end": "31/03/2549"})
    )
    assert "2549" in period.select_one("#scope-title").text


def test_a_filter_that_leaves_nobody_is_explained(office_client):
    held_eua_sessions(2)
    html = page(office_client.get("/dashboard/", {"circle": "eua", "roles": "kit"}))
    assert html.select_one("#scope-empty") is not None
    nothing = page(office_client.get("/dashboard/", {"circle": "all"}))
    assert nothing.select_one("#scope-empty") is not None


def test_trend_chart_months_are_buddhist_era_and_agencies_thai():
    held_eua_sessions(3, start=dt.date(2005, 10, 5))
    from analytics.metrics import Scope, compute

    report = compute(Scope(circle="eua"))
    with translation.override("th"):
        chart = trend_chart(report)
        assert chart["months"][0] == "ต.ค. 48"
        assert [s["label"] for s in chart["series"]][:2] == ["พช.", "มวล."]
    with translation.override("en"):
        assert format_month("2005-10") == "Oct 2005 (B.E. 2548)"
        assert trend_chart(report)["series"][0]["label"] == "CDD"
    cdd = chart["series"][0]["values"]
    assert cdd == [1.0, 1.0, 1.0]
    assert len(chart["median"]) == 3


@override_settings(LANGUAGE_CODE="th")
def test_dashboard_has_one_small_chart_per_agency(office_client):
    held_eua_sessions(2)
    html = page(office_client.get("/dashboard/"))
    assert len(html.select("#trend-charts canvas[data-series]")) == 9
    assert html.select_one("#monthly-table") is not None  # the table alternative


def test_a_mark_in_another_circle_leaves_the_executives_dashboard_cached(
    office_client, django_assert_num_queries
):
    held_eua_sessions(2)
    tambon_forum = make_session(circle="all", status="held", date=dt.date(2006, 2, 1))
    row = make_attendance(tambon_forum, make_person("CDD", KmRole.AMNUAY))
    office_client.get("/dashboard/")
    every_circle = page(office_client.get("/dashboard/", {"circle": ""}))
    row.refresh_from_db()
    services.save_marks(tambon_forum, [services.Mark(row.pk, "present", row.version)])
    with django_assert_num_queries(
        3
    ):  # login session, user, permissions: the figures and the notes' count cached
        office_client.get("/dashboard/")
    after = page(office_client.get("/dashboard/", {"circle": ""}))
    assert (
        every_circle.select_one('[data-kpi="people_reached"]').text
        != after.select_one('[data-kpi="people_reached"]').text
    )


def test_the_heading_names_the_tambon(office_client):
    held_eua_sessions(1)
    html = page(office_client.get("/dashboard/", {"circle": "all", "tambon": "800106", "roles": "kit"}))
    assert html.select_one("#scope-title").text.strip() == "วงรวมสามฝ่าย · ตำบลท่าไร่ · ทุกช่วงเวลา · คุณกิจ (ผู้ปฏิบัติ)"
