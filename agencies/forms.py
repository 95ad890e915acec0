from django import forms
from django.utils.translation import gettext_lazy as _

from agencies.models import KmRole, Organization, Tambon
from core.widgets import LongSelect


class PersonFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    role = forms.ChoiceField(
        label=_("KM role"), required=False, choices=[("", _("All roles")), *KmRole.choices]
    )
    organization = forms.ModelChoiceField(
        label=_("Organization"),
        required=False,
        queryset=Organization.objects.filter(kind__in=(Organization.Kind.AGENCY, Organization.Kind.PROVINCE)),
        to_field_name="code",
        empty_label=_("All organizations"),
    )
    tambon = forms.ModelChoiceField(
        label=_("Tambon"),
        required=False,
        queryset=Tambon.objects.in_program(),
        widget=LongSelect,
        empty_label=_("All tambons"),
    )
    active = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("Active only")), ("all", _("Active and inactive"))],
    )

    def filter(self, people):
        data = self.cleaned_data
        if data["q"]:
            people = people.search(data["q"])
        if data["role"]:
            people = people.filter(role=data["role"])
        if data["organization"]:
            people = people.filter(organization=data["organization"])
        if data["tambon"]:
            people = people.filter(tambon=data["tambon"])
        if data["active"] != "all":
            people = people.filter(is_active=True)
        return people
