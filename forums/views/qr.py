"""Personal invitation codes over HTTP: the lookup and self check-in of the personal page, the venue's QR code and
the invitation slips.

The personal page is public:invitee_reply (/i/<code>/, forums/views/replies.py): session, reply form, calendar file
and, on the session's day, the self check-in section whose button posts to public:invitee_checkin
(/i/<code>/checkin/, below). It opens without a login: the code in the address is the invitee's key.
/forums/i/<code>/ only redirects there: it is what the first printed slips and QR codes carry.

Anonymous code endpoints share one lookup (invitation_for_code) and its rate limits (core.ratelimit): an address
that sends too many unknown or forged codes is refused for a while, and one code cannot be hammered. A code that is
malformed, forged, of a removed invitation or of another session gets a clear page with a 4xx answer, never a
server error.
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from core import ratelimit
from forums import qrcodes, self_checkin, slips
from forums.access import session_for_user
from forums.codes import InvalidCode, attendance_for_code, invitation_code

# Unknown or forged codes an address may send in RATE_PERIOD seconds, and requests one code may receive (enough
# for an invitee who changes their mind a few times and reloads; far too few to try codes).
FAILURES_PER_ADDRESS = 20
REQUESTS_PER_CODE = 30
RATE_PERIOD = 10 * 60


class Refused(Exception):
    """Why a code is refused; the message is for the invitee (Thai or English)."""

    def __init__(self, message, status, title=None):
        super().__init__(message)
        self.status = status
        self.title = title


def refusal(request, message, status, title=None):
    return render(
        request,
        "forums/reply_problem.html",
        {"title": title or _("Invitation"), "detail": message},
        status=status,
    )


def refused_page(request, refused: Refused):
    return refusal(request, str(refused), refused.status, refused.title)


def invitation_for_code(request, code, session=None, *, invited_only=False):
    """The attendance row of a code, counting failures per address and requests per code; raises Refused."""
    address = ratelimit.client_address(request)
    too_many = _("Too many requests")
    if ratelimit.exceeded("code-failures", address, FAILURES_PER_ADDRESS):
        raise Refused(
            _("Too many wrong codes from this network. Wait ten minutes and try again."), 429, too_many
        )
    if ratelimit.hit("code", (code or "")[:40].upper(), RATE_PERIOD) > REQUESTS_PER_CODE:
        raise Refused(_("This link was opened too often. Wait ten minutes and try again."), 429, too_many)
    try:
        row = attendance_for_code(code, session=session)
        if invited_only and not row.invited:  # a walk-in row has no personal page
            raise InvalidCode(code)
        return row
    except InvalidCode:
        ratelimit.hit("code-failures", address, RATE_PERIOD)
        if session is not None:
            message = _(
                "This code is not an invitation to this session. Check that you opened your own link."
            )
        else:
            message = _(
                "This invitation link is not valid: it was mistyped, or the invitation was withdrawn. "
                "Please contact the coordinator."
            )
        raise Refused(message, 404, _("This link is not valid")) from None


def invitee_language(request, attendance) -> str:
    """The invitee reads their page in their own language unless they chose another with the switch."""
    return request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME) or attendance.person.preferred_language


def personal_context(request, attendance) -> dict:
    """The self check-in section of the personal page (templates/forums/includes/self_checkin.html)."""
    session = attendance.session
    now = timezone.now()
    opens, closes = self_checkin.window(session)
    can_check_in = True
    try:
        self_checkin.check(attendance, now)
    except self_checkin.SelfCheckinRefused:
        can_check_in = False
    return {
        "attendance": attendance,
        "session": session,
        "code": invitation_code(attendance),
        "can_check_in": can_check_in,
        "window_opens": opens,
        "window_closes": closes,
        "is_today": timezone.localdate(now) == session.date,
    }


@login_not_required
@never_cache
@require_safe
def old_personal_link(request, code):
    """The personal link printed on the first slips and QR codes: they keep working."""
    return redirect("public:invitee_reply", code=code, permanent=True)


@login_not_required
@never_cache
@require_POST
def invitee_checkin(request, code):
    """The invitee's own "check me in", from the self check-in section of the personal page."""
    from forums.views.replies import personal_page  # the page lives there; it imports this module

    try:
        attendance = invitation_for_code(request, code, invited_only=True)
    except Refused as refused:
        return refused_page(request, refused)
    with translation.override(invitee_language(request, attendance)):
        try:
            done = self_checkin.self_check_in(attendance)
        except self_checkin.SelfCheckinRefused as refused:
            return personal_page(request, attendance, code, refusal=str(refused), status=refused.status)
        _welcome(request, attendance, done)
    return redirect("public:invitee_reply", code=code)


def _welcome(request, attendance, done) -> None:
    messages.success(
        request,
        _("Checked in: %(name)s, %(status)s at %(time)s. Welcome!")
        % {
            "name": attendance.person.full_name,
            "status": done.attendance.get_status_display(),
            "time": timezone.localtime(done.attendance.checked_in_at).strftime("%H:%M"),
        },
    )


@login_not_required
@never_cache
@require_http_methods(["GET", "POST"])
def venue(request, token):
    """Opened from the QR code on the venue's screen: the invitee pastes or types their personal code or link."""
    session = self_checkin.session_for_venue_token(token)
    if session is None:
        return refusal(request, _("This venue code is not valid. Scan the code on the screen again."), 404)
    context = {"session": session, "token": token, "is_open": self_checkin.is_open(session)}
    if request.method == "POST":
        typed = request.POST.get("code", "").strip()
        if not typed:
            context["refusal"] = _("Paste or type your personal invitation link or code.")
            return render(request, "forums/venue.html", context, status=400)
        try:
            attendance = invitation_for_code(request, qrcodes.code_in(typed) or typed[:40], session=session)
            done = self_checkin.self_check_in(attendance)
        except (Refused, self_checkin.SelfCheckinRefused) as refused:
            context["refusal"] = str(refused)
            context["typed"] = typed[:200]
            return render(request, "forums/venue.html", context, status=refused.status)
        _welcome(request, attendance, done)
        return redirect("forums:venue", token=token)
    return render(request, "forums/venue.html", context)


@require_safe
def venue_qr(request, code):
    """The venue's QR code, to show on a screen at the entrance."""
    session = session_for_user(request.user, code, change=True)
    url = request.build_absolute_uri(reverse("forums:venue", args=[self_checkin.venue_token(session)]))
    opens, closes = self_checkin.window(session)
    return render(
        request,
        "forums/venue_qr.html",
        {
            "session": session,
            "venue_url": url,
            "qr": qrcodes.qr_svg(url, "qr qr-venue"),
            "window_opens": opens,
            "window_closes": closes,
        },
    )


@require_safe
def invitation_slips(request, code):
    """One slip per invitee, eight to an A4 page, as a PDF."""
    session = session_for_user(request.user, code, change=True)
    rows = list(
        session.attendances.filter(invited=True)
        .select_related("person", "organization")
        .order_by("organization__sort_order", "organization__code", "person__first_name", "person__last_name")
    )
    if not rows:
        raise Http404(_("No one is invited to this session yet."))
    pdf = slips.render_slips(request, session, rows)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="slips-{session.code}.pdf"'
    return response


@require_safe
def personal_links(request, code):
    """Every invitee's personal link, to send by email or paste into a LINE group."""
    session = session_for_user(request.user, code, change=True)
    rows = list(
        session.attendances.filter(invited=True)
        .select_related("person", "organization")
        .order_by("organization__sort_order", "organization__code", "person__first_name", "person__last_name")
    )
    links = [(row, qrcodes.personal_url(request, row)) for row in rows]
    return render(
        request,
        "forums/personal_links.html",
        {
            "session": session,
            "links": links,
            "as_text": "\n".join(f"{row.person.full_name}: {url}" for row, url in links),
        },
    )
