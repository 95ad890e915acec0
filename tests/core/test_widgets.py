"""LongSelect writes its options with plain string formatting: every value and label escaped, the chosen one
selected, the empty choice kept."""

from django import forms

from core.widgets import LongSelect


class Form(forms.Form):
    place = forms.ChoiceField(
        required=False,
        widget=LongSelect,
        choices=[("", "ทุกตำบล"), ("80<01>", 'ต.ท่าศาลา & "ใหม่"'), ("800102", "ต.กลาย")],
    )


def test_every_option_is_escaped_and_the_chosen_one_selected():
    html = str(Form({"place": "800102"})["place"])
    assert html.startswith('<select id="id_place" name="place">')
    assert '<option value="">ทุกตำบล</option>' in html
    assert '<option value="80&lt;01&gt;">ต.ท่าศาลา &amp; &quot;ใหม่&quot;</option>' in html
    assert '<option value="800102" selected>ต.กลาย</option>' in html
    assert html.count(" selected") == 1
    assert "<01>" not in html


def test_nothing_chosen_selects_nothing():
    assert " selected" not in str(Form()["place"])
