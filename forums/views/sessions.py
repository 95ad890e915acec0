import functools

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from agencies import cache as agency_cache
from core.paging import KnownCount
from forums import page_cache, services, summaries
from forums.access import SESSION_RELATED, session_for_user
from forums.forms import SessionFilterForm, SessionForm
from forums.history import session_history
from forums.models import ForumSession

SESSIONS_PER_PAGE = 25
ATTENDANCE_PER_PAGE = 100


@require_safe
@permission_required("forums.view_forumsession", raise_exception=True)
def session_list(request):
    """The same list for everyone who may read sessions: the filter form and the page are cached whole under the
    sessions' and the places' data versions, the language and the address; the form is validated and the page
    read only when they are not."""
    form = SessionFilterForm(request.GET)

    @functools.cache
    def page():
        sessions = ForumSession.objects.select_related("tambon", "organizer")
        if form.is_valid():
            sessions = form.filter(sessions)
        return Paginator(sessions.order_by("-date", "-code"), SESSIONS_PER_PAGE).get_page(
            request.GET.get("page")
        )

    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "page": page,
        "query": query.urlencode(),
        "version": f"{summaries.data_version()}.{agency_cache.version()}",
        "address": request.GET.urlencode(),
        "cache_seconds": agency_cache.SECONDS,
    }
    return render(request, "forums/session_list.html", context)


@require_safe
def session_detail(request, code):
    """The session with its summary, a page of its list and the latest changes, cached whole
    (page_cache.session_version: any change to the session, its list, its people or places starts a new
    version) for each page of the list, language and what the reader's permissions show; the permission check
    is made first, on every request, and the session's related rows are read only to draw the page."""
    session = session_for_user(request.user, code, related=False)

    @functools.cache
    def summary():
        return services.summary(session)

    @functools.cache
    def page():
        attendances = session.attendances.select_related("person", "organization", "representative").order_by(
            "organization__sort_order", "organization__code", "person__first_name", "person__last_name"
        )
        # A page of the list at a time (a provincial forum can have thousands of invitees), counted by the
        # summary.
        counted = KnownCount(attendances, summary()["invited"] + summary()["walk_ins"])
        return Paginator(counted, ATTENDANCE_PER_PAGE).get_page(request.GET.get("page"))

    context = {
        "session": session,
        # with its tambon, organizer and note-taker, when the page is drawn
        "drawn": functools.cache(
            lambda: ForumSession.objects.select_related(*SESSION_RELATED).get(pk=session.pk)
        ),
        "page": page,
        "summary": summary,
        "history": functools.cache(lambda: session_history(session, limit=50)),
        "version": page_cache.session_version(session),
        "page_number": request.GET.get("page") or "1",
        "reader": "".join(
            "1" if request.user.has_perm(name) else "0"
            for name in ("forums.change_attendance", "forums.change_forumsession")
        ),
        "cache_seconds": page_cache.SECONDS,
    }
    return render(request, "forums/session_detail.html", context)


@require_http_methods(["GET", "POST"])
@permission_required("forums.add_forumsession", raise_exception=True)
def session_create(request):
    form = SessionForm(request.POST or None, user=request.user)
    if form.is_valid():
        session = form.save(commit=False)
        invited = services.create_session(session, user=request.user)
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
        try:
            session = services.save_session(
                form.save(commit=False), form.cleaned_data["version"], user=request.user
            )
        except services.StaleSession as exc:
            messages.error(request, str(exc))
            return redirect("forums:session_edit", code=code)
        messages.success(request, _("Session %(code)s saved.") % {"code": session.code})
        return redirect("forums:session_detail", code=session.code)
    return render(request, "forums/session_form.html", {"form": form, "session": session, "creating": False})
