"""A published note's page for anonymous readers comes from the shared cache (lessons.page_cache): fewer queries,
the same article, and never stale after a write through any path (views, admin, shell); signed-in readers and
the CSRF token of the frame are never served from it."""

import pytest
from bs4 import BeautifulSoup
from django.contrib.auth.models import User
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from agencies.models import Organization
from lessons.models import Comment, LessonNote
from tests.factories import PASSWORD, make_user
from tests.lessons.helpers import publish_as_reviewer

pytestmark = pytest.mark.django_db


@pytest.fixture
def note():
    author = make_user("facilitator")
    note = LessonNote.objects.create(
        title="บันทึกสาธารณะ", slug="public", author=author, body="<p>เนื้อหา</p>", report_scope={"circle": None}
    )
    publish_as_reviewer(note)  # freezes the figures of every circle
    return LessonNote.objects.get(pk=note.pk)


def get(client, url="/lessons/public/"):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return BeautifulSoup(response.content, "html.parser"), len(queries)


def test_a_second_anonymous_view_reads_the_article_from_the_cache(client, note):
    first, first_queries = get(client)
    second, second_queries = get(client)
    assert second.select_one("#note").decode() == first.select_one("#note").decode()
    assert second.select_one("h1").text == "บันทึกสาธารณะ"
    # The note itself is still read (it may have been taken back), nothing else of the article is.
    assert second_queries < first_queries
    assert second_queries == 1


def test_a_comment_a_title_changed_in_the_admin_and_a_renamed_agency_show_at_once(
    client, note, administrator
):
    get(client)
    Comment.objects.create(note=note, author=make_user(), body="ความเห็นใหม่จากเชลล์")
    html, _ = get(client)
    assert "ความเห็นใหม่จากเชลล์" in html.select_one("#comments").text

    admin = Client()
    admin.force_login(administrator)
    form = BeautifulSoup(admin.get(f"/admin/lessons/lessonnote/{note.pk}/change/").content, "html.parser")
    data = {}
    for field in form.select(
        "#lessonnote_form input[name], #lessonnote_form textarea[name], #lessonnote_form select[name]"
    ):
        name = field["name"]
        if field.name == "select":
            chosen = field.select("option[selected]")
            if field.has_attr("multiple"):
                data[name] = [option["value"] for option in chosen]
            elif chosen:
                data[name] = chosen[0]["value"]
        elif field.name == "textarea":
            data[name] = field.text
        elif field.get("type") in ("checkbox", "radio"):
            if field.has_attr("checked"):
                data[name] = field.get("value", "on")
        elif field.get("type") not in ("submit", "file"):
            data[name] = field.get("value", "")
    data["title"] = "ชื่อใหม่ผ่านแอดมิน"
    response = admin.post(f"/admin/lessons/lessonnote/{note.pk}/change/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    html, _ = get(client)
    assert html.select_one("h1").text == "ชื่อใหม่ผ่านแอดมิน"

    cdd = Organization.objects.get(code="CDD")
    cdd.abbr_th = "พช.ใหม่"
    cdd.save()
    html, _ = get(client)
    assert "พช.ใหม่" in html.select_one("#report-table").text


def test_a_note_taken_back_to_draft_is_gone_for_the_public_at_once(client, note, administrator):
    get(client)
    LessonNote.objects.filter(pk=note.pk).update(status=LessonNote.Status.DRAFT)  # not even a signal
    assert client.get("/lessons/public/").status_code == 404


def test_a_login_does_not_empty_the_pages_but_signed_in_readers_never_get_the_public_article(client, note):
    _, cold = get(client)
    author = User.objects.get(pk=note.author_id)
    signed_in = Client()
    logged_in = signed_in.post("/accounts/login/", {"username": author.username, "password": PASSWORD})
    assert logged_in.status_code == 302  # and last_login written
    html, _ = get(signed_in)
    assert html.select_one("#note-actions") is not None  # the author's own buttons
    anonymous, warm = get(client)
    assert anonymous.select_one("#note-actions") is None
    assert warm < cold  # still cached: the login wrote last_login only


def test_the_frame_of_a_cached_page_carries_a_working_csrf_token(note):
    reader = Client(enforce_csrf_checks=True)
    get(reader)
    html, _ = get(reader)  # from the cache
    token = html.select_one('form[action="/i18n/setlang/"] input[name=csrfmiddlewaretoken]')["value"]
    response = reader.post(
        "/i18n/setlang/", {"language": "en", "next": "/lessons/public/", "csrfmiddlewaretoken": token}
    )
    assert response.status_code == 302
    english, _ = get(reader)
    assert english.select_one("html")["lang"] == "en"
