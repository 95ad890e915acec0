"""Template filters that show dates in the Buddhist era: {{ session.date|be }}, {{ when|be_datetime }}."""

from django import template

from kmportal import thaidates

register = template.Library()


@register.filter
def be(value, style="short"):
    return thaidates.format_date(value, style)


@register.filter
def be_datetime(value, style="short"):
    return thaidates.format_datetime(value, style)
