"""The check-in screen: phone first, one tap per person, offline first.

The page draws the list from data (embedded in the page, refreshed from `checkin_data` and kept on the phone in
IndexedDB); every tap goes into a queue on the phone that `static/js/checkin.js` sends to `checkin_sync`, which
answers for each change (saved, conflict, refused). A service worker (`checkin_service_worker`) keeps the page and
its files, so that the page opens without a connection.
"""

import datetime
import functools
import json
import re
import uuid
from secrets import token_urlsafe

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q, prefetch_related_objects
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from agencies import cache as agency_cache
from agencies.models import KmRole, Person
from forums import page_cache, services
from forums.access import session_for_user
from forums.codes import invitation_code
from forums.forms import NewPersonForm, RepresentativeForm, WalkInForm
from forums.models import Attendance, ForumSession

MARKABLE = [
    Attendance.Status.PRESENT,
    Attendance.Status.LATE,
    Attendance.Status.ABSENT,
    Attendance.Status.EXCUSED,
]
# Walk-ins offered for search on the phone: enough for a district meeting, bounded for a province-wide database.
WALK_IN_PEOPLE_LIMIT = 3000
SESSION_CODE = re.compile(r"[A-Za-z0-9_.-]{1,30}")
# A queue longer than this is sent in several requests by the page.
MAX_OPS_PER_REQUEST = 2500


def _rows(session):
    return session.attendances.select_related("person", "organization", "representative").order_by(
        "organization__sort_order", "organization__code", "person__first_name", "person__last_name"
    )


def server_time() -> str:
    """The server's clock in one fixed-width form, so that the page can compare two of them as text: which of its
    copies of a row is newer."""
    return timezone.now().astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def changed_row_data(row: Attendance) -> dict:
    """What a change can alter on a row the phone already holds: the phone merges it into its copy. (The whole
    row, with its signed personal code, cost more to send back for 300 marks than saving them.)"""
    return {
        "id": row.pk,
        "v": row.version,
        "s": row.status,
        "rep": row.representative.full_name if row.representative_id else "",
    }


def row_data(row: Attendance) -> dict:
    """One row as the phone keeps it: only what check-in needs (no phone number, email or position)."""
    return {
        "id": row.pk,
        "pid": row.person_id,
        "v": row.version,
        "s": row.status,
        "inv": row.invited,
        "name": row.person.full_name,
        "code": row.person.code,
        "role": row.role,
        "org": row.organization_id,
        "chair": row.person.is_chair,
        "rep": row.representative.full_name if row.representative_id else "",
        "qr": invitation_code(row),
    }


def session_data(session: ForumSession, rows) -> dict:
    rows = list(rows)
    organizations = {}
    for row in rows:
        organizations.setdefault(row.organization_id, str(row.organization))
    return {
        "session": {
            "id": session.pk,
            "code": session.code,
            "title": session.title,
            "date": session.date.isoformat(),
            # The phone forgets the list the day after the session (or when the coordinator logs out).
            "keepUntil": (session.date + datetime.timedelta(days=1)).isoformat(),
            "cancelled": session.status == ForumSession.Status.CANCELLED,
        },
        "organizations": {str(pk): name for pk, name in organizations.items()},
        "rows": [row_data(row) for row in rows],
        "generatedAt": server_time(),
    }


def _labels():
    return {
        "statuses": {str(value): str(label) for value, label in Attendance.Status.choices},
        "roles": {str(value): str(label) for value, label in KmRole.choices},
        "text": {
            "pending": _("Waiting to send"),
            "saved": _("Saved"),
            "refused": _("Not saved"),
            "now": _("now"),
            "walkIn": _("Walk-in"),
            "walkIns": _("Walk-ins"),
            "chair": _("Chair"),
            "attendanceOf": _("Attendance of"),
            "ok": _("OK"),
            "noOneFound": _("No one found."),
            "notPrepared": _(
                "The people list is not on this phone yet: tap “Prepare for the venue” while online."
            ),
            "alreadyOnList": _("Already on the list"),
            # %s: a number
            "restMarked": _("%s people were marked absent."),
            "undoSkipped": _("%s people changed since were left as they are."),
            "logoutPending": _(
                "%s changes have not reached the server yet and will be lost. Log out anyway?"
            ),
        },
    }


def _list_data(session) -> tuple[str, dict]:
    """The session's list as the page hands it to the phone, cached under the session page's version
    (forums.page_cache: every mark, walk-in and removal, a renamed person or organization starts a new one); the
    time it is read is added on every request: the list was the server's as late as that."""
    version = page_cache.session_version(session)
    name = f"forums:checkin:{session.pk}:{version}"
    data = cache.get(name)
    if data is None:
        data = session_data(session, _rows(session))
        del data["generatedAt"]
        cache.set(name, data, page_cache.SECONDS)
    return version, {**data, "generatedAt": server_time()}


def _context(request, session, *, walk_in_form=None, new_person_form=None, walk_in_token=None, **extra):
    """The page's context. The walk-in forms as drawn empty are cached (the organizations they offer are those of
    the session's tambon, under the places' version); the form's one-time token is drawn on every request."""
    version, data = _list_data(session)
    return {
        "session": session,
        "checkin_data": data,
        "list_version": version,
        "labels": _labels,
        "has_rows": bool(data["rows"]),
        "statuses": MARKABLE,
        "walk_in_form": walk_in_form or functools.cache(WalkInForm),
        "new_person_form": new_person_form
        or functools.cache(lambda: NewPersonForm(session=session, prefix="new")),
        "walk_in_token": walk_in_token or _new_token(),
        "forms_version": agency_cache.version(),
        "cache_seconds": agency_cache.SECONDS,
        "csrf_cookie_name": settings.CSRF_COOKIE_NAME,
        **extra,
    }


def _new_token():
    return token_urlsafe(16)


@require_safe
def checkin(request, code):
    session = session_for_user(request.user, code, change=True, related=False)
    return render(request, "forums/checkin.html", _context(request, session))


def _json_error(status, error, message):
    return JsonResponse({"error": error, "message": message}, status=status)


def _api_session(request, code, *, lock=False):
    """The session for a JSON request, or a JSON error: never the login page or an HTML error page, which the
    page would otherwise take for an answer."""
    if not request.user.is_authenticated:
        return None, JsonResponse(
            {
                "error": "login_required",
                "message": _(
                    "Your login has expired. Log in again; the marks waiting are kept on this phone."
                ),
                "login_url": f"{reverse(settings.LOGIN_URL)}?next={reverse('forums:checkin', args=[code])}",
            },
            status=401,
        )
    try:
        return session_for_user(request.user, code, change=True, lock=lock), None
    except PermissionDenied:
        return None, _json_error(403, "forbidden", _("You may not record attendance of this session."))
    except Http404:
        return None, _json_error(404, "not_found", _("This session is not one you may record."))


@login_not_required
@never_cache
@require_safe
def checkin_data(request, code):
    """What the phone stores to check in without a connection: the list, each invitee's personal code (for the
    scanner) and the people who may come as walk-ins (name, portal code, organization only)."""
    session, error = _api_session(request, code)
    if error:
        return error
    data = session_data(session, _rows(session))
    people = Person.objects.active().select_related("organization")
    if session.tambon_id:
        people = people.filter(Q(tambon__isnull=True) | Q(tambon_id=session.tambon_id))
    people = people.order_by("first_name", "last_name", "pk")[:WALK_IN_PEOPLE_LIMIT]
    data["people"] = [
        [p.pk, p.code, p.full_name, p.organization.abbr_th or p.organization.code] for p in people
    ]
    return JsonResponse(data)


def _number(raw: dict, name: str) -> int | None:
    value = raw.get(name)
    if value is None:
        return None
    if type(value) is not int or value < 0:  # not a bool either (a subclass of int)
        raise ValueError(name)
    return value


def _parse_op(raw) -> services.CheckinOp:
    """One change of the phone's queue (a save-all sends hundreds: no helper made per change)."""
    if type(raw) is not dict:
        raise ValueError("not an object")
    kind = raw.get("kind")
    if kind not in services.CheckinOpKind.ALL:
        raise ValueError("kind")
    made_at = parse_datetime(str(raw.get("madeAt") or "")) or timezone.now()
    if made_at.utcoffset() is None:
        made_at = made_at.replace(tzinfo=datetime.UTC)
    status = raw.get("status") or ""
    if type(status) is not str:
        raise ValueError("status")
    batch = raw.get("batch")
    return services.CheckinOp(
        uuid.UUID(str(raw.get("clientId"))),
        kind,
        made_at,
        _number(raw, "attendanceId"),
        status,
        _number(raw, "version") or 0,
        _number(raw, "personId"),
        uuid.UUID(str(batch)) if batch else None,
    )


def _outcome_data(outcome: services.CheckinOutcome) -> dict:
    data = {
        "clientId": str(outcome.op.client_id),
        "result": outcome.result,
        # A walk-in's row may be new to the phone: the whole row; any other change only alters known rows.
        "rows": [
            (row_data if outcome.op.kind == services.CheckinOpKind.WALK_IN else changed_row_data)(row)
            for row in outcome.rows
        ],
        "removed": outcome.removed,
    }
    if outcome.op.kind == services.CheckinOpKind.WALK_IN:
        data["organizations"] = {str(row.organization_id): str(row.organization) for row in outcome.rows}
    if outcome.reason:
        data["reason"] = outcome.reason
    if outcome.skipped:
        data["skipped"] = outcome.skipped
    if outcome.result == "conflict":
        row = outcome.rows[0]
        data["changedBy"] = outcome.changed_by
        data["reason"] = _(
            "%(who)s changed %(name)s to “%(current)s” before your mark “%(wanted)s” arrived. Your mark was "
            "not saved."
        ) % {
            "who": outcome.changed_by,
            "name": row.person.full_name,
            "current": row.get_status_display(),
            "wanted": Attendance.Status(outcome.op.status).label
            if outcome.op.status in Attendance.Status.values
            else outcome.op.status,
        }
    return data


@login_not_required
@require_POST
def checkin_sync(request, code):
    """Receives the phone's queue, in order, as JSON: `{"ops": [{clientId, kind, madeAt, attendanceId, status,
    version, personId, batch}, ...]}`; answers each change. One JSON body rather than one form field per person,
    so a session of thousands is saved in one request."""
    try:
        payload = json.loads(request.body)
        ops = [_parse_op(raw) for raw in payload["ops"]]
    except (ValueError, KeyError, TypeError, AttributeError):
        ops = None
    # One transaction from the session's lock to the last summary: syncs of one session queue behind each other.
    with transaction.atomic():
        session, error = _api_session(request, code, lock=True)
        if error:
            return error
        if ops is None:
            return _json_error(400, "bad_request", _("The attendance sent was damaged. Reload the page."))
        if len(ops) > MAX_OPS_PER_REQUEST:
            return _json_error(400, "too_many", _("Too many changes in one request."))
        outcomes = services.apply_checkin_ops(session, ops, user=request.user, session_locked=True)
    # The names a conflict message or a walk-in's whole row shows: one query, only when there are such answers.
    prefetch_related_objects(
        [
            row
            for outcome in outcomes
            if outcome.result == "conflict" or outcome.op.kind == services.CheckinOpKind.WALK_IN
            for row in outcome.rows
        ],
        "person",
    )
    return JsonResponse(
        {"results": [_outcome_data(outcome) for outcome in outcomes], "serverTime": server_time()}
    )


@login_not_required
@require_safe
def checkin_service_worker(request):
    """The check-in service worker, served under /forums/ so that it may control the check-in pages (a worker
    controls only pages under its own address). It holds no personal data: the list is in IndexedDB."""
    path = settings.BASE_DIR / "static" / "js" / "checkin-sw.js"
    response = HttpResponse(path.read_text(encoding="utf-8"), content_type="text/javascript; charset=utf-8")
    response["Cache-Control"] = "no-cache"
    return response


@login_not_required
@require_safe
def checkin_manifest(request):
    """The web app manifest: the check-in can be installed on the phone's home screen. Installed from a session's
    check-in page (`?session=<code>`), it opens that page, which works offline; otherwise the session list."""
    start = reverse("forums:session_list")
    code = request.GET.get("session", "")
    if SESSION_CODE.fullmatch(code):
        start = reverse("forums:checkin", args=[code])
    data = {
        "name": _("KM portal check-in"),
        "short_name": _("Check-in"),
        "lang": request.LANGUAGE_CODE,
        "start_url": start,
        "scope": reverse("forums:session_list"),
        "display": "standalone",
        "background_color": "#ffffff",
        "theme_color": "#0d6efd",
        "icons": [
            {"src": static("img/checkin-icon.svg"), "sizes": "any", "type": "image/svg+xml"},
            {"src": static("img/checkin-icon-192.png"), "sizes": "192x192", "type": "image/png"},
            {"src": static("img/checkin-icon-512.png"), "sizes": "512x512", "type": "image/png"},
        ],
    }
    return JsonResponse(
        data, content_type="application/manifest+json", json_dumps_params={"ensure_ascii": False}
    )


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
        elif not services.use_token(request.POST.get("token", "")):
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
        request,
        session,
        walk_in_form=form,
        new_person_form=new_person_form,
        walk_in_token=request.POST.get("token"),  # a second try of the same walk-in keeps its token
        open_walk_in=True,
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
