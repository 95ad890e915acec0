"""Fetching forum sessions a user may see: the one place that says so."""

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404

from accounts import roles
from forums.models import ForumSession


def changeable_sessions(user):
    """Sessions the user may change: all for administrators, those of their scope for coordinators."""
    sessions = ForumSession.objects.all()
    if user.is_superuser or roles.has_role(user, roles.ADMINISTRATOR):
        return sessions
    scope = getattr(user, "coordinator_scope", None)
    return sessions.filter(scope.sessions_filter()) if scope else sessions.none()


def session_for_user(user, code: str, *, change: bool = False) -> ForumSession:
    """The session with this code if the user may read it (or change it and its attendance, with change=True).

    403 when the user's role does not allow it at all; 404 when the session does not exist or lies outside the
    coordinator's scope (their agencies' and tambons' sessions), so that nothing tells them it is there.
    """
    if not user.has_perm("forums.view_forumsession"):
        raise PermissionDenied
    if change and not user.has_perm("forums.change_attendance"):
        raise PermissionDenied
    sessions = changeable_sessions(user) if change else ForumSession.objects.all()
    return get_object_or_404(sessions.select_related("tambon", "organizer", "note_taker"), code=code)


def can_change_attendance(user, session: ForumSession) -> bool:
    """Whether the user may record the attendance of this session (a session they can already read)."""
    if not user.has_perm("forums.change_attendance"):
        return False
    return changeable_sessions(user).filter(pk=session.pk).exists()
