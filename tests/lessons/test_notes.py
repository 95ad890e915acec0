import datetime as dt

import pytest
from bs4 import BeautifulSoup
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from agencies.models import KmRole
from forums import services as forum_services
from lessons import services
from lessons.models import Comment, LessonNote
from tests.factories import make_attendance, make_person, make_session, make_user
from tests.lessons.helpers import publish_as_reviewer

pytestmark = pytest.mark.django_db


def page(response):
    return BeautifulSoup(response.content, "html.parser")


def note_form(**fields):
    data = {
        "title": "บทเรียนวงคุณเอื้อ",
        "summary": "สรุปสั้น",
        "body": "ย่อหน้าแรก\n\nย่อหน้าที่สอง",
        "session_codes": "",
        "lessons-TOTAL_FORMS": "2",
        "lessons-INITIAL_FORMS": "0",
        "lessons-MIN_NUM_FORMS": "0",
        "lessons-MAX_NUM_FORMS": "20",
        "lessons-0-text": "ผู้ว่าฯ มา หน่วยงานก็มา",
        "lessons-0-role": "eua",
        "lessons-0-evidence": "",
        "lessons-1-text": "คุณอำนวยสรุปประเด็นก่อนประชุม",
        "lessons-1-role": "amnuay",
        "lessons-1-evidence": "",
    }
    data.update(fields)
    return data


@pytest.fixture
def facilitator(client):
    user = make_user("facilitator")
    client.force_login(user)
    return user


def eua_session(status="present", day=dt.date(2006, 3, 1)):
    session = make_session(circle="eua", status="held", date=day)
    make_attendance(session, make_person("CDD", KmRole.EUA), status=status)
    make_attendance(session, make_person("WU", KmRole.EUA), status="absent")
    return session


def test_a_facilitator_writes_a_note_with_key_lessons_and_a_thai_slug(client, facilitator):
    response = client.post("/lessons/new/", note_form())
    note = LessonNote.objects.get()
    assert response.status_code == 302 and response["Location"] == note.get_absolute_url()
    assert note.slug == "บทเรียนวงคุณเอื้อ"  # vowel and tone marks kept
    assert note.author == facilitator and note.status == LessonNote.Status.DRAFT
    assert [k.text for k in note.key_lessons.all()] == ["ผู้ว่าฯ มา หน่วยงานก็มา", "คุณอำนวยสรุปประเด็นก่อนประชุม"]
    assert note.body == "<p>ย่อหน้าแรก</p><p>ย่อหน้าที่สอง</p>"
    assert client.get(note.get_absolute_url()).status_code == 200


def test_preview_shows_the_sanitized_body_and_saves_nothing(client, facilitator):
    response = client.post("/lessons/new/", note_form(body="<p>ดี</p><script>alert(1)</script>", preview="1"))
    preview = page(response).select_one("#preview")
    assert preview is not None and preview.select_one("script") is None and "ดี" in preview.text
    assert LessonNote.objects.count() == 0


def test_publishing_freezes_the_report_and_later_attendance_does_not_change_it(client, facilitator):
    session = eua_session()
    client.post(
        "/lessons/new/",
        note_form(
            include_report="on", report_circle="eua", report_start="01/01/2549", report_end="31/12/2549"
        ),
    )
    note = LessonNote.objects.get()
    client.post(f"/lessons/{note.slug}/submit/")
    client.force_login(make_user("facilitator_lead"))
    client.post(f"/lessons/{note.slug}/publish/")
    note.refresh_from_db()
    frozen = {row["code"]: row["attendance_rate"] for row in note.report_snapshot["agencies"]}
    assert frozen["CDD"] == 1.0 and frozen["WU"] == 0.0
    assert "first_name" not in str(note.report_snapshot)  # agency figures only

    # A coordinator corrects WU's mark afterwards: the published figures stay, a notice says the live ones differ.
    wu_row = session.attendances.get(organization__code="WU")
    forum_services.save_marks(session, [forum_services.Mark(wu_row.pk, "present", wu_row.version)])
    client.logout()
    # An anonymous reader never makes the portal recompute: nothing cached since the mark, so no notice yet.
    with CaptureQueriesContext(connection) as queries:
        html = page(client.get(note.get_absolute_url()))
    assert not any("forums_agencyturnout" in q["sql"] for q in queries.captured_queries)
    assert html.select_one("#live-differs") is None
    # Once a signed-in reader has looked (the author here; the dashboard does the same), the notice shows.
    client.force_login(facilitator)
    client.get(note.get_absolute_url())
    client.logout()
    html = page(client.get(note.get_absolute_url()))
    wu = html.select_one('#report-table tr[data-agency="WU"] td')
    assert wu.text.strip().startswith("0%")
    assert html.select_one("#live-differs") is not None
    note.refresh_from_db()
    assert {row["code"]: row["attendance_rate"] for row in note.report_snapshot["agencies"]} == frozen


def test_a_published_note_is_public_with_open_graph_tags(client, facilitator):
    note = LessonNote.objects.create(title="บันทึกสาธารณะ", slug="public", author=facilitator, body="<p>x</p>")
    publish_as_reviewer(note)
    client.logout()
    html = page(client.get("/lessons/public/"))
    assert html.select_one('meta[property="og:title"]')["content"] == "บันทึกสาธารณะ"
    assert client.get("/lessons/").status_code == 200


@pytest.mark.parametrize("status", ["draft", "review"])
def test_unpublished_notes_are_seen_only_by_their_author_and_administrators(client, status):
    author = make_user("facilitator")
    note = LessonNote.objects.create(title="ร่าง", slug="draft-note", author=author, status=status)
    url = note.get_absolute_url()
    assert client.get(url).status_code == 404  # anonymous
    client.force_login(make_user("facilitator"))
    assert client.get(url).status_code == 404  # another facilitator
    assert client.get(f"{url}edit/").status_code == 404
    assert client.post(f"{url}publish/").status_code == 404
    client.force_login(make_user("coordinator"))
    assert client.get(url).status_code == 404
    client.force_login(author)
    assert client.get(url).status_code == 200
    client.force_login(make_user("administrator", is_staff=True))
    assert client.get(url).status_code == 200
    assert client.post(f"{url}publish/").status_code == 302
    note.refresh_from_db()
    assert note.is_published


def test_only_facilitators_and_administrators_write_notes(client):
    for role, allowed in (("coordinator", False), ("governor_office", False), ("facilitator", True)):
        client.force_login(make_user(role))
        assert (client.get("/lessons/new/").status_code == 200) is allowed


def test_published_note_can_be_edited_only_by_its_author_or_an_administrator(client):
    author = make_user("facilitator")
    note = LessonNote.objects.create(title="เผยแพร่แล้ว", slug="published", author=author)
    publish_as_reviewer(note)
    client.force_login(make_user("facilitator"))
    assert client.get("/lessons/published/edit/").status_code == 404
    assert client.get("/lessons/published/").status_code == 200


def test_comments_are_posted_counted_hidden_and_rate_limited(client, facilitator):
    note = LessonNote.objects.create(title="มีความเห็น", slug="commented", author=facilitator)
    publish_as_reviewer(note)
    reader = make_user("coordinator")
    client.force_login(reader)
    for index in range(7):
        client.post("/lessons/commented/comments/", {"body": f"ความเห็น {index} <script>x</script>"})
    assert Comment.objects.count() == 5  # the sixth and seventh within ten minutes are refused
    html = page(client.get("/lessons/commented/"))
    assert html.select_one("#comments script") is None
    assert "(5)" in html.select_one("#comments h2").text
    comment = Comment.objects.first()
    assert client.post(f"/lessons/commented/comments/{comment.pk}/hide/").status_code == 403  # not the author
    client.force_login(facilitator)
    client.post(f"/lessons/commented/comments/{comment.pk}/hide/")
    client.post(f"/lessons/commented/comments/{Comment.objects.last().pk}/delete/")
    client.logout()
    html = page(client.get("/lessons/commented/"))
    assert "(3)" in html.select_one("#comments h2").text
    assert client.post("/lessons/commented/comments/", {"body": "x"}).status_code == 302  # to login
    assert Comment.objects.count() == 4


def test_the_feed_lists_published_notes_and_parses_back(client, facilitator):
    import xml.etree.ElementTree as ET

    published = LessonNote.objects.create(title="ในฟีด", slug="in-feed", author=facilitator, summary="สรุป")
    publish_as_reviewer(published)
    LessonNote.objects.create(title="ร่างไม่อยู่ในฟีด", slug="not-in-feed", author=facilitator)
    client.logout()
    response = client.get("/lessons/feed/")
    assert response["Content-Type"].startswith("application/atom+xml")
    atom = "{http://www.w3.org/2005/Atom}"
    entries = ET.fromstring(response.content).findall(f"{atom}entry")
    assert [e.find(f"{atom}title").text for e in entries] == ["ในฟีด"]
    assert entries[0].find(f"{atom}link").get("href").endswith("/lessons/in-feed/")


def test_knowledge_assets_lists_key_lessons_of_published_notes_by_role(client, facilitator):
    client.post("/lessons/new/", note_form())
    note = LessonNote.objects.get()
    client.post("/lessons/new/", note_form(title="ยังเป็นร่าง"))
    publish_as_reviewer(note)
    client.logout()
    html = page(client.get("/lessons/assets/"))
    # Grouped by KM role in the program's order (executives first), drafts left out.
    assert [section["data-role"] for section in html.select("#assets section")] == ["eua", "amnuay"]
    assert [li["data-role"] for li in html.select("#assets li[data-role]")] == ["eua", "amnuay"]


def test_dashboard_counts_notes_published(client, facilitator):
    note = LessonNote.objects.create(title="นับ", slug="counted", author=facilitator)
    publish_as_reviewer(note)
    client.force_login(make_user("governor_office"))
    assert page(client.get("/dashboard/")).select_one('[data-kpi="notes_published"]').text == "1"


def test_the_dashboards_count_of_notes_published_follows_each_publication(client, facilitator):
    # The count is cached under the notes' page version (lessons.page_cache.published_count): every write to a
    # note moves it, the admin's included.
    client.force_login(make_user("governor_office"))

    def shown():
        return page(client.get("/dashboard/")).select_one('[data-kpi="notes_published"]').text

    first = LessonNote.objects.create(title="หนึ่ง", slug="first", author=facilitator)
    publish_as_reviewer(first)
    assert shown() == "1"
    second = LessonNote.objects.create(title="สอง", slug="second", author=facilitator)
    publish_as_reviewer(second)
    assert shown() == "2"
    admin = make_user(is_staff=True, is_superuser=True)
    client.force_login(admin)
    response = client.post(f"/admin/lessons/lessonnote/{second.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302 and not LessonNote.objects.filter(pk=second.pk).exists()
    client.force_login(make_user("governor_office", username="office-2"))
    assert shown() == "1"


def test_thai_slug_keeps_marks_and_is_unique(facilitator):
    assert services.thai_slug("  กองทุน สวัสดิการ: ชุมชน!  ") == "กองทุน-สวัสดิการ-ชุมชน"
    LessonNote.objects.create(title="ซ้ำ", slug="ซ้ำ", author=facilitator)
    assert services.unique_slug("ซ้ำ") == "ซ้ำ-2"
    assert services.thai_slug("!!!") == "note"


def test_published_date_is_shown_in_the_buddhist_era(client, facilitator):
    note = LessonNote.objects.create(title="วันที่", slug="dated", author=facilitator)
    publish_as_reviewer(note)
    LessonNote.objects.filter(pk=note.pk).update(
        published_at=timezone.make_aware(dt.datetime(2006, 10, 25, 10))
    )
    assert (
        "25 ตุลาคม 2549" in page(client.get("/lessons/dated/")).select_one("#note p.text-body-secondary").text
    )
