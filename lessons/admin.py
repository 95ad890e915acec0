from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from core.admin import ThaiDateAdminMixin, be_datetime
from lessons import search
from lessons.models import Collection, Comment, KeyLesson, LessonNote, Tag


class KeyLessonInline(admin.TabularInline):
    model = KeyLesson
    extra = 0


@admin.register(LessonNote)
class LessonNoteAdmin(ThaiDateAdminMixin, admin.ModelAdmin):
    list_display = ["title", "author", "status", "published", "collection"]
    list_filter = ["status", "collection", "tags"]
    search_fields = ["title", "summary", "slug"]
    list_select_related = ["author", "collection"]
    autocomplete_fields = ["sessions", "tambons", "agencies"]
    readonly_fields = ["report_snapshot"]
    inlines = [KeyLessonInline]

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        # Key lessons and tags are saved after the note: only now is its searchable text complete.
        search.refresh_search_text(form.instance)

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
