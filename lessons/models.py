"""Lesson-learned notes (บันทึกถอดบทเรียน): what facilitators drew from the forums, with the attendance figures
frozen as they were when a note was published."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from agencies.models import KmRole, Organization, Tambon
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

    def visible_to(self, user):
        """Published notes for everyone; drafts and notes in review for their author and administrators."""
        if user.is_authenticated and user.has_perm("lessons.change_any_lessonnote"):
            return self
        if user.is_authenticated:
            return self.filter(models.Q(status=LessonNote.Status.PUBLISHED) | models.Q(author=user))
        return self.published()


class LessonNote(models.Model):
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
    body = models.TextField(_("body"), blank=True, help_text=_("Stored sanitized HTML."))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
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
        ]
        indexes = [models.Index(fields=["status", "published_at"])]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("lessons:note_detail", kwargs={"slug": self.slug})

    @property
    def is_published(self) -> bool:
        return self.status == self.Status.PUBLISHED


class KeyLesson(models.Model):
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
