"""The invitee's own page, opened from the personal link in a reminder or a LINE message, without an account.

The link carries the personal code of forums.codes (the same as on the QR code): it names one invitation and is
signed, so it cannot be guessed or turned into someone else's. It works until the session ends. The page is in the
invitee's preferred language and rate-limited per client address.
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

from core.ratelimit import allow
from forums import services
from forums.calendar_feed import build_invitation
from forums.codes import InvalidCode, attendance_for_code
from forums.models import Attendance

# Enough for an invitee who changes their mind a few times and reloads; far too few to try codes.
RATE_LIMIT = 30
RATE_WINDOW = 300
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


def _problem(request, status: int, title: str, detail: str):
    return render(request, "forums/reply_problem.html", {"title": title, "detail": detail}, status=status)


def _too_many(request):
    return _problem(
        request,
        429,
        _("Too many requests"),
        _("This link was opened too many times in a short while. Wait a few minutes and try again."),
    )


def _invitation(request, code):
    """(row, None) for a live invitation, or (None, error response)."""
    try:
        row = attendance_for_code(code)
    except InvalidCode:
        row = None
    if row is None or not row.invited:
        return None, _problem(
            request,
            404,
            _("This link is not valid"),
            _(
                "The link is incomplete or is not an invitation of the portal. Copy the whole link from the "
                "message again, or ask the coordinator who invited you."
            ),
        )
    try:
        services.check_invitee_reply(row)
    except services.ReplyError as exc:
        return None, _problem(request, 410, _("This link no longer works"), str(exc))
    return row, None


@login_not_required
@never_cache
@require_http_methods(["GET", "POST"])
def reply_page(request, code):
    if not allow(request, "invitee-reply", limit=RATE_LIMIT, window=RATE_WINDOW):
        return _too_many(request)
    row, problem = _invitation(request, code)
    if problem:
        return problem
    # The invitee reads the page in their own language unless they chose another with the switch.
    language = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME) or row.person.preferred_language
    with translation.override(language):
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
        session = row.session
        place = session.venue or (str(session.tambon) if session.tambon_id else "")
        context = {
            "row": row,
            "session": session,
            "code": code,
            "form": form,
            "representatives": list(form.fields["representative"].queryset[:REPRESENTATIVES_SHOWN]),
            "place": place,
            "map_url": f"https://www.openstreetmap.org/search?query={quote(place)}" if place else "",
        }
        return render(request, "forums/reply.html", context, status=400 if form.errors else 200)


@login_not_required
@never_cache
@require_safe
def reply_calendar(request, code):
    """The session as a calendar file, to add it to one's own calendar from the reply page."""
    if not allow(request, "invitee-calendar", limit=RATE_LIMIT, window=RATE_WINDOW):
        return _too_many(request)
    row, problem = _invitation(request, code)
    if problem:
        return problem
    body = build_invitation(
        row.session, organizer_email=settings.DEFAULT_FROM_EMAIL, attendee_email=row.person.email
    )
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{row.session.code}.ics"'
    return response
