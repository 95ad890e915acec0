"""The change history of a session and its attendance, read back for people."""

from dataclasses import dataclass
from datetime import datetime

from django.contrib.auth import get_user_model

from agencies.models import Person
from forums.models import Attendance, ForumSession

HIDDEN_FIELDS = {"id", "version", "updated_at", "created_at", "session", "role", "organization"}


@dataclass
class Change:
    when: datetime
    who: str
    what: str
    kind: str  # "+", "~" or "-"
    fields: list[tuple[str, str, str]]  # (label, old, new)


def _display(record, field_name, people):
    field = record.instance._meta.get_field(field_name)
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
    return str(value)


def _changes(records, describe, people, users):
    """Pairs each history record with the one before it for the same object, newest first."""
    previous = {}
    out = []
    for record in sorted(records, key=lambda r: (r.history_date, r.history_id)):
        before = previous.get(record.id)
        previous[record.id] = record
        field_names = [
            f.name for f in record.instance._meta.fields if f.name not in HIDDEN_FIELDS and not f.primary_key
        ]
        if before is None or record.history_type != "~":
            fields = []
        else:
            fields = [
                (
                    str(record.instance._meta.get_field(name).verbose_name),
                    _display(before, name, people),
                    _display(record, name, people),
                )
                for name in field_names
                if getattr(before, record.instance._meta.get_field(name).attname)
                != getattr(record, record.instance._meta.get_field(name).attname)
            ]
            if not fields:
                continue
        user = users.get(record.history_user_id)
        out.append(
            Change(
                when=record.history_date,
                who=(user.get_full_name() or user.get_username()) if user else "–",
                what=describe(record),
                kind=record.history_type,
                fields=fields,
            )
        )
    out.sort(key=lambda c: c.when, reverse=True)
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

    changes = _changes(session_records, describe_session, people, users) + _changes(
        attendance_records, describe_attendance, people, users
    )
    changes.sort(key=lambda c: c.when, reverse=True)
    return changes[:limit] if limit else changes
