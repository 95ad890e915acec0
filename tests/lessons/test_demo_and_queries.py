"""The demo notes (written for the demo) and the query counts of the lesson pages, pinned with 1 and 50 rows."""

import pytest
from bs4 import BeautifulSoup
from django.db import connection
from django.test.utils import CaptureQueriesContext

from agencies.models import KmRole
from lessons import attachments, demo, search, services
from lessons.models import LessonNote, NoteEvent, Tag
from tests.factories import make_user
from tests.lessons.helpers import publish_as_reviewer, tiny_png

pytestmark = pytest.mark.django_db


def test_demo_notes_are_published_by_a_reviewer_and_khwamsuk_finds_only_the_one_that_has_it():
    search.reset_dictionary()
    make_user("facilitator", username="facilitator")
    make_user("administrator", username="admin", is_staff=True)
    assert demo.build_demo_notes() == len(demo.NOTES)
    published = LessonNote.objects.published()
    assert published.count() == len(demo.NOTES)
    assert not NoteEvent.objects.filter(kind="published", actor__username="facilitator").exists()
    found = [result.note.title for result in search.search("ความสุข", published)]
    assert found == [n["title"] for n in demo.NOTES if "ความสุข" in str(n)]
    assert len(found) == 1
    assert [r.note.title for r in search.search("ตรวจสอบ", published)] == [
        n["title"] for n in demo.NOTES if "ผู้ตรวจสอบบัญชี" in str(n)
    ]
    assert search.search("ตำรวจ", published) == [] and search.search("เกษียณ", published) == []


def test_tags_are_created_while_writing(client):
    client.force_login(make_user("facilitator"))
    Tag.objects.create(name="การออม", slug="saving")
    data = {
        "title": "ป้ายใหม่",
        "summary": "",
        "body": "x",
        "session_codes": "",
        "new_tags": "หนี้นอกระบบ, การออม ,  หนี้นอกระบบ",
        "lessons-TOTAL_FORMS": "0",
        "lessons-INITIAL_FORMS": "0",
        "lessons-MIN_NUM_FORMS": "0",
        "lessons-MAX_NUM_FORMS": "20",
    }
    assert client.post("/lessons/new/", data).status_code == 302
    note = LessonNote.objects.get()
    assert sorted(note.tags.values_list("name", flat=True)) == ["การออม", "หนี้นอกระบบ"]
    assert Tag.objects.count() == 2
    assert [r.note for r in search.search("หนี้นอกระบบ", LessonNote.objects.all())] == [note]


def make_published(author, reviewer, count, photos=0):
    notes = []
    for index in range(count):
        note = LessonNote(title=f"บันทึกสวัสดิการ {index}", author=author, body="<p>สวัสดิการชุมชน</p>")
        services.save_note(
            note, key_lessons=[(KmRole.KIT, f"บทเรียน {index}", "หลักฐาน")], tag_names=[f"ป้าย {index % 3}"]
        )
        for number in range(photos):
            attachments.add_attachment(note, tiny_png(), f"ภาพ {number}", author)
        publish_as_reviewer(note, reviewer)
        notes.append(note)
    return notes


def count_queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize("url", ["/lessons/assets/", "/lessons/search/?q=สวัสดิการ", "/lessons/"])
def test_list_pages_take_as_many_queries_for_1_note_as_for_50(client, url):
    author, reviewer = make_user("facilitator"), make_user("facilitator_lead")
    make_published(author, reviewer, 1)
    one = count_queries(client, url)
    make_published(author, reviewer, 49)
    assert count_queries(client, url) == one


def test_the_note_page_takes_as_many_queries_with_1_photo_and_event_as_with_50(client):
    author, reviewer = make_user("facilitator"), make_user("facilitator_lead")
    small = make_published(author, reviewer, 1, photos=1)[0]
    big = make_published(author, reviewer, 1, photos=50)[0]
    for _ in range(49):
        services.review_comment(big, reviewer, "ดี")
    client.force_login(author)  # the author also sees the review record
    assert count_queries(client, small.get_absolute_url()) == count_queries(client, big.get_absolute_url())
    html = BeautifulSoup(client.get(big.get_absolute_url()).content, "html.parser")
    assert len(html.select("#photos img")) == 50
