"""Publishing lesson notes: permissions per state, Thai-safe slugs, and the frozen report."""

import datetime as dt
import re
import unicodedata

from django.db import transaction
from django.utils import timezone

from analytics.metrics import Scope, compute
from lessons.models import LessonNote

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


# Who may do what --------------------------------------------------------------------------------------------


def is_editor(user) -> bool:
    return user.is_authenticated and (user.is_superuser or user.has_perm("lessons.change_any_lessonnote"))


def can_write(user) -> bool:
    return user.is_authenticated and user.has_perm("lessons.add_lessonnote")


def can_edit(user, note: LessonNote) -> bool:
    return is_editor(user) or (can_write(user) and note.author_id == user.pk)


def can_see(user, note: LessonNote) -> bool:
    return note.is_published or can_edit(user, note)


def can_moderate(user, note: LessonNote) -> bool:
    """The note's author and administrators hide or delete comments."""
    return is_editor(user) or (user.is_authenticated and note.author_id == user.pk)


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


def live_figures(note: LessonNote) -> dict | None:
    scope = scope_from_json(note.report_scope)
    return public_figures(compute(scope).as_json()) if scope else None


@transaction.atomic
def publish(note: LessonNote) -> LessonNote:
    """Publishes the note and freezes its report: readers see these numbers from now on, whatever changes."""
    note.status = LessonNote.Status.PUBLISHED
    note.published_at = note.published_at or timezone.now()
    note.report_snapshot = live_figures(note)
    note.save(update_fields=["status", "published_at", "report_snapshot", "updated_at"])
    return note


def submit(note: LessonNote) -> LessonNote:
    note.status = LessonNote.Status.REVIEW
    note.save(update_fields=["status", "updated_at"])
    return note


def unpublish(note: LessonNote) -> LessonNote:
    note.status = LessonNote.Status.DRAFT
    note.save(update_fields=["status", "updated_at"])
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
