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
