"""A person's lesson data for the PDPA export and erasure (lessons/pdpa.py, registered by agencies.pdpa)."""

import pytest
from django.core.files.storage import default_storage

from lessons import attachments, pdpa
from lessons.models import Attachment, Comment, LessonNote, NoteEvent
from tests.factories import make_person, make_user
from tests.lessons.helpers import tiny_png

pytestmark = pytest.mark.django_db


def test_export_and_erase_a_persons_photos_and_writing(django_capture_on_commit_callbacks):
    user = make_user("facilitator")
    person = make_person("CDD")
    person.user = user
    person.save(update_fields=["user"])
    note = LessonNote.objects.create(title="ของเขา", slug="theirs", author=user)
    Comment.objects.create(note=note, author=user, body="ความเห็นของเขา")
    reviewer = make_user("coordinator")
    NoteEvent.objects.create(note=note, kind=NoteEvent.Kind.SUBMITTED, actor=user)
    NoteEvent.objects.create(note=note, kind=NoteEvent.Kind.RETURNED, actor=reviewer, message="เพิ่มบทเรียน")
    shown = attachments.add_attachment(note, tiny_png(), "ภาพที่มีเขา", user, people=[person])
    other = attachments.add_attachment(note, tiny_png(), "ภาพทิวทัศน์", user)
    names = [shown.file.name, shown.thumbnail.name]

    data = pdpa.export_person(person)
    assert [n["slug"] for n in data["lesson_notes"]] == ["theirs"]
    assert [c["body"] for c in data["comments"]] == ["ความเห็นของเขา"]
    assert [a["title"] for a in data["lesson_attachments"]] == ["ภาพที่มีเขา"]
    # Only the steps their own account took, not the reviewer's on their note.
    assert [(e["note"], e["kind"]) for e in data["lesson_note_events"]] == [("theirs", "submitted")]

    with django_capture_on_commit_callbacks(execute=True):  # the files go once the deletion is committed
        assert pdpa.erase_person(person) == 1
    assert list(Attachment.objects.all()) == [other]
    assert not any(default_storage.exists(name) for name in names)
    assert pdpa.export_person(person)["lesson_attachments"] == []
    # The note's history stays as the program's record; erasure unlinks the account from the person instead.
    assert NoteEvent.objects.filter(note=note).count() == 2


def test_the_review_steps_of_a_person_without_an_account_are_none():
    assert pdpa.export_person(make_person("CDD"))["lesson_note_events"] == []
