import datetime as dt

import pytest
from bs4 import BeautifulSoup

from agencies.models import KmRole, Organization
from forums import services
from forums.models import Attendance, ForumSession
from tests.factories import make_attendance, make_person, make_session, make_user

pytestmark = pytest.mark.django_db


def cdd_pk():
    return Organization.objects.get(code="CDD").pk


def table_rows(response, table_id):
    return BeautifulSoup(response.content, "html.parser").select(f"#{table_id} tbody tr")


@pytest.mark.parametrize("count", [1, 50])
def test_session_list_query_count_is_fixed(coordinator_client, django_assert_num_queries, count):
    for index in range(count):
        make_session(date=dt.date(2006, 1, 1) + dt.timedelta(days=index))
    with django_assert_num_queries(7):
        response = coordinator_client.get("/forums/")
    assert len(table_rows(response, "session-table")) == min(count, 25)


def test_session_list_is_cached_and_follows_marks_sessions_and_places(
    coordinator_client, django_assert_num_queries
):
    """The list is cached whole under the data versions: a mark at the check-in, a session's title and a tambon's
    name changed through their models (as the admin and the shell change them) show at once."""
    from tests.forums.test_checkin import op, results, sync

    session = make_session(date=dt.date.today(), status="held", tambon_id="800106", title="เวทีเดิม")
    person = make_person("CDD", KmRole.EUA)
    row = make_attendance(session, person)
    coordinator_client.get("/forums/")
    with django_assert_num_queries(3):  # login, account, its permissions (the "New session" button)
        cached = coordinator_client.get("/forums/")

    def cells():
        return [
            td.get_text(" ", strip=True)
            for td in table_rows(coordinator_client.get("/forums/"), "session-table")[0].select("td")
        ]

    assert cells() == [
        td.get_text(" ", strip=True) for td in table_rows(cached, "session-table")[0].select("td")
    ]
    assert cells()[-1] == "0 / 1"
    assert results(sync(coordinator_client, session, op(row=row)))[0]["result"] == "saved"
    assert cells()[-1] == "1 / 1"

    session.refresh_from_db()
    session.title = "เวทีใหม่"
    session.save()
    assert cells()[2] == "เวทีใหม่"

    tambon = session.tambon
    tambon.name_th = "ท่าไร่ใหม่"
    tambon.save()
    assert cells()[4] == "ต.ท่าไร่ใหม่"


def test_session_list_filters_by_buddhist_era_period_circle_and_status(coordinator_client):
    wanted = make_session(circle="eua", date=dt.date(2006, 10, 25), status="held")
    make_session(circle="eua", date=dt.date(2007, 1, 5), status="held")  # outside the period
    make_session(circle="all", date=dt.date(2006, 10, 26), status="held")  # other circle
    make_session(circle="eua", date=dt.date(2006, 10, 27), status="cancelled")  # other status
    response = coordinator_client.get(
        "/forums/", {"start": "01/10/2549", "end": "31/10/2549", "circle": "eua", "status": "held"}
    )
    rows = table_rows(response, "session-table")
    assert len(rows) == 1 and wanted.code in rows[0].text
    assert "25 ต.ค. 2549" in rows[0].select("td")[0].text


def test_session_list_with_a_bad_date_filter_shows_the_error(coordinator_client):
    response = coordinator_client.get("/forums/", {"start": "32/13/2549"})
    assert response.status_code == 200
    assert BeautifulSoup(response.content, "html.parser").select(".invalid-feedback")


@pytest.mark.parametrize("count", [1, 50, 130])
def test_session_page_query_count_is_fixed(coordinator_client, django_assert_num_queries, count):
    session = make_session()
    for index in range(count):
        person = make_person(["CDD", "WU"][index % 2], KmRole.EUA)
        make_attendance(session, person, status="present" if index % 3 else "")
    with django_assert_num_queries(11):
        response = coordinator_client.get(f"/forums/{session.code}/")
    assert len(table_rows(response, "attendance-table")) == min(count, 100)  # a page of 100
    # read again: the login, the account's permissions and the access check; the rest from the cache
    with django_assert_num_queries(4):
        again = coordinator_client.get(f"/forums/{session.code}/")
    assert table_rows(again, "attendance-table") == table_rows(response, "attendance-table")


def test_the_session_list_of_people_is_paged_by_the_summary_count(coordinator_client):
    session = make_session(status="held")
    people = [make_person(["CDD", "WU"][index % 2], KmRole.EUA) for index in range(100)]
    for index, person in enumerate(people):
        make_attendance(session, person, status="present" if index % 3 else "")
    html = BeautifulSoup(coordinator_client.get(f"/forums/{session.code}/").content, "html.parser")
    assert len(html.select("#attendance-table tbody tr")) == 100
    assert html.select("nav .pagination") == []  # exactly one page
    services.add_walk_in(session, make_person("GHB", KmRole.EUA))
    services.add_walk_in(session, make_person("GHB", KmRole.KIT))
    first = BeautifulSoup(coordinator_client.get(f"/forums/{session.code}/").content, "html.parser")
    assert "หน้า 1 จาก 2" in first.select_one("nav .pagination").text
    last = BeautifulSoup(coordinator_client.get(f"/forums/{session.code}/?page=2").content, "html.parser")
    rows = first.select("#attendance-table tbody tr") + last.select("#attendance-table tbody tr")
    assert len(rows) == 102 and len({str(row) for row in rows}) == 102
    assert len([row for row in rows if row.select(".badge")]) == 2  # the walk-ins, on one page or the other


def test_session_page_summary_and_history_show_who_changed_what(client):
    coordinator = make_user("coordinator", first_name="มาลี", last_name="ผู้ประสาน")
    client.force_login(coordinator)
    session = make_session()
    person = make_person("CDD", KmRole.EUA, first_name="สมศักดิ์")
    services.invite(session, [person], user=coordinator)
    row = session.attendances.get()
    mark = {"clientId": "0b6f9a1e-3c2d-4e5f-8a7b-6c5d4e3f2a1b", "kind": "mark", "attendanceId": row.pk, "status": "late",
            "version": 1}  # fmt: skip
    client.post(f"/forums/{session.code}/checkin/sync/", {"ops": [mark]}, content_type="application/json")
    page = BeautifulSoup(client.get(f"/forums/{session.code}/").content, "html.parser")
    assert page.select_one('#attendance-summary [data-count="late"]').text == "1"
    assert page.select_one('#attendance-summary [data-count="agencies"]').text == "1/1"
    entries = [li.get_text(" ", strip=True) for li in page.select("#history li")]
    change = next(e for e in entries if "สมศักดิ์" in e and "→" in e)
    assert "มาลี" in change and "มาสาย" in change


def test_creating_a_session_proposes_the_invite_list(coordinator_client):
    executives = [make_person(code, KmRole.EUA) for code in ("CDD", "WU")]
    make_person("CDD", KmRole.KIT)
    response = coordinator_client.post(
        "/forums/new/",
        {"code": "f-2569-01", "title": " วงคุณเอื้อ  ทดสอบ ", "circle": "eua", "date": "25/12/2569",
         "start": "09:30", "format": "formal", "status": "planned", "organizer": cdd_pk()},
    )  # fmt: skip
    assert response.status_code == 302
    session = ForumSession.objects.get(code="F-2569-01")
    assert session.date == dt.date(2026, 12, 25) and session.title == "วงคุณเอื้อ ทดสอบ"
    assert set(session.attendances.values_list("person", flat=True)) == {p.pk for p in executives}


def test_session_form_refuses_an_end_before_the_start(coordinator_client):
    response = coordinator_client.post(
        "/forums/new/",
        {"code": "X1", "title": "t", "circle": "eua", "date": "2006-10-25", "start": "10:00", "end": "09:00",
         "format": "formal", "status": "planned"},
    )  # fmt: skip
    assert response.status_code == 200
    assert not ForumSession.objects.filter(code="X1").exists()


def test_a_stale_session_edit_is_refused(coordinator_client):
    session = make_session(title="เดิม")
    form = {
        "code": session.code, "title": "ฉบับแรก", "circle": "eua", "date": "2549-10-25", "format": "formal",
        "status": "planned", "version": 1, "organizer": cdd_pk(),
    }  # fmt: skip
    assert coordinator_client.post(f"/forums/{session.code}/edit/", form).status_code == 302
    stale = coordinator_client.post(f"/forums/{session.code}/edit/", {**form, "title": "ฉบับที่สอง"})
    assert stale.status_code == 200
    session.refresh_from_db()
    assert session.title == "ฉบับแรก" and session.version == 2
    assert session.date == dt.date(2006, 10, 25)


def test_invitations_page_adds_by_code_takes_off_and_records_replies(coordinator_client):
    session = make_session()
    first, second = make_person("CDD"), make_person("WU")
    coordinator_client.post(
        f"/forums/{session.code}/invitations/", {"people": f"{first.code}, {second.code}"}
    )
    assert session.attendances.count() == 2
    bad = coordinator_client.post(f"/forums/{session.code}/invitations/", {"people": "NOPE"})
    assert bad.status_code == 200 and session.attendances.count() == 2
    row = session.attendances.get(person=first)
    coordinator_client.post(
        f"/forums/{session.code}/invitations/reply/",
        {"attendance": row.pk, "version": 1, "reply": "declined"},
    )
    row.refresh_from_db()
    assert row.reply == Attendance.Reply.DECLINED
    other = session.attendances.get(person=second)
    coordinator_client.post(f"/forums/{session.code}/invitations/remove/", {"attendance": [other.pk]})
    assert list(session.attendances.values_list("person", flat=True)) == [first.pk]


@pytest.mark.parametrize("role", ["facilitator", "governor_office"])
def test_readers_cannot_create_or_edit_sessions(client, role):
    session = make_session()
    client.force_login(make_user(role))
    assert client.get("/forums/").status_code == 200
    assert client.get("/forums/new/").status_code == 403
    assert client.get(f"/forums/{session.code}/edit/").status_code == 403
    assert client.get(f"/forums/{session.code}/invitations/").status_code == 403


def test_unknown_session_is_404(coordinator_client):
    assert coordinator_client.get("/forums/NOPE/").status_code == 404


def test_session_page_history_shows_an_edit_of_the_session(coordinator_client):
    session = make_session(title="ชื่อเดิม")
    form = {
        "code": session.code, "title": "ชื่อใหม่", "circle": "eua", "date": "2549-10-25", "format": "formal",
        "status": "held", "version": 1, "organizer": cdd_pk(),
    }  # fmt: skip
    coordinator_client.post(f"/forums/{session.code}/edit/", form)
    response = coordinator_client.get(f"/forums/{session.code}/")
    assert response.status_code == 200
    entries = [
        li.get_text(" ", strip=True)
        for li in BeautifulSoup(response.content, "html.parser").select("#history li")
    ]
    change = next(e for e in entries if "ชื่อใหม่" in e)
    assert "ชื่อเดิม" in change and "จัดแล้ว" in change


def test_a_coordinator_changes_only_sessions_of_their_scope(client):
    coordinator = make_user("coordinator", scope_agencies=("WU",), scope_tambons=("800119",))
    client.force_login(coordinator)
    own_agency = make_session(organizer=Organization.objects.get(code="WU"))
    own_tambon = make_session(tambon="800119")  # organized by CDD, but in the coordinator's tambon
    other = make_session()  # CDD, provincial
    for session in (own_agency, own_tambon):
        assert client.get(f"/forums/{session.code}/checkin/").status_code == 200
    for suffix in ("edit/", "checkin/", "invitations/", "sheet/import/"):
        assert client.get(f"/forums/{other.code}/{suffix}").status_code == 404
    assert (
        client.post(
            f"/forums/{other.code}/checkin/sync/", {"ops": []}, content_type="application/json"
        ).status_code
        == 404
    )
    assert client.get(f"/forums/{other.code}/").status_code == 200  # reading stays open
    refused = client.post(
        "/forums/new/",
        {"code": "X-OUT", "title": "นอกขอบเขต", "circle": "eua", "date": "2549-10-25", "format": "formal",
         "status": "planned", "organizer": cdd_pk()},
    )  # fmt: skip
    assert refused.status_code == 200 and not ForumSession.objects.filter(code="X-OUT").exists()


def test_an_administrator_changes_any_session(client):
    client.force_login(make_user("administrator", is_staff=True))
    assert client.get(f"/forums/{make_session().code}/edit/").status_code == 200


def test_a_deactivated_account_is_logged_out_at_its_next_request(client):
    coordinator = make_user("coordinator")
    client.force_login(coordinator)
    assert client.get("/forums/").status_code == 200
    coordinator.is_active = False
    coordinator.save()
    response = client.get("/forums/")
    assert response.status_code == 302 and "/login/" in response["Location"]
