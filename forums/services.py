"""Writes to sessions, invitations and attendance. Every change goes through here, in bulk, with its history.

"Check" (is this mark allowed, is it stale) is kept apart from "do" (write it), so that the phone check-in, the
save-all form, the typed-up sheet import, the admin and the command-line import share one set of rules.

Every function that changes attendance refreshes the turnout of the sessions it touched itself
(forums.summaries.refresh), inside its transaction: there is no signal to rely on. A write that bypasses these
functions (the shell) leaves the turnout stale until `manage.py rebuild_turnout`.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import IntegrityError, connections, models, transaction
from django.db.models import Count, F, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history, get_history_manager_for_model

from agencies.models import KmRole, Organization, Person
from core import bulk
from core.compiled import CompiledQuery
from forums import marks_sql, page_cache, summaries
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
def save_marks(session: ForumSession, marks: list[Mark], user=None, reason: str = "") -> MarkResult:
    """Saves many marks in a fixed number of queries, whatever their number.

    Each mark names the version of the row it was made on. A row changed since (another coordinator, another
    tab) is a conflict and is not overwritten; a mark that asks for what the row already holds (a double
    submit) changes nothing and is no conflict. Raises MarkError, writing nothing, if any mark breaks a rule.
    ``reason`` goes into the history records (a self check-in is told apart by it).
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
        HISTORY.bulk_history_create(
            changed_rows, update=True, default_user=user, default_change_reason=reason
        )
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


_INVITED = Q(invited=True)
# Aggregate names must differ from field names ("invited", "status"), hence the prefix.
_COUNTS = {
    "n_invited": Count("pk", filter=_INVITED),
    "n_unmarked": Count("pk", filter=_INVITED & Q(status="")),
    "n_present": Count("pk", filter=_INVITED & Q(status=Status.PRESENT)),
    "n_late": Count("pk", filter=_INVITED & Q(status=Status.LATE)),
    "n_absent": Count("pk", filter=_INVITED & Q(status=Status.ABSENT)),
    "n_excused": Count("pk", filter=_INVITED & Q(status=Status.EXCUSED)),
    "n_sent_representative": Count("pk", filter=_INVITED & Q(status=Status.REPRESENTED)),
    "n_walk_ins": Count("pk", filter=Q(invited=False)),
}
# Both queries of a session's summary are built once (core.compiled): building them cost about as much as running
# them, on every uncached view of a session.
_SESSION_COUNTS = CompiledQuery(
    lambda session_id: (
        Attendance.objects.filter(session_id=session_id)
        .values("session_id")
        .annotate(**_COUNTS)
        .values_list(*_COUNTS)
        .order_by()
    ),
    arity=1,
)
_AGENCY_COUNTS = CompiledQuery(
    lambda session_id: (
        Attendance.objects.filter(session_id=session_id, organization__kind=Organization.Kind.AGENCY)
        .values("organization")
        .annotate(
            invitees=Count("pk", filter=_INVITED),
            came=Count(
                "pk", filter=Q(status__in=Attendance.ATTENDED) | (_INVITED & Q(status=Status.REPRESENTED))
            ),
        )
        .values_list("organization", "invitees", "came")
        .order_by()
    ),
    arity=1,
)


def summary(session: ForumSession) -> dict:
    """Counts of one session's attendance and of the partner agencies invited and represented: two queries."""
    using = Attendance.objects.db
    counted = _SESSION_COUNTS.rows(session.pk, using=using)
    values = counted[0] if counted else [0] * len(_COUNTS)
    counts = {name.removeprefix("n_"): value for name, value in zip(_COUNTS, values, strict=True)}
    counts["attended"] = counts["present"] + counts["late"] + counts["walk_ins"]
    per_agency = _AGENCY_COUNTS.rows(session.pk, using=using)
    invited_agencies = {organization for organization, invitees, _came in per_agency if invitees}
    represented_agencies = {organization for organization, _invitees, came in per_agency if came}
    counts["agencies_invited"] = len(invited_agencies)
    counts["agencies_represented"] = len(invited_agencies & represented_agencies)
    return counts


# Phone check-in queue ---------------------------------------------------------------------------------------
#
# The check-in page records every tap in a queue on the phone and sends it, in order, when it can. Each change
# carries an id made on the phone (a UUID) and the time it was made there; both are kept on the history record it
# writes, so that a change sent twice (the answer was lost, the phone sent it again) is recognized and changes
# nothing, and the history shows when a mark was made at the venue and when it reached the server.


class CheckinOpKind:
    MARK = "mark"  # a status, or "" to clear a mark back to "not yet marked"
    WALK_IN = "walk_in"
    REMOVE_WALK_IN = "remove_walk_in"
    REST_ABSENT = "rest_absent"
    UNDO_REST_ABSENT = "undo_rest_absent"
    ALL = (MARK, WALK_IN, REMOVE_WALK_IN, REST_ABSENT, UNDO_REST_ABSENT)


@dataclass
class CheckinOp:
    client_id: object  # uuid.UUID
    kind: str
    made_at: object  # datetime, on the phone's clock
    attendance_id: int | None = None
    status: str = ""
    version: int = 0
    person_id: int | None = None
    batch: object = None  # the client id of the "rest absent" change an undo reverses


@dataclass
class CheckinOutcome:
    op: CheckinOp
    result: str  # saved, unchanged, duplicate, conflict, refused
    rows: list = field(default_factory=list)  # the rows as they now stand
    removed: list = field(default_factory=list)  # ids of rows removed
    reason: str = ""
    changed_by: str = ""  # for a conflict: who made the change that won
    skipped: int = 0  # undo of "rest absent": rows changed since, left as they are


def _history_record(row: Attendance, kind: str, user_id, op: CheckinOp, now) -> dict:
    """The history record of a change, as column values (the row as it stands after the change)."""
    record = {f.attname: getattr(row, f.attname) for f in HISTORY.model.tracked_fields}
    record.update(
        history_date=now,
        history_user_id=user_id,
        history_change_reason="",
        history_type=kind,
        client_id=op.client_id,
        made_at=op.made_at,
    )
    return record


def _insert_history(records: list[dict]) -> None:
    """Writes the queue's history records (django-simple-history's table, as the model's save would) without a
    model object per record (core.bulk): for 300 marks Django's per-object work cost more than the database.
    Every column the record does not name gets its default, so a field added later is not lost."""
    model = HISTORY.model
    connection = connections[model.objects.db]
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    # Numbers, text, flags and keys go to the database as they are; dates, times and UUIDs as Django stores them.
    plain = (models.IntegerField, models.CharField, models.TextField, models.BooleanField, models.ForeignKey)
    defaults = {
        f.attname: f.get_db_prep_save(f.get_default(), connection)
        for f in fields
        if f.attname not in records[0]
    }
    converted = {f.attname for f in fields if not isinstance(f, plain)}

    def value(f, record):
        if f.attname in defaults:
            return defaults[f.attname]
        if f.attname in converted:
            return f.get_db_prep_save(record[f.attname], connection)
        return record[f.attname]

    rows = [tuple(value(f, record) for f in fields) for record in records]
    bulk.insert_rows(model._meta.db_table, [f.column for f in fields], rows, using=model.objects.db)


def _latest_history(attendance_ids):
    """The newest history record of each row, with its user: one query."""
    latest = {}
    records = (
        HISTORY.filter(id__in=list(attendance_ids))
        .select_related("history_user")
        .order_by("id", "-history_date", "-history_id")
    )
    for record in records:
        latest.setdefault(record.id, record)
    return latest


def _who(record) -> str:
    user = record.history_user if record else None
    if user is None:
        return _("someone else")
    return user.get_full_name() or user.get_username()


@transaction.atomic(savepoint=False)
def apply_checkin_ops(
    session: ForumSession, ops: list[CheckinOp], user=None, *, session_locked: bool = False
) -> list[CheckinOutcome]:
    """Applies a phone's queue of check-in changes in order and answers for each one.

    A mark names the version of the row it was made on: a row changed meanwhile by someone else is a conflict and
    is not overwritten; earlier changes of the same queue count as the phone's own. A change already received (its
    client id is in the history) is a duplicate and changes nothing. A change that breaks a rule is refused alone;
    the others still apply. Marks only: a fixed number of queries whatever their number. `session_locked`: the
    caller holds the session's row locked in its transaction (access.session_for_user(lock=True)), so the
    turnout refresh need not lock it again. No savepoint of its own: a failure rolls back the caller's transaction.
    """
    ops = list(ops)
    if not ops:
        return []
    now = timezone.now()
    user_id = user.pk if getattr(user, "is_authenticated", False) else None
    outcomes = _plain_marks(session, ops, user_id, now)
    if outcomes is None:
        outcomes = _apply_checkin_ops(session, ops, user_id, now)
    if any(o.result == "saved" for o in outcomes):
        summaries.refresh([session.pk], locked_circles=[session.circle] if session_locked else None)
        note_held(session, user)
    return outcomes


# What a plain mark may set (a representative is named on the representative page, not at the check-in).
_MARKABLE = frozenset(Status.values) - {Status.REPRESENTED}


@dataclass
class RowState:
    """A row as a mark left it, for the answer to the phone (what changed_row_data reads): a mark never names a
    representative."""

    pk: int
    version: int
    status: str
    representative_id: None = None


def _plain_marks(session: ForumSession, ops: list[CheckinOp], user_id, now) -> list[CheckinOutcome] | None:
    """The common queue, answered set-based: marks only, each row once, each on the version the phone knew (so
    none can be a copy already received or a conflict), no representative. None for any other queue, which the
    general path answers (a version that moved is looked up there, in the history)."""
    if session.status == ForumSession.Status.CANCELLED:
        return None
    ids = [op.attendance_id for op in ops]
    markable = _MARKABLE
    if (
        any(op.kind != CheckinOpKind.MARK or op.status not in markable for op in ops)
        or None in ids
        or len(set(ids)) != len(ids)
    ):
        return None
    rows = marks_sql.lock_rows(session.pk, ids, using=Attendance.objects.db)
    if any(op.attendance_id in rows and rows[op.attendance_id][0] != op.version for op in ops):
        return None
    outcomes, changes = [], []
    attended = Attendance.ATTENDED
    for op in ops:
        pk, wanted = op.attendance_id, op.status
        if pk not in rows:
            outcomes.append(
                CheckinOutcome(op, "refused", reason=_("This person is no longer on the session's list."))
            )
            continue
        version, status, invited, checked_in_at = rows[pk]
        if not invited and wanted not in attended:
            reason = _("A walk-in can only be present or late; remove the walk-in instead.")
            outcomes.append(CheckinOutcome(op, "refused", [RowState(pk, version, status)], reason=reason))
            continue
        if status == wanted:
            outcomes.append(CheckinOutcome(op, "unchanged", [RowState(pk, version, status)]))
            continue
        # The check-in time: set on arrival, kept while the person stays present or late, cleared otherwise.
        if wanted not in attended:
            checked_in_at = None
        elif status not in attended:
            checked_in_at = now
        changes.append((pk, wanted, checked_in_at, op.client_id, op.made_at))
        outcomes.append(CheckinOutcome(op, "saved", [RowState(pk, version + 1, wanted)]))
    marks_sql.write_marks(changes, now=now, user_id=user_id, using=Attendance.objects.db)
    return outcomes


def _apply_checkin_ops(session: ForumSession, ops: list[CheckinOp], user_id, now) -> list[CheckinOutcome]:
    whole_list = any(op.kind != CheckinOpKind.MARK for op in ops)
    # Not the people: a mark needs only the row (the answer loads the names it shows, for conflicts and walk-ins).
    locked = (
        session.attendances.select_for_update(of=("self",)).select_related("representative").order_by("pk")
    )
    if not whole_list:
        locked = locked.filter(pk__in={op.attendance_id for op in ops})
    rows = {row.pk: row for row in locked}
    for row in rows.values():
        row.session = session  # check_mark reads it; no query per row
    by_person = {row.person_id: row for row in rows.values()}
    # A change already received once wrote a history record and moved its row on, so only a queue with a mark on
    # a row that has moved since (or with other kinds of change) can hold one: look its ids up only then.
    might_repeat = any(
        op.kind != CheckinOpKind.MARK
        or (op.attendance_id in rows and rows[op.attendance_id].version != op.version)
        for op in ops
    )
    received = (
        dict(
            HISTORY.filter(client_id__in=[op.client_id for op in ops])
            .order_by("history_id")
            .values_list("client_id", "id")
        )
        if might_repeat
        else {}
    )
    # The phone chains its marks on a row to the version it knew; a version replaced by its own earlier change
    # (in this queue, or in a copy already received) is not someone else's change.
    own_versions: dict[int, set[int]] = {}
    duplicate_rows = {received[op.client_id] for op in ops if op.client_id in received}
    if duplicate_rows:
        latest = _latest_history(duplicate_rows)
        sent = {op.client_id for op in ops}
        for op in ops:
            record = latest.get(received.get(op.client_id))
            if op.kind == CheckinOpKind.MARK and record is not None and record.client_id in sent:
                own_versions.setdefault(record.id, set()).add(op.version)
    session_cancelled = session.status == ForumSession.Status.CANCELLED
    changed, history, outcomes, removed = {}, [], [], []
    walk_in_people = (
        Person.objects.active()
        .select_related("organization")
        .in_bulk({op.person_id for op in ops if op.kind == CheckinOpKind.WALK_IN and op.person_id})
    )

    changed_fields: dict[int, set[str]] = {}
    version_steps: dict[int, int] = {}

    def change(row, op, status):
        own_versions.setdefault(row.pk, set()).add(row.version)
        fields = _apply(row, Mark(row.pk, status, row.version), now)
        changed_fields.setdefault(row.pk, set()).update(fields)
        version_steps[row.pk] = version_steps.get(row.pk, 0) + 1
        row.version += 1
        row.updated_at = now
        changed[row.pk] = row
        history.append(_history_record(row, "~", user_id, op, now))

    for op in ops:
        outcome = CheckinOutcome(op, "saved")
        outcomes.append(outcome)
        row = rows.get(op.attendance_id) if op.attendance_id else None
        if op.client_id in received:
            outcome.result = "duplicate"
            current = rows.get(received[op.client_id])
            outcome.rows = [current] if current else []
            continue
        if op.kind in (CheckinOpKind.MARK, CheckinOpKind.REMOVE_WALK_IN) and row is None:
            outcome.result, outcome.reason = "refused", _("This person is no longer on the session's list.")
            continue
        if session_cancelled:
            outcome.result = "refused"
            outcome.reason = _("The session was cancelled; attendance cannot be recorded.")
            continue
        if op.kind == CheckinOpKind.MARK:
            outcome.rows = [row]
            try:
                check_mark(row, Mark(row.pk, op.status, op.version))
                if op.status == Status.REPRESENTED:
                    raise MarkError(_("Name the representative on the representative page."))
            except MarkError as exc:
                outcome.result, outcome.reason = "refused", str(exc)
                continue
            if row.status == op.status:
                outcome.result = "unchanged"
            elif row.version != op.version and op.version not in own_versions.get(row.pk, ()):
                outcome.result = "conflict"
            else:
                change(row, op, op.status)
        elif op.kind == CheckinOpKind.WALK_IN:
            person = walk_in_people.get(op.person_id)
            if person is None or op.status not in Attendance.ATTENDED:
                outcome.result = "refused"
                outcome.reason = _("A walk-in must be someone in the portal, present or late.")
                continue
            existing = by_person.get(person.pk)
            if existing is not None:
                outcome.rows = [existing]
                if existing.status == op.status or (existing.attended and not existing.invited):
                    outcome.result = "unchanged"
                else:
                    change(existing, op, op.status)
                continue
            new_row = new_attendance(session, person, invited=False, status=op.status)
            new_row.person, new_row.session, new_row.organization = person, session, person.organization
            try:
                with transaction.atomic():
                    Attendance.objects.bulk_create([new_row])
            except IntegrityError:
                outcome.result = "refused"
                outcome.reason = _("Someone else added this person at the same moment. Reload the page.")
                continue
            rows[new_row.pk] = by_person[person.pk] = new_row
            history.append(_history_record(new_row, "+", user_id, op, now))
            outcome.rows = [new_row]
        elif op.kind == CheckinOpKind.REMOVE_WALK_IN:
            if row.invited:
                outcome.result = "refused"
                outcome.reason = _("Only a walk-in can be removed; clear an invitee's mark instead.")
                continue
            history.append(_history_record(row, "-", user_id, op, now))
            removed.append(row.pk)
            changed.pop(row.pk, None)
            del rows[row.pk]
            by_person.pop(row.person_id, None)
            outcome.removed = [row.pk]
        elif op.kind == CheckinOpKind.REST_ABSENT:
            outcome.rows = [r for r in rows.values() if r.invited and r.status == ""]
            for target in outcome.rows:
                change(target, op, Status.ABSENT)
            if not outcome.rows:
                outcome.result = "unchanged"
        elif op.kind == CheckinOpKind.UNDO_REST_ABSENT:
            _undo_rest_absent(op, outcome, rows, changed, change)
        else:
            outcome.result, outcome.reason = "refused", _("Unknown change.")

    if changed:
        _update_in_groups(changed, changed_fields, version_steps, now)
    if removed:
        Attendance.objects.filter(pk__in=removed)._raw_delete(Attendance.objects.db)
    if history:
        _insert_history(history)
    conflicts = [o for o in outcomes if o.result == "conflict"]
    if conflicts:
        latest = _latest_history({o.op.attendance_id for o in conflicts})
        for outcome in conflicts:
            outcome.changed_by = _who(latest.get(outcome.op.attendance_id))
    return outcomes


def _update_in_groups(changed, changed_fields, version_steps, now):
    """Writes the changed rows with one UPDATE per distinct result (status, check-in time cleared or set to now,
    representative): a handful whatever the number of rows. Django's bulk_update builds a CASE per row and field,
    which for 300 rows costs seconds of Python."""
    groups = defaultdict(list)
    for pk, row in changed.items():
        values = tuple(
            sorted((Attendance._meta.get_field(name).attname, getattr(row, Attendance._meta.get_field(name).attname))
                   for name in changed_fields[pk])
        )  # fmt: skip
        groups[(version_steps[pk], values)].append(pk)
    for (steps, values), pks in groups.items():
        Attendance.objects.filter(pk__in=pks).update(
            version=F("version") + steps, updated_at=now, **dict(values)
        )


def _undo_rest_absent(op, outcome, rows, changed, change):
    """Puts back to "not yet marked" the rows one "rest absent" marked, unless someone changed them since."""
    records = list(
        HISTORY.filter(client_id=op.batch, history_type="~", status=Status.ABSENT).values_list(
            "id", "history_date"
        )
    )
    if not records:
        outcome.result = "refused"
        outcome.reason = _("There is no “mark the rest absent” to undo.")
        return
    ids = {row_id for row_id, _date in records}
    since = min(date for _id, date in records)
    touched_since = set(
        HISTORY.filter(id__in=ids, history_date__gte=since)
        .exclude(client_id=op.batch)
        .values_list("id", flat=True)
    )
    for row_id in sorted(ids):
        row = rows.get(row_id)
        if row is None or row.status != Status.ABSENT or row_id in touched_since or row_id in changed:
            outcome.skipped += 1
            continue
        change(row, op, "")
        outcome.rows.append(row)
    if not outcome.rows:
        outcome.result = "unchanged"


# Invitees' own replies (the personal link) ------------------------------------------------------------------


class ReplyError(ValueError):
    """A reply through the personal link that cannot be taken (session over or cancelled, wrong representative)."""


def session_ends_at(session: ForumSession):
    """When the session is over, in the portal's time zone: its end time, three hours after its start, or the end
    of its day. Personal links stop working then."""
    import datetime as dt

    zone = timezone.get_current_timezone()
    if session.end:
        return dt.datetime.combine(session.date, session.end, tzinfo=zone)
    if session.start:
        return dt.datetime.combine(session.date, session.start, tzinfo=zone) + dt.timedelta(hours=3)
    return dt.datetime.combine(session.date + dt.timedelta(days=1), dt.time(0, 0), tzinfo=zone)


def check_invitee_reply(row: Attendance, now=None):
    """May the invitee still reply through the link? Raises ReplyError if not."""
    if not row.invited:
        raise ReplyError(_("This link is not an invitation."))
    if row.session.status == ForumSession.Status.CANCELLED:
        raise ReplyError(_("This session was cancelled."))
    if (now or timezone.now()) >= session_ends_at(row.session):
        raise ReplyError(_("This session is over; the link no longer works."))


def representative_choices(row: Attendance):
    """Who the invitee may send instead: active people of the organization they were invited for, not themselves."""
    return (
        Person.objects.active()
        .filter(organization_id=row.organization_id)
        .exclude(pk=row.person_id)
        .order_by("first_name", "last_name")
    )


@transaction.atomic
def reply_by_invitee(row: Attendance, answer: str, *, reason: str = "", representative=None) -> Attendance:
    """The invitee's own reply: accept, decline with a reason, or decline and name a representative of the same
    organization. Recorded with its time and in the history (no user: the invitee has no account)."""
    row = (
        Attendance.objects.select_for_update(of=("self",))
        .select_related("session", "person", "organization")
        .get(pk=row.pk)
    )
    check_invitee_reply(row)
    if answer not in (Attendance.Reply.ACCEPTED, Attendance.Reply.DECLINED):
        raise ReplyError(_("Choose accept or decline."))
    reason = " ".join((reason or "").split())[:500]
    if answer == Attendance.Reply.ACCEPTED:
        reason, representative = "", None
    if representative is not None and not representative_choices(row).filter(pk=representative.pk).exists():
        raise ReplyError(_("The representative must be someone else of the same organization."))
    row.reply = answer
    row.reply_reason = reason
    row.reply_representative = representative
    row.replied_at = timezone.now()
    # The version is left alone: it guards the attendance mark, and a reply arriving while a coordinator marks
    # on the day must not turn their mark into a conflict.
    row._history_user = None
    row._change_reason = "invitee link"
    row.save(update_fields=["reply", "reply_reason", "reply_representative", "replied_at", "updated_at"])
    page_cache.replied()
    return row
