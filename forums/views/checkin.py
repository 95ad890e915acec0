"""The check-in screen: phone first, one tap per person, every mark its own write."""

from secrets import token_urlsafe

from django.contrib import messages
from django.db import transaction
from django.http import HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from agencies.models import Person
from forums import services
from forums.access import session_for_user
from forums.forms import NewPersonForm, RepresentativeForm, WalkInForm
from forums.models import Attendance, ForumSession

MARKABLE = [
    Attendance.Status.PRESENT,
    Attendance.Status.LATE,
    Attendance.Status.ABSENT,
    Attendance.Status.EXCUSED,
]


def _rows(session):
    return session.attendances.select_related("person", "organization", "representative").order_by(
        "organization__sort_order", "organization__code", "person__first_name", "person__last_name"
    )


def _context(request, session, **extra):
    return {
        "session": session,
        "rows": _rows(session),
        "summary": services.summary(session),
        "statuses": MARKABLE,
        "walk_in_form": extra.pop("walk_in_form", None) or WalkInForm(initial={"token": _new_token()}),
        "new_person_form": extra.pop("new_person_form", None) or NewPersonForm(session=session, prefix="new"),
        **extra,
    }


def _new_token():
    return token_urlsafe(16)


def _is_htmx(request):
    return request.headers.get("HX-Request") == "true"


@require_safe
def checkin(request, code):
    session = session_for_user(request.user, code, change=True)
    return render(request, "forums/checkin.html", _context(request, session))


def _parse_marks(post, session):
    """Marks from the form: one field per person, `p-<attendance id>` = `<status>:<version>`."""
    marks = []
    for key, value in post.items():
        if not key.startswith("p-"):
            continue
        try:
            attendance_id = int(key[2:])
            status, version = value.rsplit(":", 1)
            marks.append(services.Mark(attendance_id, status, int(version)))
        except ValueError:
            return None
    return marks


@require_POST
def mark(request, code):
    """Saves the marks sent: one person's (a tap, through htmx) or everyone's (the save-all button)."""
    session = session_for_user(request.user, code, change=True)
    marks = _parse_marks(request.POST, session)
    if marks is None:
        return HttpResponseBadRequest(_("The attendance form was damaged. Reload the page."))
    try:
        result = services.save_marks(session, marks, user=request.user)
        error = None
    except services.MarkError as exc:
        result, error = None, str(exc)
    session.refresh_from_db()
    if _is_htmx(request) and len(marks) == 1:
        row = _rows(session).get(pk=marks[0].attendance_id)
        conflict = result.conflicts[0].message() if result and result.conflicts else None
        return render(
            request,
            "forums/includes/checkin_row_response.html",
            {
                "session": session,
                "row": row,
                "statuses": MARKABLE,
                "summary": services.summary(session),
                "error": error or conflict,
            },
        )
    if error:
        messages.error(request, error)
    else:
        if result.saved:
            messages.success(request, _("%(count)s marks saved.") % {"count": len(result.saved)})
        for conflict in result.conflicts:
            messages.warning(request, conflict.message())
    return redirect("forums:checkin", code=code)


@require_POST
def mark_rest_absent(request, code):
    session = session_for_user(request.user, code, change=True)
    count = services.mark_unmarked_absent(session, user=request.user)
    messages.success(request, _("%(count)s people not yet marked were marked absent.") % {"count": count})
    return redirect("forums:checkin", code=code)


@require_POST
def walk_in(request, code):
    session = session_for_user(request.user, code, change=True)
    form = WalkInForm(request.POST)
    new_person_form = NewPersonForm(request.POST, session=session, prefix="new")
    if form.is_valid():
        adding_new = form.cleaned_data["new_person"]
        person = form.cleaned_data["person"]
        if not adding_new and person is None:
            form.add_error("person", _("Type a portal code or name, or tick “a new person”."))
        elif adding_new and not new_person_form.is_valid():
            pass
        elif not services.use_token(form.cleaned_data["token"]):
            messages.info(request, _("This walk-in was already saved."))
            return redirect("forums:checkin", code=code)
        else:
            try:
                with transaction.atomic():
                    if adding_new:
                        person = _create_person(new_person_form, session)
                    row = services.add_walk_in(
                        session, person, form.cleaned_data["status"], user=request.user
                    )
            except services.MarkError as exc:
                messages.error(request, str(exc))
                return redirect("forums:checkin", code=code)
            if row.invited:
                messages.success(
                    request, _("%(name)s was invited; marked as come.") % {"name": person.full_name}
                )
            else:
                messages.success(request, _("Walk-in %(name)s added.") % {"name": person.full_name})
            if adding_new and person.possible_duplicates().exists():
                messages.warning(
                    request,
                    _("Someone with the same name in the same organization is already in the portal: check that "
                      "%(name)s was not entered twice.") % {"name": person.full_name},
                )  # fmt: skip
            return redirect("forums:checkin", code=code)
    context = _context(
        request, session, walk_in_form=form, new_person_form=new_person_form, open_walk_in=True
    )
    return render(request, "forums/checkin.html", context, status=400)


def _create_person(form: NewPersonForm, session: ForumSession) -> Person:
    person = form.save(commit=False)
    if person.organization.tambon_id:
        person.tambon_id = person.organization.tambon_id
    elif session.tambon_id and person.role != "eua":
        person.tambon_id = session.tambon_id
    person.code = _next_person_code()
    person.save()
    return person


def _next_person_code() -> str:
    """W + a number: codes of people added at a venue, apart from imported and seeded codes."""
    last = (
        Person.objects.filter(code__regex=r"^W[0-9]{6}$")
        .order_by("-code")
        .values_list("code", flat=True)
        .first()
    )
    return f"W{int(last[1:]) + 1 if last else 1:06d}"


@require_http_methods(["GET", "POST"])
def representative(request, code, attendance_id):
    session = session_for_user(request.user, code, change=True)
    row = get_object_or_404(session.attendances.select_related("person", "representative"), pk=attendance_id)
    form = RepresentativeForm(request.POST or None, initial={"version": row.version})
    new_person_form = NewPersonForm(request.POST or None, session=session, prefix="new")
    if request.method == "POST" and form.is_valid():
        adding_new = form.cleaned_data["new_person"]
        chosen = form.cleaned_data["representative"]
        if not adding_new and chosen is None:
            form.add_error("representative", _("Type the representative's portal code or name."))
        elif not adding_new or new_person_form.is_valid():
            try:
                with transaction.atomic():
                    if adding_new:
                        chosen = _create_person(new_person_form, session)
                    result = services.save_marks(
                        session,
                        [
                            services.Mark(
                                row.pk, Attendance.Status.REPRESENTED, form.cleaned_data["version"], chosen
                            )
                        ],
                        user=request.user,
                    )
            except services.MarkError as exc:
                form.add_error(None, str(exc))
            else:
                if result.conflicts:
                    messages.warning(request, result.conflicts[0].message())
                else:
                    messages.success(
                        request,
                        _("%(name)s sent %(representative)s as representative.")
                        % {"name": row.person.full_name, "representative": chosen.full_name},
                    )
                return redirect("forums:checkin", code=code)
    return render(
        request,
        "forums/representative.html",
        {"session": session, "row": row, "form": form, "new_person_form": new_person_form},
    )


@require_safe
def person_search(request, code):
    """People matching what the coordinator types, to add as walk-ins (htmx fragment)."""
    session = session_for_user(request.user, code, change=True)
    text = request.GET.get("q", "").strip()
    people = []
    if len(text) >= 2:
        people = list(
            Person.objects.active().search(text).select_related("organization").order_by("first_name")[:15]
        )
    already = set(session.attendances.filter(person__in=people).values_list("person_id", flat=True))
    return render(
        request,
        "forums/includes/person_search_results.html",
        {"session": session, "people": people, "already": already, "text": text, "token": _new_token()},
    )
