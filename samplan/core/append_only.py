"""Append-only tables refused at the database level, on SQLite as on PostgreSQL.

Models of append-only records refuse ``save`` of an existing row, ``delete`` and queryset
``update``/``delete`` themselves (:class:`samplan.core.records.AppendOnly`,
:class:`samplan.audit.models.AccessLogEntry`). Their migrations add triggers with
:func:`append_only_tables` so that raw SQL is refused too: on PostgreSQL a ``BEFORE UPDATE OR
DELETE`` row trigger; on SQLite a ``BEFORE UPDATE`` and a ``BEFORE DELETE`` trigger guarded by
:data:`GUARD_FUNCTION`, a function every Django connection to SQLite gets
(:func:`register_guard_function`).

The guard is lifted only by :func:`guard_lifted`, which ``manage.py flush`` uses
(``samplan/core/management/commands/flush.py``): Django empties an SQLite database with
``DELETE FROM``, where PostgreSQL uses ``TRUNCATE`` (which row triggers do not see, and which in
production only the table owner may run). Anything else – the application, or a connection
opened without Django, where the function does not exist – is refused.

A later migration that makes Django rebuild one of these tables on SQLite (most ``AlterField``
operations) drops its triggers with the old table: such a migration must create them again. The
raw-SQL tests in ``sip``, ``psychiatry`` and ``audit`` run on both databases and fail if it does
not.
"""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Iterator
from typing import Any

from django.db import migrations
from django.db.backends.base.base import BaseDatabaseWrapper

__all__ = [
    "GUARD_FUNCTION",
    "append_only_tables",
    "guard_lifted",
    "register_guard_function",
    "triggers_on",
]

GUARD_FUNCTION = "samplan_append_only_lifted"
"""SQLite function the triggers call: 1 inside :func:`guard_lifted`, else 0."""

_lifted: contextvars.ContextVar[bool] = contextvars.ContextVar(
    "samplan_append_only_lifted", default=False
)


@contextlib.contextmanager
def guard_lifted() -> Iterator[None]:
    """Let SQLite's append-only triggers pass in this thread while the block runs: for emptying
    the whole database (``flush``) and for tests acting as a database administrator. On
    PostgreSQL it changes nothing (there an administrator disables the trigger)."""
    token = _lifted.set(True)
    try:
        yield
    finally:
        _lifted.reset(token)


def _is_lifted() -> int:
    return 1 if _lifted.get() else 0


def register_guard_function(sender: Any, connection: BaseDatabaseWrapper, **kwargs: Any) -> None:
    """``connection_created`` receiver: give a new SQLite connection the guard function."""
    if connection.vendor == "sqlite":
        connection.connection.create_function(GUARD_FUNCTION, 0, _is_lifted)


_PG_FUNCTION = """
CREATE OR REPLACE FUNCTION samplan_refuse_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
"""
_PG_TRIGGER = """
CREATE TRIGGER {table}_immutable
    BEFORE UPDATE OR DELETE ON {table}
    FOR EACH ROW EXECUTE FUNCTION samplan_refuse_change();
"""
_SQLITE_TRIGGER = f"""
CREATE TRIGGER {{table}}_no_{{op}}
    BEFORE {{OP}} ON {{table}}
    WHEN NOT {GUARD_FUNCTION}()
BEGIN
    SELECT RAISE(ABORT, '{{table}} is append-only: {{OP}} refused');
END;
"""
_OPERATIONS = ("update", "delete")


def _create_sql(vendor: str, tables: tuple[str, ...], postgresql: bool) -> list[str]:
    if vendor == "postgresql" and postgresql:
        return [_PG_FUNCTION, *(_PG_TRIGGER.format(table=t) for t in tables)]
    if vendor == "sqlite":
        return [
            _SQLITE_TRIGGER.format(table=t, op=op, OP=op.upper())
            for t in tables
            for op in _OPERATIONS
        ]
    return []


def _drop_sql(vendor: str, tables: tuple[str, ...], postgresql: bool) -> list[str]:
    if vendor == "postgresql" and postgresql:
        return [f"DROP TRIGGER IF EXISTS {t}_immutable ON {t};" for t in tables]
    if vendor == "sqlite":
        return [f"DROP TRIGGER IF EXISTS {t}_no_{op};" for t in tables for op in _OPERATIONS]
    return []


def append_only_tables(*tables: str, postgresql: bool = True) -> migrations.RunPython:
    """A migration operation adding (and on reverse dropping) the refusing triggers on
    ``tables``. ``postgresql=False`` for tables an earlier migration already guards there."""

    def forwards(apps: Any, schema_editor: Any) -> None:
        for sql in _create_sql(schema_editor.connection.vendor, tables, postgresql):
            schema_editor.execute(sql, params=None)

    def backwards(apps: Any, schema_editor: Any) -> None:
        for sql in _drop_sql(schema_editor.connection.vendor, tables, postgresql):
            schema_editor.execute(sql, params=None)

    return migrations.RunPython(forwards, backwards, elidable=False)


def triggers_on(connection: BaseDatabaseWrapper, table: str) -> list[str]:
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
