"""SQLite backend that knows SQLite's real limit on query parameters.

Django 5.2 assumes the 999 parameters of SQLite before 3.32; the SQLite that Python 3.11 ships allows 32,766.
With the old figure a save of 300 attendance marks with their history splits into several INSERTs, so the number
of queries would grow with the number of people. (Django 6 reads the limit from the connection the same way.)
"""

import os
import sqlite3
from pathlib import Path

from django.db.backends.sqlite3 import base, features
from django.utils.functional import cached_property


class DatabaseFeatures(features.DatabaseFeatures):
    @cached_property
    def max_query_params(self):
        self.connection.ensure_connection()
        return self.connection.connection.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)


class DatabaseWrapper(base.DatabaseWrapper):
    features_class = DatabaseFeatures

    def get_new_connection(self, conn_params):
        _create_private(conn_params.get("database", ""))
        return super().get_new_connection(conn_params)


def _create_private(database) -> None:
    """Create the database file readable by its owner only: it holds personal data (PDPA).

    SQLite itself would create it with the process umask (usually world-readable); its -wal and -shm files
    take the permissions of the database file, so creating this one 0600 is enough.
    """
    name = str(database)
    if not name or name == ":memory:" or name.startswith("file:"):
        return
    path = Path(name)
    if path.exists():
        return
    if not path.parent.exists():
        path.parent.mkdir(mode=0o700, parents=True)
    os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))
