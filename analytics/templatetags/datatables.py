from django import template
from django.utils.html import format_html, format_html_join

register = template.Library()


def _cell(value):
    return "–" if value is None else value


@register.simple_tag
def data_table(table, table_id):
    """A (header, rows) table of analytics.tables as HTML: the first column names the row, the others are figures.
    Written in Python because a template loop over hundreds of cells costs more than computing them."""
    header, rows = table
    head = format_html_join("", '<th class="text-end">{}</th>', ((title,) for title in header[1:]))
    body = format_html_join(
        "",
        '<tr><th scope="row">{}</th>{}</tr>',
        (
            (row[0], format_html_join("", '<td class="text-end">{}</td>', ((_cell(v),) for v in row[1:])))
            for row in rows
        ),
    )
    return format_html(
        '<div class="table-responsive"><table class="table table-sm align-middle" id="{}">'
        "<thead><tr><th>{}</th>{}</tr></thead><tbody>{}</tbody></table></div>",
        table_id,
        header[0],
        head,
        body,
    )
