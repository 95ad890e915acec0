from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from forums import services
from forums.access import session_for_user
from forums.forms import InviteForm
from forums.models import Attendance


@require_http_methods(["GET", "POST"])
def invitations(request, code):
    """The invite list: add people by code, take off those not yet marked, record replies."""
    session = session_for_user(request.user, code, change=True)
    form = InviteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        added = services.invite(session, form.cleaned_data["people"], user=request.user)
        messages.success(request, _("%(count)s people invited.") % {"count": added})
        return redirect("forums:invitations", code=code)
    rows = (
        session.attendances.filter(invited=True)
        .select_related("person", "organization", "reply_representative")
        .order_by("organization__sort_order", "organization__code", "person__first_name")
    )
    proposed_missing = services.proposed_invitees(session).exclude(attendances__session=session).count()
    return render(
        request,
        "forums/invitations.html",
        {
            "session": session,
            "form": form,
            "rows": rows,
            "replies": Attendance.Reply.choices,
            "proposed_missing": proposed_missing,
        },
    )


@require_POST
def invite_proposed(request, code):
    session = session_for_user(request.user, code, change=True)
    added = services.invite(session, services.proposed_invitees(session), user=request.user)
    messages.success(request, _("%(count)s people invited from the circle.") % {"count": added})
    return redirect("forums:invitations", code=code)


@require_POST
def uninvite(request, code):
    session = session_for_user(request.user, code, change=True)
    ids = [int(i) for i in request.POST.getlist("attendance") if i.isdigit()]
    removed = services.uninvite(session, ids, user=request.user)
    if removed < len(ids):
        messages.warning(request, _("People already marked stay on the list; change their mark instead."))
    messages.success(request, _("%(count)s people taken off the list.") % {"count": removed})
    return redirect("forums:invitations", code=code)


@require_POST
def reply(request, code):
    """Records accepted or declined for one invitee, with the same stale-edit check as attendance."""
    session = session_for_user(request.user, code, change=True)
    try:
        attendance_id = int(request.POST["attendance"])
        version = int(request.POST["version"])
        answer = request.POST["reply"]
    except (KeyError, ValueError):
        messages.error(request, _("The reply form was damaged. Reload the page."))
        return redirect("forums:invitations", code=code)
    if answer not in Attendance.Reply.values:
        messages.error(request, _("Unknown reply."))
        return redirect("forums:invitations", code=code)
    row = session.attendances.filter(pk=attendance_id).first()
    if row is None:
        messages.error(request, _("This person is no longer on the list."))
        return redirect("forums:invitations", code=code)
    mark = services.Mark(row.pk, row.status, version, row.representative, reply=answer)
    try:
        result = services.save_marks(session, [mark], user=request.user)
    except services.MarkError as exc:
        messages.error(request, str(exc))
    else:
        for conflict in result.conflicts:
            messages.warning(request, conflict.message())
    return redirect("forums:invitations", code=code)
