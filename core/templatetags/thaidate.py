"""Template filters that show dates in the Buddhist era: {{ session.date|be }}, {{ when|be_datetime }}."""

from django import template

from core import thaidates

register = template.Library()


@register.filter
def be(value, style="short"):
    return thaidates.format_date(value, style)


@register.filter
def be_datetime(value, style="short"):
    return thaidates.format_datetime(value, style)


@register.filter
def percent(value, decimals=0):
    """A fraction as a percentage (0.6481 → 65%); a dash for no value (a rate with nothing to divide by)."""
    if value is None or value == "":
        return "–"
    return f"{float(value) * 100:.{int(decimals)}f}%"
