"""The fields drawn in Python (core/templatetags/bootstrap_fields.py: the filter forms, the check-in's walk-in)
say what the form library's Bootstrap 5 template said: the same labels, controls, values, choices, errors and help,
tied together by the same ids, in Bootstrap's classes, with every value escaped."""

import pytest
from bs4 import BeautifulSoup
from django import forms
from django.http import QueryDict
from django.template import Context, Template
from django.utils import translation
from django.utils.safestring import mark_safe

from agencies.forms import PersonFilterForm
from analytics.forms import ScopeForm
from forums.forms import NewPersonForm, SessionFilterForm, WalkInForm
from lessons.forms import BookletFilterForm
from tests.factories import make_session

LIBRARY = Template(
    "{% load crispy_forms_tags %}{% for field in form %}{{ field|as_crispy_field }}{% endfor %}"
)
OURS = Template("{% load bootstrap_fields %}{% for field in form %}{{ field|bootstrap_field }}{% endfor %}")
LIBRARY_FORM = Template("{% load crispy_forms_tags %}{{ form|crispy }}")
OURS_FORM = Template("{% load bootstrap_fields %}{{ form|bootstrap_form }}")
CONTROL_CLASSES = {"form-control", "form-select", "form-check-input", "is-invalid"}


class HelpedForm(forms.Form):
    code = forms.CharField(label="Code <b>", help_text="e.g. F-2549-07; five letters at most", max_length=5)
    kind = forms.ChoiceField(choices=[("a", "A & B"), ("b", "<B>")])
    agreed = forms.BooleanField(label="Agreed <i>", help_text="Tick it if you agree")
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def clean(self):
        raise forms.ValidationError("The form <as a whole> is wrong")


def described(soup):
    """Everything a reader or a screen reader gets from the fields, without the layout's wrappers."""
    controls = [
        (
            tag.name,
            tag.get("name"),
            tag.get("id"),
            tag.get("type"),
            tag.get("value"),
            tag.has_attr("checked"),
            tag.get("aria-invalid"),
            tag.get("aria-describedby"),
            tag.has_attr("required"),
            frozenset(set(tag.get("class", [])) & CONTROL_CLASSES),
            tuple((o.get("value"), o.has_attr("selected"), o.get_text()) for o in tag.find_all("option")),
        )
        for tag in soup.find_all(["input", "select", "textarea"])
    ]
    labels = [(label.get("for"), label.get_text(" ", strip=True)) for label in soup.find_all("label")]
    legends = [legend.get_text(" ", strip=True) for legend in soup.find_all("legend")]
    messages = [
        (tag.get("id"), tag.get_text(" ", strip=True)) for tag in soup.select(".invalid-feedback, .form-text")
    ]
    wrappers = [div["id"] for div in soup.select("div[id^=div_]")]
    alerts = [tag.get_text(" ", strip=True) for tag in soup.select(".alert-danger li")]
    return controls, labels, legends, messages, wrappers, alerts


def both(form, library=LIBRARY, ours=OURS):
    return (
        described(BeautifulSoup(library.render(Context({"form": form})), "html.parser")),
        described(BeautifulSoup(ours.render(Context({"form": form})), "html.parser")),
    )


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["th", "en"])
@pytest.mark.parametrize(
    "make",
    [
        lambda: ScopeForm(
            QueryDict("start=31/02/2549&end=01/01/2549&circle=&roles=kit&roles=eua&tambon=999999")
        ),
        lambda: ScopeForm(QueryDict("")),
        lambda: PersonFilterForm(QueryDict('q=<script>"x"</script>&role=kit&organization=NOPE&active=all')),
        lambda: SessionFilterForm(
            QueryDict("start=01/10/2549&status=held&circle=eua&tambon=800106&organizer=CDD")
        ),
        lambda: BookletFilterForm(QueryDict("start=01/10/2550&end=01/10/2549")),
        lambda: HelpedForm(QueryDict("code=<too-long>&kind=b")),
        lambda: HelpedForm(),
    ],
    ids=[
        "scope-errors",
        "scope-default",
        "people-escaped",
        "sessions",
        "booklet-error",
        "help-text",
        "unbound",
    ],
)
def test_the_fields_say_what_the_library_said(make, language):
    with translation.override(language):
        form = make()
        form.is_valid()
        library, ours = both(form)
    assert ours == library
    controls, _labels, _legends, messages, _wrappers, _alerts = ours
    # the comparison compared something: the controls, and the errors when there were some
    assert controls and (messages or not form.errors)


@pytest.mark.django_db
def test_errors_are_shown_and_values_escaped():
    form = PersonFilterForm(QueryDict('q=<script>"x"</script>&organization=NOPE'))
    form.is_valid()
    html = OURS.render(Context({"form": form}))
    assert "<script>" not in html and "&lt;script&gt;" in html
    soup = BeautifulSoup(html, "html.parser")
    organization = soup.select_one("select[name=organization]")
    assert "is-invalid" in organization["class"] and organization["aria-invalid"] == "true"
    assert soup.select_one(f"#{organization['aria-describedby']}").get_text(strip=True)


def test_help_text_is_escaped_unless_marked_safe():
    class Form(forms.Form):
        plain = forms.CharField(help_text="<F-2549-07>")
        marked = forms.CharField(help_text=mark_safe("<em>marked</em>"))

    html = OURS.render(Context({"form": Form()}))
    assert "&lt;F-2549-07&gt;" in html and "<em>marked</em>" in html


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["th", "en"])
@pytest.mark.parametrize(
    "make",
    [
        lambda: WalkInForm(),
        lambda: WalkInForm(QueryDict("person=<nobody>&status=bogus&new_person=on")),
        lambda: NewPersonForm(session=make_session(tambon="800106")),
        lambda: NewPersonForm(
            QueryDict("first_name=<b>&role=nope&organization=NOPE"), session=make_session()
        ),
        lambda: HelpedForm(QueryDict("code=<too-long>&kind=b&version=3")),
    ],
    ids=["walk-in", "walk-in-errors", "new-person", "new-person-errors", "form-errors"],
)
def test_the_forms_say_what_the_library_said(make, language):
    with translation.override(language):
        form = make()
        if form.is_bound:
            form.is_valid()
        library, ours = both(form, LIBRARY_FORM, OURS_FORM)
    assert ours == library
    controls, _labels, _legends, messages, _wrappers, alerts = ours
    assert controls and (messages or not form.errors) and (alerts or not form.non_field_errors())


def test_a_hidden_fields_error_is_shown_with_the_forms_own():
    # The library dropped it: a stale hidden value (a version) would fail with nothing said.
    form = HelpedForm(QueryDict("code=ok&kind=a&agreed=on&version=not-a-number"))
    form.is_valid()
    assert form["version"].errors
    soup = BeautifulSoup(OURS_FORM.render(Context({"form": form})), "html.parser")
    alerts = [li.get_text() for li in soup.select(".alert-danger li")]
    assert alerts == ["The form <as a whole> is wrong", str(form["version"].errors[0])]
