"""Who may read the dashboard: the one place that says so (`analytics.view_dashboard`, from the role table)."""

from django.core.exceptions import PermissionDenied
from django.http import Http404

from agencies import cache as agency_cache
from agencies.models import Organization

DASHBOARD = "analytics.view_dashboard"


def require_dashboard(user) -> None:
    """403 for anyone without the dashboard permission."""
    if not user.has_perm(DASHBOARD):
        raise PermissionDenied


def partner_for_user(user, code: str) -> Organization:
    """One of the nine partner agencies, for the dashboard's drill-down: 403 without the dashboard permission,
    404 for any other code."""
    require_dashboard(user)
    # The nine, read from the cache under the agencies' data version (bumped by every write to an organization).
    partners = agency_cache.cached("partners", lambda: {o.code: o for o in Organization.objects.partners()})
    if code not in partners:
        raise Http404
    return partners[code]
