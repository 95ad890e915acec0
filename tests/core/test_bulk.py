"""core.bulk.insert_rows: COPY on PostgreSQL, executemany on SQLite, the same values back on both."""

import uuid

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from core import bulk
from forums.models import Attendance

pytestmark = pytest.mark.django_db
History = Attendance.history.model

TRICKY = ["", "\\N", 'a "quoted", comma', "two\nlines", "ไทย\\ทับ", "NULL", '"']


def test_text_none_flags_times_and_uuids_come_back_as_written():
    now = timezone.now()
    fields = {f.attname: f for f in History._meta.concrete_fields if not f.primary_key}
    records = []
    for number, text in enumerate(TRICKY, start=1):
        record = {name: f.get_default() for name, f in fields.items()}
        record.update(
            id=number, invited=number % 2 == 0, status="present", role="eua", reply="", reply_reason=text,
            history_date=now, history_type="~", history_change_reason=None if number == 1 else text,
            client_id=uuid.UUID(int=number), made_at=now, checked_in_at=None,
        )  # fmt: skip
        records.append(tuple(fields[name].get_db_prep_save(record[name], connection) for name in fields))
    with CaptureQueriesContext(connection) as queries:
        bulk.insert_rows(History._meta.db_table, [f.column for f in fields.values()], records)
    assert len(queries) == 1  # counted like any other query
    back = {h.id: h for h in History.objects.all()}
    for number, text in enumerate(TRICKY, start=1):
        row = back[number]
        assert row.reply_reason == text
        assert row.history_change_reason == (None if number == 1 else text)
        assert row.invited is (number % 2 == 0)
        assert row.checked_in_at is None
        assert row.client_id == uuid.UUID(int=number)
        assert row.made_at == now and row.history_date == now


def test_no_rows_writes_nothing():
    with CaptureQueriesContext(connection) as queries:
        bulk.insert_rows(History._meta.db_table, ["id"], [])
    assert len(queries) == 0


@pytest.mark.django_db(transaction=True)
def test_vacuum_runs_outside_a_transaction_on_postgresql_only():
    from agencies.models import Person

    done = bulk.vacuum([Person])
    assert done is (connection.vendor == "postgresql")
    if done:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT last_vacuum IS NOT NULL, last_analyze IS NOT NULL FROM pg_stat_user_tables "
                "WHERE relname = %s",
                [Person._meta.db_table],
            )
            assert cursor.fetchone() == (True, True)
    with transaction.atomic():
        assert bulk.vacuum([Person]) is False  # VACUUM cannot run in a transaction: left to autovacuum


# BulkLoad: a table's indexes and keys set aside while it is loaded ---------------------------------------------


def _indexes_and_keys(table: str) -> set[str]:
    """The table's index and foreign-key definitions as PostgreSQL reports them."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_get_indexdef(indexrelid) FROM pg_index WHERE indrelid = %s::regclass "
            "UNION ALL SELECT pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid = %s::regclass AND contype = 'f'",
            [table, table],
        )
        return {definition for (definition,) in cursor.fetchall()}


def _attendance_row(session, person, organization_id: int) -> None:
    from forums.demo import write_attendance

    write_attendance(
        [(session.pk, person, True, "", "", None, None, "eua", organization_id, 1, timezone.now())]
    )


def test_bulk_load_sets_indexes_and_keys_aside_and_makes_them_again():
    from tests.factories import make_person, make_session

    table = Attendance._meta.db_table
    before = _indexes_and_keys(table) if connection.vendor == "postgresql" else set()
    session, person = make_session(), make_person()
    messages = []
    with bulk.BulkLoad(Attendance, messages.append):
        if connection.vendor == "postgresql":
            during = _indexes_and_keys(table)
            assert not any("FOREIGN KEY" in d for d in during)  # the keys are off …
            assert all("UNIQUE" in d or "_pkey" in d for d in during)  # … and only unique indexes are left
        _attendance_row(session, person.pk, person.organization_id)
    assert Attendance.objects.filter(session=session, person=person).exists()
    if connection.vendor == "postgresql":
        assert _indexes_and_keys(table) == before and len(before) > 4
        assert messages[-1] == f"  checking 5 foreign keys of {table}"
    else:
        assert messages == []  # nothing to set aside on SQLite


def test_a_row_that_breaks_a_key_fails_the_load_and_nothing_is_left_dropped():
    from django.db import IntegrityError

    from tests.factories import make_person, make_session

    session, person = make_session(), make_person()
    table = Attendance._meta.db_table
    before = _indexes_and_keys(table) if connection.vendor == "postgresql" else set()
    with pytest.raises(IntegrityError), transaction.atomic():
        with bulk.BulkLoad(Attendance, lambda message: None):
            _attendance_row(session, 987_654_321, person.organization_id)  # nobody has this id
        if connection.vendor != "postgresql":
            # SQLite checks its deferred keys at commit; a savepoint is released unchecked: check them now.
            with connection.cursor() as cursor:
                cursor.execute("PRAGMA foreign_key_check")
                if cursor.fetchall():
                    raise IntegrityError("foreign key")
    assert not Attendance.objects.filter(session=session).exists()
    if connection.vendor == "postgresql":
        assert _indexes_and_keys(table) == before


def test_an_error_inside_the_load_takes_the_drops_back():
    table = Attendance._meta.db_table
    before = _indexes_and_keys(table) if connection.vendor == "postgresql" else set()
    with pytest.raises(ZeroDivisionError), bulk.BulkLoad(Attendance, lambda message: None):
        1 / 0  # noqa: B018
    if connection.vendor == "postgresql":
        assert _indexes_and_keys(table) == before
        with connection.cursor() as cursor:  # and the transaction is still usable
            cursor.execute("SELECT 1")


def test_outside_a_transaction_the_load_is_a_transaction_of_its_own(reference_db):
    from tests.factories import make_person, make_session

    assert not connection.in_atomic_block  # as a live server's demo data or a script would call it

    table = Attendance._meta.db_table
    before = _indexes_and_keys(table) if connection.vendor == "postgresql" else set()
    session, person = make_session(), make_person()
    with pytest.raises(ZeroDivisionError), bulk.BulkLoad(Attendance, lambda message: None):
        _attendance_row(session, person.pk, person.organization_id)
        1 / 0  # noqa: B018
    # PostgreSQL: rolled back, the drops with it; SQLite: nothing set aside, the caller's transaction decides.
    rolled_back = not Attendance.objects.filter(session=session).exists()
    assert rolled_back is (connection.vendor == "postgresql")
    Attendance.objects.filter(session=session).delete()
    with bulk.BulkLoad(Attendance, lambda message: None) as load:
        _attendance_row(session, person.pk, person.organization_id)
    assert Attendance.objects.filter(session=session, person=person).exists()
    if connection.vendor == "postgresql":
        assert _indexes_and_keys(table) == before
    else:
        assert load.atomic is None  # nothing done on SQLite
