from django import forms
from django.utils.translation import gettext_lazy as _

from agencies.forms import TambonChoices
from agencies.models import KmRole
from analytics.metrics import Scope
from core.fields import BuddhistDateFormField
from core.widgets import LongSelect
from forums.models import Circle

# With no filter in the address, the dashboard opens on the executives' circle: the forums whose thin and uneven
# attendance the program learned from.
DEFAULT_CIRCLE = Circle.EUA


class ScopeForm(forms.Form):
    start = BuddhistDateFormField(label=_("From"), required=False)
    end = BuddhistDateFormField(label=_("To"), required=False)
    circle = forms.ChoiceField(
        label=_("Circle"),
        required=False,
        choices=[("", _("All circles")), *Circle.choices],
        widget=LongSelect,
    )
    # Choices read as values (agencies.forms.TambonChoices): 170 tambons on every dashboard and drill-down.
    tambon = forms.ChoiceField(label=_("Tambon"), required=False, widget=LongSelect)
    roles = forms.MultipleChoiceField(
        label=_("KM roles"), required=False, choices=KmRole.choices, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, data=None, **kwargs):
        if data is not None and "circle" not in data:
            data = data.copy()
            data["circle"] = DEFAULT_CIRCLE
        super().__init__(data, **kwargs)
        self.fields["tambon"].choices = TambonChoices(_("All tambons and provincial"))

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["start"] > data["end"]:
            raise forms.ValidationError(_("The period ends before it starts."))
        return data

    def scope(self) -> Scope:
        data = self.cleaned_data if self.is_valid() else {"circle": DEFAULT_CIRCLE}
        return Scope(
            start=data.get("start"),
            end=data.get("end"),
            circle=data.get("circle") or None,
            tambon=data.get("tambon") or None,
            roles=tuple(data["roles"]) if data.get("roles") else None,
        )
