"""The pages that show people's names and cache their content: a session's page (forums/page_cache.py), a person's
page and the people list (agencies/cache.py). Read once, then from the cache; never outliving a write from any
path; the permission check and the personal-data access log made on every request, before the cache; what the
reader's permissions show kept apart."""

import pytest
from bs4 import BeautifulSoup
from django.contrib.auth.models import Permission
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from accounts import roles
from agencies.models import KmRole, PersonAccessLog
from forums import services
from forums.models import Attendance
from tests.factories import change_in_admin, make_attendance, make_person, make_session, make_user


def soup(client, url):
    response = client.get(url)
    assert response.status_code == 200
    return BeautifulSoup(response.content, "html.parser")


def list_rows(client, session) -> list[list[str]]:
    rows = soup(client, f"/forums/{session.code}/").select("#attendance-table tbody tr")
    return [[td.get_text(" ", strip=True) for td in row.find_all("td")] for row in rows]


def history_text(client, session) -> str:
    return soup(client, f"/forums/{session.code}/").select_one("#history").get_text(" ", strip=True)


def queries_of(client, url) -> list[str]:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return [q["sql"] for q in queries]


@pytest.fixture
def session_with_people(db):
    session = make_session(status="held")
    people = [
        make_person("CDD", KmRole.EUA, first_name=f"สมใจ{n}", phone=f"081-234-567{n}") for n in range(3)
    ]
    rows = [make_attendance(session, person) for person in people]
    return session, people, rows


@pytest.mark.django_db
def test_a_session_page_is_read_once_then_from_the_cache(coordinator_client, session_with_people):
    session, _people, _rows = session_with_people
    url = f"/forums/{session.code}/"
    first = queries_of(coordinator_client, url)
    again = queries_of(coordinator_client, url)
    assert len(again) < len(first)
    # the access check (the session with the coordinator's scope) and the version: no attendance, summary,
    # history or people read again
    assert not [sql for sql in again if 'FROM "agencies_person"' in sql or 'FROM "forums_attendance"' in sql]
    assert [sql for sql in again if "forums_forumsession" in sql]  # the permission check is made again
    # another page of the list and another language are other entries
    assert len(queries_of(coordinator_client, f"{url}?page=2")) == len(first)
    coordinator_client.cookies["django_language"] = "en"
    english = soup(coordinator_client, url)
    assert english.select_one("#attendance-table th").get_text() == "Name"


@pytest.mark.django_db
def test_a_session_page_follows_every_write(coordinator_client, session_with_people, administrator):
    session, people, rows = session_with_people
    assert [r[4] for r in list_rows(coordinator_client, session)] == ["ยังไม่บันทึก"] * 3

    # a mark through the check-in service
    services.save_marks(session, [services.Mark(rows[0].pk, "present", rows[0].version)], user=administrator)
    assert "มา" in list_rows(coordinator_client, session)[0][4]

    # an invitee's reply writes no figure, only a history record
    services.reply_by_invitee(rows[1], "declined", reason="ติดราชการ")
    assert next(r for r in list_rows(coordinator_client, session) if "สมใจ1" in r[0])[3] == "ปฏิเสธ"

    # a person renamed through the admin
    admin = Client()
    admin.force_login(administrator)
    response = change_in_admin(admin, people[2], first_name="สมหมาย", birth_date="")
    assert response.status_code == 302, response.content[:2000]
    assert any("สมหมาย" in r[0] for r in list_rows(coordinator_client, session))

    # the account that made a change renamed: the history names it anew
    administrator.first_name, administrator.last_name = "ผู้ดูแล", "ระบบใหม่"
    administrator.save()
    assert "ผู้ดูแล ระบบใหม่" in history_text(coordinator_client, session)

    # the shell deletes a row: the summary and the list follow (the service's path, as the admin's)
    services.save_attendance_rows([], [Attendance.objects.get(pk=rows[0].pk)], user=administrator)
    assert len(list_rows(coordinator_client, session)) == 2


@pytest.mark.django_db
def test_a_session_page_checks_access_before_its_cache(coordinator_client, session_with_people):
    session, _people, _rows = session_with_people
    url = f"/forums/{session.code}/"
    assert coordinator_client.get(url).status_code == 200  # cached now
    stranger = Client()
    stranger.force_login(make_user())
    assert stranger.get(url).status_code == 403
    assert Client().get(url).status_code == 302  # to the login page


@pytest.mark.django_db
def test_a_person_page_logs_every_view_and_follows_writes(admin_client_portal, session_with_people):
    session, people, rows = session_with_people
    person = people[0]
    url = f"/people/{person.code}/"
    first = queries_of(admin_client_portal, url)
    again = queries_of(admin_client_portal, url)
    assert len(again) < len(first)
    assert not [sql for sql in again if "forums_attendance" in sql]
    # every view is in the access log, the cached ones too
    assert PersonAccessLog.objects.filter(person=person, action=PersonAccessLog.Action.VIEW).count() == 2

    def outcome():
        return (
            soup(admin_client_portal, url)
            .select_one("#attendance-history tbody tr")
            .get_text(" ", strip=True)
        )

    assert "ยังไม่บันทึก" in outcome()
    services.save_marks(session, [services.Mark(rows[0].pk, "late", rows[0].version)])
    assert "สาย" in outcome()
    session.title = "เวทีที่เปลี่ยนชื่อแล้ว"
    session.save()  # the shell and the admin save so
    assert "เวทีที่เปลี่ยนชื่อแล้ว" in outcome()

    assert admin_client_portal.post(f"/people/{person.code}/anonymize/").status_code == 302
    person.refresh_from_db()
    page = soup(admin_client_portal, f"/people/{person.code}/")
    assert "สมใจ0" not in page.get_text()


@pytest.mark.django_db
def test_a_person_page_shows_each_reader_what_their_permissions_allow(
    admin_client_portal, session_with_people
):
    _session, people, _rows = session_with_people
    url = f"/people/{people[0].code}/"
    full = soup(admin_client_portal, url)  # cached with the full phone, the history and the PDPA buttons
    assert full.select_one("#person-phone").get_text() == "081-234-5670"
    assert full.select_one("#attendance-history") and full.select_one("#personal-data")

    facilitator = Client()
    facilitator.force_login(make_user(roles.FACILITATOR))
    page = soup(facilitator, url)
    assert page.select_one("#person-phone").get_text() == "08x-xxx-5670"
    assert page.select_one("#attendance-history") and not page.select_one("#personal-data")

    reader = make_user()  # may read people, not attendance
    reader.user_permissions.add(Permission.objects.get(codename="view_person"))
    no_attendance = Client()
    no_attendance.force_login(reader)
    page = soup(no_attendance, url)
    assert not page.select_one("#attendance-history") and not page.select_one("#personal-data")
    assert page.select_one("#person-phone").get_text() == "08x-xxx-5670"


@pytest.mark.django_db
def test_the_people_list_is_cached_whole_and_follows_a_rename_and_an_erasure(admin_client_portal):
    person = make_person("CDD", KmRole.KIT, first_name="สมปอง")

    def names():
        return [
            a.get_text() for a in soup(admin_client_portal, "/people/?role=kit").select("#people-table a")
        ]

    assert any("สมปอง" in name for name in names())
    person.first_name = "สมปราชญ์"
    person.save()
    listed = names()
    assert any("สมปราชญ์" in name for name in listed)
    assert not any("สมปอง" in name for name in listed)
    assert admin_client_portal.post(f"/people/{person.code}/anonymize/").status_code == 302
    assert not any("สมปราชญ์" in name for name in names())
