"""The dashboard's tables and heatmap rows are written in Python: every value escaped, nothing lost."""

from analytics.templatetags.datatables import data_table
from analytics.views import _heatmap_cells


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
