"""Writing many rows at once without a model object per row: COPY on PostgreSQL, executemany on SQLite; a
table's indexes and keys set aside while it is loaded (BulkLoad).

Values must already be as the database stores them (`field.get_db_prep_save`); columns are given by name.
"""

import contextlib
import io
from collections.abc import Callable

from django.db import connections, transaction


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


class BulkLoad:
    """`with BulkLoad(Attendance, progress):` around a load of many rows into one table.

    On PostgreSQL: the table's secondary indexes and foreign keys dropped for the load and made again after, from
    their own definitions as the database reports them (unique and primary keys stay), as PostgreSQL's manual
    advises for bulk loads: each index is built once, sorted, and each key checks every row in one pass, instead
    of a queued check per row and key when the transaction commits (for the province's million attendance rows,
    14 s of the demo data's 59). A row that breaks a key fails its ALTER TABLE; the block is atomic (a savepoint
    inside a transaction, a transaction of its own outside one), so an error inside it (or in the checks at its
    end) takes the drops back with the rows: the keys and indexes are never left dropped. Elsewhere (SQLite): nothing."""

    def __init__(self, model, progress: Callable[[str], None], *, using: str = "default"):
        self.connection = connections[using]
        self.using = using
        self.table = model._meta.db_table
        self.progress = progress
        self.indexes: list[tuple[str, str]] = []
        self.foreign_keys: list[tuple[str, str]] = []
        self.atomic = None

    def _quote(self, name: str) -> str:
        return self.connection.ops.quote_name(name)

    def __enter__(self):
        if self.connection.vendor != "postgresql":
            return self
        self.atomic = transaction.atomic(using=self.using)
        self.atomic.__enter__()
        with self.connection.cursor() as cursor:
            # A table with deferred foreign-key checks still pending in this transaction (rows just written)
            # cannot be altered: run those checks now.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute(
                "SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) FROM pg_index i "
                "WHERE i.indrelid = %s::regclass AND NOT i.indisunique AND NOT i.indisprimary "
                "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)",
                [self.table],
            )
            self.indexes = cursor.fetchall()
            cursor.execute(
                "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
                "WHERE conrelid = %s::regclass AND contype = 'f'",
                [self.table],
            )
            self.foreign_keys = cursor.fetchall()
            for name, _definition in self.foreign_keys:
                cursor.execute(f"ALTER TABLE {self._quote(self.table)} DROP CONSTRAINT {self._quote(name)}")
            for name, _definition in self.indexes:
                cursor.execute(f"DROP INDEX {name}")
        return self

    def __exit__(self, kind, error, traceback):
        if self.atomic is None:
            return False
        try:
            if kind is None:
                self._restore()
        except BaseException as failure:
            self.atomic.__exit__(type(failure), failure, failure.__traceback__)
            raise
        self.atomic.__exit__(kind, error, traceback)
        return False

    def _restore(self) -> None:
        with self.connection.cursor() as cursor:
            for number, (_name, definition) in enumerate(self.indexes, start=1):
                self.progress(f"  index {number}/{len(self.indexes)} of {self.table}")
                cursor.execute(definition)
            self.progress(f"  checking {len(self.foreign_keys)} foreign keys of {self.table}")
            for name, definition in self.foreign_keys:
                cursor.execute(
                    f"ALTER TABLE {self._quote(self.table)} ADD CONSTRAINT {self._quote(name)} {definition}"
                )
            # Back to the keys' own mode (Django makes them all DEFERRABLE INITIALLY DEFERRED).
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
