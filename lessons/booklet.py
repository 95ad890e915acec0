"""The knowledge-asset booklet (คลังความรู้): the key lessons of the published notes, grouped by KM role and then by
collection (or first tag), with their evidence and a link to each note; as a page and as a printable PDF.

The PDF is rendered by WeasyPrint (Pango shapes the Thai) with the vendored Sarabun font, read from the
portal's own files: the renderer fetches nothing else, whatever a note contains.
"""

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

from django.conf import settings
from django.db.models import Prefetch
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from agencies.models import KmRole, Tambon
from lessons.models import KeyLesson, LessonNote

FONT_DIR = Path(settings.BASE_DIR) / "static" / "vendor" / "sarabun" / "files"
# KM roles in the order of the program: executives, facilitators, practitioners.
ROLE_ORDER = [KmRole.EUA, KmRole.AMNUAY, KmRole.KIT]


@dataclass
class Topic:
    """The key lessons of one collection (or, without one, of the note's first tag) within a KM role."""

    name: str
    lessons: list = field(default_factory=list)


@dataclass
class RoleSection:
    role: str
    label: str
    topics: list[Topic] = field(default_factory=list)

    @property
    def anchor(self) -> str:
        return f"role-{self.role}"

    @property
    def count(self) -> int:
        return sum(len(topic.lessons) for topic in self.topics)


@dataclass
class Booklet:
    sections: list[RoleSection]
    start: dt.date | None
    end: dt.date | None
    tambon: Tambon | None
    made_at: dt.datetime

    @property
    def count(self) -> int:
        return sum(section.count for section in self.sections)


def booklet(start=None, end=None, tambon=None) -> Booklet:
    """The published key lessons in scope (published between start and end, inclusive; about the tambon),
    grouped: a fixed number of queries however many notes."""
    lessons = KeyLesson.objects.filter(note__status=LessonNote.Status.PUBLISHED).select_related(
        "note__collection"
    )
    if start:
        lessons = lessons.filter(note__published_at__date__gte=start)
    if end:
        lessons = lessons.filter(note__published_at__date__lte=end)
    if tambon:
        lessons = lessons.filter(note__tambons=tambon)
    lessons = lessons.prefetch_related(Prefetch("note__tags")).order_by(
        "note__published_at", "note_id", "order"
    )
    sections = {role: RoleSection(role, str(KmRole(role).label)) for role in ROLE_ORDER}
    topics: dict[tuple[str, str], Topic] = {}
    for lesson in lessons.distinct():
        note = lesson.note
        tags = list(note.tags.all())
        name = note.collection.name if note.collection else (tags[0].name if tags else _("Other lessons"))
        key = (lesson.role, name)
        if key not in topics:
            topics[key] = Topic(name)
            sections[lesson.role].topics.append(topics[key])
        topics[key].lessons.append(lesson)
    for section in sections.values():
        section.topics.sort(key=lambda topic: topic.name)
    return Booklet(
        [section for section in sections.values() if section.topics], start, end, tambon, timezone.now()
    )


def _fonts_only_fetcher():
    """WeasyPrint's fetcher, limited to the vendored font files: no network, no other local file."""
    from weasyprint.urls import URLFetcher, URLFetchingError

    class FontsOnly(URLFetcher):
        def fetch(self, url, headers=None):
            if url.startswith("file://"):
                path = Path(unquote(urlsplit(url).path)).resolve()
                if path.parent == FONT_DIR.resolve():
                    return super().fetch(url, headers)
            raise URLFetchingError(f"not fetched: {url}")

    return FontsOnly(allowed_protocols=["file"])


def booklet_html(book: Booklet, base_url: str) -> str:
    with translation.override(translation.get_language() or settings.LANGUAGE_CODE):
        return render_to_string(
            "lessons/booklet_pdf.html",
            {
                "book": book,
                "font_dir": FONT_DIR.resolve().as_uri(),
                "note_urls": {},
                "base_url": base_url,
            },
        )


def booklet_pdf(book: Booklet, base_url: str) -> bytes:
    from weasyprint import HTML

    html = booklet_html(book, base_url)
    return HTML(string=html, base_url=base_url, url_fetcher=_fonts_only_fetcher()).write_pdf()


def note_link(base_url: str, note: LessonNote) -> str:
    return urljoin(base_url, note.get_absolute_url())
