import pytest
from bs4 import BeautifulSoup

from agencies.models import KmRole
from tests.factories import make_community_organization, make_person

pytestmark = pytest.mark.django_db


def rows(response, table_id):
    return BeautifulSoup(response.content, "html.parser").select(f"#{table_id} tbody tr")


def make_people(count):
    for index in range(count):
        make_person(["CDD", "WU", "BAAC"][index % 3], role=[KmRole.EUA, KmRole.AMNUAY][index % 2])


@pytest.mark.parametrize("count", [1, 50])
def test_person_list_query_count_does_not_grow_with_people(
    coordinator_client, django_assert_num_queries, count
):
    make_people(count)
    # session, user, permissions (two), count, page, organizations and tambons for the filter selects
    with django_assert_num_queries(7):
        response = coordinator_client.get("/people/")
    assert response.status_code == 200
    assert len(rows(response, "people-table")) == count


def test_person_list_filters_by_role_and_organization(coordinator_client):
    wanted = make_person("WU", role=KmRole.AMNUAY, first_name="ศิริพร")
    make_person("WU", role=KmRole.EUA, first_name="ศิริพร")
    make_person("CDD", role=KmRole.AMNUAY, first_name="ศิริพร")
    response = coordinator_client.get("/people/", {"role": "amnuay", "organization": "WU", "q": "ศิริ"})
    found = rows(response, "people-table")
    assert len(found) == 1 and wanted.code in found[0].text


def test_person_list_hides_inactive_people_unless_asked(coordinator_client):
    make_person(is_active=False)
    make_person()
    assert len(rows(coordinator_client.get("/people/"), "people-table")) == 1
    assert len(rows(coordinator_client.get("/people/", {"active": "all"}), "people-table")) == 2


def test_person_list_is_paginated(coordinator_client):
    make_people(55)
    first = coordinator_client.get("/people/")
    second = coordinator_client.get("/people/", {"page": 2})
    assert len(rows(first, "people-table")) == 50
    assert len(rows(second, "people-table")) == 5


@pytest.mark.parametrize("count", [1, 50])
def test_agency_list_query_count_is_fixed(coordinator_client, django_assert_num_queries, count):
    make_people(count)
    with django_assert_num_queries(4):
        response = coordinator_client.get("/agencies/")
    table = rows(response, "agency-table")
    assert len(table) == 10  # nine partners and the provincial administration
    cdd = next(row for row in table if row.find("a").text == "CDD")
    eua, amnuay = (int(cell.text) for cell in cdd.select("td")[2:4])
    assert eua + amnuay == len([i for i in range(count) if i % 3 == 0])


@pytest.mark.parametrize("count", [1, 50])
def test_organization_detail_query_count_is_fixed(coordinator_client, django_assert_num_queries, count):
    organization = make_community_organization()
    for _ in range(count):
        make_person(organization, role=KmRole.KIT, tambon=organization.tambon)
    with django_assert_num_queries(5):
        response = coordinator_client.get(f"/organizations/{organization.code}/")
    assert response.status_code == 200


@pytest.mark.parametrize("count", [1, 50])
def test_tambon_list_query_count_is_fixed(coordinator_client, django_assert_num_queries, count):
    for _ in range(count):
        make_community_organization(tambon="800106")
    with django_assert_num_queries(6):  # the page of community organizations counts them first
        response = coordinator_client.get("/tambons/")
    assert response.status_code == 200
    assert response.content.decode().count("กลุ่มออมทรัพย์ทดสอบ") == min(count, 50)


def test_tambon_list_pages_the_community_organizations(coordinator_client):
    for _ in range(51):
        make_community_organization(tambon="800106")
    first = coordinator_client.get("/tambons/").content.decode()
    second = coordinator_client.get("/tambons/?page=2").content.decode()
    assert first.count("กลุ่มออมทรัพย์ทดสอบ") == 50
    assert second.count("กลุ่มออมทรัพย์ทดสอบ") == 1
    assert "page=2" in first


def test_person_detail_warns_about_a_possible_duplicate(coordinator_client):
    person = make_person("CDD", first_name="มานพ", last_name="ชูแก้ว")
    twin = make_person("CDD", first_name="มานพ", last_name="ชูแก้ว")
    page = BeautifulSoup(coordinator_client.get(f"/people/{person.code}/").content, "html.parser")
    warning = page.select_one(".alert-warning")
    assert warning is not None and twin.code in warning.text


def test_unknown_person_is_404(coordinator_client):
    assert coordinator_client.get("/people/NOPE/").status_code == 404


@pytest.mark.parametrize("count", [1, 50])
def test_home_page_query_count_is_fixed(coordinator_client, django_assert_num_queries, count):
    make_people(count)
    # 8, and for a coordinator's own sessions: their scope, the sessions (tests/portal/test_home.py)
    with django_assert_num_queries(8):
        response = coordinator_client.get("/")
    assert response.status_code == 200


def test_a_user_without_a_role_cannot_read_people(client, django_user_model):
    client.force_login(django_user_model.objects.create_user("nobody", password="x" * 12))
    assert client.get("/people/").status_code == 403


def test_the_people_list_filters_by_tambon_and_keeps_the_choice(admin_client_portal):
    inside = make_person("CDD", tambon_id="800106")
    outside = make_person("CDD", tambon_id="800119")
    page = BeautifulSoup(admin_client_portal.get("/people/?tambon=800106").content, "html.parser")
    codes = [tr.td.get_text() for tr in page.select("#people-table tbody tr")]
    assert inside.code in codes and outside.code not in codes
    assert [o["value"] for o in page.select("select[name=tambon] option[selected]")] == ["800106"]
    assert page.select_one("select[name=tambon] option[value='800106']").get_text() == "ต.ท่าไร่"
    unknown = BeautifulSoup(admin_client_portal.get("/people/?tambon=999999").content, "html.parser")
    assert unknown.select_one("select[name=tambon]").find_parent("div").select(".invalid-feedback")
