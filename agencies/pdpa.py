"""Personal-data duties under Thailand's PDPA (พ.ร.บ.คุ้มครองข้อมูลส่วนบุคคล พ.ศ. 2562).

Masking phone numbers, exporting everything held about a person, erasing a person by anonymization, and the
retention rule that `manage.py apply_retention` runs.

Erasure keeps the person's row, KM role, organization, tambon and chair flag, and never touches an attendance
row: the figures of every forum (AgencyTurnout, the consistency report, frozen lesson reports) count rows by
person id, role and organization, so they stay exactly as they were. Only what names or reaches the person goes.
"""

import csv
import datetime as dt
import io
from collections.abc import Iterable

from django.apps import apps
from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from accounts.roles import ADMINISTRATOR, has_role
from agencies.models import Person, PersonAccessLog
from core.spreadsheets import safe_text

ANONYMIZED_NAME = "ผู้ถูกลบข้อมูล"
RETENTION_BATCH = 500


def is_administrator(user) -> bool:
    """Administrators (and superusers) see phone numbers in full, export and anonymize people."""
    return bool(user and user.is_authenticated and has_role(user, ADMINISTRATOR))


# --- Masking -----------------------------------------------------------------------------------------------


def mask_phone(phone: str) -> str:
    """081-234-5678 → 08x-xxx-5678: the first two digits and the last four stay, every other digit becomes x,
    dashes, spaces and other signs stay where they are.

    A number of fewer than nine digits (an extension, a typing slip) would show too much that way: then only
    the last half of its digits stays, and nothing of one of four digits or fewer."""
    phone = phone or ""
    digits = sum(c.isdigit() for c in phone)
    if digits >= 9:
        head, tail = 2, 4
    elif digits >= 5:
        head, tail = 0, digits // 2
    else:
        head, tail = 0, 0
    out = []
    seen = 0
    for char in phone:
        if char.isdigit():
            seen += 1
            out.append(char if seen <= head or seen > digits - tail else "x")
        else:
            out.append(char)
    return "".join(out)


def phone_for(phone: str, user) -> str:
    return phone if is_administrator(user) else mask_phone(phone)


# --- Access log --------------------------------------------------------------------------------------------


def log_access(user, person: Person, action: str = PersonAccessLog.Action.VIEW) -> None:
    """One INSERT, whatever else the page does."""
    PersonAccessLog.objects.create(user=user if user.is_authenticated else None, person=person, action=action)


# --- Export ------------------------------------------------------------------------------------------------


def _value(value):
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).isoformat() if timezone.is_aware(value) else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _row(**fields) -> dict:
    return {key: _value(value) for key, value in fields.items()}


def personal_data(person: Person) -> dict[str, list[dict]]:
    """Everything the portal holds about one person, section by section, in a fixed number of queries.

    Dates are ISO (Gregorian), codes rather than names for sessions and organizations, as in export_km."""
    from forums.models import Attendance, CalendarFeed, ForumSession, Reminder
    from lessons.models import Comment, LessonNote

    user = person.user
    data: dict[str, list[dict]] = {
        "person": [
            _row(
                code=person.code,
                title=person.title,
                first_name=person.first_name,
                last_name=person.last_name,
                role=person.role,
                organization=person.organization.code,
                tambon=person.tambon_id or "",
                position=person.position,
                phone=person.phone,
                email=person.email,
                is_chair=person.is_chair,
                is_active=person.is_active,
                created_at=person.created_at,
                updated_at=person.updated_at,
                anonymized_at=person.anonymized_at,
            )
        ],
        "account": [],
        "attendance": [
            _row(
                session=a.session.code,
                date=a.session.date,
                invited=a.invited,
                reply=a.reply,
                status=a.status,
                representative=a.representative.code if a.representative else "",
                checked_in_at=a.checked_in_at,
                role=a.role,
                organization=a.organization.code,
            )
            for a in Attendance.objects.filter(person=person)
            .select_related("session", "representative", "organization")
            .order_by("session__date", "session__code")
        ],
        "representative": [
            _row(
                session=a.session.code,
                date=a.session.date,
                represented=a.person.code,
                organization=a.organization.code,
            )
            for a in Attendance.objects.filter(representative=person)
            .select_related("session", "person", "organization")
            .order_by("session__date", "session__code")
        ],
        "note_taker": [
            _row(session=s.code, date=s.date)
            for s in ForumSession.objects.filter(note_taker=person).order_by("date", "code")
        ],
        "reminders": [
            _row(session=r.session.code, sent_at=r.sent_at)
            for r in Reminder.objects.filter(person=person).select_related("session").order_by("sent_at")
        ],
        # The secret token itself is left out: an export travels by email and USB sticks.
        "calendar_feeds": [
            _row(created_at=f.created_at, revoked_at=f.revoked_at)
            for f in CalendarFeed.objects.filter(person=person).order_by("created_at")
        ],
        "lesson_notes": [],
        "comments": [],
        "access_log": [
            _row(opened_at=e.opened_at, user=e.user.get_username() if e.user else "", action=e.action)
            for e in PersonAccessLog.objects.filter(person=person)
            .select_related("user")
            .order_by("opened_at")
        ],
    }
    if user is not None:
        data["account"] = [
            _row(
                username=user.get_username(),
                first_name=user.first_name,
                last_name=user.last_name,
                email=user.email,
                date_joined=user.date_joined,
                last_login=user.last_login,
            )
        ]
        data["lesson_notes"] = [
            _row(
                slug=n.slug,
                title=n.title,
                status=n.status,
                created_at=n.created_at,
                published_at=n.published_at,
            )
            for n in LessonNote.objects.filter(author=user).order_by("created_at")
        ]
        data["comments"] = [
            _row(note=c.note.slug, body=c.body, is_hidden=c.is_hidden, created_at=c.created_at)
            for c in Comment.objects.filter(author=user).select_related("note").order_by("created_at")
        ]
    return data


def personal_data_csv(data: dict[str, list[dict]]) -> str:
    """One row per item, a `section` column first, then every field any section has, in order of first use.
    Starts with a byte-order mark so that Excel reads the Thai as UTF-8."""
    columns: list[str] = ["section"]
    for rows in data.values():
        for row in rows:
            columns.extend(key for key in row if key not in columns)
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\r\n")
    writer.writeheader()
    for section, rows in data.items():
        for row in rows:
            writer.writerow({"section": section, **{key: _csv_cell(value) for key, value in row.items()}})
    return "\ufeff" + out.getvalue()


def _csv_cell(value):
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, str):
        return safe_text(
            value
        )  # a name typed as =HYPERLINK(...) must not run in the administrator's spreadsheet
    return value


# --- Erasure -----------------------------------------------------------------------------------------------


def anonymized_fields(person: Person, now: dt.datetime) -> None:
    person.code = f"ANON-{person.pk}"
    person.title = ""
    person.first_name = ANONYMIZED_NAME
    person.last_name = str(person.pk)
    person.position = ""
    person.phone = ""
    person.email = ""
    person.user = None
    person.is_active = False
    person.anonymized_at = now
    person.updated_at = now


_ANONYMIZED = [
    "code",
    "title",
    "first_name",
    "last_name",
    "position",
    "phone",
    "email",
    "user",
    "is_active",
    "anonymized_at",
    "updated_at",
]


@transaction.atomic
def anonymize_people(people: QuerySet | Iterable[Person], now: dt.datetime | None = None) -> list[Person]:
    """Anonymizes these people (those not yet anonymized) in a fixed number of queries; returns them.

    Their calendar addresses and reminder records go too: a live address would keep listing their sessions,
    and neither counts in any figure."""
    from forums.models import CalendarFeed, Reminder

    now = now or timezone.now()
    ids = [p.pk for p in people]
    # Locked, so that a coordinator's edit of the same person cannot write the old name back half-way.
    chosen = list(
        Person.objects.select_for_update().filter(pk__in=ids, anonymized_at__isnull=True).order_by("pk")
    )
    for person in chosen:
        anonymized_fields(person, now)
    Person.objects.bulk_update(chosen, _ANONYMIZED, batch_size=500)
    chosen_ids = [p.pk for p in chosen]
    CalendarFeed.objects.filter(person_id__in=chosen_ids).delete()
    Reminder.objects.filter(person_id__in=chosen_ids).delete()
    return chosen


def anonymize(person: Person, now: dt.datetime | None = None) -> Person:
    """Erases one person by anonymization (see the module's docstring); harmless to run twice."""
    anonymize_people([person], now)
    person.refresh_from_db()
    return person


# --- Retention ---------------------------------------------------------------------------------------------


def retention_cutoff(years: int, now: dt.datetime | None = None) -> dt.datetime:
    now = now or timezone.now()
    try:
        return now.replace(year=now.year - years)
    except ValueError:  # 29 February
        return now.replace(year=now.year - years, day=28)


def expired_people(cutoff: dt.datetime) -> QuerySet:
    """Inactive people, not yet anonymized, whose last forum (an attendance row of theirs, as invitee, walk-in or
    representative, or a session they took notes at) is before the cutoff; or, with no forum at all, who were
    recorded before it."""
    from forums.models import Attendance, ForumSession

    cutoff_date = timezone.localdate(cutoff)
    as_attendee = Attendance.objects.filter(person=OuterRef("pk"))
    as_representative = Attendance.objects.filter(representative=OuterRef("pk"))
    as_note_taker = ForumSession.objects.filter(note_taker=OuterRef("pk"))
    any_forum = Exists(as_attendee) | Exists(as_representative) | Exists(as_note_taker)
    recent_forum = (
        Exists(as_attendee.filter(session__date__gte=cutoff_date))
        | Exists(as_representative.filter(session__date__gte=cutoff_date))
        | Exists(as_note_taker.filter(date__gte=cutoff_date))
    )
    return Person.objects.filter(is_active=False, anonymized_at__isnull=True).filter(
        (any_forum & ~recent_forum) | (~any_forum & Q(created_at__lt=cutoff))
    )


def _expired_records(cutoff: dt.datetime) -> dict[str, QuerySet]:
    from forums.models import CalendarFeed, Reminder

    records = {
        "reminders": Reminder.objects.filter(sent_at__lt=cutoff),
        # A revoked address answers 404 with or without its row; the row only says the person once had one.
        "calendar_feeds": CalendarFeed.objects.filter(
            Q(revoked_at__isnull=False) | Q(person__is_active=False, created_at__lt=cutoff)
        ),
        "person_access_log": PersonAccessLog.objects.filter(opened_at__lt=cutoff),
    }
    if apps.is_installed("axes"):
        from axes.models import AccessAttempt, AccessFailureLog, AccessLog

        records["login_attempts"] = AccessAttempt.objects.filter(attempt_time__lt=cutoff)
        records["login_failures"] = AccessFailureLog.objects.filter(attempt_time__lt=cutoff)
        records["login_log"] = AccessLog.objects.filter(attempt_time__lt=cutoff)
    return records


@transaction.atomic
def apply_retention(years: int, now: dt.datetime | None = None, dry_run: bool = False) -> dict[str, int]:
    """Deletes the records older than the retention, then anonymizes the people it has expired; returns how
    many of each (what it would do, with dry_run, which writes nothing). A second run finds nothing more."""
    now = now or timezone.now()
    cutoff = retention_cutoff(years, now)
    counts = {}
    for name, queryset in _expired_records(cutoff).items():
        # Deletes go first, so that a dry run counts the same rows as the real one: anonymizing below also
        # drops the expired people's own feeds and reminders, which are no longer "old records" by then.
        counts[name] = queryset.count() if dry_run else queryset.delete()[0]
    ids = list(expired_people(cutoff).order_by("pk").values_list("pk", flat=True))
    if not dry_run:
        # In batches: a province-wide first run may expire thousands of people, more than one IN list holds.
        for start in range(0, len(ids), RETENTION_BATCH):
            anonymize_people([Person(pk=pk) for pk in ids[start : start + RETENTION_BATCH]], now)
    counts["people_anonymized"] = len(ids)
    return counts
