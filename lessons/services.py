"""Writing and publishing lesson notes: the one save path, review and publication with their record, Thai-safe
slugs, and the frozen report.

Who may do what is decided in lessons/access.py; these functions refuse what it refuses, so that no caller
(view, admin, command, demo) can skip the review."""

import datetime as dt
import re
import unicodedata
from collections.abc import Callable, Iterable

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from analytics import cache as analytics_cache
from analytics.metrics import Scope
from lessons import access, search
from lessons.models import KeyLesson, LessonNote, NoteEvent, Tag

# Thai vowel and tone marks are "marks", not "letters": a slug that keeps only letters would cut Thai words apart.
_SLUG_DROP = re.compile(r"[^\w\u0e31\u0e34-\u0e3a\u0e47-\u0e4e-]+")
_SLUG_DASHES = re.compile(r"[-\s]+")


def thai_slug(text: str, max_length: int = 80) -> str:
    value = unicodedata.normalize("NFC", text or "").strip().lower()
    value = _SLUG_DASHES.sub("-", _SLUG_DROP.sub(" ", value)).strip("-_")
    return value[:max_length].strip("-") or "note"


def unique_slug(title: str, exclude_pk=None) -> str:
    base = thai_slug(title)
    slug, number = base, 2
    taken = LessonNote.objects.exclude(pk=exclude_pk)
    while taken.filter(slug=slug).exists():
        slug = f"{base}-{number}"
        number += 1
    return slug


# The frozen report --------------------------------------------------------------------------------------------


def scope_from_json(data: dict | None) -> Scope | None:
    if not data:
        return None
    return Scope(
        start=dt.date.fromisoformat(data["from"]) if data.get("from") else None,
        end=dt.date.fromisoformat(data["to"]) if data.get("to") else None,
        circle=data.get("circle") or None,
        tambon=data.get("tambon") or None,
        roles=tuple(data["roles"]) if data.get("roles") else None,
    )


def public_figures(report_json: dict) -> dict:
    """The agency-level figures of a report: no person is named in a published note."""
    return {
        "scope": report_json["scope"],
        "sessions_held": report_json["sessions_held"],
        "mean_unison": report_json["mean_unison"],
        "full_house_rate": report_json["full_house_rate"],
        "agencies": report_json["agencies"],
        "co_attendance": report_json["co_attendance"],
    }


def live_figures(note: LessonNote, *, compute_if_missing: bool = True) -> dict | None:
    """Today's figures of the note's scope. With compute_if_missing=False (public pages, which must never
    compute), only what the shared cache holds at the current data version, else None."""
    scope = scope_from_json(note.report_scope)
    if not scope:
        return None
    figures = analytics_cache.report_json(scope, compute_if_missing=compute_if_missing)
    return public_figures(figures) if figures else None


def figures_changed_since_frozen(note: LessonNote, *, compute_if_missing: bool = True) -> bool:
    """Whether the live figures of a published note's scope differ from those frozen at publication.

    With compute_if_missing=False (an anonymous reader) only the shared cache is read: the public cannot make the
    portal recompute the province; a signed-in reader fills the cache."""
    if not (note.is_published and note.report_snapshot and note.report_scope):
        return False
    live = live_figures(note, compute_if_missing=compute_if_missing)
    return bool(live and live["agencies"] != note.report_snapshot["agencies"])


# The one save path ---------------------------------------------------------------------------------------------


def tag_for_name(name: str) -> Tag:
    """The tag of this name, created when it is new (tags are made while writing)."""
    name = " ".join(name.split())[:100]
    tag = Tag.objects.filter(name__iexact=name).first()
    if tag is None:
        slug, number = thai_slug(name), 2
        base = slug
        while Tag.objects.filter(slug=slug).exists():
            slug, number = f"{base}-{number}", number + 1
        tag = Tag.objects.create(name=name, slug=slug)
    return tag


@transaction.atomic
def save_note(
    note: LessonNote,
    *,
    save_related: Callable[[LessonNote], None] | None = None,
    key_lessons: Iterable[tuple[str, str, str]] | None = None,
    tag_names: Iterable[str] = (),
) -> LessonNote:
    """Save a note with its key lessons and tags, then its search text, in one transaction.

    The body is sanitized by the model field itself (LessonNote.body), whatever calls this. ``save_related``
    saves what a form or the admin edited alongside (m2m, inline key lessons); ``key_lessons`` (role, text,
    evidence) replaces the key lessons for callers without a form (the demo, imports); ``tag_names`` adds tags,
    creating new ones."""
    if not note.slug:
        note.slug = unique_slug(note.title)
    note.save()
    if save_related is not None:
        save_related(note)
    if key_lessons is not None:
        note.key_lessons.all().delete()
        KeyLesson.objects.bulk_create(
            KeyLesson(note=note, order=order, role=role, text=text, evidence=evidence)
            for order, (role, text, evidence) in enumerate(key_lessons)
        )
    names = [name for name in tag_names if name.strip()]
    if names:
        note.tags.add(*(tag_for_name(name) for name in names))
    search.refresh_search_text(note)
    return note


# Review and publication -----------------------------------------------------------------------------------------


def _record(note, kind, actor, message="") -> NoteEvent:
    return NoteEvent.objects.create(note=note, kind=kind, actor=actor, message=message)


def _refuse_unless(allowed: bool):
    if not allowed:
        raise PermissionDenied


@transaction.atomic
def publish(note: LessonNote, by) -> LessonNote:
    """Publishes the note and freezes its report: readers see these numbers from now on, whatever changes.

    The first publication date stays on the note; a later publication re-freezes the figures and is recorded."""
    _refuse_unless(access.can_publish(by, note))
    now = timezone.now()
    first = note.published_at is None
    note.status = LessonNote.Status.PUBLISHED
    note.published_at = note.published_at or now
    note.report_snapshot = live_figures(note)
    note.figures_frozen_at = now
    note.save(update_fields=["status", "published_at", "report_snapshot", "figures_frozen_at", "updated_at"])
    _record(note, NoteEvent.Kind.PUBLISHED, by)
    if not first and note.report_snapshot is not None:
        _record(note, NoteEvent.Kind.REFROZEN, by)
    return note


@transaction.atomic
def refreeze(note: LessonNote, by) -> LessonNote:
    """Takes the figures of a published note again, e.g. after late attendance was entered; recorded."""
    _refuse_unless(note.is_published and access.can_publish(by, note) and note.report_scope)
    note.report_snapshot = live_figures(note)
    note.figures_frozen_at = timezone.now()
    note.save(update_fields=["report_snapshot", "figures_frozen_at", "updated_at"])
    _record(note, NoteEvent.Kind.REFROZEN, by)
    return note


@transaction.atomic
def submit(note: LessonNote, by) -> LessonNote:
    _refuse_unless(access.can_edit(by, note) and not note.is_published)
    note.status = LessonNote.Status.REVIEW
    note.save(update_fields=["status", "updated_at"])
    _record(note, NoteEvent.Kind.SUBMITTED, by)
    return note


@transaction.atomic
def return_to_author(note: LessonNote, by, message: str) -> LessonNote:
    """A reviewer sends a note in review back to its author with what to change; the author sees it."""
    _refuse_unless(access.can_review(by, note) and note.status == LessonNote.Status.REVIEW)
    note.status = LessonNote.Status.DRAFT
    note.save(update_fields=["status", "updated_at"])
    _record(note, NoteEvent.Kind.RETURNED, by, message.strip())
    return note


@transaction.atomic
def review_comment(note: LessonNote, by, message: str) -> NoteEvent:
    _refuse_unless(access.can_review(by, note) and message.strip())
    return _record(note, NoteEvent.Kind.REVIEW_COMMENT, by, message.strip())


@transaction.atomic
def unpublish(note: LessonNote, by) -> LessonNote:
    _refuse_unless(note.is_published and (access.can_publish(by, note) or access.is_editor(by)))
    note.status = LessonNote.Status.DRAFT
    note.save(update_fields=["status", "updated_at"])
    _record(note, NoteEvent.Kind.UNPUBLISHED, by)
    return note


def published_in_month(year: int, month: int):
    """Notes published in a calendar month (portal time zone), oldest first, with their key lessons: what the
    governor's monthly brief lists. Two queries."""
    from django.db.models import Prefetch

    from lessons.models import KeyLesson

    zone = timezone.get_current_timezone()
    start = dt.datetime(year, month, 1, tzinfo=zone)
    end = dt.datetime(year + month // 12, month % 12 + 1, 1, tzinfo=zone)
    return (
        LessonNote.objects.published()
        .filter(published_at__gte=start, published_at__lt=end)
        .order_by("published_at", "pk")
        .prefetch_related(Prefetch("key_lessons", queryset=KeyLesson.objects.order_by("order", "pk")))
    )
