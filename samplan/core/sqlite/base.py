"""Django's SQLite backend with SQLite's own limit on the parameters of one statement.

Django 5.2 assumes 999 (SQLite's compile-time default before 3.32), so ``bulk_create`` splits a
batch into statements of ``999 // columns`` rows: the access-log entries of a long work list
(17 columns, so 58 rows a statement) would cost one more query per 58 persons shown, and a list
page would no longer cost the same queries whatever its length. SQLite reports the limit it was
built with (``sqlite3.Connection.getlimit``, Python 3.11+): 32 766 by default since 3.32,
250 000 on Debian. Django 6.0 reads it in the same way (ticket #36143); drop this backend then.
"""

from __future__ import annotations

import sqlite3

from django.db.backends.sqlite3 import base, features
from django.utils.functional import cached_property


class DatabaseFeatures(features.DatabaseFeatures):
    @cached_property
    def max_query_params(self) -> int:  # type: ignore[override]
        self.connection.ensure_connection()
        limit: int = self.connection.connection.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
        return limit


class DatabaseWrapper(base.DatabaseWrapper):
    features_class = DatabaseFeatures
