"""Who may see, change and review lesson notes, and fetching a note the user may see (or 404).

Only permissions named in accounts/roles.py are read here, never a group name or ``is_superuser`` (a superuser
holds every permission anyway). Everything else in lessons, templates included, asks these functions.

- ``lessons.add_lessonnote``: writes notes and changes their own;
- ``lessons.change_any_lessonnote``: changes, hides and moderates any note (administrators);
- ``lessons.publish_lessonnote``: reviews and publishes the notes of others (administrators, facilitator leads).
"""

from django.conf import settings
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404

from lessons.models import LessonNote


def review_required() -> bool:
    return settings.LESSONS_REQUIRE_REVIEW


def is_editor(user) -> bool:
    return user.is_authenticated and user.has_perm("lessons.change_any_lessonnote")


def is_reviewer(user) -> bool:
    return user.is_authenticated and user.has_perm("lessons.publish_lessonnote")


def can_write(user) -> bool:
    return user.is_authenticated and user.has_perm("lessons.add_lessonnote")


def can_edit(user, note: LessonNote) -> bool:
    return is_editor(user) or (can_write(user) and note.author_id == user.pk)


def can_review(user, note: LessonNote) -> bool:
    """A reviewer reviews the notes of others; an author never reviews their own note."""
    return is_reviewer(user) and note.author_id != user.pk


def can_see(user, note: LessonNote) -> bool:
    return note.is_published or can_edit(user, note) or (can_review(user, note) and note.status == "review")


def can_publish(user, note: LessonNote) -> bool:
    """With review on, only a reviewer who is not the author; with it off, whoever may change the note."""
    if review_required():
        return can_review(user, note)
    return can_edit(user, note) or can_review(user, note)


def can_moderate(user, note: LessonNote) -> bool:
    """The note's author and administrators hide or delete comments."""
    return is_editor(user) or (user.is_authenticated and note.author_id == user.pk)


def notes_visible_to(user, notes=None):
    """The notes of the queryset the user may see: the same rule as can_see, as a filter."""
    notes = LessonNote.objects.all() if notes is None else notes
    if is_editor(user):
        return notes
    visible = Q(status=LessonNote.Status.PUBLISHED)
    if can_write(user):
        visible |= Q(author=user)
    if is_reviewer(user):
        visible |= Q(status=LessonNote.Status.REVIEW)
    return notes.filter(visible)


def get_note_for_user(user, slug) -> LessonNote:
    """The note with this slug if the user may see it; 404 otherwise, so drafts stay unseen."""
    note = get_object_or_404(LessonNote.objects.select_related("author", "collection"), slug=slug)
    if not can_see(user, note):
        raise Http404
    return note


def get_note_for_change(user, slug) -> LessonNote:
    """The note with this slug if the user may change it; 404 otherwise (not 403: a draft's existence is
    private)."""
    note = get_object_or_404(LessonNote.objects.select_related("author", "collection"), slug=slug)
    if not can_edit(user, note):
        raise Http404
    return note
