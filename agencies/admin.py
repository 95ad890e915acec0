from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from agencies.models import District, Organization, Person, PersonAccessLog, Province, Tambon
from core.admin import ThaiDateAdminMixin, be_date, be_datetime, buddhist_year_filter


@admin.register(Province)
class ProvinceAdmin(admin.ModelAdmin):
    list_display = ["code", "name_th", "name_en"]
    search_fields = ["code", "name_th", "name_en"]


@admin.register(District)
class DistrictAdmin(admin.ModelAdmin):
    list_display = ["code", "name_th", "name_en", "province"]
    list_filter = ["province"]
    search_fields = ["code", "name_th", "name_en"]


@admin.register(Tambon)
class TambonAdmin(ThaiDateAdminMixin, admin.ModelAdmin):
    list_display = ["code", "name_th", "name_en", "district", "phase", "joined"]
    list_filter = ["phase", "district"]
    search_fields = ["code", "name_th", "name_en"]
    list_select_related = ["district"]

    @admin.display(description=_("joined the program on"), ordering="joined_on")
    def joined(self, tambon):
        return be_date(tambon.joined_on)


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = ["code", "abbr_th", "name_th", "kind", "tambon"]
    list_filter = ["kind", "tambon"]
    search_fields = ["code", "abbr_th", "name_th", "name_en"]
    list_select_related = ["tambon"]
    autocomplete_fields = ["tambon"]


@admin.register(Person)
class PersonAdmin(admin.ModelAdmin):
    list_display = [
        "code",
        "full_name",
        "role",
        "organization",
        "tambon",
        "position",
        "is_chair",
        "is_active",
    ]
    list_filter = ["role", "is_active", "is_chair", "organization__kind", "organization", "tambon"]
    search_fields = [
        "code",
        "first_name",
        "last_name",
        "position",
        "organization__code",
        "organization__abbr_th",
    ]
    list_select_related = ["organization", "tambon"]
    autocomplete_fields = ["organization", "tambon", "user"]
    readonly_fields = ["created", "updated", "anonymized"]
    fieldsets = [
        (None, {"fields": ["code", "title", "first_name", "last_name", "role", "is_chair", "is_active"]}),
        (_("Where"), {"fields": ["organization", "tambon", "position", "phone", "email"]}),
        (_("Portal"), {"fields": ["user", "created", "updated", "anonymized"]}),
    ]

    @admin.display(description=_("name"), ordering="first_name")
    def full_name(self, person):
        return person.full_name

    @admin.display(description=_("created at"))
    def created(self, person):
        return be_datetime(person.created_at)

    @admin.display(description=_("updated at"))
    def updated(self, person):
        return be_datetime(person.updated_at)

    @admin.display(description=_("anonymized at"))
    def anonymized(self, person):
        return be_datetime(person.anonymized_at) if person.anonymized_at else "–"

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        duplicates = list(obj.possible_duplicates())
        if duplicates:
            messages.warning(
                request,
                ngettext(
                    "%(name)s has the same name as %(codes)s in the same organization. Check that this is "
                    "not the same person entered twice.",
                    "%(name)s has the same name as %(codes)s in the same organization. Check that these are "
                    "not the same person entered twice.",
                    len(duplicates),
                )
                % {"name": obj.full_name, "codes": ", ".join(p.code for p in duplicates)},
            )


@admin.register(PersonAccessLog)
class PersonAccessLogAdmin(admin.ModelAdmin):
    """Read-only: the log is evidence of who looked at whom, so nobody edits or deletes it here (apply_retention
    deletes the old entries)."""

    list_display = ["opened", "user", "person", "action"]
    list_filter = [buddhist_year_filter("opened_at"), "action", ("user", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["person__code", "user__username"]
    list_select_related = ["user", "person"]
    ordering = ["-opened_at", "-pk"]

    @admin.display(description=_("opened at"), ordering="opened_at")
    def opened(self, entry):
        return be_datetime(entry.opened_at)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
