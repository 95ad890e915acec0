"""Personal-data duties (PDPA): the privacy notice, phone masking, the per-person export, erasure by
anonymization that keeps every attendance figure, the retention command and the person access log."""

import csv
import datetime as dt
import io
import json

import pytest
from axes.models import AccessLog
from bs4 import BeautifulSoup
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts import roles
from agencies import pdpa
from agencies.models import KmRole, Organization, Person, PersonAccessLog
from analytics.metrics import Scope, compute
from api.models import ApiToken
from forums import services
from forums.history import session_history
from forums.models import AgencyTurnout, Attendance, CalendarFeed, ForumSession, Reminder
from lessons.models import Comment, LessonNote, NoteEvent
from tests.factories import make_attendance, make_person, make_session, make_user

pytestmark = pytest.mark.django_db

READERS = [roles.COORDINATOR, roles.FACILITATOR, roles.GOVERNOR_OFFICE]
ATTENDANCE_FIELDS = [
    "pk", "session_id", "person_id", "invited", "status", "representative_id", "role", "organization_id",
    "version", "updated_at",
]  # fmt: skip


def page(response):
    return BeautifulSoup(response.content, "html.parser")


def logged_in(client, user):
    client.force_login(user)
    return client


def years_ago(years, days=0):
    today = timezone.localdate()
    return today.replace(year=today.year - years) - dt.timedelta(days=days)


# Privacy notice --------------------------------------------------------------------------------------------


def test_privacy_notice_is_open_to_anonymous_visitors_in_thai_and_english(client, settings):
    settings.PDPA_RETENTION_YEARS = 7
    settings.DEFAULT_FROM_EMAIL = "km-office@nakhon.example"
    response = client.get("/privacy/")
    assert response.status_code == 200
    thai = page(response).select_one("#privacy-th")
    english = page(response).select_one("#privacy-en")
    assert thai["lang"] == "th" and english["lang"] == "en"
    thai_text, english_text = thai.get_text(" ", strip=True), english.get_text(" ", strip=True)
    for heading in ("วัตถุประสงค์", "ฐานทางกฎหมาย", "ข้อมูลที่เก็บ", "ระยะเวลาการเก็บรักษา", "ผู้ได้รับข้อมูล",
                    "ติดต่อ", "สิทธิของท่าน"):  # fmt: skip
        assert heading in [h.text for h in thai.select("h2")], heading
    for heading in ("Purpose", "Legal basis", "What is kept", "Retention", "Who receives it", "Contact",
                    "Your rights"):  # fmt: skip
        assert heading in [h.text for h in english.select("h2")], heading
    assert "7 ปี" in thai_text and "7 years" in english_text
    # how long a cached page that shows names is kept, as agencies.cache keeps it
    assert "ภายใน 15 นาที" in thai_text and "within 15 minutes" in english_text
    assert "สำนักงานคณะกรรมการคุ้มครองข้อมูลส่วนบุคคล" in thai_text
    assert "มาตรา 24 (4)" in thai_text and "section 24 (4)" in english_text
    assert {a["href"] for a in thai.select("a[href^=mailto]")} == {"mailto:km-office@nakhon.example"}
    assert {a["href"] for a in english.select("a[href^=mailto]")} == {"mailto:km-office@nakhon.example"}
    # The nine partners by their codes, in the English version
    assert "CDD, WU, BAAC, NFE, DOAE, CPD, GHB, NSTRU, CODI" in english_text


def test_privacy_notice_shows_both_languages_whatever_the_interface_language(client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    soup = page(client.get("/privacy/"))
    assert soup.html["lang"] == "en"
    assert soup.select_one("#privacy-th h1") and soup.select_one("#privacy-en h1")


def privacy_links(soup, scope):
    return [a for a in soup.select(f"{scope} a") if a.get("href") == "/privacy/"]


def test_walk_in_form_links_the_privacy_notice(coordinator_client):
    session = make_session()
    soup = page(coordinator_client.get(f"/forums/{session.code}/checkin/"))
    walk_in_form = soup.select_one(f'form[action="/forums/{session.code}/checkin/walk-in/"]')
    assert walk_in_form is not None and privacy_links(walk_in_form, "fieldset")


def test_representative_form_links_the_privacy_notice(coordinator_client):
    session = make_session()
    row = make_attendance(session, make_person("CDD"))
    soup = page(coordinator_client.get(f"/forums/{session.code}/checkin/{row.pk}/representative/"))
    assert privacy_links(soup.select_one("main form[method=post]"), "fieldset")


def test_person_page_links_the_privacy_notice(coordinator_client):
    person = make_person()
    assert privacy_links(page(coordinator_client.get(f"/people/{person.code}/")), "main")


# Phone masking ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("phone", "masked"),
    [
        ("081-234-5678", "08x-xxx-5678"),
        ("0812345678", "08xxxx5678"),
        ("075-123456", "07x-xx3456"),  # a nine-digit landline
        ("+66 81 234 5678", "+66 xx xxx 5678"),
        ("1234567", "xxxx567"),  # too short for two and four: only the last half stays
        ("1669", "xxxx"),
        ("", ""),
        ("ไม่มี", "ไม่มี"),
    ],
)
def test_mask_phone_keeps_the_first_two_and_last_four_digits(phone, masked):
    assert pdpa.mask_phone(phone) == masked


@pytest.mark.parametrize(("role", "sees_full"), [*((r, False) for r in READERS), (roles.ADMINISTRATOR, True)])
def test_person_page_shows_the_phone_in_full_only_to_administrators(client, role, sees_full):
    person = make_person(phone="081-234-5678")
    response = logged_in(client, make_user(role)).get(f"/people/{person.code}/")
    assert response.status_code == 200
    shown = page(response).select_one("#person-phone").text
    assert shown == ("081-234-5678" if sees_full else "08x-xxx-5678")
    assert ("5678" in shown) and (("081-234" in response.content.decode()) is sees_full)


def test_a_superuser_sees_the_phone_in_full(client):
    person = make_person(phone="081-234-5678")
    response = logged_in(client, make_user(is_superuser=True, is_staff=True)).get(f"/people/{person.code}/")
    assert page(response).select_one("#person-phone").text == "081-234-5678"


def test_phone_filters_in_templates():
    from django.template import Context, Template

    administrator, coordinator = make_user(roles.ADMINISTRATOR), make_user(roles.COORDINATOR)
    template = Template("{% load personal_data %}{{ phone|phone_for:user }}|{{ phone|mask_phone }}")
    phone = "081-234-5678"
    assert template.render(Context({"phone": phone, "user": administrator})) == "081-234-5678|08x-xxx-5678"
    assert template.render(Context({"phone": phone, "user": coordinator})) == "08x-xxx-5678|08x-xxx-5678"


# Access log ------------------------------------------------------------------------------------------------


def test_every_opening_of_a_person_page_writes_one_access_log_row(coordinator_client, coordinator):
    person = make_person()
    coordinator_client.get(f"/people/{person.code}/")  # the session row is written on the first request
    with CaptureQueriesContext(connection) as queries:
        coordinator_client.get(f"/people/{person.code}/")
    inserts = [q["sql"] for q in queries.captured_queries if q["sql"].lstrip().upper().startswith("INSERT")]
    assert len(inserts) == 1 and "agencies_personaccesslog" in inserts[0]
    entries = list(PersonAccessLog.objects.values_list("user", "person", "action"))
    assert entries == [(coordinator.pk, person.pk, "view")] * 2


@pytest.mark.parametrize("count", [1, 50])
def test_person_page_query_count_is_fixed(coordinator_client, django_assert_num_queries, count):
    person = make_person("CDD", first_name="มานพ")
    for _index in range(count):
        make_attendance(make_session(status="held"), person, status="present")
    # session, user, permissions (two, also for the phone), person, access-log insert, the person with their
    # organization, tambon and account to draw the page, duplicates, and the attendance history: its count and
    # one page
    with django_assert_num_queries(9):
        response = coordinator_client.get(f"/people/{person.code}/")
    assert response.status_code == 200
    # again, from the cache: session, user, permissions, person, access-log insert
    with django_assert_num_queries(5):
        again = coordinator_client.get(f"/people/{person.code}/")
    assert again.status_code == 200
    assert str(BeautifulSoup(again.content, "html.parser").select_one("#attendance-history")) == str(
        BeautifulSoup(response.content, "html.parser").select_one("#attendance-history")
    )


def test_an_unknown_person_writes_no_access_log_row(coordinator_client):
    assert coordinator_client.get("/people/NOPE/").status_code == 404
    assert not PersonAccessLog.objects.exists()


def test_access_log_admin_is_read_only_and_filters_by_user(admin_client_portal, administrator):
    person = make_person()
    someone = make_user(roles.COORDINATOR)
    pdpa.log_access(someone, person)
    pdpa.log_access(administrator, person)
    changelist = admin_client_portal.get("/admin/agencies/personaccesslog/", {"user__id__exact": someone.pk})
    assert changelist.status_code == 200
    soup = page(changelist)
    assert len(soup.select("#result_list tbody tr")) == 1
    # Filtered by Buddhist year (Django's date hierarchy would show Gregorian years).
    years = [a.text.strip() for a in soup.select("#changelist-filter a") if "opened_at_year=" in a["href"]]
    assert years == [str(timezone.localdate().year + 543)]
    entry = PersonAccessLog.objects.get(user=someone)
    assert admin_client_portal.get("/admin/agencies/personaccesslog/add/").status_code == 403
    change = admin_client_portal.post(f"/admin/agencies/personaccesslog/{entry.pk}/change/", {"action": "x"})
    assert change.status_code == 403
    assert PersonAccessLog.objects.get(pk=entry.pk).action == "view"
    delete = admin_client_portal.post(f"/admin/agencies/personaccesslog/{entry.pk}/delete/", {"post": "yes"})
    assert delete.status_code == 403 and PersonAccessLog.objects.filter(pk=entry.pk).exists()


# Export ----------------------------------------------------------------------------------------------------


def person_with_everything():
    user = make_user(roles.FACILITATOR, username="somsri.k", email="somsri@example.org")
    person = make_person("CDD", KmRole.AMNUAY, first_name="สมศรี", last_name="เก่งงาน", phone="081-234-5678",
                         email="somsri@example.org", position="นักวิชาการ", user=user)  # fmt: skip
    invited = make_session(code="F-2549-01", date=dt.date(2006, 1, 12), status="held")
    invitee = make_person("CDD")
    make_attendance(invited, person, status="present")
    make_attendance(invited, invitee, status="represented", representative=make_person("CDD", code="REP-1"))
    other = make_session(code="F-2549-02", date=dt.date(2006, 2, 9), status="held", note_taker=person)
    make_attendance(other, make_person("WU", code="WU-9"), status="represented", representative=person)
    note = LessonNote.objects.create(title="บทเรียนจากเวที", slug="lesson-1", author=user)
    Comment.objects.create(note=note, author=user, body="ขอบคุณครับ")
    NoteEvent.objects.create(note=note, kind=NoteEvent.Kind.SUBMITTED, actor=user)
    Reminder.objects.create(session=invited, person=person)
    CalendarFeed.objects.create(person=person)
    ApiToken.issue(Organization.objects.get(code="CDD"), "ระบบลงเวลาของ พช.", user=user)
    return person


def test_json_export_holds_everything_about_the_person(admin_client_portal, administrator):
    person = person_with_everything()
    response = admin_client_portal.get(f"/people/{person.code}/export.json")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert response["Content-Disposition"] == f'attachment; filename="person-{person.code}.json"'
    data = json.loads(response.content)
    assert list(data) == ["person", "account", "attendance", "representative", "note_taker", "reminders",
                          "calendar_feeds", "lesson_notes", "comments", "lesson_note_events", "lesson_attachments",
                          "api_tokens_issued", "access_log"]  # fmt: skip
    held = data["person"][0]
    assert (held["first_name"], held["last_name"], held["organization"]) == ("สมศรี", "เก่งงาน", "CDD")
    assert (held["phone"], held["email"], held["position"]) == (
        "081-234-5678",
        "somsri@example.org",
        "นักวิชาการ",
    )
    assert data["account"] == [data["account"][0]] and data["account"][0]["username"] == "somsri.k"
    assert data["attendance"] == [
        {"session": "F-2549-01", "date": "2006-01-12", "invited": True, "reply": "", "reply_reason": "", "status": "present",
         "representative": "", "checked_in_at": None, "role": "amnuay", "organization": "CDD"}
    ]  # fmt: skip
    assert data["representative"] == [
        {"session": "F-2549-02", "date": "2006-02-09", "stood_in_for": "WU-9", "organization": "WU"}
    ]
    assert data["note_taker"] == [{"session": "F-2549-02", "date": "2006-02-09"}]
    assert [r["session"] for r in data["reminders"]] == ["F-2549-01"]
    assert len(data["calendar_feeds"]) == 1 and "token" not in data["calendar_feeds"][0]
    assert [n["slug"] for n in data["lesson_notes"]] == ["lesson-1"]
    assert [c["body"] for c in data["comments"]] == ["ขอบคุณครับ"]
    assert [(e["note"], e["kind"]) for e in data["lesson_note_events"]] == [("lesson-1", "submitted")]
    assert data["lesson_attachments"] == []
    # The token itself, its hash and its first characters stay out: an export travels by email and USB sticks.
    assert [sorted(t) for t in data["api_tokens_issued"]] == [
        ["created_at", "name", "organization", "revoked_at"]
    ]
    assert data["api_tokens_issued"][0]["organization"] == "CDD"
    # The export itself is logged before the data is read, so it lists itself
    assert [(e["user"], e["action"]) for e in data["access_log"]] == [(administrator.username, "export_json")]


def test_csv_export_starts_with_a_bom_and_has_one_row_per_item_with_its_section(admin_client_portal):
    person = person_with_everything()
    response = admin_client_portal.get(f"/people/{person.code}/export.csv")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert response.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    sections = [row["section"] for row in rows]
    assert sections == ["person", "account", "attendance", "representative", "note_taker", "reminders",
                        "calendar_feeds", "lesson_notes", "comments", "lesson_note_events", "api_tokens_issued",
                        "access_log"]  # fmt: skip
    assert rows[0]["first_name"] == "สมศรี" and rows[0]["is_chair"] == "0" and rows[0]["anonymized_at"] == ""
    assert rows[2]["session"] == "F-2549-01" and rows[2]["status"] == "present"
    assert rows[-1]["action"] == "export_csv"


@pytest.mark.parametrize("count", [1, 50])
def test_export_query_count_is_fixed(admin_client_portal, django_assert_num_queries, count):
    person = person_with_everything()
    for _index in range(count):
        make_attendance(make_session(status="held"), person, status="present")
    # session, user, permissions (two), person (with its account), access-log insert, then one query for each
    # of the eleven other sections (forums five, lessons four, api one, the access log)
    with django_assert_num_queries(16):
        response = admin_client_portal.get(f"/people/{person.code}/export.json")
    assert len(json.loads(response.content)["attendance"]) == count + 1


@pytest.mark.parametrize("role", READERS)
@pytest.mark.parametrize("path", ["export.json", "export.csv", "anonymize/"])
def test_only_administrators_may_export_or_anonymize(client, role, path):
    person = make_person(phone="081-234-5678")
    logged_in(client, make_user(role))
    assert client.get(f"/people/{person.code}/{path}").status_code == 403
    assert client.post(f"/people/{person.code}/{path}").status_code in (403, 405)
    # Refused before the code is looked up: an unknown code answers the same
    assert client.get(f"/people/NOPE/{path}").status_code == 403
    person.refresh_from_db()
    assert person.anonymized_at is None and person.phone == "081-234-5678"
    assert not PersonAccessLog.objects.exists()


def test_export_of_an_unknown_person_is_404_for_an_administrator(admin_client_portal):
    assert admin_client_portal.get("/people/NOPE/export.json").status_code == 404


def test_person_page_offers_export_and_erasure_to_administrators_only(client):
    person = make_person()
    admin_page = page(logged_in(client, make_user(roles.ADMINISTRATOR)).get(f"/people/{person.code}/"))
    hrefs = {a["href"] for a in admin_page.select("#personal-data a")}
    assert hrefs == {f"/people/{person.code}/export.json", f"/people/{person.code}/export.csv",
                     f"/people/{person.code}/anonymize/"}  # fmt: skip
    coordinator_page = page(logged_in(client, make_user(roles.COORDINATOR)).get(f"/people/{person.code}/"))
    assert coordinator_page.select_one("#personal-data") is None


# Erasure by anonymization ----------------------------------------------------------------------------------


def forums_of_the_province():
    """Three held sessions and a planned one, with a chair, walk-ins and representatives; returns the people
    whose erasure the tests try."""
    chair = make_person("PROV", KmRole.EUA, is_chair=True, first_name="ผู้ว่า")
    cdd, wu, baac = make_person("CDD"), make_person("WU"), make_person("BAAC")
    kit = make_person("GHB", KmRole.KIT)
    stand_in = make_person("WU", KmRole.AMNUAY, first_name="ประหยัด", last_name="สุขใจ", phone="089-999-1234")
    s1 = make_session(date=dt.date(2005, 8, 12), status="held", circle="all")
    for person, status in ((chair, "present"), (cdd, "present"), (baac, "absent"), (kit, "late")):
        make_attendance(s1, person, status=status)
    make_attendance(s1, wu, status="represented", representative=stand_in)
    s2 = make_session(date=dt.date(2005, 9, 9), status="held", circle="eua")
    for person, status in ((chair, "absent"), (cdd, "excused"), (wu, "late")):
        make_attendance(s2, person, status=status)
    make_attendance(s2, stand_in, invited=False, status="present")  # a walk-in
    make_attendance(s2, baac, invited=False, status="present")
    s3 = make_session(date=dt.date(2005, 10, 14), status="held", circle="eua_amnuay")
    for person, status in ((chair, "present"), (cdd, "absent"), (wu, "present"), (stand_in, "late")):
        make_attendance(s3, person, status=status)
    make_attendance(make_session(status="planned"), stand_in)
    return {"stand_in": stand_in, "chair": chair, "cdd": cdd}


def figures():
    """Every figure the portal shows about attendance: the consistency report (whole and by role), the turnout
    table and the attendance rows themselves."""
    return {
        "report": compute(Scope()).as_json(),
        "report_eua": compute(Scope(roles=("eua",))).as_json(),
        "report_command": json.loads(call_command_output("consistency_report", "--format", "json")),
        "turnout": sorted(
            AgencyTurnout.objects.values_list(
                "session_id",
                "organization_id",
                "role",
                "invitations",
                "attended",
                "sent_representative",
                "walk_ins",
            )
        ),
        "attendance": sorted(Attendance.objects.values_list(*ATTENDANCE_FIELDS)),
        "sessions": sorted(ForumSession.objects.values_list("pk", "invited_count", "attended_count")),
    }


def call_command_output(*args):
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


@pytest.mark.parametrize("who", ["stand_in", "chair", "cdd"])
def test_anonymizing_someone_who_attended_leaves_every_attendance_figure_exactly_as_it_was(
    admin_client_portal, who
):
    people = forums_of_the_province()
    before = figures()
    assert before["report"]["sessions_held"] == 3 and before["report"]["mean_unison"] is not None
    person = people[who]
    response = admin_client_portal.post(f"/people/{person.code}/anonymize/")
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.anonymized_at is not None
    assert figures() == before


def test_an_anonymized_name_is_not_shown_from_a_cached_page(admin_client_portal):
    """The dashboard's drill-down lists people by name and is cached: anonymizing (a bulk update, no model
    signal) must empty that cache as any other write does."""
    person = forums_of_the_province()["cdd"]
    url = f"/dashboard/agencies/{person.organization.code}/?circle="
    assert person.full_name in admin_client_portal.get(url).content.decode()
    assert admin_client_portal.post(f"/people/{person.code}/anonymize/").status_code == 302
    page = admin_client_portal.get(url).content.decode()
    assert person.full_name not in page
    assert pdpa.ANONYMIZED_NAME in page


def test_anonymize_blanks_what_names_the_person_and_keeps_the_rest():
    user = make_user(roles.FACILITATOR)
    person = make_person("WU", KmRole.AMNUAY, title="ดร.", first_name="ประหยัด", last_name="สุขใจ",
                         position="อาจารย์", phone="089-999-1234", email="p@example.org", user=user,
                         tambon_id="800106", is_chair=False)  # fmt: skip
    make_attendance(make_session(status="held"), person, status="present")
    CalendarFeed.objects.create(person=person)
    Reminder.objects.create(session=make_session(), person=person)
    pk = person.pk
    pdpa.anonymize(person)
    person = Person.objects.get(pk=pk)
    assert person.code == f"ANON-{pk}"
    assert (person.title, person.first_name, person.last_name) == ("", pdpa.ANONYMIZED_NAME, str(pk))
    assert person.full_name == f"ผู้ถูกลบข้อมูล {pk}"
    assert (person.position, person.phone, person.email, person.user) == ("", "", "", None)
    assert person.is_active is False and person.anonymized_at is not None
    assert (person.role, person.organization.code, person.tambon_id) == ("amnuay", "WU", "800106")
    assert person.attendances.count() == 1
    assert not CalendarFeed.objects.filter(person=person).exists()
    assert not Reminder.objects.filter(person=person).exists()
    user.refresh_from_db()  # the account itself stays, only unlinked
    assert not hasattr(user, "person") or user.person is None


def test_anonymizing_twice_changes_nothing_the_second_time():
    person = make_person()
    first = pdpa.anonymize(person).anonymized_at
    assert pdpa.anonymize(Person.objects.get(pk=person.pk)).anonymized_at == first


def test_old_name_is_gone_from_person_session_pages_history_and_exports(admin_client_portal, administrator):
    session = make_session(status="held")
    person = make_person("CDD", first_name="ประหยัด", last_name="สุขใจ", phone="089-999-1234",
                         email="prayat@example.org")  # fmt: skip
    services.invite(session, [person], user=administrator)
    row = session.attendances.get()
    mark = {"clientId": "5d0c7a4e-0f6b-4f43-9b1e-7b9f0c1a2b3c", "kind": "mark", "attendanceId": row.pk, "status": "late",
            "version": row.version}  # fmt: skip
    admin_client_portal.post(
        f"/forums/{session.code}/checkin/sync/", {"ops": [mark]}, content_type="application/json"
    )
    session_page = admin_client_portal.get(f"/forums/{session.code}/").content.decode()
    assert "ประหยัด" in session_page  # the name was there, in the table and the history
    old_code = person.code

    confirm = admin_client_portal.get(f"/people/{old_code}/anonymize/")
    assert confirm.status_code == 200 and page(confirm).select_one("#anonymize-form") is not None
    assert Person.objects.get(pk=person.pk).anonymized_at is None  # asking is not doing
    response = admin_client_portal.post(f"/people/{old_code}/anonymize/")
    new_code = f"ANON-{person.pk}"
    assert response.status_code == 302 and response["Location"] == f"/people/{new_code}/"

    leftovers = ("ประหยัด", "สุขใจ", "089-999-1234", "prayat@example.org", old_code)
    pages = {
        "person": admin_client_portal.get(f"/people/{new_code}/"),
        "session": admin_client_portal.get(f"/forums/{session.code}/"),
        "json": admin_client_portal.get(f"/people/{new_code}/export.json"),
        "csv": admin_client_portal.get(f"/people/{new_code}/export.csv"),
        "list": admin_client_portal.get("/people/", {"active": "all"}),
    }
    for name, response in pages.items():
        assert response.status_code == 200, name
        text = response.content.decode("utf-8-sig")
        assert not [word for word in leftovers if word in text], name
    assert admin_client_portal.get(f"/people/{old_code}/").status_code == 404
    found = page(admin_client_portal.get("/people/", {"active": "all", "q": "ประหยัด"}))
    assert not found.select("#people-table tbody a")
    history = session_history(session)
    assert history and all("ประหยัด" not in change.what for change in history)
    assert f"ผู้ถูกลบข้อมูล {person.pk}" in pages["session"].content.decode()
    assert Attendance.objects.get(pk=row.pk).status == "late"


# Retention -------------------------------------------------------------------------------------------------


def retention_world():
    """People around the ten-year line, with the expected outcome of each."""
    old, recent = years_ago(10, days=30), years_ago(2)
    old_session = make_session(date=old, status="held")
    recent_session = make_session(date=recent, status="held")
    people = {
        "inactive, last forum long ago": (make_person(is_active=False), [old_session], True),
        "inactive, came back recently": (make_person(is_active=False), [old_session, recent_session], False),
        "active, last forum long ago": (make_person(), [old_session], False),
        "inactive, never at a forum, recorded long ago": (make_person(is_active=False), [], True),
        "inactive, never at a forum, recorded recently": (make_person(is_active=False), [], False),
    }
    for person, sessions, _expired in people.values():
        for session in sessions:
            make_attendance(session, person, status="present")
    Person.objects.filter(pk=people["inactive, never at a forum, recorded long ago"][0].pk).update(
        created_at=timezone.now() - dt.timedelta(days=365 * 11)
    )
    # Last seen long ago as an invitee, but recently as someone's representative: not expired
    stand_in = make_person("WU", is_active=False)
    make_attendance(old_session, stand_in, status="present")
    make_attendance(recent_session, make_person("WU"), status="represented", representative=stand_in)
    people["inactive, represented someone recently"] = (stand_in, [], False)
    return {name: (person, expired) for name, (person, _sessions, expired) in people.items()}


def old_records():
    long_ago = timezone.now() - dt.timedelta(days=365 * 11)
    person, session = make_person(), make_session()
    Reminder.objects.create(session=session, person=person)
    Reminder.objects.filter(pk=Reminder.objects.create(session=make_session(), person=person).pk).update(
        sent_at=long_ago
    )
    CalendarFeed.objects.create(person=person)  # live: stays
    CalendarFeed.objects.create(person=make_person(), revoked_at=timezone.now())
    PersonAccessLog.objects.create(person=person)
    PersonAccessLog.objects.filter(pk=PersonAccessLog.objects.create(person=person).pk).update(
        opened_at=long_ago
    )
    AccessLog.objects.create(username="x", ip_address="10.0.0.1", user_agent="t")
    AccessLog.objects.filter(pk=AccessLog.objects.create(username="y", ip_address="10.0.0.2").pk).update(
        attempt_time=long_ago
    )


def database_state():
    return {
        "people": sorted(Person.objects.values_list()),
        "reminders": Reminder.objects.count(),
        "feeds": CalendarFeed.objects.count(),
        "log": PersonAccessLog.objects.count(),
        "axes": AccessLog.objects.count(),
        "attendance": sorted(Attendance.objects.values_list()),
    }


def test_apply_retention_dry_run_counts_and_writes_nothing(settings):
    settings.PDPA_RETENTION_YEARS = 10
    retention_world()
    old_records()
    before = database_state()
    output = call_command_output("apply_retention", "--dry-run")
    assert database_state() == before
    assert "Dry run" in output
    counts = {line.split(None, 1)[1]: int(line.split()[0]) for line in output.splitlines()[1:]}
    assert counts["people anonymized / ทำให้เป็นข้อมูลนิรนาม (คน)"] == 2
    assert counts["reminder records deleted / ลบบันทึกการแจ้งเตือน"] == 1
    assert counts["calendar addresses deleted / ลบที่อยู่ปฏิทิน"] == 1
    assert counts["person access-log entries deleted / ลบบันทึกการเปิดดูข้อมูลบุคคล"] == 1
    assert counts["login records deleted / ลบบันทึกการเข้าสู่ระบบ"] == 1


def test_apply_retention_anonymizes_exactly_the_expired_people_and_is_idempotent(settings, monkeypatch):
    settings.PDPA_RETENTION_YEARS = 10
    monkeypatch.setattr(pdpa, "RETENTION_BATCH", 1)  # two expired people: two batches
    world = retention_world()
    already = pdpa.anonymize(make_person(is_active=False))
    before = figures()
    output = call_command_output("apply_retention")
    assert "Done" in output
    anonymized = set(Person.objects.filter(anonymized_at__isnull=False).values_list("pk", flat=True))
    expected = {person.pk for person, expired in world.values() if expired} | {already.pk}
    assert anonymized == expected
    assert Person.objects.get(pk=already.pk).anonymized_at == already.anonymized_at
    assert figures() == before
    again = pdpa.apply_retention(10)
    assert again == dict.fromkeys(again, 0)


def test_apply_retention_deletes_only_the_records_past_the_retention(settings):
    settings.PDPA_RETENTION_YEARS = 10
    old_records()
    counts = pdpa.apply_retention(10)
    assert counts == {"reminders": 1, "calendar_feeds": 1, "person_access_log": 1, "login_attempts": 0,
                      "login_failures": 0, "login_log": 1, "people_anonymized": 0}  # fmt: skip
    assert Reminder.objects.count() == 1 and Reminder.objects.get().sent_at > timezone.now() - dt.timedelta(1)
    assert list(CalendarFeed.objects.values_list("revoked_at", flat=True)) == [None]
    assert PersonAccessLog.objects.count() == 1 and AccessLog.objects.get().username == "x"


def test_apply_retention_follows_the_years_given(settings):
    settings.PDPA_RETENTION_YEARS = 10
    person = make_person(is_active=False)
    make_attendance(make_session(date=years_ago(3), status="held"), person, status="present")
    call_command_output("apply_retention")
    assert Person.objects.get(pk=person.pk).anonymized_at is None
    call_command_output("apply_retention", "--years", "2")
    assert Person.objects.get(pk=person.pk).anonymized_at is not None
    with pytest.raises(CommandError):
        call_command("apply_retention", "--years", "0")
