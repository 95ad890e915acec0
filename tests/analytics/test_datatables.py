"""The dashboard's tables and heatmap rows and heads are written in Python: every value escaped, nothing lost."""

import datetime as dt
from types import SimpleNamespace

import pytest
from django.template import Context, Template
from django.utils import translation

from analytics.templatetags.datatables import data_table
from analytics.views import _heatmap_cells, _heatmap_heads, _people_cells
from forums.models import Attendance
from tests.factories import make_attendance, make_person, make_session


def test_a_table_escapes_every_value_and_shows_a_dash_for_none():
    html = data_table((["<b>", "rate & more"], [["<i>x</i>", None, 12.5], ["WU", 0, "ใช่"]]), "t<1>")
    assert "<b>" not in html and "&lt;b&gt;" in html and "rate &amp; more" in html
    assert (
        '<th scope="row">&lt;i&gt;x&lt;/i&gt;</th><td class="text-end">–</td><td class="text-end">12.5</td>'
        in html
    )
    assert '<td class="text-end">0</td><td class="text-end">ใช่</td>' in html
    assert 'id="t&lt;1&gt;"' in html


def test_heatmap_cells_escape_the_codes():
    class Organization:
        pk = 7

    class Agency:
        organization = Organization()
        code = 'C"D'

    class Session:
        code = "F-<1>"

        def state(self, pk):
            return "in_person" if pk == 7 else "absent"

    cells = _heatmap_cells(Agency(), [Session()])
    assert cells == '<td class="cell in_person" data-state="in_person" title="C&quot;D · F-&lt;1&gt;">●</td>'


OLD_HEADS = (
    '{% load thaidate %}{% for session in heatmap_sessions %}<th class="session-head"><a href="{% url '
    '\'forums:session_detail\' session.code %}" title="{{ session.code }} {{ session.date|be }} {{ session.title }}">'
    '{{ session.date|be:"numeric" }}{% if session.chair_attended %}<br>★{% endif %}</a></th>{% endfor %}'
)


def test_heatmap_heads_are_what_the_template_wrote_in_both_languages():
    sessions = [
        SimpleNamespace(code="F-2549-001", date=dt.date(2006, 10, 3), title="เวที <คุณเอื้อ> & \"ผู้ว่า\"",
                        chair_attended=True),
        SimpleNamespace(code="F'1&2 ก", date=dt.date(2007, 1, 31), title="x", chair_attended=False),
    ]  # fmt: skip
    for language in ("th", "en"):
        with translation.override(language):
            expected = Template(OLD_HEADS).render(Context({"heatmap_sessions": sessions}))
            assert _heatmap_heads(sessions) == expected
    assert "&lt;คุณเอื้อ&gt;" in expected and "/forums/F&#x27;1&amp;2%20%E0%B8%81/" in expected


OLD_PEOPLE = (
    "{% for row in rows %}{% if can_view_people %}<a href=\"{% url 'agencies:person_detail' row.person.code %}\">"
    "{{ row.person.full_name }}</a>{% else %}{{ row.person.full_name }}{% endif %}: "
    '{{ row.get_status_display|default:"–" }}{% if row.representative %} ({{ row.representative.full_name }})'
    "{% endif %}{% if not forloop.last %}<br>{% endif %}{% endfor %}"
)


@pytest.mark.django_db
def test_the_drill_down_people_cells_are_what_the_template_wrote():
    session = make_session(status="held")
    came = make_person("CDD", first_name="สมศรี <b>", last_name="ใจ & ดี", code="P'1")
    sent = make_person("CDD", title="", first_name="Ann", last_name="")
    unmarked = make_person("CDD")
    stand_in = make_person("GHB", first_name="ตัวแทน", last_name='"ฉุกเฉิน"')
    make_attendance(session, came, status="present")
    make_attendance(session, sent, status="represented", representative=stand_in)
    make_attendance(session, unmarked, status="")
    rows = list(Attendance.objects.filter(session=session).order_by("person__first_name", "person__code"))
    values = Attendance.objects.filter(session=session).order_by("person__first_name", "person__code")
    values = values.values_list(
        "session_id", "person__code", "person__title", "person__first_name", "person__last_name", "status",
        "representative__title", "representative__first_name", "representative__last_name",
    )  # fmt: skip
    for language in ("th", "en"):
        with translation.override(language):
            for can_view_people in (True, False):
                expected = Template(OLD_PEOPLE).render(
                    Context({"rows": rows, "can_view_people": can_view_people})
                )
                assert _people_cells(values, can_view_people) == {session.pk: expected}
    assert "&lt;b&gt;" in expected and "(นายตัวแทน &quot;ฉุกเฉิน&quot;)" in expected
