"""The change history of a session and its attendance, read back for people."""

from dataclasses import dataclass
from datetime import date, datetime

from django.contrib.auth import get_user_model

from agencies.models import Person
from core.thaidates import format_date, format_datetime
from forums.models import Attendance, ForumSession

HIDDEN_FIELDS = {"id", "version", "updated_at", "created_at", "session", "role", "organization"}


@dataclass
class Change:
    when: datetime
    who: str
    what: str
    kind: str  # "+", "~" or "-"
    fields: list[tuple[str, str, str]]  # (label, old, new)
    made_at: datetime | None = None  # for a change made on a phone's check-in queue: when, on the phone


def _display(record, field, people):
    value = getattr(record, field.attname)
    if value in (None, ""):
        return "–"
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if field.is_relation and field.related_model is Person:
        person = people.get(value)
        return person.full_name if person else str(value)
    if isinstance(value, bool):
        return "✓" if value else "✗"
    if isinstance(value, datetime):
        return format_datetime(value)
    if isinstance(value, date):
        return format_date(value)
    return str(value)


def _changes(model, records, describe, people, users):
    """Pairs each history record with the one before it for the same object, newest first."""
    # Fields are read off the model, not off record.instance, which would query the live row for the fields
    # the history leaves out.
    tracked = {f.name for f in model.history.model._meta.fields}
    fields = [
        f
        for f in model._meta.fields
        if f.name in tracked and f.name not in HIDDEN_FIELDS and not f.primary_key
    ]
    previous = {}
    out = []
    for record in sorted(records, key=lambda r: (r.history_date, r.history_id)):
        before = previous.get(record.id)
        previous[record.id] = record
        if before is None or record.history_type != "~":
            changed = []
        else:
            changed = [
                (str(f.verbose_name), _display(before, f, people), _display(record, f, people))
                for f in fields
                if getattr(before, f.attname) != getattr(record, f.attname)
            ]
            if not changed:
                continue
        user = users.get(record.history_user_id)
        out.append(
            Change(
                when=record.history_date,
                who=(user.get_full_name() or user.get_username()) if user else "–",
                what=describe(record),
                kind=record.history_type,
                fields=changed,
                made_at=getattr(record, "made_at", None),
            )
        )
    return out


def session_history(session: ForumSession, limit: int | None = None) -> list[Change]:
    """Every change to the session and its attendance rows (deleted rows included), in a fixed number of
    queries: two history tables, then the people and accounts they name."""
    session_records = list(ForumSession.history.filter(id=session.pk))
    attendance_records = list(Attendance.history.filter(session_id=session.pk))
    person_ids = {r.person_id for r in attendance_records} | {
        r.representative_id for r in attendance_records if r.representative_id
    }
    person_ids |= {r.note_taker_id for r in session_records if r.note_taker_id}
    people = Person.objects.in_bulk(person_ids)
    user_ids = {r.history_user_id for r in [*session_records, *attendance_records] if r.history_user_id}
    users = get_user_model().objects.in_bulk(user_ids)

    def describe_session(record):
        return session.code

    def describe_attendance(record):
        person = people.get(record.person_id)
        return person.full_name if person else str(record.person_id)

    changes = _changes(ForumSession, session_records, describe_session, people, users) + _changes(
        Attendance, attendance_records, describe_attendance, people, users
    )
    changes.sort(key=lambda c: c.when, reverse=True)
    return changes[:limit] if limit else changes
