"""Personal-data duties under Thailand's PDPA (พ.ร.บ.คุ้มครองข้อมูลส่วนบุคคล พ.ศ. 2562).

Masking phone numbers, exporting everything held about a person, erasing a person by anonymization, and the
retention rule that `manage.py apply_retention` runs.

Erasure keeps the person's row, KM role, organization, tambon and chair flag, and never touches an attendance
row: the figures of every forum (AgencyTurnout, the consistency report, frozen lesson reports) count rows by
person id, role and organization, so they stay exactly as they were. Only what names or reaches the person goes.

The apps above this one (forums, lessons, ...) hold personal data too, and this module may not import them. Each
registers a PersonalDataHolder instead (in its own `pdpa.py`, imported from its AppConfig.ready), the way pretix
registers its data shredders: what it exports about a person, what it erases with them, which of its records
expire, and which of its records count as taking part in a forum. tests/agencies/test_pdpa_registry.py fails
when an app has a model pointing at a person or an account that no holder covers.
"""

import csv
import datetime as dt
import io
import operator
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import reduce

from django.apps import apps
from django.db import transaction
from django.db.models import Exists, Q, QuerySet
from django.utils import timezone

from agencies import access
from agencies import cache as agency_cache
from agencies.models import Person, PersonAccessLog
from core.spreadsheets import safe_text

ANONYMIZED_NAME = "ผู้ถูกลบข้อมูล"
RETENTION_BATCH = 500


# --- Registry ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PersonalDataHolder:
    """What one app holds about people, and how it gives it out, erases it and lets it expire.

    - `models`: every model of the app that points at a person or an account (checked by a test).
    - `export(person)`: sections of the person's export, {section name: [row dict, ...]}, in a fixed number
      of queries; dates as ISO strings or date/datetime values, codes rather than names.
    - `erase(person_ids, now)`: deletes or blanks what reaches these people, inside the erasure's transaction.
      Attendance-like rows that figures count must stay.
    - `expired_records(cutoff)`: {name: queryset} of records older than the retention, deleted by it.
    - `forum_activity()`: [(queryset filtered on OuterRef("pk") of a person, date lookup)], the records that
      count as the person taking part in a forum, for the retention's "last forum".
    """

    app_label: str
    models: tuple = ()
    export: Callable[[Person], dict[str, list[dict]]] | None = None
    erase: Callable[[list[int], dt.datetime], None] | None = None
    expired_records: Callable[[dt.datetime], dict[str, QuerySet]] | None = None
    forum_activity: Callable[[], list[tuple[QuerySet, str]]] | None = None


_holders: dict[str, PersonalDataHolder] = {}


def register(holder: PersonalDataHolder) -> None:
    """Registers (or replaces, on a repeated import) the personal data of one app."""
    _holders[holder.app_label] = holder


def holders() -> list[PersonalDataHolder]:
    """The registered holders, in the order of INSTALLED_APPS, so that exports keep their section order."""
    order = {config.label: index for index, config in enumerate(apps.get_app_configs())}
    return sorted(_holders.values(), key=lambda h: order.get(h.app_label, len(order)))


def uncovered_models() -> list[str]:
    """Models of the apps above this one that point at a person or an account and that no registered holder
    lists ("app_label.Model"): personal data that an export would leave out and an erasure would leave behind.
    A model's history (django-simple-history) counts as the model itself."""
    from django.contrib.auth import get_user_model

    from core.layers import LAYERS

    above = set(LAYERS[LAYERS.index("agencies") + 1 :])
    covered = {model for holder in _holders.values() for model in holder.models}
    targets = {Person, get_user_model()}
    missing = []
    for model in apps.get_models():
        if model._meta.app_label not in above:
            continue
        points_at_someone = any(
            field.is_relation and field.concrete and field.related_model in targets
            for field in model._meta.get_fields()
        )
        if points_at_someone and getattr(model, "instance_type", model) not in covered:
            missing.append(model._meta.label)
    return sorted(missing)


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
    return phone if access.may_see_personal_data(user) else mask_phone(phone)


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
    """Everything the portal holds about one person, section by section, in a fixed number of queries: the
    person and their account, then each registered app's sections, then the access log.

    Dates are ISO (Gregorian), codes rather than names for sessions and organizations, as in export_km."""
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
    for holder in holders():
        if holder.export is not None:
            for section, rows in holder.export(person).items():
                data[section] = [_row(**row) for row in rows]
    data["access_log"] = [
        _row(opened_at=e.opened_at, user=e.user.get_username() if e.user else "", action=e.action)
        for e in PersonAccessLog.objects.filter(person=person).select_related("user").order_by("opened_at")
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

    Each registered app then erases what of its own reaches them (the forums: calendar addresses and reminder
    records, since a live address would keep listing their sessions and neither counts in any figure)."""
    now = now or timezone.now()
    ids = [p.pk for p in people]
    # Locked, so that a coordinator's edit of the same person cannot write the old name back half-way.
    chosen = list(
        Person.objects.select_for_update().filter(pk__in=ids, anonymized_at__isnull=True).order_by("pk")
    )
    for person in chosen:
        anonymized_fields(person, now)
    Person.objects.bulk_update(chosen, _ANONYMIZED, batch_size=500)
    agency_cache.changed()  # a bulk update: no model signal reports it
    chosen_ids = [p.pk for p in chosen]
    if chosen_ids:
        for holder in holders():
            if holder.erase is not None:
                holder.erase(chosen_ids, now)
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
    """Inactive people, not yet anonymized, whose last forum (any record a registered app counts as taking part
    in a forum: in the forums, an attendance row as invitee, walk-in or representative, or a session they took
    notes at) is before the cutoff; or, with no forum at all, who were recorded before it."""
    cutoff_date = timezone.localdate(cutoff)
    activity = [
        (records, date_lookup)
        for holder in holders()
        if holder.forum_activity is not None
        for records, date_lookup in holder.forum_activity()
    ]
    if not activity:
        return Person.objects.filter(is_active=False, anonymized_at__isnull=True, created_at__lt=cutoff)
    any_forum = reduce(operator.or_, [Exists(records) for records, _lookup in activity])
    recent_forum = reduce(
        operator.or_,
        [Exists(records.filter(**{f"{lookup}__gte": cutoff_date})) for records, lookup in activity],
    )
    return Person.objects.filter(is_active=False, anonymized_at__isnull=True).filter(
        (any_forum & ~recent_forum) | (~any_forum & Q(created_at__lt=cutoff))
    )


def _expired_records(cutoff: dt.datetime) -> dict[str, QuerySet]:
    records = {}
    for holder in holders():
        if holder.expired_records is not None:
            records.update(holder.expired_records(cutoff))
    records["person_access_log"] = PersonAccessLog.objects.filter(opened_at__lt=cutoff)
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
