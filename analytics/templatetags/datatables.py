import html

from django import template
from django.utils.safestring import mark_safe

register = template.Library()


def _cell(value) -> str:
    return "–" if value is None else html.escape(str(value))


@register.simple_tag
def data_table(table, table_id):
    """A (header, rows) table of analytics.tables as HTML: the first column names the row, the others are figures.
    Written in Python, with plain string formatting, because a template loop (or format_html) over hundreds of
    cells costs more than computing them. Every value is escaped."""
    header, rows = table
    head = "".join(f'<th class="text-end">{_cell(title)}</th>' for title in header[1:])
    body = "".join(
        f'<tr><th scope="row">{_cell(row[0])}</th>'
        + "".join(f'<td class="text-end">{_cell(v)}</td>' for v in row[1:])
        + "</tr>"
        for row in rows
    )
    return mark_safe(
        f'<div class="table-responsive"><table class="table table-sm align-middle" id="{html.escape(table_id)}">'
        f"<thead><tr><th>{_cell(header[0])}</th>{head}</tr></thead><tbody>{body}</tbody></table></div>"
    )
