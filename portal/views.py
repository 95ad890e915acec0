from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.db import DatabaseError, connection
from django.db.models import Count, Q
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from agencies import cache as agency_cache
from agencies.models import KmRole, Organization, Person, Tambon
from forums.access import changeable_sessions
from forums.models import ForumSession

# The home page lists at most this many of a coordinator's sessions from today on; the rest are one tap away in
# the session list.
HOME_SESSIONS = 6


@require_safe
def home(request):
    today = timezone.localdate()
    people_by_role = dict(
        Person.objects.active().values_list("role").annotate(n=Count("id")).values_list("role", "n")
    )
    context = {
        "today": today,
        "my_sessions": _coming_sessions(request.user, today),
        "role_counts": [(role, people_by_role.get(role.value, 0)) for role in KmRole],
        "agency_count": Organization.objects.partners().count(),
        "tambons": Tambon.objects.in_program()
        .select_related("district")
        .annotate(people_count=Count("people", filter=Q(people__is_active=True))),
        "chair": Person.objects.active().filter(is_chair=True).select_related("organization").first(),
    }
    return render(request, "home.html", context)


def _coming_sessions(user, today):
    """The sessions from today on that the user runs at the venue (their scope), soonest first; None for users
    who do not take attendance, so the page shows them nothing of it."""
    if not user.has_perm("forums.change_attendance"):
        return None
    return list(
        changeable_sessions(user)
        .filter(date__gte=today)
        .exclude(status=ForumSession.Status.CANCELLED)
        .select_related("tambon")
        .order_by("date", "start", "code")[:HOME_SESSIONS]
    )


@login_not_required
@never_cache
@require_safe
def healthz(request):
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return JsonResponse({"status": "error"}, status=503)
    return JsonResponse({"status": "ok"})


@login_not_required
@require_safe
def privacy(request):
    """The privacy notice (PDPA section 23), in Thai and English on one page: it is the notice itself, not
    interface text, so both versions are written out rather than translated through the catalogue."""
    context = {
        "retention_years": settings.PDPA_RETENTION_YEARS,
        "cache_minutes": agency_cache.PERSONAL_SECONDS // 60,
        "contact_email": settings.DEFAULT_FROM_EMAIL,
        "partners": Organization.objects.partners(),
    }
    return render(request, "privacy.html", context)


@login_not_required
@require_safe
def favicon(request):
    """Browsers ask for /favicon.ico whatever the page says; answer with the portal's icon, not a 404 in the log."""
    return redirect(static("favicon.ico"))
