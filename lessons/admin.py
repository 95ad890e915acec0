from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from core.admin import ThaiDateAdminMixin, be_datetime
from lessons import richtext, services
from lessons.models import Attachment, Collection, Comment, KeyLesson, LessonNote, NoteEvent, Tag


class KeyLessonInline(admin.TabularInline):
    model = KeyLesson
    extra = 0


class LessonNoteAdminForm(forms.ModelForm):
    """The same body rule as the portal's form: what is shown after saving is what render_body keeps."""

    class Meta:
        model = LessonNote
        fields = "__all__"  # noqa: DJ007 -- the admin shows every editable field

    def clean_body(self):
        return richtext.render_body(self.cleaned_data.get("body") or "")


class NoteEventInline(admin.TabularInline):
    model = NoteEvent
    extra = 0
    can_delete = False
    readonly_fields = ["kind", "actor", "message", "created_at"]

    def has_add_permission(self, request, obj=None):
        # Publication goes through lessons.services (which records it), never a hand-made event.
        return False


class AttachmentInline(admin.TabularInline):
    model = Attachment
    extra = 0
    fields = ["title", "kind", "people", "order"]
    readonly_fields = ["kind"]
    autocomplete_fields = ["people"]

    def has_add_permission(self, request, obj=None):
        # Uploads are re-encoded by lessons.attachments (EXIF and GPS removed): only through the note page.
        return False


@admin.register(LessonNote)
class LessonNoteAdmin(ThaiDateAdminMixin, admin.ModelAdmin):
    list_display = ["title", "author", "status", "published", "collection"]
    list_filter = ["status", "collection", "tags"]
    search_fields = ["title", "summary", "slug"]
    list_select_related = ["author", "collection"]
    autocomplete_fields = ["sessions", "tambons", "agencies"]
    readonly_fields = ["report_snapshot", "status", "published_at"]
    inlines = [KeyLessonInline, AttachmentInline, NoteEventInline]
    form = LessonNoteAdminForm

    def save_model(self, request, obj, form, change):
        # Saved with its related objects in save_related, through the one save path.
        pass

    def save_related(self, request, form, formsets, change):
        # Status and publication are read-only here: they change through the review on the note's page.
        services.save_note(
            form.instance,
            save_related=lambda note: super(LessonNoteAdmin, self).save_related(
                request, form, formsets, change
            ),
        )

    @admin.display(description=_("published at"), ordering="published_at")
    def published(self, note):
        return be_datetime(note.published_at)


@admin.register(Comment)
class CommentAdmin(admin.ModelAdmin):
    list_display = ["note", "author", "is_hidden", "created"]
    list_filter = ["is_hidden"]
    search_fields = ["body", "note__title"]
    list_select_related = ["note", "author"]

    @admin.display(description=_("created at"), ordering="created_at")
    def created(self, comment):
        return be_datetime(comment.created_at)


@admin.register(Collection)
class CollectionAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name"]
