import pytest
from bs4 import BeautifulSoup
from django.utils import timezone

from agencies.models import KmRole, Person
from forums.models import Attendance
from tests.factories import make_attendance, make_person, make_session, make_user

pytestmark = pytest.mark.django_db
Status = Attendance.Status


def invite_many(session, count):
    people = [make_person(["CDD", "WU", "BAAC", "GHB"][i % 4], KmRole.EUA) for i in range(count)]
    return [make_attendance(session, person) for person in people]


def checkin_url(session, suffix=""):
    return f"/forums/{session.code}/checkin/{suffix}"


def all_marks(rows, status):
    return {f"p-{row.pk}": f"{status}:{row.version}" for row in rows}


@pytest.mark.parametrize("count", [1, 50])
def test_checkin_page_query_count_does_not_grow(coordinator_client, django_assert_num_queries, count):
    session = make_session()
    invite_many(session, count)
    with django_assert_num_queries(10):
        response = coordinator_client.get(checkin_url(session))
    page = BeautifulSoup(response.content, "html.parser")
    assert len(page.select(".checkin-row")) == count
    # Grouped by organization, with the running count.
    assert len(page.select(".checkin-group")) == min(count, 4)
    assert page.select_one('#checkin-counter [data-count="invited"]').text == str(count)


@pytest.mark.parametrize("count", [1, 300])
def test_save_all_of_300_people_is_one_request_with_fixed_queries(
    coordinator_client, django_assert_num_queries, count
):
    session = make_session(date=timezone.localdate())
    rows = invite_many(session, count)
    data = {**all_marks(rows, Status.PRESENT), "save_all": "1"}
    assert len(data) < 1000  # one field per person keeps under Django's field limit
    with django_assert_num_queries(19):
        response = coordinator_client.post(checkin_url(session, "mark/"), data)
    assert response.status_code == 302
    assert session.attendances.filter(status=Status.PRESENT).count() == count
    assert Attendance.history.filter(session_id=session.pk, history_type="~").count() == count


def test_one_tap_through_htmx_saves_one_person_and_returns_the_row_and_counter(coordinator_client):
    session = make_session()
    first, second = invite_many(session, 2)
    response = coordinator_client.post(
        checkin_url(session, "mark/"), {f"p-{first.pk}": "present:1"}, HTTP_HX_REQUEST="true"
    )
    page = BeautifulSoup(response.content, "html.parser")
    assert page.select_one(f"#row-{first.pk}") is not None
    assert page.select_one(f"#s-{first.pk}-present").has_attr("checked")
    # The new version travels in the row, ready for the next tap.
    assert page.select_one(f"#s-{first.pk}-absent")["value"] == "absent:2"
    counter = page.select_one("#checkin-counter")
    assert counter["hx-swap-oob"] == "true"
    assert counter.select_one('[data-count="attended"]').text == "1"
    second.refresh_from_db()
    assert second.status == ""


def test_a_stale_tap_shows_a_conflict_and_keeps_the_other_coordinators_mark(coordinator_client):
    session = make_session()
    (row,) = invite_many(session, 1)
    coordinator_client.post(
        checkin_url(session, "mark/"), {f"p-{row.pk}": "present:1"}, HTTP_HX_REQUEST="true"
    )
    response = coordinator_client.post(
        checkin_url(session, "mark/"), {f"p-{row.pk}": "absent:1"}, HTTP_HX_REQUEST="true"
    )
    page = BeautifulSoup(response.content, "html.parser")
    assert page.select_one(".alert-warning") is not None
    assert page.select_one(f"#s-{row.pk}-present").has_attr("checked")
    row.refresh_from_db()
    assert row.status == Status.PRESENT


def test_two_coordinators_marking_different_people_lose_nothing(client, django_user_model):
    session = make_session()
    first, second = invite_many(session, 2)
    one, two = make_user("coordinator"), make_user("coordinator")
    client.force_login(one)
    client.post(checkin_url(session, "mark/"), {f"p-{first.pk}": "present:1"}, HTTP_HX_REQUEST="true")
    client.force_login(two)
    # The second coordinator's page still shows both people at version 1; only the tapped one is sent.
    client.post(checkin_url(session, "mark/"), {f"p-{second.pk}": "late:1"}, HTTP_HX_REQUEST="true")
    assert dict(session.attendances.values_list("pk", "status")) == {first.pk: "present", second.pk: "late"}


def test_a_damaged_mark_is_a_400(coordinator_client):
    session = make_session()
    (row,) = invite_many(session, 1)
    response = coordinator_client.post(checkin_url(session, "mark/"), {f"p-{row.pk}": "present"})
    assert response.status_code == 400


def test_mark_everyone_not_yet_marked_absent(coordinator_client):
    session = make_session()
    rows = invite_many(session, 3)
    coordinator_client.post(checkin_url(session, "mark/"), {f"p-{rows[0].pk}": "present:1", "save_all": "1"})
    coordinator_client.post(checkin_url(session, "absent/"))
    assert sorted(session.attendances.values_list("status", flat=True)) == ["absent", "absent", "present"]


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


def test_person_search_offers_people_not_yet_on_the_list(coordinator_client):
    session = make_session()
    on_list = make_person("CDD", first_name="สุนีย์")
    make_attendance(session, on_list)
    other = make_person("WU", first_name="สุนีย์")
    response = coordinator_client.get(checkin_url(session, "search/"), {"q": "สุนี"})
    page = BeautifulSoup(response.content, "html.parser")
    offered = [i["value"] for i in page.select("input[name=person]")]
    assert offered == [other.code]


@pytest.mark.parametrize("role", ["facilitator", "governor_office"])
def test_readers_cannot_check_in(client, role):
    session = make_session()
    client.force_login(make_user(role))
    assert client.get(checkin_url(session)).status_code == 403
    assert client.post(checkin_url(session, "absent/")).status_code == 403
    assert client.get(f"/forums/{session.code}/").status_code == 200
