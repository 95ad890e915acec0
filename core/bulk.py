"""Writing many rows at once without a model object per row: COPY on PostgreSQL, executemany on SQLite.

Values must already be as the database stores them (`field.get_db_prep_save`); columns are given by name.
"""

import contextlib
import io

from django.db import connections


def _csv_line(row) -> str:
    # Every value quoted, NULL unquoted and empty: in PostgreSQL's CSV format a quoted value is never NULL, so
    # no text (not even an empty string or a backslash) can be taken for one.
    return ",".join("" if value is None else '"' + str(value).replace('"', '""') + '"' for value in row)


def insert_rows(table: str, columns: list[str], rows: list[tuple], *, using: str = "default") -> None:
    if not rows:
        return
    connection = connections[using]
    quote = connection.ops.quote_name
    names = ", ".join(quote(column) for column in columns)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            buffer = io.StringIO("\n".join(_csv_line(row) for row in rows) + "\n")
            sql = f"COPY {quote(table)} ({names}) FROM STDIN WITH (FORMAT csv)"
            # The driver's own cursor (Django's wrapper has no COPY); logged like any other query when queries
            # are (tests, DEBUG), so that query counts include it.
            log = cursor.debug_sql(sql) if hasattr(cursor, "debug_sql") else contextlib.nullcontext()
            with log:
                cursor.cursor.copy_expert(sql, buffer)
        else:
            placeholders = ", ".join(["%s"] * len(columns))
            cursor.executemany(f"INSERT INTO {quote(table)} ({names}) VALUES ({placeholders})", rows)


def analyze(models, *, using: str = "default") -> None:
    """Fresh planner statistics for tables just loaded in bulk (PostgreSQL; autovacuum would get there later,
    and until then the planner takes a table of a million rows for an empty one). Nothing on SQLite."""
    if connections[using].vendor == "postgresql":
        _each_table("ANALYZE", models, using)


def vacuum(models, *, using: str = "default") -> bool:
    """VACUUM (ANALYZE) tables just loaded in bulk (PostgreSQL): until autovacuum passes, a freshly loaded table
    has no visibility map, so a count cannot be answered from an index alone and reads the whole table. VACUUM
    cannot run inside a transaction: inside one (a test's), or on SQLite, nothing is done and False returned."""
    connection = connections[using]
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        return False
    _each_table("VACUUM (ANALYZE)", models, using)
    return True


def _each_table(command: str, models, using: str) -> None:
    connection = connections[using]
    with connection.cursor() as cursor:
        for model in models:
            cursor.execute(f"{command} {connection.ops.quote_name(model._meta.db_table)}")
