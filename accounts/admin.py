from axes.admin import AccessAttemptAdmin, AccessFailureLogAdmin, AccessLogAdmin
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.models import User
from django.utils.translation import gettext_lazy as _

from accounts.models import CoordinatorScope
from core.admin import ThaiDateAdminMixin, be_datetime, buddhist_year_filter


class CoordinatorScopeInline(admin.StackedInline):
    model = CoordinatorScope
    can_delete = True
    filter_horizontal = ["agencies", "tambons"]


admin.site.unregister(User)


@admin.register(User)
class PortalUserAdmin(ThaiDateAdminMixin, UserAdmin):
    inlines = [CoordinatorScopeInline]


# django-axes' own admin pages list login attempts with Gregorian date-times and a Gregorian date hierarchy; the
# portal shows them in the Buddhist era like every other date, with a filter by Buddhist year.
_BE_COLUMNS = {"attempt_time": _("attempt time"), "logout_time": _("logout time")}


def _be_column(name, label):
    def column(self, obj):
        return be_datetime(getattr(obj, name))

    column.short_description = label
    column.admin_order_field = name
    return column


def _buddhist_era(base):
    def swap(names):
        return [f"{name}_be" if name in _BE_COLUMNS else name for name in names]

    attributes = {
        "date_hierarchy": None,
        "list_display": swap(base.list_display),
        "list_filter": [buddhist_year_filter(n) if n in _BE_COLUMNS else n for n in base.list_filter],
        "readonly_fields": swap(base.readonly_fields),
        "fieldsets": [(title, {**opts, "fields": swap(opts["fields"])}) for title, opts in base.fieldsets],
        **{f"{name}_be": _be_column(name, label) for name, label in _BE_COLUMNS.items()},
    }
    return type(f"BuddhistEra{base.__name__}", (base,), attributes)


for _model, _admin in (
    (AccessAttempt, AccessAttemptAdmin),
    (AccessLog, AccessLogAdmin),
    (AccessFailureLog, AccessFailureLogAdmin),
):
    if admin.site.is_registered(_model):
        admin.site.unregister(_model)
    admin.site.register(_model, _buddhist_era(_admin))
