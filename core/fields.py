"""Form and model fields for Buddhist-era dates.

Django's Thai input formats read "25/10/2549" as the Gregorian year 2549. Every date field of the portal's models
is a BuddhistDateField, whose form field parses through core.thaidates instead, so the admin and every
ModelForm get it without anyone remembering to.
"""

import datetime as dt

from django import forms
from django.db import models

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


class BuddhistDateFormField(forms.Field):
    widget = BuddhistDateInput

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, dt.datetime):
            return value.date()
        if isinstance(value, dt.date):
            return value
        try:
            return thaidates.parse_date(str(value))
        except thaidates.DateParseError as exc:
            raise forms.ValidationError(str(exc), code="invalid") from None


class BuddhistDateField(models.DateField):
    """A DateField whose forms read and show Buddhist-era years. Stored as an ordinary date."""

    def formfield(self, **kwargs):
        return super().formfield(**{"form_class": BuddhistDateFormField, **kwargs})
