"""Who may see and change which forum sessions: the one place that says so.

Every rule here is a permission from the role table (accounts/roles.py) plus the coordinator scope, read from
accounts.CoordinatorScope: a coordinator changes the sessions organized by the agencies of their scope or held in
its tambons; `forums.change_any_forumsession` (administrators) lifts that limit.
"""

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.shortcuts import get_object_or_404

from accounts.models import CoordinatorScope
from forums.models import ForumSession


def _scope_of(user):
    return getattr(user, "coordinator_scope", None) if user.is_authenticated else None


def _unlimited(user) -> bool:
    return user.has_perm("forums.change_any_forumsession")


def scope_filter(user) -> Q:
    """Sessions of the user's coordinator scope (the one definition of what a scope covers): organized by its
    agencies or held in its tambons. Subqueries on the scope's tables, so that reading a session and checking
    the scope is one query; a user without a scope matches nothing."""
    scopes = CoordinatorScope.objects.filter(user_id=user.pk)
    return Q(organizer__in=scopes.values("agencies")) | Q(tambon__in=scopes.values("tambons"))


def changeable_sessions(user):
    """Sessions the user may change: every one with change_any_forumsession, those of their scope otherwise."""
    sessions = ForumSession.objects.all()
    if _unlimited(user):
        return sessions
    return sessions.filter(scope_filter(user)) if user.is_authenticated else sessions.none()


def may_organize(user, organizer, tambon) -> bool:
    """Whether the user may hold a session with this organizing agency in this tambon: any with
    change_any_forumsession; for a coordinator, an agency of their scope or a tambon of it."""
    if _unlimited(user):
        return True
    scope = _scope_of(user)
    if scope is None:
        return False
    # The same rule as scope_filter, for a session not saved yet. (Q.check() would evaluate scope_filter itself,
    # but it answers True when the database errs: no way to decide access.)
    return bool(
        (organizer is not None and scope.agencies.filter(pk=organizer.pk).exists())
        or (tambon is not None and scope.tambons.filter(pk=tambon.pk).exists())
    )


# What a session's pages show with it: read in the same query.
SESSION_RELATED = ("tambon", "organizer", "note_taker")


def session_for_user(
    user, code: str, *, change: bool = False, lock: bool = False, related: bool = True
) -> ForumSession:
    """The session with this code if the user may read it (or change it and its attendance, with change=True).

    403 when the user's role does not allow it at all; 404 when the session does not exist or lies outside the
    coordinator's scope (their agencies' and tambons' sessions), so that nothing tells them it is there. With
    lock=True (inside a transaction) the session's row is locked until it ends: writers of one session queue.
    With related=False the session's tambon, organizer and note-taker are not read with it (a page that caches
    what shows them reads them only when it draws it).
    """
    if not user.has_perm("forums.view_forumsession"):
        raise PermissionDenied
    if change and not user.has_perm("forums.change_attendance"):
        raise PermissionDenied
    sessions = changeable_sessions(user) if change else ForumSession.objects.all()
    if related:
        sessions = sessions.select_related(*SESSION_RELATED)
    if lock:
        sessions = sessions.select_for_update(of=("self",))
    return get_object_or_404(sessions, code=code)


def can_change_attendance(user, session: ForumSession) -> bool:
    """Whether the user may record the attendance of this session (a session they can already read)."""
    if not user.has_perm("forums.change_attendance"):
        return False
    return changeable_sessions(user).filter(pk=session.pk).exists()
