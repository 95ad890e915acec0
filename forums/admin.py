from django import forms
from django.contrib import admin
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from core.admin import ThaiDateAdminMixin, be_date, be_datetime, buddhist_year_filter
from forums import services
from forums.models import Attendance, CalendarFeed, ForumSession, Reminder


class AttendanceInline(admin.TabularInline):
    model = Attendance
    fk_name = "session"
    extra = 0
    fields = ["person", "invited", "reply", "status", "representative", "role", "organization"]
    autocomplete_fields = ["person", "representative"]
    show_change_link = True


class ForumSessionAdminForm(forms.ModelForm):
    # The version the page was opened on, so that the admin too is told of a save made meanwhile.
    seen_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = ForumSession
        fields = "__all__"  # noqa: DJ007  (the admin chooses the fields it shows)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["seen_version"].initial = self.instance.version

    def clean(self):
        data = super().clean()
        if self.instance.pk and data.get("seen_version") not in (None, self.instance.version):
            raise forms.ValidationError(str(services.StaleSession()), code="stale")
        return data


@admin.register(ForumSession)
class ForumSessionAdmin(ThaiDateAdminMixin, SimpleHistoryAdmin):
    """Writes through forums.services, like the portal's own pages: a new session gets no automatic
    invitations here (its attendance is the inline below), an edit is a compare-and-set on the version."""

    object_history_list_template = "admin/record_history.html"  # Buddhist-era date-times

    form = ForumSessionAdminForm
    list_display = ["code", "title", "held_on", "circle", "tambon", "format", "status", "organizer"]
    list_filter = [buddhist_year_filter("date"), "status", "circle", "format", "tambon", "organizer"]
    search_fields = ["code", "title", "venue"]
    list_select_related = ["tambon", "organizer"]
    autocomplete_fields = ["note_taker"]
    inlines = [AttendanceInline]

    @admin.display(description=_("date"), ordering="date")
    def held_on(self, session):
        return be_date(session.date)

    def save_model(self, request, obj, form, change):
        if change:
            services.save_session(obj, form.cleaned_data.get("seen_version"), user=request.user)
        else:
            services.create_session(obj, user=request.user, invitees=())

    def save_formset(self, request, form, formset, change):
        if formset.model is not Attendance:
            return super().save_formset(request, form, formset, change)
        saved = formset.save(commit=False)
        services.save_attendance_rows(saved, formset.deleted_objects, user=request.user)


@admin.register(Attendance)
class AttendanceAdmin(ThaiDateAdminMixin, SimpleHistoryAdmin):
    object_history_list_template = "admin/record_history.html"  # Buddhist-era date-times
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

    # Through forums.services, so that the rules of attendance hold and the turnout follows.
    def save_model(self, request, obj, form, change):
        services.save_attendance_rows([obj], user=request.user)

    def delete_model(self, request, obj):
        services.save_attendance_rows([], [obj], user=request.user)

    def delete_queryset(self, request, queryset):
        services.save_attendance_rows([], list(queryset), user=request.user)


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
