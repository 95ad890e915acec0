import re

from django import forms
from django.utils.translation import gettext_lazy as _

from agencies.forms import TambonChoices
from agencies.models import KmRole, Organization, Person, Tambon, clean_text
from core.fields import BuddhistDateFormField
from core.widgets import LongSelect
from forums import access
from forums.models import Attendance, Circle, ForumSession

CODE = re.compile(r"[A-Z0-9ก-๙][A-Z0-9ก-๙._-]{0,29}")


class SessionForm(forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = ForumSession
        fields = [
            "code", "title", "circle", "tambon", "date", "start", "end", "venue", "format", "organizer",
            "status", "agenda", "minutes", "note_taker",
        ]  # fmt: skip
        widgets = {
            "start": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "end": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "agenda": forms.Textarea(attrs={"rows": 3}),
            "minutes": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["tambon"].queryset = Tambon.objects.in_program()
        self.fields["tambon"].empty_label = _("Provincial (no single tambon)")
        self.user = user
        self.fields["note_taker"].queryset = Person.objects.active().filter(role=KmRole.AMNUAY)
        self.fields["code"].help_text = _("e.g. F-2549-07; unique.")
        if self.instance.pk:
            self.fields["version"].initial = self.instance.version

    def clean_code(self):
        code = clean_text(self.cleaned_data["code"]).upper()
        # The code is part of the session's web address: letters, digits, dots, dashes and underscores only.
        if not CODE.fullmatch(code):
            raise forms.ValidationError(
                _("Use only letters, digits, “-”, “.” and “_” in the code, e.g. F-2549-07."), code="code"
            )
        return code

    def clean_title(self):
        return clean_text(self.cleaned_data["title"])

    def clean(self):
        data = super().clean()
        if self.user is not None and not access.may_organize(
            self.user, data.get("organizer"), data.get("tambon")
        ):
            raise forms.ValidationError(
                _("You may organize sessions only for the agencies and tambons of your scope."),
                code="scope",
            )
        if self.instance.pk and data.get("version") not in (None, self.instance.version):
            raise forms.ValidationError(
                _(
                    "Someone else saved this session while you were editing it. Your changes were not saved: "
                    "review the current details below and make your change again."
                ),
                code="stale",
            )
        return data


class SessionFilterForm(forms.Form):
    start = BuddhistDateFormField(label=_("From"), required=False)
    end = BuddhistDateFormField(label=_("To"), required=False)
    # Choices read as values (TambonChoices): 170 tambons on every page of the list.
    tambon = forms.ChoiceField(label=_("Tambon"), required=False, widget=LongSelect)
    circle = forms.ChoiceField(
        label=_("Circle"),
        required=False,
        choices=[("", _("All circles")), *Circle.choices],
        widget=LongSelect,
    )
    organizer = forms.ModelChoiceField(
        label=_("Organizer"),
        required=False,
        queryset=Organization.objects.partners(),
        to_field_name="code",
        empty_label=_("All organizers"),
        widget=LongSelect,
    )
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("All statuses")), *ForumSession.Status.choices],
        widget=LongSelect,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["tambon"].choices = TambonChoices(_("All tambons"))

    def filter(self, sessions):
        data = self.cleaned_data
        if data["start"]:
            sessions = sessions.filter(date__gte=data["start"])
        if data["end"]:
            sessions = sessions.filter(date__lte=data["end"])
        if data["tambon"]:
            sessions = sessions.filter(tambon_id=data["tambon"])
        for name in ("circle", "organizer", "status"):
            if data[name]:
                sessions = sessions.filter(**{name: data[name]})
        return sessions


class PersonLookupField(forms.CharField):
    """A person typed by portal code (exactly) or by name (when only one person matches)."""

    def clean(self, value):
        value = super().clean(value)
        if not value:
            return None
        text = clean_text(value)
        person = Person.objects.filter(code__iexact=text).first()
        if person:
            return person
        matches = list(Person.objects.active().search(text)[:6])
        if len(matches) == 1:
            return matches[0]
        if not matches:
            raise forms.ValidationError(_("No one with this code or name: %(text)s") % {"text": text})
        raise forms.ValidationError(
            _("Several people match “%(text)s”: %(codes)s. Type the portal code.")
            % {"text": text, "codes": ", ".join(f"{p.code} {p.full_name}" for p in matches[:5])}
        )


class NewPersonForm(forms.ModelForm):
    """Someone the portal does not know yet, met at the venue."""

    class Meta:
        model = Person
        fields = ["title", "first_name", "last_name", "role", "organization", "position", "phone"]
        widgets = {"role": LongSelect, "organization": LongSelect}

    def __init__(self, *args, session=None, **kwargs):
        super().__init__(*args, **kwargs)
        organizations = Organization.objects.filter(
            kind__in=(Organization.Kind.AGENCY, Organization.Kind.PROVINCE)
        )
        if session is not None and session.tambon_id:
            organizations = organizations | Organization.objects.filter(tambon_id=session.tambon_id)
        elif session is not None:
            organizations = organizations | Organization.objects.community().filter(tambon__phase="pilot")
        self.fields["organization"].queryset = organizations.order_by("sort_order", "code")
        self.fields["role"].initial = KmRole.KIT


class WalkInForm(forms.Form):
    """Someone who came without an invitation. The form's one-time token (forums.services.use_token) is posted
    beside it, drawn apart from the fields, which the check-in page caches."""

    person = PersonLookupField(label=_("Portal code or name"), required=False, max_length=100)
    status = forms.ChoiceField(
        label=_("Status"),
        choices=[(Attendance.Status.PRESENT, _("Present")), (Attendance.Status.LATE, _("Late"))],
        initial=Attendance.Status.PRESENT,
        widget=LongSelect,
    )
    new_person = forms.BooleanField(label=_("A new person, not in the portal yet"), required=False)


class RepresentativeForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    representative = PersonLookupField(
        label=_("Representative's portal code or name"), required=False, max_length=100
    )
    new_person = forms.BooleanField(label=_("A new person, not in the portal yet"), required=False)


class InviteForm(forms.Form):
    people = forms.CharField(
        label=_("Portal codes to invite"),
        help_text=_("One or more codes, separated by spaces, commas or new lines."),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=20_000,
    )

    def clean_people(self):
        codes = {
            code.strip().upper() for code in self.cleaned_data["people"].replace(",", " ").split() if code
        }
        people = list(Person.objects.filter(code__in=codes))
        missing = codes - {p.code.upper() for p in people}
        if missing:
            raise forms.ValidationError(
                _("Unknown portal codes: %(codes)s") % {"codes": ", ".join(sorted(missing))}
            )
        return people


class SheetUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Typed-up sign-in sheet (CSV or XLSX)"),
        help_text=_("Columns: person (portal code), status, representative. The first row holds the names."),
    )
