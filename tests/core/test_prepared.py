"""core.prepared: a statement prepared once per PostgreSQL connection, run by name afterwards; as sent elsewhere."""

import pytest
from django.db import DataError, connection, transaction
from django.test.utils import CaptureQueriesContext

from core import prepared

SQL = "SELECT CAST(%s AS integer) + 1, 'a%%b'"


def run(sql, *params):
    with connection.cursor() as cursor:
        prepared.execute(cursor, sql, params)
        return cursor.fetchone()


def sent(queries):
    return [q["sql"].split()[0] for q in queries]


def test_placeholders_are_numbered_and_percent_signs_kept_only_when_the_driver_still_formats():
    assert prepared.numbered("a = %s AND b LIKE 'x%%' AND c = %s") == "a = $1 AND b LIKE 'x%' AND c = $2"
    assert prepared.numbered("a = %s AND b LIKE 'x%%'", keep_percent=True) == "a = $1 AND b LIKE 'x%%'"


@pytest.mark.django_db(transaction=True)
def test_a_statement_is_prepared_once_per_connection_and_again_after_a_reconnect():
    with CaptureQueriesContext(connection) as first:
        assert run(SQL, 1) == (2, "a%b")
    with CaptureQueriesContext(connection) as second:
        assert run(SQL, 41) == (42, "a%b")
    connection.close()
    with CaptureQueriesContext(connection) as reconnected:
        assert run(SQL, 6) == (7, "a%b")
    if connection.vendor == "postgresql":
        # the first run prepares and runs in one round trip; later runs send only the name and the values
        assert sent(first) == ["PREPARE"] and "EXECUTE" in first[0]["sql"]
        assert sent(second) == ["EXECUTE"]
        assert sent(reconnected) == ["PREPARE"]
        assert prepared.prepared_count() == 1
    else:
        assert sent(first) == sent(second) == sent(reconnected) == ["SELECT"]
        assert prepared.prepared_count() == 0


@pytest.mark.django_db(transaction=True)
def test_a_first_run_that_fails_leaves_the_next_run_working():
    sql = "SELECT 10 / CAST(%s AS integer)"
    if connection.vendor == "postgresql":
        with pytest.raises(DataError), transaction.atomic():
            run(sql, 0)  # PREPARE takes effect, then the division fails; PREPARE outlives the rollback
    with transaction.atomic(), CaptureQueriesContext(connection) as after:
        assert run(sql, 2) == (5,)
    if connection.vendor == "postgresql":
        assert sent(after) == ["SELECT", "EXECUTE"]  # asks once whether the statement exists, then runs it
        with CaptureQueriesContext(connection) as later:
            assert run(sql, 5) == (2,)
        assert sent(later) == ["EXECUTE"]
    else:
        assert sent(after) == ["SELECT"]
