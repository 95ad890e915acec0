"""{% tambon_rows tambons %}: the rows of the tambons' table (/tambons/), written in Python.

A template loop over the program's 170 tambons, seven cells each, cost more than the database took to count their
organizations and people. The cells are the ones the template drew, every value escaped; each phase is translated
once per table (tests/agencies/test_tambon_rows.py compares them with the template's)."""

import html

from django import template
from django.utils.safestring import mark_safe

from agencies.models import Tambon
from core.thaidates import format_date

register = template.Library()


@register.simple_tag
def tambon_rows(tambons) -> str:
    phases = {value: html.escape(str(label)) for value, label in Tambon.Phase.choices}
    rows = []
    for tambon in tambons:
        rows.append(
            f"<tr><td>{html.escape(tambon.code)}</td>"
            f'<td>{html.escape(str(tambon))} <span class="text-body-secondary small">'
            f"{html.escape(tambon.name_en)}</span></td>"
            f"<td>{html.escape(str(tambon.district))}</td>"
            f"<td>{phases.get(tambon.phase, html.escape(tambon.phase))}</td>"
            f"<td>{html.escape(format_date(tambon.joined_on))}</td>"
            f'<td class="text-end">{tambon.organization_count}</td>'
            f'<td class="text-end">{tambon.people_count}</td></tr>'
        )
    return mark_safe("\n".join(rows))
