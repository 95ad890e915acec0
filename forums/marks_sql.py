"""Writes many marks at once in the database itself: the rows' new status and check-in time, their version, and
a history record of each, the marks sent as arrays (PostgreSQL) or one JSON parameter (SQLite).

For the check-in's common case (a queue of marks, each on the version the phone knew): the rules are checked in
forums.services before anything is written; here is only the reading (the rows, locked) and the writing. On
PostgreSQL the update and its history are one statement (the history is inserted from the update's RETURNING),
its marks sent as five arrays and the statement prepared once per connection (core.prepared); on SQLite two
statements, the marks sent as JSON and the history read back from the rows just updated. Either way no model
object is made per row: for 300 marks Django's per-object work cost more than the database's.
"""

import json

from django.db import connections
from simple_history.utils import get_history_manager_for_model

from core import prepared
from forums.models import Attendance

HISTORY_MODEL = get_history_manager_for_model(Attendance).model


def _db_times(connection):
    """A converter of times to the text the database stores them as, each distinct time converted once: a
    save-all's marks share a few."""
    adapt = connection.ops.adapt_datetimefield_value
    times = {None: None}

    def db_time(value):
        if value not in times:
            adapted = adapt(value)
            times[value] = adapted if isinstance(adapted, str) else adapted.isoformat()
        return times[value]

    return db_time


def _changes_json(changes, connection) -> str:
    """The changes as one JSON array of objects, their times and client ids as the database stores them (JSON has
    no datetime)."""
    native_uuid = connection.features.has_native_uuid_field
    db_time = _db_times(connection)
    return json.dumps(
        [
            {"id": pk, "status": status, "checked_in_at": db_time(checked_in_at),
             "client_id": str(client) if native_uuid else client.hex, "made_at": db_time(made_at)}
            for pk, status, checked_in_at, client, made_at in changes
        ]
    )  # fmt: skip


def _history_select(connection, source: str, changes: str, now, user_id, kind: str) -> tuple[str, str, list]:
    """The history table's columns and what to SELECT into them: the tracked columns from the attendance rows
    (`source`), the phone's id and time from the change (`changes`), the history's own columns as parameters, and
    every other column its default (a field added later is not left NULL)."""
    quote = connection.ops.quote_name
    tracked = {f.attname for f in HISTORY_MODEL.tracked_fields}
    own = {"history_date": now, "history_user_id": user_id, "history_change_reason": "", "history_type": kind}
    columns, values, params = [], [], []
    for f in HISTORY_MODEL._meta.concrete_fields:
        if f.primary_key:
            continue
        columns.append(quote(f.column))
        if f.attname in tracked:
            values.append(f"{source}.{quote(f.column)}")
        elif f.attname in ("client_id", "made_at"):
            values.append(f"{changes}.{quote(f.attname)}")
        else:
            # A prepared statement's parameter takes its type from where it stands: in a SELECT list, none.
            values.append(
                f"CAST(%s AS {f.db_type(connection)})" if connection.vendor == "postgresql" else "%s"
            )
            value = own[f.attname] if f.attname in own else f.get_default()
            params.append(f.get_db_prep_save(value, connection))
    return ", ".join(columns), ", ".join(values), params


def _array(values) -> str:
    """A PostgreSQL array literal of these values, each quoted (an empty status is "", None is NULL)."""

    def element(value):
        if value is None:
            return "NULL"
        return '"' + str(value).replace("\\", "\\\\").replace('"', '\\"') + '"'

    return "{" + ",".join(map(element, values)) + "}"


def _changes_arrays(changes, connection) -> list[str]:
    """The changes as five array literals (ids, statuses, check-in times, client ids, times made)."""
    db_time = _db_times(connection)
    ids, statuses, checked_in, clients, made = zip(*changes, strict=True)
    return [
        _array(ids),
        _array(statuses),
        _array(map(db_time, checked_in)),
        _array(clients),
        _array(map(db_time, made)),
    ]


def lock_rows(session_id: int, ids: list[int], using: str = "default") -> dict[int, tuple]:
    """These attendance rows of the session, locked until the transaction ends: (version, status, invited,
    check-in time) by id. On PostgreSQL one prepared statement with the ids as one array, whatever their
    number; elsewhere the ORM's query (SQLite locks the whole database for a write anyway)."""
    connection = connections[using]
    if connection.vendor != "postgresql":
        rows = (
            Attendance.objects.using(using)
            .filter(session_id=session_id, pk__in=ids)
            .order_by("pk")
            .values_list("pk", "version", "status", "invited", "checked_in_at")
        )
        return {pk: tuple(rest) for pk, *rest in rows}
    quote = connection.ops.quote_name
    sql = (
        f"SELECT {quote('id')}, {quote('version')}, {quote('status')}, {quote('invited')}, "
        f"{quote('checked_in_at')} FROM {quote(Attendance._meta.db_table)} "
        f"WHERE {quote('session_id')} = %s AND {quote('id')} = ANY(%s::bigint[]) ORDER BY {quote('id')} "
        f"FOR UPDATE"
    )
    with connection.cursor() as cursor:
        prepared.execute(cursor, sql, [session_id, _array(ids)], using)
        return {pk: tuple(rest) for pk, *rest in cursor.fetchall()}


def write_marks(changes, *, now, user_id, using: str = "default") -> None:
    """Sets each row's status and check-in time (a mark never names a representative, so it clears one), moves
    its version on by one, and writes its history record ("~", with the phone's client id and time).

    `changes`: (attendance id, status, check-in time, client id, made at) per row, each row once; the caller
    holds the rows locked and has checked every rule."""
    if not changes:
        return
    connection = connections[using]
    quote = connection.ops.quote_name
    table = quote(Attendance._meta.db_table)
    history = quote(HISTORY_MODEL._meta.db_table)
    set_columns = (
        f"{quote('status')} = v.{quote('status')}, "
        f"{quote('checked_in_at')} = v.{quote('checked_in_at')}, "
        f"{quote('representative_id')} = NULL, "
        f"{quote('version')} = {table}.{quote('version')} + 1, "
        f"{quote('updated_at')} = %s"
    )
    updated_at = connection.ops.adapt_datetimefield_value(now)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            tracked = ", ".join(f"{table}.{quote(f.column)}" for f in HISTORY_MODEL.tracked_fields)
            columns, values, params = _history_select(connection, "changed", "changed", now, user_id, "~")
            prepared.execute(
                cursor,
                f"WITH v AS (SELECT * FROM unnest(%s::bigint[], %s::text[], %s::timestamptz[], %s::uuid[], "
                f"%s::timestamptz[]) AS v(id, status, checked_in_at, client_id, made_at)), "
                f"changed AS (UPDATE {table} SET {set_columns} FROM v WHERE {table}.id = v.id "
                f"RETURNING {tracked}, v.client_id, v.made_at) "
                f"INSERT INTO {history} ({columns}) SELECT {values} FROM changed",
                [*_changes_arrays(changes, connection), updated_at, *params],
                using,
            )
        else:
            data = _changes_json(changes, connection)
            rows = (
                "(SELECT json_extract(value, '$.id') AS id, json_extract(value, '$.status') AS status, "
                "json_extract(value, '$.checked_in_at') AS checked_in_at, "
                "json_extract(value, '$.client_id') AS client_id, json_extract(value, '$.made_at') AS made_at, "
                "key AS position FROM json_each(%s))"
            )
            cursor.execute(
                f"UPDATE {table} SET {set_columns} FROM {rows} AS v WHERE {table}.id = v.id",
                [updated_at, data],
            )
            columns, values, params = _history_select(connection, "a", "v", now, user_id, "~")
            cursor.execute(
                f"INSERT INTO {history} ({columns}) SELECT {values} FROM {table} AS a JOIN {rows} AS v "
                f"ON a.id = v.id ORDER BY v.position",
                [*params, data],
            )
