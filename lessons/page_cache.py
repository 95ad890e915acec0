"""A published note's page as an anonymous reader sees it, in the shared cache: the public, who may be anyone on
the internet, cost the portal no more than a trivial page.

Only the parts that are the same for every anonymous reader are cached (the head's tags and the article); the
frame around them (navigation, language switch with its CSRF token) is rendered for each request. The key holds
a version bumped by any write that can change what the page shows — the note, its key lessons, comments, events,
attachments, tags, collection and related notes, the partner agencies' names, an author's name — through every
path (forms, admin, shell: model signals), and whether the live figures differ from the frozen ones, read from the
analytics cache. The timeout is a last safety net, not the way pages stay current.
"""

from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db.models.signals import m2m_changed, post_delete, post_save

from core import versions

VERSION_KEY = "lessons:page-version"
TIMEOUT = 15 * 60


def version() -> int:
    (value,) = versions.read([VERSION_KEY])
    return value


def key(note, *parts: str) -> str:
    return ":".join(["lessons", "page", str(version()), str(note.pk), *parts])


def cached(note, build, *parts: str):
    name = key(note, *parts)
    value = cache.get(name)
    if value is None:
        value = build()
        cache.set(name, value, TIMEOUT)
    return value


def published_count() -> int:
    """How many notes are published (the dashboard's tile), under the same version: any write to a note bumps it,
    so the count is never older than the last publication or withdrawal, and the dashboard asks the database only
    after one."""
    from lessons.models import LessonNote

    name = ":".join(["lessons", "published", str(version())])
    value = cache.get(name)
    if value is None:
        value = LessonNote.objects.published().count()
        cache.set(name, value, TIMEOUT)
    return value


def changed(sender=None, update_fields=None, **kwargs) -> None:
    if sender is get_user_model() and update_fields is not None and set(update_fields) <= {"last_login"}:
        return  # a login: nothing a page shows
    versions.bump_after_write([VERSION_KEY])


def connect() -> None:
    """Called from LessonsConfig.ready."""
    from agencies.models import Organization
    from lessons.models import Attachment, Collection, Comment, KeyLesson, LessonNote, NoteEvent, Tag

    for model in (LessonNote, KeyLesson, Comment, NoteEvent, Attachment, Tag, Collection, Organization):
        post_save.connect(changed, sender=model, dispatch_uid=f"lessons-page-{model._meta.label}-save")
        post_delete.connect(changed, sender=model, dispatch_uid=f"lessons-page-{model._meta.label}-delete")
    post_save.connect(changed, sender=get_user_model(), dispatch_uid="lessons-page-user-save")
    for field in (
        LessonNote.tags,
        LessonNote.sessions,
        LessonNote.tambons,
        LessonNote.agencies,
        Attachment.people,
    ):
        m2m_changed.connect(
            changed, sender=field.through, dispatch_uid=f"lessons-page-{field.through._meta.label}"
        )
