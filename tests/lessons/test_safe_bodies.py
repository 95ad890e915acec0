"""Hostile HTML in a note body comes out sanitized on the public page, whichever way it was written."""

import pytest
from bs4 import BeautifulSoup

from lessons.models import LessonNote
from tests.factories import make_user
from tests.lessons.helpers import publish_as_reviewer

pytestmark = pytest.mark.django_db

HOSTILE = (
    '<p>ก่อน<script>alert(1)</script><img src=x onerror="alert(2)">'
    '<a href="javascript:alert(3)">ลิงก์ปลอม</a><a href="https://example.org" onclick="x()">ดี</a></p>'
    '<form action="https://evil.example"><input name="password"></form><style>body{display:none}</style>'
    '<iframe src="https://evil.example"></iframe><p style="color:red">หลัง</p>'
)


def assert_clean(body_html):
    soup = BeautifulSoup(body_html, "html.parser")
    assert soup.find(["script", "img", "form", "input", "style", "iframe"]) is None
    for tag in soup.find_all(True):
        assert not any(name.startswith("on") or name == "style" for name in tag.attrs), tag
    hrefs = [a["href"] for a in soup.find_all("a") if a.has_attr("href")]
    assert hrefs == ["https://example.org"]
    assert "ก่อน" in soup.text and "หลัง" in soup.text and "ลิงก์ปลอม" in soup.text


def public_body(client, note):
    client.logout()
    response = client.get(note.get_absolute_url())
    assert response.status_code == 200
    return str(BeautifulSoup(response.content, "html.parser").select_one(".note-body"))


def test_the_model_stores_only_what_render_body_allows(client):
    note = LessonNote.objects.create(
        title="ผ่านโมเดล", slug="model", author=make_user("facilitator"), body=HOSTILE
    )
    assert_clean(LessonNote.objects.get(pk=note.pk).body)
    publish_as_reviewer(note)
    assert_clean(public_body(client, note))


def test_bulk_create_sanitizes_too():
    author = make_user("facilitator")
    LessonNote.objects.bulk_create([LessonNote(title="ก้อน", slug="bulk", author=author, body=HOSTILE)])
    assert_clean(LessonNote.objects.get(slug="bulk").body)


def test_a_row_written_around_the_model_is_still_rendered_sanitized(client):
    note = LessonNote.objects.create(
        title="ผ่าน SQL", slug="raw", author=make_user("facilitator"), body="<p>x</p>"
    )
    publish_as_reviewer(note)
    LessonNote.objects.filter(pk=note.pk).update(body=HOSTILE)  # update() skips the field's pre_save
    assert_clean(public_body(client, note))


def admin_form(**fields):
    data = {
        "title": "ผ่านแอดมิน",
        "slug": "admin-note",
        "summary": "",
        "body": HOSTILE,
        "key_lessons-TOTAL_FORMS": "1",
        "key_lessons-INITIAL_FORMS": "0",
        "key_lessons-MIN_NUM_FORMS": "0",
        "key_lessons-MAX_NUM_FORMS": "1000",
        "key_lessons-0-order": "0",
        "key_lessons-0-text": "ผู้ตรวจสอบบัญชีช่วยได้มาก",
        "key_lessons-0-role": "kit",
        "key_lessons-0-evidence": "",
        "attachments-TOTAL_FORMS": "0",
        "attachments-INITIAL_FORMS": "0",
        "attachments-MIN_NUM_FORMS": "0",
        "attachments-MAX_NUM_FORMS": "1000",
        "events-TOTAL_FORMS": "0",
        "events-INITIAL_FORMS": "0",
        "events-MIN_NUM_FORMS": "0",
        "events-MAX_NUM_FORMS": "1000",
    }
    data.update(fields)
    return data


def test_hostile_html_through_the_admin_add_and_change_forms(client):
    admin = make_user("administrator", is_staff=True)
    client.force_login(admin)
    response = client.post("/admin/lessons/lessonnote/add/", admin_form(author=str(admin.pk)))
    assert response.status_code == 302, response.content.decode()[:3000]
    note = LessonNote.objects.get(slug="admin-note")
    assert_clean(note.body)
    # The admin goes through the one save path: the key lesson is in the search text.
    assert "ตรวจสอบ" in note.search_text

    change = admin_form(
        author=str(admin.pk),
        body=HOSTILE.replace("ก่อน", "ก่อนแก้"),
        **{"key_lessons-INITIAL_FORMS": "1", "key_lessons-0-id": str(note.key_lessons.get().pk)},
        **{"key_lessons-0-note": str(note.pk)},
    )
    response = client.post(f"/admin/lessons/lessonnote/{note.pk}/change/", change)
    assert response.status_code == 302, response.content.decode()[:3000]
    note.refresh_from_db()
    assert "ก่อนแก้" in note.body
    assert_clean(note.body)
    publish_as_reviewer(note)
    assert_clean(public_body(client, note))
