"""A person's data in lessons, for the PDPA export and erasure, registered with agencies.pdpa.

- export: the notes and comments they wrote and the review and publication steps they took (through their
  linked account), and the photos and documents that show or name them (Attachment.people);
- erase: the photos and documents that show them are deleted with their files, since a face cannot be
  anonymized; what they wrote and the review steps they took stay, as the program's record, without their name
  once the account is unlinked.

Kept apart from agencies.pdpa so that agencies imports nothing of lessons: the PDPA module calls these through
its registry.
"""

from django.db import transaction

from agencies import pdpa
from lessons.attachments import delete_attachment
from lessons.models import Attachment, Comment, LessonNote, NoteEvent


def _iso(value):
    return value.isoformat() if value else ""


def export_person(person) -> dict[str, list[dict]]:
    """The lesson sections of a person's export: plain values, ISO dates, slugs rather than titles for links."""
    user = person.user
    data: dict[str, list[dict]] = {
        "lesson_notes": [],
        "comments": [],
        "lesson_note_events": [],
        "lesson_attachments": [],
    }
    if user is not None:
        data["lesson_notes"] = [
            {
                "slug": note.slug,
                "title": note.title,
                "status": note.status,
                "created_at": _iso(note.created_at),
                "published_at": _iso(note.published_at),
            }
            for note in LessonNote.objects.filter(author=user).order_by("created_at")
        ]
        data["comments"] = [
            {"note": c.note.slug, "body": c.body, "is_hidden": c.is_hidden, "created_at": _iso(c.created_at)}
            for c in Comment.objects.filter(author=user).select_related("note").order_by("created_at")
        ]
        # What the account did in review and publication (sent, returned, published, a reviewer's comment).
        data["lesson_note_events"] = [
            {"note": e.note.slug, "kind": e.kind, "message": e.message, "created_at": _iso(e.created_at)}
            for e in NoteEvent.objects.filter(actor=user).select_related("note").order_by("created_at", "pk")
        ]
    data["lesson_attachments"] = [
        {
            "note": a.note.slug,
            "kind": a.kind,
            "title": a.title,
            "file": a.file.name,
            "created_at": _iso(a.created_at),
        }
        for a in Attachment.objects.filter(people=person).select_related("note").order_by("created_at")
    ]
    return data


@transaction.atomic
def erase_person(person) -> int:
    """Delete the photos and documents that show or name the person (files too, after commit); how many."""
    shown = list(Attachment.objects.filter(people=person))
    for attachment in shown:
        delete_attachment(attachment)
    return len(shown)


def erase_people(person_ids, now) -> None:
    """The registry's erasure: inside the anonymization's transaction, for every person chosen."""
    from agencies.models import Person

    for person in Person.objects.filter(pk__in=person_ids):
        erase_person(person)


pdpa.register(
    pdpa.PersonalDataHolder(
        app_label="lessons",
        models=(LessonNote, Comment, NoteEvent, Attachment),
        export=export_person,
        erase=erase_people,
    )
)
