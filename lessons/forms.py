from django import forms
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from agencies.models import KmRole, Organization, Tambon, clean_text
from core.fields import BuddhistDateFormField
from core.widgets import LongSelect
from forums.models import Circle, ForumSession
from lessons import richtext
from lessons.models import Comment, KeyLesson, LessonNote, Tag


class NoteForm(forms.ModelForm):
    session_codes = forms.CharField(
        label=_("Forum sessions (codes)"),
        required=False,
        help_text=_("Codes of the sessions this note draws on, separated by spaces or commas."),
        max_length=2000,
    )
    report_start = BuddhistDateFormField(label=_("Report from"), required=False)
    report_end = BuddhistDateFormField(label=_("Report to"), required=False)
    report_circle = forms.ChoiceField(
        label=_("Report circle"), required=False, choices=[("", _("All circles")), *Circle.choices]
    )
    report_tambon = forms.ModelChoiceField(
        label=_("Report tambon"), required=False, queryset=Tambon.objects.in_program(), empty_label=_("All")
    )
    report_roles = forms.MultipleChoiceField(
        label=_("Report KM roles"),
        required=False,
        choices=KmRole.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    include_report = forms.BooleanField(label=_("Embed an attendance report"), required=False)
    new_tags = forms.CharField(
        label=_("New tags"),
        required=False,
        max_length=500,
        help_text=_("Tags not in the list yet, separated by commas; they are created when you save."),
    )

    class Meta:
        model = LessonNote
        fields = ["title", "summary", "body", "collection", "tags", "tambons", "agencies"]
        widgets = {
            "body": forms.Textarea(attrs={"data-editor": "rich", "rows": 12}),
            "summary": forms.Textarea(attrs={"rows": 2}),
            "tags": forms.CheckboxSelectMultiple,
            "agencies": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["tambons"].queryset = Tambon.objects.in_program()
        self.fields["agencies"].queryset = Organization.objects.partners()
        self.fields["tags"].queryset = Tag.objects.all()
        # The editor shows pasted and saved text as the server normalizes it (lessons.views.notes.body_preview).
        self.fields["body"].widget.attrs["data-preview-url"] = reverse("lessons:body_preview")
        self.fields["body"].help_text = _(
            "Write as in a letter: a blank line starts a new paragraph; lines starting with “-” make a list. "
            "Text pasted from a word processor keeps its paragraphs."
        )
        note = self.instance
        if note.pk:
            self.fields["session_codes"].initial = " ".join(note.sessions.values_list("code", flat=True))
            scope = note.report_scope or {}
            self.fields["include_report"].initial = bool(note.report_scope)
            self.fields["report_circle"].initial = scope.get("circle") or ""
            self.fields["report_roles"].initial = scope.get("roles") or []
            for name, key in (("report_start", "from"), ("report_end", "to")):
                if scope.get(key):
                    self.fields[name].initial = scope[key]
            if scope.get("tambon"):
                self.fields["report_tambon"].initial = scope["tambon"]

    def clean_title(self):
        return clean_text(self.cleaned_data["title"])

    def clean_body(self):
        return richtext.render_body(self.cleaned_data["body"])

    def clean_new_tags(self):
        names = [" ".join(name.split()) for name in self.cleaned_data["new_tags"].split(",")]
        names = [name for name in names if name]
        if any(len(name) > 100 for name in names):
            raise forms.ValidationError(_("A tag has at most 100 characters."))
        return list(dict.fromkeys(names))

    def clean_session_codes(self):
        codes = {c.strip().upper() for c in self.cleaned_data["session_codes"].replace(",", " ").split() if c}
        sessions = list(ForumSession.objects.filter(code__in=codes))
        missing = codes - {s.code.upper() for s in sessions}
        if missing:
            raise forms.ValidationError(
                _("Unknown session codes: %(codes)s") % {"codes": ", ".join(sorted(missing))}
            )
        return sessions

    def clean(self):
        data = super().clean()
        start, end = data.get("report_start"), data.get("report_end")
        if start and end and start > end:
            self.add_error("report_end", _("The period ends before it starts."))
        return data

    def report_scope(self) -> dict | None:
        data = self.cleaned_data
        if not data.get("include_report"):
            return None
        return {
            "from": data["report_start"].isoformat() if data.get("report_start") else None,
            "to": data["report_end"].isoformat() if data.get("report_end") else None,
            "circle": data.get("report_circle") or None,
            "tambon": data["report_tambon"].code if data.get("report_tambon") else None,
            "roles": [r for r in KmRole.values if r in data.get("report_roles", [])] or None,
        }


class KeyLessonForm(forms.ModelForm):
    class Meta:
        model = KeyLesson
        fields = ["text", "role", "evidence"]
        widgets = {"text": forms.Textarea(attrs={"rows": 2}), "evidence": forms.Textarea(attrs={"rows": 2})}

    def clean_text(self):
        return clean_text(self.cleaned_data["text"])


# absolute_max: a posted form count above max_num is refused, but Django would still build and validate up to
# max_num + 1,000 forms first (4 s a request); past 20 it refuses at once.
KeyLessonFormSet = forms.inlineformset_factory(
    LessonNote,
    KeyLesson,
    form=KeyLessonForm,
    extra=2,
    can_delete=True,
    max_num=20,
    validate_max=True,
    absolute_max=20,
)


class CommentForm(forms.ModelForm):
    class Meta:
        model = Comment
        fields = ["body"]
        widgets = {"body": forms.Textarea(attrs={"rows": 3})}
        labels = {"body": _("Your comment")}

    def clean_body(self):
        body = self.cleaned_data["body"].strip()
        if not body:
            raise forms.ValidationError(_("Write something first."))
        return body


class ReviewForm(forms.Form):
    message = forms.CharField(
        label=_("Comment for the author"), max_length=3000, widget=forms.Textarea(attrs={"rows": 3})
    )

    def clean_message(self):
        message = self.cleaned_data["message"].strip()
        if not message:
            raise forms.ValidationError(_("Write something first."))
        return message


class AttachmentForm(forms.Form):
    file = forms.FileField(
        label=_("Photo or document"),
        help_text=_("JPEG, PNG or WebP photos up to 10 MB, PDF documents up to 20 MB."),
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp,application/pdf"}),
    )
    title = forms.CharField(
        label=_("Description (alt text)"),
        max_length=300,
        help_text=_("What the photo shows, for readers who cannot see it; the title of a document."),
    )


class BookletFilterForm(forms.Form):
    start = BuddhistDateFormField(label=_("Published from"), required=False)
    end = BuddhistDateFormField(label=_("Published to"), required=False)
    tambon = forms.ModelChoiceField(
        label=_("Tambon"),
        required=False,
        queryset=Tambon.objects.in_program(),
        to_field_name="code",
        empty_label=_("All tambons"),
        widget=LongSelect,
    )

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["start"] > data["end"]:
            self.add_error("end", _("The period ends before it starts."))
        return data

    def filters(self) -> dict:
        data = self.cleaned_data
        return {"start": data.get("start"), "end": data.get("end"), "tambon": data.get("tambon")}
