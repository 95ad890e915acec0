"""The invitee's own page, opened from the personal link in a reminder or a LINE message, without an account.

The link carries the personal code of forums.codes (the same as on the QR code): it names one invitation and is
signed, so it cannot be guessed or turned into someone else's. It works until the session ends (and on the session's
day while self check-in is open). The page is in the invitee's preferred language and rate-limited like every
personal code (forums.views.qr.invitation_for_code): per code, and per address for wrong codes.
"""

from urllib.parse import quote

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe

from forums import self_checkin, services
from forums.calendar_feed import build_invitation
from forums.models import Attendance
from forums.views import qr

REPRESENTATIVES_SHOWN = 200


class InviteeReplyForm(forms.Form):
    answer = forms.ChoiceField(
        choices=[
            (Attendance.Reply.ACCEPTED, gettext_lazy("I will attend")),
            (Attendance.Reply.DECLINED, gettext_lazy("I cannot attend")),
        ]
    )
    reason = forms.CharField(label=gettext_lazy("Reason"), max_length=500, required=False)
    representative = forms.ModelChoiceField(
        queryset=Attendance.objects.none(),
        label=gettext_lazy("Representative of my organization who will come instead"),
        required=False,
    )

    def __init__(self, *args, row, **kwargs):
        super().__init__(*args, **kwargs)
        # Validated against the whole organization; the page lists the first REPRESENTATIVES_SHOWN.
        self.fields["representative"].queryset = services.representative_choices(row)

    def clean(self):
        data = super().clean()
        if data.get("answer") == Attendance.Reply.ACCEPTED:
            data["reason"], data["representative"] = "", None
        return data


def _gone(request, reason):
    return qr.refusal(request, reason, 410, _("This link no longer works"))


def _reply_closed(row) -> str:
    """Why the invitee can no longer reply, or ""."""
    try:
        services.check_invitee_reply(row)
    except services.ReplyError as exc:
        return str(exc)
    return ""


def _invitation(request, code):
    """(row, None) for a live invitation, or (None, error response).

    The page lives until the session ends, and on the session's day as long as self check-in is open: a session
    without an end time closes for replies three hours after its start, self check-in only after four."""
    try:
        row = qr.invitation_for_code(request, code, invited_only=True)
    except qr.Refused as refused:
        return None, qr.refused_page(request, refused)
    reason = _reply_closed(row)
    if reason and not self_checkin.is_open(row.session):
        return None, _gone(request, reason)
    return row, None


def personal_page(request, row, code, *, form=None, refusal="", status=200):
    """The invitee's one page: the session, the reply form, the calendar file and self check-in."""
    form = form or InviteeReplyForm(row=row)
    reply_closed = _reply_closed(row)
    session = row.session
    place = session.venue or (str(session.tambon) if session.tambon_id else "")
    context = qr.personal_context(request, row) | {
        "row": row,
        "code": code,
        "form": form,
        "reply_closed": reply_closed,
        "refusal": refusal,
        "representatives": []
        if reply_closed
        else list(form.fields["representative"].queryset[:REPRESENTATIVES_SHOWN]),
        "place": place,
        "map_url": f"https://www.openstreetmap.org/search?query={quote(place)}" if place else "",
    }
    return render(request, "forums/reply.html", context, status=status)


@login_not_required
@never_cache
@require_http_methods(["GET", "POST"])
def reply_page(request, code):
    row, problem = _invitation(request, code)
    if problem:
        return problem
    with translation.override(qr.invitee_language(request, row)):
        if request.method == "POST" and (reply_closed := _reply_closed(row)):
            return _gone(request, reply_closed)
        form = InviteeReplyForm(request.POST or None, row=row)
        if request.method == "POST" and form.is_valid():
            try:
                services.reply_by_invitee(
                    row,
                    form.cleaned_data["answer"],
                    reason=form.cleaned_data["reason"],
                    representative=form.cleaned_data["representative"],
                )
            except services.ReplyError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, _("Thank you. Your reply was sent to the coordinator."))
                return redirect("public:invitee_reply", code=code)
        return personal_page(request, row, code, form=form, status=400 if form.errors else 200)


@login_not_required
@never_cache
@require_safe
def reply_calendar(request, code):
    """The session as a calendar file, to add it to one's own calendar from the reply page."""
    row, problem = _invitation(request, code)
    if problem:
        return problem
    body = build_invitation(
        row.session, organizer_email=settings.DEFAULT_FROM_EMAIL, attendee_email=row.person.email
    )
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{row.session.code}.ics"'
    return response
