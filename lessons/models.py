"""Lesson-learned notes (บันทึกถอดบทเรียน): what facilitators drew from the forums, with the attendance figures
frozen as they were when a note was published."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from agencies.models import KmRole, Organization, Tambon
from core.choices import ChoiceLabels
from forums.models import ForumSession


class Collection(models.Model):
    """A shelf of notes on one theme, e.g. สวัสดิการและองค์กรการเงินชุมชน."""

    slug = models.SlugField(_("slug"), max_length=80, unique=True, allow_unicode=True)
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("collection")
        verbose_name_plural = _("collections")

    def __str__(self):
        return self.name


class Tag(models.Model):
    slug = models.SlugField(_("slug"), max_length=80, unique=True, allow_unicode=True)
    name = models.CharField(_("name"), max_length=100, unique=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("tag")
        verbose_name_plural = _("tags")

    def __str__(self):
        return self.name


class NoteQuerySet(models.QuerySet):
    def published(self):
        return self.filter(status=LessonNote.Status.PUBLISHED)


class SanitizedHTMLField(models.TextField):
    """HTML that is sanitized by ``lessons.richtext.render_body`` whenever the row is written.

    pre_save runs for save() and bulk_create(), whatever wrote the row: the portal's forms, the admin, an import,
    the shell. render_body is idempotent, so a body that is already clean is stored unchanged."""

    def pre_save(self, model_instance, add):
        from lessons.richtext import render_body

        value = getattr(model_instance, self.attname) or ""
        clean = render_body(value) if value.strip() else ""
        setattr(model_instance, self.attname, clean)
        return clean


class LessonNote(ChoiceLabels, models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        REVIEW = "review", _("In review")
        PUBLISHED = "published", _("Published")

    title = models.CharField(_("title of the note"), max_length=255)
    slug = models.SlugField(_("slug"), max_length=120, unique=True, allow_unicode=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="lesson_notes", verbose_name=_("author")
    )
    summary = models.TextField(_("summary"), blank=True, help_text=_("One or two sentences shown in lists."))
    body = SanitizedHTMLField(_("body"), blank=True, help_text=_("Stored sanitized HTML."))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    # The first publication; later publications and re-freezes are NoteEvent rows.
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    figures_frozen_at = models.DateTimeField(_("figures frozen at"), null=True, blank=True, editable=False)
    collection = models.ForeignKey(
        Collection, models.SET_NULL, null=True, blank=True, related_name="notes", verbose_name=_("collection")
    )
    tags = models.ManyToManyField(Tag, blank=True, related_name="notes", verbose_name=_("tags"))
    sessions = models.ManyToManyField(
        ForumSession, blank=True, related_name="lesson_notes", verbose_name=_("forum sessions")
    )
    tambons = models.ManyToManyField(
        Tambon, blank=True, related_name="lesson_notes", verbose_name=_("tambons")
    )
    agencies = models.ManyToManyField(
        Organization,
        blank=True,
        related_name="lesson_notes",
        limit_choices_to={"kind": "agency"},
        verbose_name=_("agencies"),
    )
    # The scope of the embedded report, as chosen by the author, and the figures frozen at publication.
    report_scope = models.JSONField(_("report scope"), null=True, blank=True)
    report_snapshot = models.JSONField(
        _("report figures at publication"), null=True, blank=True, editable=False
    )
    # Thai has no spaces between words: the text is segmented into words once, when the note is saved.
    search_text = models.TextField(editable=False, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = NoteQuerySet.as_manager()

    class Meta:
        ordering = ["-published_at", "-created_at"]
        verbose_name = _("lesson-learned note")
        verbose_name_plural = _("lesson-learned notes")
        permissions = [
            ("change_any_lessonnote", _("Can edit, publish and hide any lesson-learned note")),
            ("publish_lessonnote", _("Can review and publish lesson-learned notes of others")),
        ]
        indexes = [models.Index(fields=["status", "published_at"])]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("lessons:note_detail", kwargs={"slug": self.slug})

    @property
    def is_published(self) -> bool:
        return self.status == self.Status.PUBLISHED

    @property
    def body_html(self):
        """The body for a page: sanitized again with nh3's allow-list when read, so that a row written around
        the model (a raw UPDATE, an old backup) is never rendered as it was written."""
        from lessons.richtext import safe_html

        return safe_html(self.body)


class KeyLesson(ChoiceLabels, models.Model):
    """One lesson of a note in one or two sentences, the KM role it concerns and, optionally, its evidence."""

    note = models.ForeignKey(LessonNote, models.CASCADE, related_name="key_lessons", verbose_name=_("note"))
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    text = models.TextField(_("lesson"), max_length=600)
    role = models.CharField(_("KM role"), max_length=10, choices=KmRole.choices)
    evidence = models.TextField(_("evidence"), blank=True, max_length=2000)

    class Meta:
        ordering = ["note", "order", "pk"]
        verbose_name = _("key lesson")
        verbose_name_plural = _("key lessons")

    def __str__(self):
        return self.text[:60]


class Comment(models.Model):
    note = models.ForeignKey(LessonNote, models.CASCADE, related_name="comments", verbose_name=_("note"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.CASCADE, related_name="lesson_comments", verbose_name=_("author")
    )
    body = models.TextField(_("comment"), max_length=3000)
    is_hidden = models.BooleanField(_("hidden"), default=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["created_at"]
        verbose_name = _("comment")
        verbose_name_plural = _("comments")

    def __str__(self):
        return self.body[:60]


class NoteEvent(models.Model):
    """What happened to a note in review and publication, and who did it: shown on the note."""

    class Kind(models.TextChoices):
        SUBMITTED = "submitted", _("Sent for review")
        RETURNED = "returned", _("Returned to the author")
        PUBLISHED = "published", _("Published")
        UNPUBLISHED = "unpublished", _("Taken back to draft")
        REFROZEN = "refrozen", _("Figures re-frozen")
        REVIEW_COMMENT = "comment", _("Reviewer's comment")

    note = models.ForeignKey(LessonNote, models.CASCADE, related_name="events", verbose_name=_("note"))
    kind = models.CharField(_("what"), max_length=12, choices=Kind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="lesson_note_events", verbose_name=_("by")
    )
    message = models.TextField(_("comment"), blank=True, max_length=3000)
    created_at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("review and publication event")
        verbose_name_plural = _("review and publication events")

    def __str__(self):
        return f"{self.get_kind_display()} · {self.note}"


def attachment_path(attachment, filename):
    # A random name: the uploader's file name may hold a person's name, and it must not be guessable.
    import secrets

    return f"lessons/{attachment.note_id}/{secrets.token_hex(12)}{filename[filename.rfind('.') :]}"


class Attachment(models.Model):
    """A photo (re-encoded, without EXIF/GPS) or a PDF document of a note, served through a view that checks
    the note is visible to the reader."""

    class Kind(models.TextChoices):
        PHOTO = "photo", _("Photo")
        DOCUMENT = "document", _("Document (PDF)")

    note = models.ForeignKey(LessonNote, models.CASCADE, related_name="attachments", verbose_name=_("note"))
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    file = models.FileField(_("file"), upload_to=attachment_path, max_length=200)
    thumbnail = models.FileField(_("thumbnail"), upload_to=attachment_path, max_length=200, blank=True)
    title = models.CharField(
        _("description (alt text)"),
        max_length=300,
        help_text=_("What the photo shows, for readers who cannot see it; the title of a document."),
    )
    original_name = models.CharField(_("original file name"), max_length=255, blank=True)
    content_type = models.CharField(_("content type"), max_length=50)
    size = models.PositiveIntegerField(_("size in bytes"), default=0)
    width = models.PositiveIntegerField(null=True, blank=True)
    height = models.PositiveIntegerField(null=True, blank=True)
    # People recognisable in a photo or named in a document: PDPA export and erasure find them here.
    people = models.ManyToManyField(
        "agencies.Person", blank=True, related_name="lesson_attachments", verbose_name=_("people shown")
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        related_name="lesson_attachments",
        verbose_name=_("uploaded by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["note", "order", "pk"]
        verbose_name = _("photo or document")
        verbose_name_plural = _("photos and documents")

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse(
            "lessons:attachment", kwargs={"slug": self.note.slug, "pk": self.pk, "variant": "file"}
        )

    @property
    def is_photo(self) -> bool:
        return self.kind == self.Kind.PHOTO

    def thumbnail_url(self):
        return reverse(
            "lessons:attachment", kwargs={"slug": self.note.slug, "pk": self.pk, "variant": "thumb"}
        )
