"""The versions under which the pages of one session and of one person cache their content: the attendance
list, the history of changes, a person's attendance history.

These pages show people's names, so what they cache expires after SECONDS (a quarter of an hour) and its key
changes with every write that can change what they show:
- the figures' data version of the session's circle (forums.summaries: every attendance write through
  forums.services, the admin included, and every save of a session, person, organization or tambon);
- the places' and people's version (agencies.cache: names, and anonymization, which bypasses signals);
- the invitees' replies' version (forums.services.reply_by_invitee: a reply changes no figure);
- the accounts' version, bumped when an account is saved or deleted: the history names who made each change.
An erased person's old entries are never read again (a new version) and are gone from the cache when they
expire. Permission checks and the personal-data access log are made on every request, before the cache.
"""

from django.contrib.auth import get_user_model
from django.db.models.signals import post_delete, post_save

from agencies import cache as agency_cache
from core import versions
from forums import summaries

ACCOUNTS_KEY = "forums:accounts-version"
REPLIES_KEY = "forums:replies-version"
SECONDS = agency_cache.PERSONAL_SECONDS


def session_version(session) -> str:
    """One cache read, no query."""
    keys = [*summaries.version_keys(session.circle), agency_cache.VERSION_KEY, ACCOUNTS_KEY, REPLIES_KEY]
    return ".".join(map(str, versions.read(keys)))


def replied() -> None:
    """Call after an invitee's reply is saved."""
    versions.bump_after_write([REPLIES_KEY])


def accounts_changed(sender=None, update_fields=None, **kwargs) -> None:
    if update_fields is not None and set(update_fields) <= {"last_login"}:
        return  # a login: no name changed
    versions.bump_after_write([ACCOUNTS_KEY])


def connect() -> None:
    """Called from ForumsConfig.ready. A person's page (agencies, which knows nothing of forums) shows their
    attendance history: its cached content follows the figures of every circle too."""
    agency_cache.person_page_follows(summaries.version_keys(None))
    user = get_user_model()
    post_save.connect(accounts_changed, sender=user, dispatch_uid="forums-pages-account-save")
    post_delete.connect(accounts_changed, sender=user, dispatch_uid="forums-pages-account-delete")
