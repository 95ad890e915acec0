from core.fields import BuddhistDateField, BuddhistDateInput
from core.thaidates import format_date, format_datetime


class ThaiDateAdminMixin:
    """Admin forms type and show dates in the Buddhist era (Django's own date widget would show 2006)."""

    formfield_overrides = {BuddhistDateField: {"widget": BuddhistDateInput}}


def be_date(value):
    return format_date(value)


def be_datetime(value):
    return format_datetime(value)
