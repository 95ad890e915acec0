from django.contrib import admin, messages
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from api.models import ApiToken
from core.admin import be_datetime


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["organization", "name", "hint", "issued", "last_used", "revoked"]
    list_filter = ["organization", ("revoked_at", admin.EmptyFieldListFilter)]
    search_fields = ["name", "hint", "organization__code"]
    list_select_related = ["organization"]
    fields = ["organization", "name"]
    actions = ["revoke"]

    def get_readonly_fields(self, request, obj=None):
        # A token, once issued, keeps its agency: a new agency needs a new token.
        return ["organization"] if obj else []

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
            raw = obj.set_new_token()
            super().save_model(request, obj, form, change)
            messages.warning(
                request,
                _(
                    "The new token is %(token)s — copy it now: it is stored only as a hash and is not shown again."
                )
                % {"token": raw},
            )
            return
        super().save_model(request, obj, form, change)

    @admin.display(description=gettext_lazy("issued"), ordering="created_at")
    def issued(self, token):
        return be_datetime(token.created_at)

    @admin.display(description=gettext_lazy("last used"), ordering="last_used_at")
    def last_used(self, token):
        return be_datetime(token.last_used_at)

    @admin.display(description=gettext_lazy("revoked"), ordering="revoked_at")
    def revoked(self, token):
        return be_datetime(token.revoked_at)

    @admin.action(description=gettext_lazy("Revoke the selected tokens"), permissions=["change"])
    def revoke(self, request, queryset):
        for token in queryset.filter(revoked_at__isnull=True):
            token.revoke()
