"""Database-level immutability for append-only tables, on PostgreSQL and SQLite.

The ORM refuses changes to an append-only record (:mod:`samplan.core.records`); a trigger refuses
them in the database too, so neither a raw ``UPDATE`` nor a bulk ``DELETE`` changes history.
Migrations add the triggers with :func:`immutable_tables`.

* PostgreSQL: a ``BEFORE UPDATE OR DELETE`` row trigger raises ``insufficient_privilege``.
  ``TRUNCATE`` is left to the table owner (test databases are flushed with it; in production the
  application role is granted no ``TRUNCATE``).
* SQLite: ``BEFORE UPDATE`` always aborts; ``BEFORE DELETE`` aborts unless the connection is
  running Django's ``flush`` command (a deliberate wipe of the whole database, as the test runner
  does between browser tests). The gate is an SQL function this app registers on every SQLite
  connection (:func:`register_sqlite_functions`); any other client (the ``sqlite3`` shell) lacks
  it, so its ``DELETE`` fails too.

SQLite rebuilds a table to alter it, which drops its triggers: a later migration that alters one
of these tables on SQLite must add them again (the tests check that they are there).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

from django.db import migrations

FLUSH_FUNCTION = "samplan_flush_in_progress"
_flush_depth = 0

_PG_FUNCTION = """
CREATE OR REPLACE FUNCTION samplan_refuse_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION '% is immutable: % refused', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
"""
_PG_TRIGGER = """
CREATE TRIGGER {table}_immutable
    BEFORE UPDATE OR DELETE ON {table}
    FOR EACH ROW EXECUTE FUNCTION samplan_refuse_change();
"""
_SQLITE_TRIGGERS = (
    """
CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table}
BEGIN SELECT RAISE(ABORT, '{table} is immutable: UPDATE refused'); END;
""",
    f"""
CREATE TRIGGER {{table}}_no_delete BEFORE DELETE ON {{table}}
WHEN NOT {FLUSH_FUNCTION}()
BEGIN SELECT RAISE(ABORT, '{{table}} is immutable: DELETE refused'); END;
""",
)


def _flush_in_progress() -> int:
    return 1 if _flush_depth else 0


@contextlib.contextmanager
def flushing() -> Iterator[None]:
    """While Django's ``flush`` empties every table, SQLite's delete triggers let it."""
    global _flush_depth
    _flush_depth += 1
    try:
        yield
    finally:
        _flush_depth -= 1


def register_sqlite_functions(sender: Any, connection: Any, **kwargs: Any) -> None:
    """``connection_created`` receiver: the flush gate the SQLite delete triggers call."""
    if connection.vendor == "sqlite":
        connection.connection.create_function(FLUSH_FUNCTION, 0, _flush_in_progress)


def _sql(vendor: str, tables: tuple[str, ...]) -> list[str]:
    if vendor == "postgresql":
        return [_PG_FUNCTION, *(_PG_TRIGGER.format(table=t) for t in tables)]
    if vendor == "sqlite":
        return [sql.format(table=t) for t in tables for sql in _SQLITE_TRIGGERS]
    return []


def _drop_sql(vendor: str, tables: tuple[str, ...]) -> list[str]:
    if vendor == "postgresql":
        return [f"DROP TRIGGER IF EXISTS {t}_immutable ON {t};" for t in tables]
    if vendor == "sqlite":
        return [
            f"DROP TRIGGER IF EXISTS {t}_{suffix};"
            for t in tables
            for suffix in ("no_update", "no_delete")
        ]
    return []


def immutable_tables(*tables: str) -> migrations.RunPython:
    """A migration operation adding (and on reverse dropping) the refusing triggers."""

    def forwards(apps: Any, schema_editor: Any) -> None:
        for sql in _sql(schema_editor.connection.vendor, tables):
            schema_editor.execute(sql, params=None)

    def backwards(apps: Any, schema_editor: Any) -> None:
        for sql in _drop_sql(schema_editor.connection.vendor, tables):
            schema_editor.execute(sql, params=None)

    return migrations.RunPython(forwards, backwards, elidable=False)


def triggers_on(connection: Any, table: str) -> list[str]:
    """Names of the triggers on ``table`` (for tests and checks)."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(
                "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = %s", [table]
            )
        elif connection.vendor == "postgresql":
            cursor.execute(
                "SELECT tgname FROM pg_trigger WHERE tgrelid = %s::regclass AND NOT tgisinternal",
                [table],
            )
        else:
            return []
        return sorted(row[0] for row in cursor.fetchall())
