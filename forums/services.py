"""Writes to sessions, invitations and attendance. Every change goes through here, in bulk, with its history.

"Check" (is this mark allowed, is it stale) is kept apart from "do" (write it), so that the phone check-in, the
save-all form, the typed-up sheet import and the command-line import share one set of rules.
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
    One delete per row, so that each leaves its history record; the turnout follows through the signal."""
    removed = 0
    for row in session.attendances.filter(pk__in=list(attendance_ids), invited=True, status=""):
        row._history_user = user
        row.delete()
        removed += 1
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
        n_represented=Count("pk", filter=invited & Q(status=Status.REPRESENTED)),
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
    return row
