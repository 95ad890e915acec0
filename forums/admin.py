from django.contrib import admin
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from core.admin import ThaiDateAdminMixin, be_date, be_datetime
from forums.models import Attendance, CalendarFeed, ForumSession, Reminder


class AttendanceInline(admin.TabularInline):
    model = Attendance
    fk_name = "session"
    extra = 0
    fields = ["person", "invited", "reply", "status", "representative", "role", "organization"]
    autocomplete_fields = ["person", "representative"]
    show_change_link = True


@admin.register(ForumSession)
class ForumSessionAdmin(ThaiDateAdminMixin, SimpleHistoryAdmin):
    list_display = ["code", "title", "held_on", "circle", "tambon", "format", "status", "organizer"]
    list_filter = ["status", "circle", "format", "tambon", "organizer"]
    search_fields = ["code", "title", "venue"]
    list_select_related = ["tambon", "organizer"]
    date_hierarchy = "date"
    autocomplete_fields = ["note_taker"]
    inlines = [AttendanceInline]

    @admin.display(description=_("date"), ordering="date")
    def held_on(self, session):
        return be_date(session.date)


@admin.register(Attendance)
class AttendanceAdmin(SimpleHistoryAdmin):
    list_display = [
        "session",
        "person",
        "invited",
        "reply",
        "status",
        "representative",
        "organization",
        "role",
    ]
    list_filter = ["status", "invited", "reply", "role", "organization"]
    search_fields = ["session__code", "person__code", "person__first_name", "person__last_name"]
    list_select_related = ["session", "person", "representative", "organization"]
    autocomplete_fields = ["session", "person", "representative"]


@admin.register(CalendarFeed)
class CalendarFeedAdmin(admin.ModelAdmin):
    list_display = ["person", "created", "revoked"]
    list_filter = [("revoked_at", admin.EmptyFieldListFilter)]
    search_fields = ["person__code", "person__first_name", "person__last_name"]
    list_select_related = ["person"]
    fields = ["person"]
    autocomplete_fields = ["person"]
    actions = ["revoke"]

    @admin.display(description=_("created at"), ordering="created_at")
    def created(self, feed):
        return be_datetime(feed.created_at)

    @admin.display(description=_("revoked at"), ordering="revoked_at")
    def revoked(self, feed):
        return be_datetime(feed.revoked_at)

    @admin.action(description=_("Revoke the selected calendar addresses"))
    def revoke(self, request, queryset):
        queryset.filter(revoked_at__isnull=True).update(revoked_at=timezone.now())


@admin.register(Reminder)
class ReminderAdmin(admin.ModelAdmin):
    list_display = ["session", "person", "kind", "channel", "sent"]
    search_fields = ["session__code", "person__code"]
    list_select_related = ["session", "person"]

    @admin.display(description=_("sent at"), ordering="sent_at")
    def sent(self, reminder):
        return be_datetime(reminder.sent_at)
