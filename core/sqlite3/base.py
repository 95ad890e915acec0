"""SQLite backend that knows SQLite's real limit on query parameters.

Django 5.2 assumes the 999 parameters of SQLite before 3.32; the SQLite that Python 3.11 ships allows 32,766.
With the old figure a save of 300 attendance marks with their history splits into several INSERTs, so the number
of queries would grow with the number of people. (Django 6 reads the limit from the connection the same way.)
"""

import sqlite3

from django.db.backends.sqlite3 import base, features
from django.utils.functional import cached_property


class DatabaseFeatures(features.DatabaseFeatures):
    @cached_property
    def max_query_params(self):
        self.connection.ensure_connection()
        return self.connection.connection.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)


class DatabaseWrapper(base.DatabaseWrapper):
    features_class = DatabaseFeatures
