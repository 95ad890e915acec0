"""The shared search corpus: the same Thai notes and queries, the same answers on SQLite and PostgreSQL.

`make test` runs on the database of DATABASE_URL; CI runs it once on each. Both must find exactly the notes
listed in search_corpus.json, in that order, so the two databases give identical results."""

import datetime as dt
import json
from pathlib import Path

import pytest
from django.utils import timezone

from agencies.models import KmRole
from lessons import search, services
from lessons.models import LessonNote
from tests.factories import make_user

CORPUS = json.loads((Path(__file__).parent / "search_corpus.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def corpus_notes(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        search.reset_dictionary()
        author = make_user("facilitator", username="corpus-author")
        keys = {}
        start = timezone.make_aware(dt.datetime(2007, 1, 1, 9))
        for index, data in enumerate(CORPUS["notes"]):
            note = LessonNote(
                title=data["title"],
                summary=data["summary"],
                body=data["body"],
                author=author,
                status=LessonNote.Status.PUBLISHED,
                published_at=start + dt.timedelta(days=index),
            )
            services.save_note(
                note,
                key_lessons=[(KmRole.KIT, text, evidence) for text, evidence in data["lessons"]],
                tag_names=data["tags"],
            )
            keys[note.pk] = data["key"]
        yield keys
        LessonNote.objects.filter(pk__in=keys).delete()
        author.delete()


def test_the_corpus_has_forty_queries_or_more():
    assert len(CORPUS["queries"]) >= 40


@pytest.mark.django_db
@pytest.mark.parametrize("case", CORPUS["queries"], ids=[case["q"] for case in CORPUS["queries"]])
def test_corpus_query(corpus_notes, case):
    results = search.search(case["q"], LessonNote.objects.published().filter(pk__in=corpus_notes))
    assert [corpus_notes[result.note.pk] for result in results] == case["expect"], case.get("why", "")
