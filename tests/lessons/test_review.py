"""Review that means something: with review on, only a reviewer who is not the author publishes; the author sees
the reviewer's comments; every publication, unpublication and re-freeze is recorded and shown."""

import datetime as dt

import pytest
from bs4 import BeautifulSoup
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from lessons import services
from lessons.models import LessonNote, NoteEvent
from tests.factories import make_user

pytestmark = pytest.mark.django_db


def page(response):
    return BeautifulSoup(response.content, "html.parser")


@pytest.fixture
def author():
    return make_user("facilitator")


@pytest.fixture
def note(author):
    return LessonNote.objects.create(
        title="บันทึกรอตรวจ",
        slug="in-review",
        author=author,
        body="<p>เนื้อหา</p>",
        report_scope={"from": None, "to": None, "circle": "all", "tambon": None, "roles": None},
    )


def test_an_author_cannot_publish_their_own_note_when_review_is_on(client, author, note):
    client.force_login(author)
    assert client.post("/lessons/in-review/publish/").status_code == 403
    with pytest.raises(PermissionDenied):
        services.publish(note, author)
    # Not even a lead or an administrator publishes their own note.
    lead = make_user("facilitator_lead")
    own = LessonNote.objects.create(title="ของหัวหน้า", slug="lead-own", author=lead)
    with pytest.raises(PermissionDenied):
        services.publish(own, lead)
    html = page(client.get("/lessons/in-review/"))
    assert html.select_one('form[action$="/publish/"]') is None
    note.refresh_from_db()
    assert note.status == LessonNote.Status.DRAFT


def test_the_author_submits_the_reviewer_comments_and_the_author_reads_them(client, author, note):
    client.force_login(author)
    client.post("/lessons/in-review/submit/")
    lead = make_user("facilitator_lead")
    client.force_login(lead)
    assert client.get("/lessons/in-review/").status_code == 200  # a reviewer reads notes in review
    assert "in-review" in client.get("/lessons/mine/").content.decode()  # listed to review
    client.post("/lessons/in-review/return/", {"message": "ช่วยเพิ่มหลักฐานของบทเรียนข้อแรก"})
    note.refresh_from_db()
    assert note.status == LessonNote.Status.DRAFT
    client.force_login(author)
    review = page(client.get("/lessons/in-review/")).select_one("#review")
    assert "ช่วยเพิ่มหลักฐานของบทเรียนข้อแรก" in review.text
    # A reader of the published note does not see the review.
    client.post("/lessons/in-review/submit/")
    client.force_login(lead)
    assert client.post("/lessons/in-review/publish/").status_code == 302
    client.logout()
    html = page(client.get("/lessons/in-review/"))
    assert html.select_one("#review") is None
    assert "ช่วยเพิ่มหลักฐาน" not in html.text


def test_a_coordinator_or_another_facilitator_cannot_review(client, author, note):
    services.submit(note, author)
    for role in ("facilitator", "coordinator", "governor_office"):
        client.force_login(make_user(role))
        assert client.post("/lessons/in-review/publish/").status_code == 404
        assert client.post("/lessons/in-review/return/", {"message": "x"}).status_code == 404


def test_with_review_off_the_author_publishes(client, author, note, settings):
    settings.LESSONS_REQUIRE_REVIEW = False
    client.force_login(author)
    assert client.post("/lessons/in-review/publish/").status_code == 302
    note.refresh_from_db()
    assert note.is_published


def test_every_publication_unpublication_and_refreeze_is_recorded_and_shown(client, author, note):
    lead = make_user("facilitator_lead", first_name="สมหญิง", last_name="ตรวจดี")
    services.publish(note, lead)
    first = note.published_at
    services.unpublish(note, lead)
    services.publish(note, lead)
    services.refreeze(note, lead)
    kinds = list(note.events.values_list("kind", flat=True))
    assert kinds == ["published", "unpublished", "published", "refrozen", "refrozen"]
    note.refresh_from_db()
    assert note.published_at == first  # the first publication date stays on the label

    NoteEvent.objects.filter(note=note, kind="published").update(
        created_at=timezone.make_aware(dt.datetime(2026, 12, 12, 10))
    )
    NoteEvent.objects.filter(note=note, kind="refrozen").update(
        created_at=timezone.make_aware(dt.datetime(2027, 1, 3, 10))
    )
    client.logout()
    record = page(client.get("/lessons/in-review/")).select_one("#publication-record").text
    assert "12 ธ.ค. 2569" in record and "3 ม.ค. 2570" in record and "สมหญิง ตรวจดี" in record
    assert "ตัวเลขถูกตรึงใหม่" in record
