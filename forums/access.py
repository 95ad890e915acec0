"""Fetching forum sessions a user may see: the one place that says so."""

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404

from forums.models import ForumSession


def session_for_user(user, code: str, *, change: bool = False) -> ForumSession:
    """The session with this code if the user may read it (or change its attendance, with change=True);
    404 when it does not exist, 403 when the user's role does not allow it."""
    if not user.has_perm("forums.view_forumsession"):
        raise PermissionDenied
    if change and not user.has_perm("forums.change_attendance"):
        raise PermissionDenied
    return get_object_or_404(
        ForumSession.objects.select_related("tambon", "organizer", "note_taker"), code=code
    )
