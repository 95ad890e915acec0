from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.paginator import Paginator
from django.db import transaction
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from forums import services
from forums.access import session_for_user
from forums.forms import SessionFilterForm, SessionForm
from forums.history import session_history
from forums.models import ForumSession

SESSIONS_PER_PAGE = 25


@require_safe
@permission_required("forums.view_forumsession", raise_exception=True)
def session_list(request):
    form = SessionFilterForm(request.GET)
    sessions = ForumSession.objects.select_related("tambon", "organizer")
    if form.is_valid():
        sessions = form.filter(sessions)
    page = Paginator(sessions.order_by("-date", "-code"), SESSIONS_PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request, "forums/session_list.html", {"form": form, "page": page, "query": query.urlencode()}
    )


@require_safe
def session_detail(request, code):
    session = session_for_user(request.user, code)
    attendances = session.attendances.select_related("person", "organization", "representative").order_by(
        "organization__sort_order", "organization__code", "person__first_name", "person__last_name"
    )
    context = {
        "session": session,
        "attendances": attendances,
        "summary": services.summary(session),
        "history": session_history(session, limit=50),
    }
    return render(request, "forums/session_detail.html", context)


@require_http_methods(["GET", "POST"])
@permission_required("forums.add_forumsession", raise_exception=True)
def session_create(request):
    form = SessionForm(request.POST or None, user=request.user)
    if form.is_valid():
        with transaction.atomic():
            session = form.save()
            invited = services.invite(session, services.proposed_invitees(session), user=request.user)
        messages.success(
            request,
            _("Session %(code)s created; %(count)s people invited from its circle. Edit the list as needed.")
            % {"code": session.code, "count": invited},
        )
        return redirect("forums:session_detail", code=session.code)
    return render(request, "forums/session_form.html", {"form": form, "creating": True})


@require_http_methods(["GET", "POST"])
@permission_required("forums.change_forumsession", raise_exception=True)
def session_edit(request, code):
    session = session_for_user(request.user, code, change=True)
    form = SessionForm(request.POST or None, instance=session, user=request.user)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            # Compare-and-set on the version: of two coordinators saving the same session, the later one is
            # told, not silently overwritten.
            updated = ForumSession.objects.filter(pk=session.pk, version=form.cleaned_data["version"]).update(
                version=session.version + 1
            )
            if updated:
                session = form.save(commit=False)
                session.version = form.cleaned_data["version"] + 1
                session.save()
        if updated:
            messages.success(request, _("Session %(code)s saved.") % {"code": session.code})
            return redirect("forums:session_detail", code=session.code)
        messages.error(
            request,
            _("Someone else saved this session while you were editing it. Your changes were not saved."),
        )
        return redirect("forums:session_edit", code=code)
    return render(request, "forums/session_form.html", {"form": form, "session": session, "creating": False})
