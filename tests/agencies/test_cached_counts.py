"""What /tambons/ and /people/ cache under the agencies' data version (agencies/cache.py): read once, and never
outliving a write from any path (a form, the admin, the shell, a bulk import, anonymization)."""

import datetime as dt
import re

import pytest
from bs4 import BeautifulSoup
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext

from agencies.models import KmRole, Person, Tambon
from tests.factories import make_community_organization, make_person
from tests.forums.test_interchange import good_tables, import_km, write_tables

TAMBON = "800106"


def tambon_row(client) -> list[str]:
    page = BeautifulSoup(client.get("/tambons/").content, "html.parser")
    row = next(tr for tr in page.select("table tbody tr") if tr.td.get_text() == TAMBON)
    return [td.get_text(" ", strip=True) for td in row.find_all("td")]


def people_in_tambon(client) -> int:
    return int(tambon_row(client)[-1])


def listed_people(client, query="") -> int:
    page = BeautifulSoup(client.get(f"/people/{query}").content, "html.parser")
    return int(re.search(r"\d+", page.select_one("main p.text-body-secondary").get_text()).group())


def queries_of(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


@pytest.mark.django_db
def test_the_tambon_list_is_read_once_then_served_from_the_cache(coordinator_client):
    make_community_organization(tambon=TAMBON)
    first = queries_of(coordinator_client, "/tambons/")
    again = queries_of(coordinator_client, "/tambons/")
    # login, account and its permissions only: no tambon, count or organization is read again
    assert (first, again) == (6, 3)
    assert queries_of(coordinator_client, "/tambons/?page=2") == 6  # another page is another entry
    thai = coordinator_client.get("/tambons/").content.decode()
    coordinator_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english = coordinator_client.get("/tambons/").content.decode()
    assert "ตำบลที่เข้าร่วมโครงการ" in thai and "Tambons in the program" not in thai
    assert "Tambons in the program" in english and "ตำบลที่เข้าร่วมโครงการ" not in english


@pytest.mark.django_db
def test_the_tambons_counts_follow_the_shell_the_admin_an_import_and_anonymization(
    admin_client_portal, tmp_path
):
    before = people_in_tambon(admin_client_portal)
    person = make_person("CDD", role=KmRole.AMNUAY, tambon_id=TAMBON)  # the shell: a model signal
    assert people_in_tambon(admin_client_portal) == before + 1

    other = make_person("CDD", role=KmRole.AMNUAY, tambon_id=TAMBON)
    assert people_in_tambon(admin_client_portal) == before + 2
    deleted = admin_client_portal.post(f"/admin/agencies/person/{other.pk}/delete/", {"post": "yes"})
    assert deleted.status_code == 302 and not Person.objects.filter(pk=other.pk).exists()
    assert people_in_tambon(admin_client_portal) == before + 1

    # anonymization is a bulk update and makes the person inactive
    assert admin_client_portal.post(f"/people/{person.code}/anonymize/").status_code == 302
    assert people_in_tambon(admin_client_portal) == before

    # the interchange import writes people and organizations in bulk (P003 and CFO-THR-01 are in this tambon)
    organizations = int(tambon_row(admin_client_portal)[-2])
    import_km(write_tables(tmp_path, good_tables()))
    assert people_in_tambon(admin_client_portal) == before + 1
    assert int(tambon_row(admin_client_portal)[-2]) == organizations + 1


@pytest.mark.django_db
def test_the_people_list_counts_once_per_filter_and_follows_writes(admin_client_portal):
    for _ in range(3):
        make_person("CDD", role=KmRole.KIT)
    url = "/people/?role=kit"
    with CaptureQueriesContext(connection) as first:
        admin_client_portal.get(url)
    with CaptureQueriesContext(connection) as again:
        admin_client_portal.get(url)
    assert [q["sql"] for q in first if "COUNT(" in q["sql"]]
    # the page is cached whole: neither the count, nor the people, nor the tambons of the filter are read again
    assert not [q["sql"] for q in again if "agencies_" in q["sql"]]
    assert len(again) == len(first) - 4
    counted = Person.objects.filter(role=KmRole.KIT, is_active=True).count()
    assert listed_people(admin_client_portal, "?role=kit") == counted
    assert (
        listed_people(admin_client_portal, "?role=eua")
        == Person.objects.filter(role=KmRole.EUA, is_active=True).count()
    )
    make_person("CDD", role=KmRole.KIT)
    assert listed_people(admin_client_portal, "?role=kit") == counted + 1
    leaver = Person.objects.filter(role=KmRole.KIT).first()
    assert admin_client_portal.post(f"/people/{leaver.code}/anonymize/").status_code == 302
    assert listed_people(admin_client_portal, "?role=kit") == counted


@pytest.mark.django_db
def test_a_tambon_joining_the_program_is_offered_by_the_filters_at_once(admin_client_portal):
    def offered(url):
        page = BeautifulSoup(admin_client_portal.get(url).content, "html.parser")
        return {o["value"] for o in page.select("select[name=tambon] option")}

    district = Tambon.objects.get(code=TAMBON).district
    outside = Tambon.objects.create(
        code="809998", district=district, name_th="ทดลองใหม่", name_en="Thot Long Mai"
    )
    assert outside.code not in offered("/people/") and outside.code not in offered("/dashboard/")
    outside.phase = Tambon.Phase.EXPANSION
    outside.joined_on = dt.date(2007, 6, 1)
    outside.save()  # the admin and the shell save so: a signal
    assert outside.code in offered("/people/") and outside.code in offered("/dashboard/")
    assert admin_client_portal.get(f"/dashboard/?circle=&tambon={outside.code}").status_code == 200
