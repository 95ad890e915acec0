"""Thai full-text search (lessons/search.py). Every test runs on SQLite and on PostgreSQL (DATABASE_URL)."""

import socket

import pytest
from bs4 import BeautifulSoup
from django.db import connection
from django.test.utils import CaptureQueriesContext

from agencies.models import KmRole, Tambon
from lessons import search
from lessons.models import KeyLesson, LessonNote, Tag
from tests.factories import make_user

pytestmark = pytest.mark.django_db

BANG_CHAK_FUND = "องค์กรการเงินชุมชนตำบลบางจาก"


@pytest.fixture(autouse=True, scope="module")
def fresh_dictionary():
    """The dictionary holds the tambons of the database it was built from: build it from the test database."""
    search.reset_dictionary()


@pytest.fixture
def author(db):
    return make_user()


@pytest.fixture
def make_note(author):
    made = []

    def make(title="บันทึกเวที", body="", summary="", lessons=(), tags=(), status="published"):
        note = LessonNote.objects.create(
            title=title,
            slug=f"note-{len(made) + 1}",
            author=author,
            summary=summary,
            body=body,
            status=status,
        )
        for order, (text, evidence) in enumerate(lessons):
            KeyLesson.objects.create(note=note, order=order, text=text, evidence=evidence, role=KmRole.KIT)
        for name in tags:
            note.tags.add(Tag.objects.get_or_create(name=name, defaults={"slug": f"tag-{name}"})[0])
        search.refresh_search_text(note)
        made.append(note)
        return note

    return make


def found(query, notes=None):
    return [result.note for result in search.search(query, notes or LessonNote.objects.all())]


def marks(snippet):
    return [mark.get_text() for mark in BeautifulSoup(snippet, "html.parser").find_all("mark")]


def test_segment_keeps_tambon_names_and_km_roles_whole():
    assert search.segment(BANG_CHAK_FUND) == "องค์กร การเงิน ชุมชน ตำบล บางจาก"
    assert search.segment("คุณอำนวยชวนคุณกิจคุย").split()[::2] == ["คุณอำนวย", "คุณกิจ"]
    assert search.segment("ตำบลมะม่วงสองต้นกับท่าไร่") == "ตำบล มะม่วงสองต้น กับ ท่าไร่"


def test_dictionary_takes_the_tambon_names_from_the_database():
    assert search.segment("ตำบลปากพูน") == "ตำบล ปาก พูน"
    Tambon.objects.create(code="800110", district_id="8001", name_th="ปากพูน", name_en="Pak Phun")
    search.reset_dictionary()
    try:
        assert search.segment("ตำบลปากพูน") == "ตำบล ปากพูน"
    finally:
        search.reset_dictionary()  # the tambon goes with the test's transaction; so must the dictionary


def test_segment_reads_mixed_thai_and_latin_and_drops_punctuation():
    assert search.segment("KM ตำบลบางจาก") == "km ตำบล บางจาก"
    assert search.segment("(BAAC), ธ.ก.ส. และ ธกส!") == "baac ธกส และ ธกส"
    assert search.segment("ปี ๒๕๔๘ เด็กๆ") == "ปี 2548 เด็ก"
    assert search.segment("<p>ตำบล<b>บางจาก</b></p>") == "ตำบล บางจาก"
    assert search.segment(" ... !? ") == ""


def test_query_for_a_tambon_finds_it_inside_a_compound_word(make_note):
    fund = make_note(body=f"<p>ประวัติ{BANG_CHAK_FUND}</p>")
    make_note(body="<p>กลุ่มออมทรัพย์ตำบลท่าไร่</p>")
    assert found("บางจาก") == [fund]
    assert found("การเงินชุมชน") == [fund]
    assert found("ตำบลบางจาก") == [fund]


def test_query_mixing_latin_and_thai_needs_both_words(make_note):
    both = make_note(body="<p>ธ.ก.ส. (BAAC) สนับสนุนกลุ่มออมทรัพย์</p>")
    make_note(body="<p>กลุ่มออมทรัพย์ตำบลท่าไร่</p>")
    make_note(body="<p>BAAC ปล่อยสินเชื่อ</p>")
    assert found("BAAC ออมทรัพย์") == [both]
    assert found("baac ออมทรัพย์") == [both]
    assert found("ธ.ก.ส") == [both]


def test_word_split_across_a_line_break_is_found(make_note):
    # Plain-text fields keep the break (a stored body is normalized HTML, where a break is a space).
    wrapped = make_note(summary="เวทีที่ตำบลบาง\nจากเมื่อปีที่แล้ว", lessons=[("ประชุมที่ท่า\r\nไร่", "")])
    assert found("บางจาก") == [wrapped]
    assert found("ท่าไร่") == [wrapped]
    assert marks(search.search("บางจาก", LessonNote.objects.all())[0].snippet) == ["บางจาก"]


def test_key_lessons_their_evidence_and_tags_are_searched(make_note):
    note = make_note(
        body="<p>เวทีคุณกิจ</p>",
        lessons=[("จดบัญชีครัวเรือนทุกเดือน", "สมุดของสมาชิกสามสิบราย")],
        tags=["สวัสดิการ"],
    )
    make_note(body="<p>เวทีคุณกิจอีกครั้ง</p>")
    assert found("บัญชีครัวเรือน") == [note]
    assert found("สมุด") == [note]
    assert found("สวัสดิการ") == [note]
    assert marks(search.search("บัญชีครัวเรือน", LessonNote.objects.all())[0].snippet) == ["บัญชี", "ครัวเรือน"]


def test_note_with_the_word_in_its_title_and_often_ranks_first(make_note):
    once = make_note(title="เวทีคุณอำนวย", body="<p>ไปดูงานที่บางจาก</p>")
    often = make_note(
        title="บทเรียนจากบางจาก", body="<p>บางจากออมทรัพย์</p><p>สมาชิกบางจากเพิ่มขึ้น</p><p>บางจากจัดสวัสดิการ</p>"
    )
    results = search.search("บางจาก", LessonNote.objects.all())
    assert [result.note for result in results] == [often, once]
    assert results[0].rank > results[1].rank > 0


def test_words_in_order_rank_above_the_same_words_apart(make_note):
    apart = make_note(body="<p>ชุมชนเข้มแข็ง เรื่องการเงินของครัวเรือน</p>")
    phrase = make_note(body="<p>การเงินชุมชนเข้มแข็ง</p>")
    assert found("การเงินชุมชน") == [phrase, apart]


def test_snippet_marks_the_matched_words_and_escapes_the_text(make_note):
    make_note(
        summary="สรุปเวที",
        body=(
            f"<p>ประวัติ <strong>{BANG_CHAK_FUND}</strong> ก่อตั้งปี ๒๕๔๘</p>"
            "<p>สมาชิกพิมพ์ &lt;script&gt;alert(1)&lt;/script&gt; ลงในเว็บของบางจาก</p>"
        ),
    )
    [result] = search.search("บางจาก", LessonNote.objects.all())
    snippet = BeautifulSoup(result.snippet, "html.parser")
    assert [mark.get_text() for mark in snippet.find_all("mark")] == ["บางจาก", "บางจาก"]
    assert snippet.find("script") is None and snippet.find("strong") is None
    assert "<script>alert(1)</script>" in snippet.get_text()
    assert "&lt;script&gt;" in result.snippet
    assert "<mark>บางจาก</mark>" in result.snippet


def test_snippet_of_a_long_body_is_an_excerpt_around_the_first_match(make_note):
    make_note(body="<p>" + "การประชุมประจำเดือน " * 40 + "ครั้งนี้ไปตำบลบางจาก " + "สรุปผล " * 60 + "</p>")
    [result] = search.search("บางจาก", LessonNote.objects.all())
    text = BeautifulSoup(result.snippet, "html.parser").get_text()
    assert text.startswith("… ") and text.endswith(" …")
    assert len(text) <= search.SNIPPET_LENGTH + 4
    assert marks(result.snippet) == ["บางจาก"]


def test_query_without_a_match_finds_nothing(make_note):
    make_note(body=f"<p>{BANG_CHAK_FUND}</p>")
    assert found("สหกรณ์โคนม") == []


@pytest.mark.parametrize("query", ["", "   ", "!!!", "& | !", ":*", "'", "<b></b>", "<script></script>"])
def test_empty_or_punctuation_query_finds_nothing(make_note, query):
    make_note(body=f"<p>{BANG_CHAK_FUND}</p>")
    assert search.search(query, LessonNote.objects.all()) == []


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("บางจาก | ท่าไร่", []),  # not an OR: both words are required
        ("บางจาก & ท่าไร่", []),
        ("!บางจาก", ["bang_chak"]),  # not a NOT
        ("บางจาก:*", ["bang_chak"]),
        ("'บางจาก'", ["bang_chak"]),
        ("บางจาก') | ('ท่าไร่", []),
        ("บางจาก%", ["bang_chak"]),
        ("ท่าไร่_", ["tha_rai"]),
        ("<script>alert(1)</script>", []),
        ("x'; DROP TABLE lessons_lessonnote; --", []),
    ],
)
def test_query_syntax_characters_are_plain_text(make_note, query, expected):
    notes = {
        "bang_chak": make_note(body=f"<p>{BANG_CHAK_FUND}</p>"),
        "tha_rai": make_note(body="<p>กลุ่มออมทรัพย์ตำบลท่าไร่</p>"),
    }
    assert found(query) == [notes[key] for key in expected]
    assert LessonNote.objects.count() == 2


def test_typo_is_never_a_result_but_a_suggestion_on_every_database(make_note):
    make_note(body=f"<p>{BANG_CHAK_FUND}</p>")
    make_note(body="<p>กลุ่มออมทรัพย์ตำบลท่าไร่</p>")
    assert search.search("บางจาค", LessonNote.objects.all()) == []
    assert search.suggest("บางจาค", LessonNote.objects.all()) == "บางจาก"
    assert search.suggest("ตำรวจ", LessonNote.objects.all()) is None


def test_search_stays_within_the_queryset_given(make_note):
    published = make_note(body=f"<p>{BANG_CHAK_FUND}</p>")
    make_note(body=f"<p>{BANG_CHAK_FUND}</p>", status="draft")
    assert found("บางจาก", LessonNote.objects.published()) == [published]


def test_refresh_search_text_stores_the_segmented_text_without_touching_the_rest(make_note):
    note = make_note(title="เวทีบางจาก", body="<p>สรุป</p>")
    KeyLesson.objects.create(note=note, text="ออมก่อนกู้", role=KmRole.EUA)
    updated_at = LessonNote.objects.get(pk=note.pk).updated_at
    search.refresh_search_text(note)
    stored = LessonNote.objects.get(pk=note.pk)
    assert stored.search_text == "§t เวที บางจาก §k ออม ก่อน กู้ §s §b สรุป "
    assert stored.updated_at == updated_at


@pytest.mark.parametrize("count", [1, 5])
def test_search_query_count_does_not_grow_with_the_results(make_note, count):
    for number in range(count):
        make_note(body=f"<p>{BANG_CHAK_FUND} ครั้งที่ {number}</p>", lessons=[("ออมทุกเดือน", "")])
    search.segment("บางจาก")  # the dictionary, built once per process
    with CaptureQueriesContext(connection) as queries:
        results = search.search("บางจาก", LessonNote.objects.all())
        snippets = [result.snippet for result in results]
    assert len(snippets) == count
    # The stored texts of the matches (phrase check and ranking), the matching notes, their key lessons: the
    # same three queries on every database.
    assert len(queries) == 3, [q["sql"] for q in queries]


def test_segment_never_opens_a_network_connection(monkeypatch):
    connection.ensure_connection()
    search.reset_dictionary()  # the dictionary is built inside the guarded call

    def refuse(*args, **kwargs):
        raise AssertionError("segment() tried to reach the network")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    assert search.segment(f"KM {BANG_CHAK_FUND}") == "km องค์กร การเงิน ชุมชน ตำบล บางจาก"


def test_the_search_page_is_cached_and_follows_a_new_publication(client, make_note):
    """Published notes only, the same for every reader: an answer is read once, and a note published (or its
    key lessons searched anew) shows at once."""
    make_note(title="เวทีบางจาก", body=f"<p>{BANG_CHAK_FUND}</p>")
    url = "/lessons/search/?q=บางจาก"

    def titles():
        page = BeautifulSoup(client.get(url).content, "html.parser")
        return sorted(a.get_text() for a in page.select("#results h2 a"))

    assert titles() == ["เวทีบางจาก"]
    with CaptureQueriesContext(connection) as queries:
        assert titles() == ["เวทีบางจาก"]
    assert not [q for q in queries if "lessons_lessonnote" in q["sql"]]  # nothing of the search read again
    draft = make_note(title="ร่างบางจาก", body=f"<p>{BANG_CHAK_FUND}</p>", status="draft")
    assert titles() == ["เวทีบางจาก"]  # a draft is not found ...
    draft.status = "published"
    draft.save()
    assert titles() == ["ร่างบางจาก", "เวทีบางจาก"]  # ... and found at once once published
    other_url = "/lessons/search/?q=ท่าไร่"

    def found_by_other():
        page = BeautifulSoup(client.get(other_url).content, "html.parser")
        return [a.get_text() for a in page.select("#results h2 a")]

    assert found_by_other() == []  # cached as found nothing
    draft.body = "<p>ออมทุกเดือนที่ท่าไร่</p>"
    LessonNote.objects.filter(pk=draft.pk).update(body=draft.body)  # the body alone: not searched yet
    assert found_by_other() == []
    # The search text written anew is an update that sends no model signal: it empties the cached answers itself.
    search.refresh_search_text(draft)
    assert found_by_other() == ["ร่างบางจาก"]
