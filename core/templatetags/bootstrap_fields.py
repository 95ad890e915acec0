"""{{ field|bootstrap_field }} and {{ form|bootstrap_form }}: the fields of the forms drawn on every request of a
busy page (the filter forms of the dashboard and of the lists of people, sessions and knowledge assets; the
check-in's walk-in), in Bootstrap 5's markup, written in Python.

The form library's field template (crispy-bootstrap5) took about 1.5 ms a field: a third of an uncached list page
or dashboard, half of the check-in page. The markup is the library's (a label, the widget with Bootstrap's class,
`is-invalid` and the error under it, the help text, a form-check for a checkbox, a fieldset with a legend for a
group of checkboxes, the form's own errors in an alert), so that the pages look and read as before, and
tests/core/test_bootstrap_fields.py compares the two; a hidden field's errors join the alert, where the library
left them out. The other forms (a session, a note, the login) keep the library. Every label, value and message is
escaped; a help text unless it was marked safe.
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


def _widget(field, control_class: str) -> str:
    """The widget as Django draws it, with Bootstrap's class, marked invalid and described by its help and
    errors (in the library's order)."""
    classes = [field.field.widget.attrs.get("class", ""), control_class]
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
    return field.as_widget(attrs=attrs)


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


def _checkbox(field) -> str:
    """One checkbox, its label after it."""
    return (
        f'<div class="mb-3"><div id="div_{field.auto_id}" class="form-check">{_widget(field, "form-check-input")}'
        f'<label for="{field.id_for_label}" class="form-check-label">{escape(str(field.label))}'
        f"{_asterisk(field)}</label>{_messages(field)}{_help(field)}</div></div>"
    )


@register.filter
def bootstrap_field(field):
    widget = field.field.widget
    if field.is_hidden:
        return str(field)
    if isinstance(widget, forms.CheckboxSelectMultiple):
        return mark_safe(_checkboxes(field))
    if isinstance(widget, forms.CheckboxInput):
        return mark_safe(_checkbox(field))
    control = _widget(field, "form-select" if isinstance(widget, forms.Select) else "form-control")
    required = " requiredField" if field.field.required else ""
    return mark_safe(
        f'<div id="div_{field.auto_id}" class="mb-3">'
        f'<label for="{field.id_for_label}" class="form-label{required}">{escape(str(field.label))}'
        f"{_asterisk(field)}</label>{control}{_messages(field)}{_help(field)}</div>"
    )


@register.filter
def bootstrap_form(form):
    """The whole form: its own errors in an alert, with those of its hidden fields (which have no place of their
    own to show them; the form library left them out), then its fields in order."""
    messages = [str(message) for message in form.non_field_errors()]
    messages += [str(message) for field in form.hidden_fields() for message in field.errors]
    parts = []
    if messages:
        items = "".join(f"<li>{escape(message)}</li>" for message in messages)
        parts.append(f'<div class="alert alert-block alert-danger"><ul class="m-0">{items}</ul></div>')
    parts += [bootstrap_field(field) for field in form]
    return mark_safe("".join(parts))
