"""The tambons' table drawn in Python (agencies/templatetags/tambon_table.py) has the cells the template loop it
replaced drew, in Thai and in English, with every value escaped."""

import datetime as dt
import re

import pytest
from django.db.models import Count
from django.template import Context, Template
from django.utils import translation

from agencies.models import District, Tambon
from agencies.templatetags.tambon_table import tambon_rows

# The loop /tambons/ had before its rows were written in Python.
TEMPLATE_LOOP = Template(
    "{% load thaidate %}{% for tambon in tambons %}"
    '<tr><td>{{ tambon.code }}</td><td>{{ tambon }} <span class="text-body-secondary small">{{ tambon.name_en }}'
    "</span></td><td>{{ tambon.district }}</td><td>{{ tambon.get_phase_display }}</td><td>{{ tambon.joined_on|be }}"
    '</td><td class="text-end">{{ tambon.organization_count }}</td><td class="text-end">{{ tambon.people_count }}'
    "</td></tr>{% endfor %}"
)


def tambons():
    return list(
        Tambon.objects.select_related("district")
        .annotate(organization_count=Count("organizations", distinct=True), people_count=Count("people"))
        .order_by("code")
    )


def normalized(text: str) -> str:
    return re.sub(r">\s+<", "><", text.strip())


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["th", "en"])
def test_the_rows_are_the_templates(language):
    district = District.objects.first()
    Tambon.objects.create(
        code="809990",
        district=district,
        name_th="<b>ท่า&น้ำ</b>",
        name_en='Tha "Nam" <i>',
        phase=Tambon.Phase.EXPANSION,
        joined_on=dt.date(2007, 3, 1),
    )
    Tambon.objects.create(code="809991", district=district, name_th="นอกโครงการ", name_en="Nok Khrongkan")
    rows = tambons()
    assert {t.phase for t in rows} >= {"", "pilot"} and any(t.joined_on for t in rows)
    with translation.override(language):
        expected = TEMPLATE_LOOP.render(Context({"tambons": rows}))
        drawn = tambon_rows(rows)
    assert normalized(drawn) == normalized(expected)
    assert "&lt;b&gt;ท่า&amp;น้ำ&lt;/b&gt;" in drawn and "<b>" not in drawn
