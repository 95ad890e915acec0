"""Form and model fields for Buddhist-era dates and date-times.

Django's Thai input formats read "25/10/2549" as the Gregorian year 2549. Every date field of the portal's models
is a BuddhistDateField, whose form field parses through core.thaidates instead, so the admin and every
ModelForm get it without anyone remembering to. Date-time fields keep Django's model field; the admin helpers
(core.admin) and forms give them BuddhistDateTimeFormField, so that "25/10/2549 09:30" is not stored 543 years off.
"""

import datetime as dt

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from core import thaidates


class BuddhistDateInput(forms.TextInput):
    def __init__(self, attrs=None):
        defaults = {
            "placeholder": "วว/ดด/ปปปป",
            "inputmode": "numeric",
            "autocomplete": "off",
            "class": "be-date",
        }
        super().__init__({**defaults, **(attrs or {})})

    def format_value(self, value):
        if isinstance(value, dt.date):
            return thaidates.format_date(value, "numeric")
        return super().format_value(value)


class BuddhistDateTimeInput(forms.TextInput):
    def __init__(self, attrs=None):
        defaults = {"placeholder": "วว/ดด/ปปปป ชช:นน", "autocomplete": "off", "class": "be-datetime"}
        super().__init__({**defaults, **(attrs or {})})

    def format_value(self, value):
        if isinstance(value, dt.datetime):
            return thaidates.format_date(value, "numeric") + " " + _local(value).strftime("%H:%M")
        return super().format_value(value)


def _local(value: dt.datetime) -> dt.datetime:
    return timezone.localtime(value) if timezone.is_aware(value) else value


class BuddhistDateFormField(forms.Field):
    widget = BuddhistDateInput

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, dt.datetime):
            value = value.date()
        try:
            if isinstance(value, dt.date):
                return thaidates.check_plausible(value)
            return thaidates.parse_date(str(value))
        except thaidates.DateParseError as exc:
            raise forms.ValidationError(str(exc), code="invalid") from None


class BuddhistDateTimeFormField(forms.Field):
    widget = BuddhistDateTimeInput

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, dt.datetime):
            return value if timezone.is_aware(value) else timezone.make_aware(value)
        try:
            return thaidates.parse_datetime(str(value))
        except thaidates.DateParseError as exc:
            raise forms.ValidationError(str(exc), code="invalid") from None


def validate_plausible_date(value):
    """The model's own check (full_clean, the admin, model forms): the same range and message as typed dates."""
    if isinstance(value, dt.datetime):
        value = value.date()
    try:
        thaidates.check_plausible(value)
    except thaidates.DateParseError as exc:
        raise ValidationError(str(exc), code="implausible_date") from None


class BuddhistDateField(models.DateField):
    """A DateField whose forms read and show Buddhist-era years. Stored as an ordinary date."""

    default_validators = [validate_plausible_date]

    def formfield(self, **kwargs):
        return super().formfield(**{"form_class": BuddhistDateFormField, **kwargs})
