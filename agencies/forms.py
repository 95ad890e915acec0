from django import forms
from django.utils.choices import BaseChoiceIterator
from django.utils.translation import gettext_lazy as _

from agencies import cache as agency_cache
from agencies.models import KmRole, Organization, Tambon
from core.widgets import LongSelect


class TambonChoices(BaseChoiceIterator):
    """The tambons of the program as choices, read when first needed (a cached page never reads them) and then
    kept for the form: validating and rendering (which peeks at the first choice) read them once. Values only,
    no model objects, labelled as Tambon.__str__ labels them; `empty_label` first. The list itself is kept in the
    cache under the places' version (agencies/cache.py): a dashboard cached for one tambon still validates its
    address against it, without a query."""

    def __init__(self, empty_label):
        self.empty_label, self.choices = empty_label, None

    def __iter__(self):
        if self.choices is None:
            tambons = agency_cache.cached(
                "tambon-choices",
                lambda: list(Tambon.objects.in_program().order_by("code").values_list("code", "name_th")),
            )
            self.choices = [("", self.empty_label), *((c, f"ต.{name}") for c, name in tambons)]
        return iter(self.choices)


class PersonFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    role = forms.ChoiceField(
        label=_("KM role"), required=False, choices=[("", _("All roles")), *KmRole.choices], widget=LongSelect
    )
    organization = forms.ModelChoiceField(
        label=_("Organization"),
        required=False,
        queryset=Organization.objects.filter(kind__in=(Organization.Kind.AGENCY, Organization.Kind.PROVINCE)),
        to_field_name="code",
        empty_label=_("All organizations"),
        widget=LongSelect,
    )
    # Choices read as values (TambonChoices): 170 tambons on every page of the list.
    tambon = forms.ChoiceField(label=_("Tambon"), required=False, widget=LongSelect)
    active = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("Active only")), ("all", _("Active and inactive"))],
        widget=LongSelect,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["tambon"].choices = TambonChoices(_("All tambons"))

    def filter(self, people):
        data = self.cleaned_data
        if data["q"]:
            people = people.search(data["q"])
        if data["role"]:
            people = people.filter(role=data["role"])
        if data["organization"]:
            people = people.filter(organization=data["organization"])
        if data["tambon"]:
            people = people.filter(tambon_id=data["tambon"])
        if data["active"] != "all":
            people = people.filter(is_active=True)
        return people
