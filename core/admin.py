from django.contrib import admin
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.fields import BuddhistDateField, BuddhistDateInput, BuddhistDateTimeFormField, BuddhistDateTimeInput
from core.thaidates import format_date, format_datetime, format_year


class ThaiDateAdminMixin:
    """Admin forms type and show dates and date-times in the Buddhist era (Django's own widgets would show 2006,
    and read a Buddhist year typed into a date-time field as a Gregorian one)."""

    formfield_overrides = {
        BuddhistDateField: {"widget": BuddhistDateInput},
        models.DateTimeField: {"form_class": BuddhistDateTimeFormField, "widget": BuddhistDateTimeInput},
    }


def be_date(value):
    return format_date(value)


def be_datetime(value):
    return format_datetime(value)


def buddhist_year_filter(field_name: str, title=None):
    """A list filter by year shown in the Buddhist era, in place of Django's date_hierarchy, whose links show
    Gregorian years (2005–2008 next to a column of 2548–2551)."""

    class BuddhistYearFilter(admin.SimpleListFilter):
        parameter_name = f"{field_name}_year"

        def lookups(self, request, model_admin):
            years = model_admin.get_queryset(request).dates(field_name, "year", order="DESC")
            return [(str(day.year), format_year(day.year)) for day in years]

        def queryset(self, request, queryset):
            value = self.value()
            if not value or not value.isdigit():
                return queryset
            return queryset.filter(**{f"{field_name}__year": int(value)})

    BuddhistYearFilter.title = title or _("year (B.E.)")
    return BuddhistYearFilter
