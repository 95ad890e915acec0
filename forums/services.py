"""Writes to sessions, invitations and attendance. Every change goes through here, in bulk, with its history.

"Check" (is this mark allowed, is it stale) is kept apart from "do" (write it), so that the phone check-in, the
save-all form, the typed-up sheet import, the admin and the command-line import share one set of rules.

Every function that changes attendance refreshes the turnout of the sessions it touched itself
(forums.summaries.refresh), inside its transaction: there is no signal to rely on. A write that bypasses these
functions (the shell) leaves the turnout stale until `manage.py rebuild_turnout`.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history, get_history_manager_for_model

from agencies.models import KmRole, Organization, Person
from forums import summaries
from forums.models import Attendance, Circle, ForumSession, SubmissionToken

Status = Attendance.Status
HISTORY = get_history_manager_for_model(Attendance)


# Sessions ---------------------------------------------------------------------------------------------------


class StaleSession(ValueError):
    """The session was saved by someone else since the form that changes it was opened."""

    def __init__(self):
        super().__init__(
            _("Someone else saved this session while you were editing it. Your changes were not saved.")
        )


@transaction.atomic
def create_session(session: ForumSession, user=None, invitees: Iterable[Person] | None = None) -> int:
    """Saves a new session and invites its circle (proposed_invitees), or the invitees given; returns how many
    people were invited."""
    if session.pk is not None:
        raise ValueError("create_session() takes a session not saved yet")
    session.version = 1
    session._history_user = user
    session.save()
    return invite(session, proposed_invitees(session) if invitees is None else invitees, user=user)


@transaction.atomic
def save_session(session: ForumSession, seen_version: int | None, user=None) -> ForumSession:
    """Saves changes to a session, as a compare-and-set on its version: of two people saving the same session,
    the later one gets StaleSession and nothing of theirs is written. `seen_version` is the version the change
    was made on (None: the one the instance holds)."""
    expected = session.version if seen_version is None else seen_version
    if not ForumSession.objects.filter(pk=session.pk, version=expected).update(version=expected + 1):
        raise StaleSession
    session.version = expected + 1
    session._history_user = user
    session.save()
    return session


# Invitations ------------------------------------------------------------------------------------------------


def proposed_invitees(session: ForumSession):
    """Who the circle invites: the executives of the nine agencies and the chair; with คุณอำนวย for the
    two-party circle; with the practitioners of the session's tambon (or of the pilot tambons, for a provincial
    session) for the three-party circle."""
    people = Person.objects.active()
    partners = Q(organization__kind=Organization.Kind.AGENCY)
    wanted = (Q(role=KmRole.EUA) & partners) | Q(is_chair=True)
    if session.circle in (Circle.EUA_AMNUAY, Circle.ALL):
        amnuay = Q(role=KmRole.AMNUAY) & (partners | Q(organization__kind=Organization.Kind.PROVINCE))
        if session.tambon_id:
            amnuay &= Q(tambon__isnull=True) | Q(tambon_id=session.tambon_id)
        wanted |= amnuay
    if session.circle == Circle.ALL:
        practitioners = Q(role=KmRole.KIT)
        if session.tambon_id:
            practitioners &= Q(tambon_id=session.tambon_id)
        else:
            practitioners &= Q(tambon__phase="pilot")
        wanted |= practitioners
    return people.filter(wanted)


def new_attendance(session, person, *, invited=True, status="") -> Attendance:
    return Attendance(
        session=session,
        person=person,
        invited=invited,
        status=status,
        role=person.role,
        organization_id=person.organization_id,
        checked_in_at=timezone.now() if status in Attendance.ATTENDED else None,
    )


@transaction.atomic
def invite(session: ForumSession, people: Iterable[Person], user=None) -> int:
    """Invites people not yet on the list; returns how many were added. A walk-in who is invited afterwards
    stays as recorded."""
    already = set(session.attendances.values_list("person_id", flat=True))
    rows = [new_attendance(session, p) for p in people if p.pk not in already]
    if rows:
        bulk_create_with_history(rows, Attendance, default_user=user)
        summaries.refresh([session.pk])
    return len(rows)


@transaction.atomic
def uninvite(session: ForumSession, attendance_ids: Iterable[int], user=None) -> int:
    """Takes people off the list; only invitations not yet marked, so no attendance is lost this way.
    One delete per row, so that each leaves its history record; one turnout refresh for them all."""
    removed = 0
    for row in session.attendances.filter(pk__in=list(attendance_ids), invited=True, status=""):
        row._history_user = user
        row.delete()
        removed += 1
    if removed:
        summaries.refresh([session.pk])
    return removed


# Marks ------------------------------------------------------------------------------------------------------


@dataclass
class Mark:
    attendance_id: int
    status: str
    version: int
    representative: Person | None = None
    reply: str | None = None


@dataclass
class Conflict:
    attendance: Attendance
    wanted: str

    def message(self) -> str:
        return _(
            "%(name)s was changed by someone else to “%(current)s” before your mark “%(wanted)s” arrived. "
            "Your mark was not saved; check and mark again."
        ) % {
            "name": self.attendance.person.full_name,
            "current": self.attendance.get_status_display(),
            "wanted": Status(self.wanted).label if self.wanted in Status.values else self.wanted,
        }


@dataclass
class MarkResult:
    saved: list[Attendance] = field(default_factory=list)
    unchanged: int = 0
    conflicts: list[Conflict] = field(default_factory=list)


class MarkError(ValueError):
    """A mark that breaks a rule of attendance (walk-in absent, representative missing, cancelled session)."""


def check_mark(row: Attendance, mark: Mark):
    if mark.status not in Status.values:
        raise MarkError(_("“%(status)s” is not an attendance status.") % {"status": mark.status})
    if row.session.status == ForumSession.Status.CANCELLED:
        raise MarkError(_("The session was cancelled; attendance cannot be recorded."))
    if not row.invited and mark.status not in Attendance.ATTENDED:
        raise MarkError(_("A walk-in can only be present or late; remove the walk-in instead."))
    if mark.status == Status.REPRESENTED:
        representative = mark.representative or row.representative
        if representative is None:
            raise MarkError(_("Name the representative who came instead."))
        if representative.pk == row.person_id:
            raise MarkError(_("A person cannot represent themselves."))


def _apply(row: Attendance, mark: Mark, now) -> list[str]:
    changed = []
    if mark.status != row.status:
        was_attended = row.attended
        row.status = mark.status
        changed.append("status")
        if row.attended and not was_attended:
            row.checked_in_at = now
            changed.append("checked_in_at")
        elif not row.attended and row.checked_in_at:
            row.checked_in_at = None
            changed.append("checked_in_at")
    representative = mark.representative if mark.status == Status.REPRESENTED else None
    if mark.status == Status.REPRESENTED and representative is None:
        representative = row.representative
    if (representative.pk if representative else None) != row.representative_id:
        row.representative = representative
        changed.append("representative")
    if mark.reply is not None and mark.reply != row.reply:
        row.reply = mark.reply
        changed.append("reply")
    return changed


@transaction.atomic
def save_marks(session: ForumSession, marks: list[Mark], user=None) -> MarkResult:
    """Saves many marks in a fixed number of queries, whatever their number.

    Each mark names the version of the row it was made on. A row changed since (another coordinator, another
    tab) is a conflict and is not overwritten; a mark that asks for what the row already holds (a double
    submit) changes nothing and is no conflict. Raises MarkError, writing nothing, if any mark breaks a rule.
    """
    result = MarkResult()
    by_id = {m.attendance_id: m for m in marks}
    rows = list(
        session.attendances.select_for_update(of=("self",))
        .select_related("person", "session")
        .filter(pk__in=by_id)
    )
    if len(rows) != len(by_id):
        raise MarkError(_("Some of the people marked are not on this session's list. Reload the page."))
    now = timezone.now()
    changed_rows, fields = [], set()
    for row in rows:
        mark = by_id[row.pk]
        check_mark(row, mark)
        wanted_representative = mark.representative.pk if mark.representative else row.representative_id
        same = row.status == mark.status and (
            mark.status != Status.REPRESENTED or row.representative_id == wanted_representative
        )
        if mark.reply is not None:
            same = same and row.reply == mark.reply
        if same:
            result.unchanged += 1
            continue
        if row.version != mark.version:
            result.conflicts.append(Conflict(row, mark.status))
            continue
        changed = _apply(row, mark, now)
        if not changed:
            result.unchanged += 1
            continue
        row.version += 1
        fields.update(changed)
        changed_rows.append(row)
    if changed_rows:
        Attendance.objects.bulk_update(changed_rows, [*sorted(fields), "version", "updated_at"])
        HISTORY.bulk_history_create(changed_rows, update=True, default_user=user)
        summaries.refresh([session.pk])
        result.saved = changed_rows
        note_held(session, user)
    return result


def note_held(session: ForumSession, user):
    """A planned session whose attendance is being recorded on or after its day has been held."""
    if session.status == ForumSession.Status.PLANNED and session.date <= timezone.localdate():
        session.status = ForumSession.Status.HELD
        session.version += 1
        session._history_user = user
        session.save(update_fields=["status", "version", "updated_at"])


@transaction.atomic
def mark_unmarked_absent(session: ForumSession, user=None) -> int:
    rows = list(session.attendances.select_for_update(of=("self",)).filter(invited=True, status=""))
    for row in rows:
        row.status = Status.ABSENT
        row.version += 1
    if rows:
        Attendance.objects.bulk_update(rows, ["status", "version", "updated_at"])
        HISTORY.bulk_history_create(rows, update=True, default_user=user)
        summaries.refresh([session.pk])
    return len(rows)


@transaction.atomic
def add_walk_in(session: ForumSession, person: Person, status: str = Status.PRESENT, user=None) -> Attendance:
    """Records someone who came without an invitation. Someone already on the list is marked, not added twice."""
    if status not in Attendance.ATTENDED:
        raise MarkError(_("A walk-in can only be present or late."))
    if session.status == ForumSession.Status.CANCELLED:
        raise MarkError(_("The session was cancelled; attendance cannot be recorded."))
    existing = session.attendances.filter(person=person).first()
    if existing:
        if existing.status != status:
            save_marks(session, [Mark(existing.pk, status, existing.version)], user=user)
            existing.refresh_from_db()
        return existing
    row = new_attendance(session, person, invited=False, status=status)
    try:
        with transaction.atomic():
            bulk_create_with_history([row], Attendance, default_user=user)
    except IntegrityError:
        # The same walk-in sent twice at the same moment: the first one stands.
        return session.attendances.get(person=person)
    summaries.refresh([session.pk])
    note_held(session, user)
    return row


def add_walk_ins(session: ForumSession, walk_ins: list[tuple[Person, str]], user=None) -> list[Attendance]:
    """Records several people who came without an invitation (person, present or late), none of them on the
    list yet (a typed-up sheet, checked beforehand): one insert, one turnout refresh."""
    if session.status == ForumSession.Status.CANCELLED:
        raise MarkError(_("The session was cancelled; attendance cannot be recorded."))
    if any(status not in Attendance.ATTENDED for _person, status in walk_ins):
        raise MarkError(_("A walk-in can only be present or late."))
    rows = [new_attendance(session, person, invited=False, status=status) for person, status in walk_ins]
    if rows:
        # Part of the caller's transaction when there is one (the sheet import is all or nothing).
        with transaction.atomic(savepoint=False):
            bulk_create_with_history(rows, Attendance, default_user=user)
            summaries.refresh([session.pk])
            note_held(session, user)
    return rows


# Imports and the admin --------------------------------------------------------------------------------------


@transaction.atomic
def import_attendance_rows(rows: list[Attendance], user=None, batch_size: int = 5000) -> int:
    """Inserts new attendance rows of any number of sessions (`import_km`), with their history, then refreshes
    the turnout of every session they belong to, in the same transaction; returns how many rows.

    The caller has checked the rows (and reports problems with file and line); the database's constraints
    (one row per session and person, a walk-in present or late, a representative only with `represented`)
    still refuse a bad row, and then nothing is written."""
    bulk_create_with_history(rows, Attendance, default_user=user, batch_size=batch_size)
    session_ids = sorted({row.session_id for row in rows})
    for start in range(0, len(session_ids), batch_size):
        summaries.refresh(session_ids[start : start + batch_size])
    return len(rows)


@transaction.atomic
def save_attendance_rows(saved: Iterable[Attendance], deleted: Iterable[Attendance] = (), user=None) -> None:
    """Writes attendance rows edited one at a time (the admin, where every field can change): validates each
    row with the model's rules, saves or deletes it with its history, then refreshes the turnout of every
    session touched, once. A changed row's version grows, so that marks made on the old one become stale."""
    saved, deleted = list(saved), list(deleted)
    # A row moved to another session leaves the old one's turnout to refresh as well.
    session_ids = set(
        Attendance.objects.filter(pk__in=[r.pk for r in saved + deleted if r.pk]).values_list(
            "session_id", flat=True
        )
    )
    for row in deleted:
        row._history_user = user
        row.delete()
    for row in saved:
        row.full_clean()
        if row.pk is not None:
            row.version += 1
        if row.attended and row.checked_in_at is None:
            row.checked_in_at = timezone.now()
        elif not row.attended:
            row.checked_in_at = None
        row._history_user = user
        row.save()
        session_ids.add(row.session_id)
    summaries.refresh(session_ids)


def use_token(token: str) -> bool:
    """True the first time a form's token is seen, False for a repeat submit of the same form."""
    if not token:
        return True
    try:
        with transaction.atomic():
            SubmissionToken.objects.create(token=token[:64])
    except IntegrityError:
        return False
    return True


# Summaries --------------------------------------------------------------------------------------------------


def summary(session: ForumSession) -> dict:
    """Counts of one session's attendance and of the partner agencies invited and represented: two queries."""
    invited = Q(invited=True)
    # Aggregate names must differ from field names ("invited", "status"), hence the prefix.
    raw = session.attendances.aggregate(
        n_invited=Count("pk", filter=invited),
        n_unmarked=Count("pk", filter=invited & Q(status="")),
        n_present=Count("pk", filter=invited & Q(status=Status.PRESENT)),
        n_late=Count("pk", filter=invited & Q(status=Status.LATE)),
        n_absent=Count("pk", filter=invited & Q(status=Status.ABSENT)),
        n_excused=Count("pk", filter=invited & Q(status=Status.EXCUSED)),
        n_sent_representative=Count("pk", filter=invited & Q(status=Status.REPRESENTED)),
        n_walk_ins=Count("pk", filter=Q(invited=False)),
    )
    counts = {name.removeprefix("n_"): value for name, value in raw.items()}
    counts["attended"] = counts["present"] + counts["late"] + counts["walk_ins"]
    per_agency = (
        session.attendances.filter(organization__kind=Organization.Kind.AGENCY)
        .values("organization")
        .annotate(
            invitees=Count("pk", filter=invited),
            came=Count(
                "pk", filter=Q(status__in=Attendance.ATTENDED) | (invited & Q(status=Status.REPRESENTED))
            ),
        )
    )
    invited_agencies = {row["organization"] for row in per_agency if row["invitees"]}
    represented_agencies = {row["organization"] for row in per_agency if row["came"]}
    counts["agencies_invited"] = len(invited_agencies)
    counts["agencies_represented"] = len(invited_agencies & represented_agencies)
    return counts
