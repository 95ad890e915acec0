from django import forms
from django.forms.utils import flatatt
from django.utils.html import format_html, format_html_join


class LongSelect(forms.Select):
    """A select of many options (170 tambons) written without a template per option.

    Django renders every <option> through its own template, which made a filter form of the province's tambons
    cost more than the figures on the page.
    """

    def render(self, name, value, attrs=None, renderer=None):
        selected = {str(v) for v in (value if isinstance(value, list | tuple) else [value]) if v is not None}
        final_attrs = self.build_attrs(self.attrs, {**(attrs or {}), "name": name})
        options = format_html_join(
            "",
            '<option value="{}"{}>{}</option>',
            (
                (option_value, " selected" if str(option_value) in selected else "", label)
                for option_value, label in (
                    (str(v) if v is not None else "", text) for v, text in self.choices
                )
            ),
        )
        return format_html("<select{}>{}</select>", flatatt(final_attrs), options)
