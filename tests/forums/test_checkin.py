import json
import uuid

import pytest
from bs4 import BeautifulSoup
from django.db import connection
from django.utils import timezone

from agencies.models import KmRole, Organization, Person
from forums import services
from forums.codes import attendance_for_code, invitation_code
from forums.models import Attendance
from tests.factories import make_attendance, make_community_organization, make_person, make_session, make_user

pytestmark = pytest.mark.django_db
Status = Attendance.Status


def invite_many(session, count):
    """Invitees of four agencies, made in bulk (thousands in a second)."""
    organizations = [Organization.objects.get(code=code) for code in ("CDD", "WU", "BAAC", "GHB")]
    start = Person.objects.count()
    people = Person.objects.bulk_create(
        Person(code=f"B{start + i:06d}", title="นาย", first_name=f"เชิญ{start + i}", last_name="ใจดี",
               role=KmRole.EUA, organization=organizations[i % 4])
        for i in range(count)
    )  # fmt: skip
    services.invite(session, people)
    return list(session.attendances.filter(person__in=people).order_by("pk"))


def checkin_url(session, suffix=""):
    return f"/forums/{session.code}/checkin/{suffix}"


def op(kind="mark", row=None, status="present", version=None, **extra):
    data = {"clientId": str(uuid.uuid4()), "kind": kind, "madeAt": "2026-01-05T08:15:00+07:00"}
    if row is not None:
        data["attendanceId"] = row.pk
        data["version"] = row.version if version is None else version
    if kind in ("mark", "walk_in"):
        data["status"] = status
    data.update(extra)
    return data


def sync(client, session, *ops, **headers):
    return client.post(
        checkin_url(session, "sync/"),
        json.dumps({"ops": list(ops)}),
        content_type="application/json",
        **headers,
    )


def results(response):
    assert response.status_code == 200, response.content
    return response.json()["results"]


@pytest.mark.parametrize("count", [1, 50])
def test_checkin_page_query_count_does_not_grow(coordinator_client, django_assert_num_queries, count):
    session = make_session()
    invite_many(session, count)
    with django_assert_num_queries(6):
        response = coordinator_client.get(checkin_url(session))
    page = BeautifulSoup(response.content, "html.parser")
    data = json.loads(page.select_one("#checkin-data").string)
    assert len(data["rows"]) == count
    assert len(data["organizations"]) == min(count, 4)
    # What the phone keeps: no phone number, email or position.
    assert set(data["rows"][0]) == {
        "id",
        "pid",
        "v",
        "s",
        "inv",
        "name",
        "code",
        "role",
        "org",
        "chair",
        "rep",
        "qr",
    }


def page_data(client, session) -> dict:
    page = BeautifulSoup(client.get(checkin_url(session)).content, "html.parser")
    return json.loads(page.select_one("#checkin-data").string)


def walk_in_tokens(client, session) -> list[str]:
    page = BeautifulSoup(client.get(checkin_url(session)).content, "html.parser")
    return [field["value"] for field in page.select('form[action$="walk-in/"] input[name=token]')]


def test_the_checkin_page_read_again_comes_from_the_cache_and_follows_every_mark(
    coordinator_client, django_assert_num_queries
):
    session = make_session()
    rows = invite_many(session, 3)
    first = page_data(coordinator_client, session)
    # login, account, permissions, the session with the coordinator's scope: no list, no organizations
    with django_assert_num_queries(4):
        coordinator_client.get(checkin_url(session))
    again = page_data(coordinator_client, session)
    assert again["rows"] == first["rows"]
    assert again["generatedAt"] > first["generatedAt"]  # when the list was read as the server's: now
    assert results(sync(coordinator_client, session, op(row=rows[0], status="late")))[0]["result"] == "saved"
    marked = page_data(coordinator_client, session)
    assert [row["s"] for row in marked["rows"] if row["id"] == rows[0].pk] == ["late"]
    person = rows[1].person
    person.first_name = "เปลี่ยนชื่อ"
    person.save()  # the admin and the shell save so
    names = [row["name"] for row in page_data(coordinator_client, session)["rows"]]
    assert any("เปลี่ยนชื่อ" in name for name in names)
    session.title = "เวทีย้ายวัน"
    session.save()
    page = BeautifulSoup(coordinator_client.get(checkin_url(session)).content, "html.parser")
    assert "เวทีย้ายวัน" in page.select_one("h1").get_text()
    coordinator_client.cookies["django_language"] = "en"
    page = BeautifulSoup(coordinator_client.get(checkin_url(session)).content, "html.parser")
    assert page.select_one("h1").get_text().startswith("Check-in")
    assert "Clear mark" in page.select_one("#checkin-row-template").decode_contents()


def test_each_load_of_the_checkin_page_gets_its_own_walk_in_token(coordinator_client):
    session = make_session()
    (one,) = walk_in_tokens(coordinator_client, session)
    (two,) = walk_in_tokens(coordinator_client, session)  # the forms come from the cache now
    assert one and two and one != two
    people = [make_person("NFE", KmRole.AMNUAY) for _ in range(2)]
    for person, token in zip(people, (one, two), strict=True):
        response = coordinator_client.post(
            checkin_url(session, "walk-in/"), {"person": person.code, "status": "present", "token": token}
        )
        assert response.status_code == 302
    assert session.attendances.filter(person__in=people, invited=False).count() == 2
    # a form sent with errors keeps its token, so that sending it again once mended is still one walk-in
    response = coordinator_client.post(checkin_url(session, "walk-in/"), {"person": "", "token": "kept-1"})
    assert response.status_code == 400
    page = BeautifulSoup(response.content, "html.parser")
    assert [f["value"] for f in page.select('form[action$="walk-in/"] input[name=token]')] == ["kept-1"]


def test_the_walk_in_forms_offer_the_organizations_of_the_sessions_tambon(coordinator_client):
    def offered(session):
        page = BeautifulSoup(coordinator_client.get(checkin_url(session)).content, "html.parser")
        return {o.get_text() for o in page.select("select[name=new-organization] option")}

    here = make_community_organization(tambon="800119", name_th="กลุ่มออมทรัพย์บ้านเหนือ")
    there = make_community_organization(tambon="800106", name_th="กลุ่มออมทรัพย์บ้านใต้")
    in_119 = offered(make_session(tambon="800119"))
    in_106 = offered(make_session(tambon="800106"))
    assert any(here.name_th in text for text in in_119) and not any(there.name_th in t for t in in_119)
    assert any(there.name_th in text for text in in_106) and not any(here.name_th in t for t in in_106)
    added = make_community_organization(tambon="800119", name_th="กลุ่มสัจจะใหม่")  # a model signal
    assert any(added.name_th in text for text in offered(make_session(tambon="800119")))


def test_checkin_page_of_300_invitees_is_under_150_kb(coordinator_client):
    session = make_session()
    invite_many(session, 300)
    response = coordinator_client.get(checkin_url(session))
    assert len(response.content) < 150_000


# Queries of one sync request, the same for 1 mark and for 300: login session and user (2), the permissions (1),
# the session with the coordinator's scope, locked (1), the rows (1), their update and history (one statement on
# PostgreSQL, whose UPDATE … RETURNING feeds the history's INSERT; two on SQLite) and the turnout refresh of
# forums.summaries (3): nine on PostgreSQL, ten on SQLite. The tests run inside a transaction, so the request's own
# one is a savepoint pair here (2 more); test_sync_request_in_production_takes_at_most_ten_queries counts without.
WRITE_QUERIES = 1 if connection.vendor == "postgresql" else 2
PRODUCTION_SYNC_QUERIES = 8 + WRITE_QUERIES
SYNC_QUERIES = PRODUCTION_SYNC_QUERIES + 2


def test_sync_request_in_production_takes_at_most_ten_queries(reference_db):
    """Outside a test transaction, as in production: saving 300 marks is one request of 9 queries (10 on
    SQLite), in one transaction (SQLite shows its BEGIN and COMMIT as statements; PostgreSQL's driver does not)."""
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    coordinator = make_user("coordinator")
    client = Client()
    client.force_login(coordinator)
    session = make_session(date=timezone.localdate(), status="held")
    rows = invite_many(session, 300)
    with CaptureQueriesContext(connection) as captured:
        response = sync(client, session, *[op(row=row) for row in rows])
    statements = [q["sql"].split()[0].upper() for q in captured.captured_queries]
    control = [s for s in statements if s in ("BEGIN", "COMMIT", "SAVEPOINT", "RELEASE")]
    assert len(statements) - len(control) == PRODUCTION_SYNC_QUERIES, statements
    assert control in ([], ["BEGIN", "COMMIT"])
    assert {r["result"] for r in results(response)} == {"saved"}
    assert session.attendances.filter(status=Status.PRESENT).count() == 300


@pytest.mark.parametrize("count", [1, 300])
def test_save_all_of_300_people_is_one_request_with_fixed_queries(
    coordinator_client, django_assert_num_queries, count
):
    session = make_session(date=timezone.localdate(), status="held")
    rows = invite_many(session, count)
    ops = [op(row=row) for row in rows]
    with django_assert_num_queries(SYNC_QUERIES):
        response = sync(coordinator_client, session, *ops)
    assert {r["result"] for r in results(response)} == {"saved"}
    assert session.attendances.filter(status=Status.PRESENT).count() == count
    assert Attendance.history.filter(session_id=session.pk, history_type="~").count() == count


def test_marks_history_names_the_account_and_forgets_it_when_the_account_is_deleted(coordinator):
    """The history's account has no database constraint (a check per record at every commit): the account is
    still recorded, and deleting it still empties the field, through Django."""
    session = make_session(date=timezone.localdate(), status="held")
    rows = invite_many(session, 3)
    ops = [
        services.CheckinOp(uuid.uuid4(), "mark", timezone.now(), row.pk, "late", row.version) for row in rows
    ]
    services.apply_checkin_ops(session, ops, user=coordinator)
    records = Attendance.history.filter(session_id=session.pk, history_type="~")
    assert list(records.values_list("history_user_id", flat=True)) == [coordinator.pk] * 3
    coordinator.delete()
    assert list(records.values_list("history_user_id", flat=True)) == [None] * 3


@pytest.mark.parametrize("count", [1, 300])
def test_saving_300_marks_takes_at_most_10_queries(coordinator, django_assert_num_queries, count):
    """The save itself: rows, update and history, turnout refresh with its own lock of the session (4)."""
    session = make_session(date=timezone.localdate(), status="held")
    rows = invite_many(session, count)
    ops = [
        services.CheckinOp(uuid.uuid4(), "mark", timezone.now(), row.pk, "late", row.version) for row in rows
    ]
    with django_assert_num_queries(5 + WRITE_QUERIES):
        outcomes = services.apply_checkin_ops(session, ops, user=coordinator)
    assert {o.result for o in outcomes} == {"saved"}


@pytest.mark.parametrize("count", [1, 50])
def test_a_single_tap_has_a_fixed_number_of_queries(coordinator_client, django_assert_num_queries, count):
    session = make_session(date=timezone.localdate(), status="held")
    rows = invite_many(session, count)
    with django_assert_num_queries(SYNC_QUERIES):
        response = sync(coordinator_client, session, op(row=rows[-1]))
    assert results(response)[0]["result"] == "saved"


def test_the_first_mark_of_the_day_marks_a_planned_session_held(coordinator_client):
    session = make_session(date=timezone.localdate())
    (row,) = invite_many(session, 1)
    results(sync(coordinator_client, session, op(row=row)))
    session.refresh_from_db()
    assert session.status == "held"


def test_a_session_of_2000_invitees_is_saved_at_once(coordinator_client):
    session = make_session()
    rows = invite_many(session, 2000)
    response = sync(coordinator_client, session, *[op(row=row, status="absent") for row in rows])
    assert len(results(response)) == 2000
    assert session.attendances.filter(status=Status.ABSENT).count() == 2000


def test_a_tap_is_saved_with_the_phone_time_and_the_server_time_in_the_history(coordinator_client):
    session = make_session()
    first, second = invite_many(session, 2)
    change = op(row=first)
    (answer,) = results(sync(coordinator_client, session, change))
    assert answer["result"] == "saved"
    # Only what a mark can alter comes back (the phone merges it into the row it holds).
    assert answer["rows"][0] == {"id": first.pk, "s": "present", "v": 2, "rep": ""}
    record = Attendance.history.get(id=first.pk, history_type="~")
    assert str(record.client_id) == change["clientId"]
    assert record.made_at.isoformat() == "2026-01-05T01:15:00+00:00"
    assert record.history_date > record.made_at
    second.refresh_from_db()
    assert second.status == ""


def test_a_change_sent_twice_changes_nothing(coordinator_client):
    session = make_session()
    (row,) = invite_many(session, 1)
    change = op(row=row)
    sync(coordinator_client, session, change)
    # The phone never heard the answer, made another mark on the same row, and sends both again.
    then = op(row=row, status="late", version=1)
    answers = results(sync(coordinator_client, session, change, then))
    assert [a["result"] for a in answers] == ["duplicate", "saved"]
    row.refresh_from_db()
    assert (row.status, row.version) == (Status.LATE, 3)
    assert Attendance.history.filter(id=row.pk, history_type="~").count() == 2


def test_marks_queued_on_one_row_apply_in_order(coordinator_client):
    session = make_session()
    (row,) = invite_many(session, 1)
    answers = results(
        sync(coordinator_client, session, op(row=row), op(row=row, status="absent"), op(row=row, status=""))
    )
    assert [a["result"] for a in answers] == ["saved", "saved", "saved"]
    row.refresh_from_db()
    assert (row.status, row.version) == ("", 4)


def test_a_stale_mark_is_a_conflict_naming_who_changed_it_and_to_what(client):
    session = make_session()
    (row,) = invite_many(session, 1)
    other = make_user("coordinator", first_name="สมศรี", last_name="ใจดี")
    client.force_login(other)
    sync(client, session, op(row=row, status="absent"))
    client.force_login(make_user("coordinator"))
    (answer,) = results(sync(client, session, op(row=row, status="present", version=1)))
    assert answer["result"] == "conflict"
    assert answer["changedBy"] == "สมศรี ใจดี"
    assert "สมศรี ใจดี" in answer["reason"] and "ไม่มา" in answer["reason"]
    assert answer["rows"][0]["s"] == "absent" and answer["rows"][0]["v"] == 2
    row.refresh_from_db()
    assert row.status == Status.ABSENT


def test_a_refused_change_does_not_stop_the_others(coordinator_client):
    session = make_session()
    invited = invite_many(session, 1)[0]
    walk_in = make_attendance(session, make_person("WU", KmRole.AMNUAY), invited=False, status="present")
    answers = results(
        sync(coordinator_client, session, op(row=walk_in, status="absent"), op(row=invited, status="late"))
    )
    assert [a["result"] for a in answers] == ["refused", "saved"]
    assert "walk-in" in answers[0]["reason"].lower() or "ผู้ที่มาโดยไม่ได้รับเชิญ" in answers[0]["reason"]


def test_undo_a_mark_back_to_not_yet_marked(coordinator_client):
    session = make_session()
    (row,) = invite_many(session, 1)
    sync(coordinator_client, session, op(row=row))
    row.refresh_from_db()
    (answer,) = results(sync(coordinator_client, session, op(row=row, status="")))
    assert answer["result"] == "saved"
    row.refresh_from_db()
    assert (row.status, row.checked_in_at) == ("", None)
    assert list(
        Attendance.history.filter(id=row.pk)
        .order_by("history_date", "history_id")
        .values_list("status", flat=True)
    ) == ["", "present", ""]


def test_walk_in_added_offline_then_removed_both_in_the_history(coordinator_client):
    session = make_session()
    person = make_person("NFE", KmRole.AMNUAY)
    added = op("walk_in", personId=person.pk, status="late")
    (answer,) = results(sync(coordinator_client, session, added))
    assert answer["result"] == "saved"
    row = session.attendances.get(person=person)
    assert (row.invited, row.status, answer["rows"][0]["id"]) == (False, Status.LATE, row.pk)
    assert results(sync(coordinator_client, session, added))[0]["result"] == "duplicate"
    assert session.attendances.count() == 1
    (answer,) = results(sync(coordinator_client, session, op("remove_walk_in", row=row)))
    assert (answer["result"], answer["removed"]) == ("saved", [row.pk])
    assert not session.attendances.exists()
    assert list(
        Attendance.history.filter(id=row.pk).values_list("history_type", flat=True).order_by("history_id")
    ) == ["+", "-"]
    session.refresh_from_db()
    assert session.attended_count == 0


def test_an_invitee_cannot_be_removed_as_a_walk_in(coordinator_client):
    session = make_session()
    (row,) = invite_many(session, 1)
    (answer,) = results(sync(coordinator_client, session, op("remove_walk_in", row=row)))
    assert answer["result"] == "refused"
    assert session.attendances.count() == 1


def test_mark_the_rest_absent_and_undo_it_as_one_change(client):
    session = make_session()
    rows = invite_many(session, 4)
    client.force_login(make_user("coordinator"))
    sync(client, session, op(row=rows[0]))
    rest = op("rest_absent")
    (answer,) = results(sync(client, session, rest))
    assert sorted(r["id"] for r in answer["rows"]) == sorted(r.pk for r in rows[1:])
    assert sorted(session.attendances.values_list("status", flat=True)) == [
        "absent",
        "absent",
        "absent",
        "present",
    ]
    # Meanwhile another coordinator sees the third person arrive after all.
    rows[3].refresh_from_db()
    client.force_login(make_user("coordinator"))
    sync(client, session, op(row=rows[3], status="late"))
    (answer,) = results(sync(client, session, op("undo_rest_absent", batch=rest["clientId"])))
    assert (answer["result"], answer["skipped"]) == ("saved", 1)
    statuses = dict(session.attendances.values_list("pk", "status"))
    assert [statuses[r.pk] for r in rows] == ["present", "", "", "late"]
    undo_records = Attendance.history.filter(client_id=answer["clientId"])
    assert undo_records.count() == 2


def test_a_logged_out_sync_is_answered_401_json_not_the_login_page(client):
    session = make_session()
    (row,) = invite_many(session, 1)
    response = sync(client, session, op(row=row), HTTP_HX_REQUEST="true")
    assert response.status_code == 401
    assert response.json()["error"] == "login_required"
    assert response.json()["login_url"].startswith("/accounts/login/")
    assert client.get(checkin_url(session, "data.json")).status_code == 401
    row.refresh_from_db()
    assert row.status == ""


def test_a_damaged_sync_is_a_400_json(coordinator_client):
    session = make_session()
    invite_many(session, 1)
    for body in ("not json", json.dumps({"ops": [{"kind": "mark"}]}), json.dumps({"ops": "x"})):
        response = coordinator_client.post(
            checkin_url(session, "sync/"), body, content_type="application/json"
        )
        assert response.status_code == 400
        assert response.json()["error"] == "bad_request"


def test_the_data_for_the_phone_has_the_list_personal_codes_and_the_walk_in_people(coordinator_client):
    session = make_session(tambon="800119")
    (row,) = invite_many(session, 1)
    make_person("WU", KmRole.KIT, first_name="ชบา", tambon_id="800119")
    make_person("WU", KmRole.KIT, first_name="นอกเขต", tambon_id="800106")
    data = coordinator_client.get(checkin_url(session, "data.json")).json()
    assert data["rows"][0]["qr"] == invitation_code(row)
    assert attendance_for_code(data["rows"][0]["qr"], session=session) == row
    names = {person[2] for person in data["people"]}
    assert any("ชบา" in name for name in names)
    assert not any("นอกเขต" in name for name in names)
    assert data["session"]["keepUntil"] > data["session"]["date"]


def test_service_worker_and_manifest_are_served_under_forums(client):
    worker = client.get("/forums/checkin-sw.js")
    assert worker.status_code == 200 and worker["Content-Type"].startswith("text/javascript")
    manifest = client.get("/forums/checkin.webmanifest")
    assert manifest.json()["scope"] == "/forums/"
    assert {icon["sizes"] for icon in manifest.json()["icons"]} >= {"192x192", "512x512"}
    # Installed from a session's check-in page, the app opens that page (which works offline).
    assert client.get("/forums/checkin.webmanifest?session=F-2569-001").json()["start_url"] == (
        "/forums/F-2569-001/checkin/"
    )
    assert client.get("/forums/checkin.webmanifest?session=../x").json()["start_url"] == "/forums/"


def test_logout_clears_what_the_phone_kept(coordinator_client):
    response = coordinator_client.post("/accounts/logout/")
    assert response["Clear-Site-Data"] == '"cache", "storage"'


def test_walk_in_of_someone_known_by_code(coordinator_client):
    session = make_session()
    person = make_person("NFE", KmRole.AMNUAY)
    response = coordinator_client.post(
        checkin_url(session, "walk-in/"), {"person": person.code, "status": "late", "token": "t1"}
    )
    assert response.status_code == 302
    row = session.attendances.get(person=person)
    assert (row.invited, row.status, row.organization.code) == (False, Status.LATE, "NFE")


def test_walk_in_of_a_new_person_created_on_the_spot_and_a_double_submit_adds_nothing(coordinator_client):
    session = make_session(tambon="800119")
    data = {
        "token": "form-123",
        "new_person": "on",
        "status": "present",
        "new-title": "นาง",
        "new-first_name": "ลำดวน",
        "new-last_name": "ศรีนวล",
        "new-role": "kit",
        "new-organization": Person._meta.get_field("organization").related_model.objects.get(code="CDD").pk,
    }
    coordinator_client.post(checkin_url(session, "walk-in/"), data)
    coordinator_client.post(checkin_url(session, "walk-in/"), data)
    people = Person.objects.filter(first_name="ลำดวน")
    assert people.count() == 1
    person = people.get()
    assert person.code.startswith("W") and person.tambon_id == "800119"
    assert session.attendances.filter(person=person, invited=False, status="present").count() == 1


def test_walk_in_form_errors_are_shown_not_crashed(coordinator_client):
    session = make_session()
    response = coordinator_client.post(checkin_url(session, "walk-in/"), {"person": "", "status": "present"})
    assert response.status_code == 400
    page = BeautifulSoup(response.content, "html.parser")
    assert page.select(".invalid-feedback, .errorlist")
    assert session.attendances.count() == 0


def test_marking_a_representative_names_who_came(coordinator_client):
    session = make_session()
    (row,) = invite_many(session, 1)
    stand_in = make_person(row.person.organization, KmRole.AMNUAY)
    url = checkin_url(session, f"{row.pk}/representative/")
    assert coordinator_client.get(url).status_code == 200
    response = coordinator_client.post(url, {"version": 1, "representative": stand_in.code})
    assert response.status_code == 302
    row.refresh_from_db()
    assert (row.status, row.representative) == (Status.REPRESENTED, stand_in)


@pytest.mark.parametrize("role", ["facilitator", "governor_office"])
def test_readers_cannot_check_in(client, role):
    session = make_session()
    client.force_login(make_user(role))
    assert client.get(checkin_url(session)).status_code == 403
    response = sync(client, session, op("rest_absent"))
    assert response.status_code == 403 and response.json()["error"] == "forbidden"
    assert client.get(f"/forums/{session.code}/").status_code == 200


def test_the_session_history_shows_when_a_mark_was_made_on_the_phone(coordinator_client):
    session = make_session()
    (row,) = invite_many(session, 1)
    results(sync(coordinator_client, session, op(row=row)))
    page = BeautifulSoup(coordinator_client.get(f"/forums/{session.code}/").content, "html.parser")
    entry = page.select_one("#history li").get_text(" ", strip=True)
    assert "บันทึกบนโทรศัพท์เมื่อ" in entry and "2569" in entry


def _starting_rows(session, people, states):
    """Rows in given starting states: (invited, status, representative or None) per person."""
    for person, (invited, status, representative) in zip(people, states, strict=True):
        make_attendance(session, person, invited=invited, status=status, representative=representative)
    return list(session.attendances.order_by("person__code"))


def _written(session):
    rows = [
        (r.person.code, r.status, r.version, r.checked_in_at is not None, r.representative_id)
        for r in session.attendances.select_related("person").order_by("person__code")
    ]
    history = sorted(
        (record.person.code, record.status, record.history_type, str(record.client_id), record.made_at,
         record.representative_id, record.checked_in_at is not None)
        for record in Attendance.history.filter(session_id=session.pk, history_type="~").select_related("person")
    )  # fmt: skip
    return rows, history


def test_plain_marks_write_what_the_general_path_writes(coordinator, monkeypatch):
    """The set-based writer of a queue of marks (forums.marks_sql) against the general path, on two identical
    sessions with every starting state and every mark the check-in can send: rows, versions, check-in times,
    representatives cleared, history records with the phone's ids and times, and the answers."""
    import random

    randomness = random.Random(20261206)
    starts = [(True, "", None), (True, "present", None), (True, "late", None), (True, "absent", None),
              (True, "excused", None), (True, "represented", "rep"), (False, "present", None),
              (False, "late", None)]  # fmt: skip
    wanted = ["", "present", "late", "absent", "excused"]
    cases = [(start, status) for start in starts for status in wanted]
    randomness.shuffle(cases)
    sessions, answers = [], []
    representative = make_person("WU", KmRole.EUA, first_name="ผู้แทน")
    people = [make_person("CDD", KmRole.EUA) for _ in cases]
    made = [timezone.now() - timezone.timedelta(minutes=i) for i in range(len(cases))]
    client_ids = [uuid.uuid4() for _ in cases]
    for plain in (True, False):
        session = make_session(date=timezone.localdate(), status="held")
        states = [(inv, status, representative if rep else None) for (inv, status, rep), _w in cases]
        rows = _starting_rows(session, people, states)
        ops = [
            services.CheckinOp(client_ids[i], "mark", made[i], row.pk, cases[i][1], row.version)
            for i, row in enumerate(rows)
        ]
        if not plain:
            monkeypatch.setattr(services, "_plain_marks", lambda *args: None)
        outcomes = services.apply_checkin_ops(session, ops, user=coordinator)
        answers.append([(o.result, o.reason, [(r.version, r.status, r.representative_id) for r in o.rows])
                        for o in outcomes])  # fmt: skip
        sessions.append(session)
    assert answers[0] == answers[1]
    assert {result for result, _reason, _rows in answers[0]} == {"saved", "unchanged", "refused"}
    assert _written(sessions[0]) == _written(sessions[1])
    # And the turnout each path left is the one a recount gives.
    for session in sessions:
        session.refresh_from_db()
        assert session.attended_count == session.attendances.filter(status__in=Attendance.ATTENDED).count()


def test_a_queue_with_a_moved_version_goes_the_general_way(coordinator_client, monkeypatch):
    """A mark on a version that has moved may be a copy already received or a conflict: the set-based writer
    leaves the whole queue to the general path, which looks the history up."""
    session = make_session(date=timezone.localdate(), status="held")
    first, second = invite_many(session, 2)
    calls = []
    general = services._apply_checkin_ops
    monkeypatch.setattr(services, "_apply_checkin_ops", lambda *args: calls.append(1) or general(*args))
    results(sync(coordinator_client, session, op(row=first), op(row=second)))
    assert calls == []
    answers = results(sync(coordinator_client, session, op(row=first, status="late", version=1)))
    assert calls == [1]
    assert answers[0]["result"] == "conflict"


def test_attendance_pages_keep_room_for_a_marks_new_version():
    """PostgreSQL keeps a fifth of each attendance page free, so that a mark's new row version stays on its page
    and writes no index (forums migration 0010); SQLite has no such setting and is left alone."""
    import importlib

    from django.apps import apps

    migration = importlib.import_module("forums.migrations.0010_attendance_fillfactor")

    class Editor:
        def __init__(self, vendor):
            self.connection, self.statements = type("C", (), {"vendor": vendor})(), []

        def quote_name(self, name):
            return f'"{name}"'

        def execute(self, sql):
            self.statements.append(sql)

    postgres, sqlite = Editor("postgresql"), Editor("sqlite")
    for editor in (postgres, sqlite):
        migration.set_fillfactor(apps, editor, 80)
    assert postgres.statements == ['ALTER TABLE "forums_attendance" SET (fillfactor = 80)']
    assert sqlite.statements == []
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT reloptions FROM pg_class WHERE relname = 'forums_attendance'")
            assert "fillfactor=80" in cursor.fetchone()[0]
