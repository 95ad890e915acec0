"""{{ field|filter_field }}: a field of a filter form (the dashboard's scope, the lists of people, sessions and
knowledge assets) in Bootstrap 5's markup, written in Python.

The form library's field template (crispy-bootstrap5) took about 2 ms a field, a third of an uncached list page
or dashboard; these forms have five or six plain fields, redrawn on every filter. The markup is the library's
(a label, the widget with Bootstrap's class, `is-invalid` and the error under it, the help text, a fieldset with a
legend for a group of checkboxes), so that the pages look and read as before. Forms that people fill in (a
session, a note, the login) keep the library. Every label, value and message is escaped; a help text only
unless it was marked safe.
"""

from html import escape

from django import forms, template
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe

register = template.Library()


def _messages(field) -> str:
    if not field.errors:
        return ""
    lines = "".join(
        f'<p id="error_{number}_{field.auto_id}"><strong>{escape(str(message))}</strong></p>'
        for number, message in enumerate(field.errors, start=1)
    )
    return f'<div id="{field.auto_id}_error" class="invalid-feedback d-block">{lines}</div>'


def _asterisk(field) -> str:
    return '<span class="asteriskField">*</span>' if field.field.required else ""


def _help(field) -> str:
    if not field.help_text:
        return ""
    return f'<div id="{field.auto_id}_helptext" class="form-text">{conditional_escape(field.help_text)}</div>'


def _checkboxes(field) -> str:
    """A group of checkboxes: a fieldset whose legend is the field's label, one form-check per choice."""
    items = []
    for choice in field.subwidgets:
        data = choice.data
        checked = " checked" if data["selected"] else ""
        box_id = escape(data["attrs"]["id"])
        items.append(
            f'<div class="form-check"><input type="checkbox" class="form-check-input"'
            f' name="{escape(data["name"])}" value="{escape(str(data["value"]))}" id="{box_id}"{checked}>'
            f'<label for="{box_id}" class="form-check-label">{escape(str(data["label"]))}</label></div>'
        )
    return (
        f'<div id="div_{field.auto_id}" class="mb-3"><fieldset>'
        f'<legend class="form-label fs-6">{escape(str(field.label))}{_asterisk(field)}</legend>'
        f"<div>{''.join(items)}</div>{_messages(field)}{_help(field)}</fieldset></div>"
    )


@register.filter
def filter_field(field):
    widget = field.field.widget
    if isinstance(widget, forms.CheckboxSelectMultiple):
        return mark_safe(_checkboxes(field))
    classes = [
        widget.attrs.get("class", ""),
        "form-select" if isinstance(widget, forms.Select) else "form-control",
    ]
    attrs = {}
    if field.errors:
        classes.append("is-invalid")
    described = [
        f"{field.auto_id}_{part}"
        for part, shown in (("helptext", field.help_text), ("error", field.errors))
        if shown
    ]
    if described:
        attrs["aria-describedby"] = " ".join(described)
    attrs["class"] = " ".join(c for c in classes if c)
    return mark_safe(
        f'<div id="div_{field.auto_id}" class="mb-3">'
        f'<label for="{field.id_for_label}" class="form-label">{escape(str(field.label))}{_asterisk(field)}</label>'
        f"{field.as_widget(attrs=attrs)}{_messages(field)}{_help(field)}</div>"
    )
