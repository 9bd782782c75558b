"""Append-only tables refused at the database level, on SQLite as on PostgreSQL.

Models of append-only records refuse ``save`` of an existing row, ``delete`` and queryset
``update``/``delete`` themselves (:class:`samplan.sip.models.AppendOnly`,
:class:`samplan.audit.models.AccessLogEntry`). Their migrations add triggers so that raw SQL is
refused too: on PostgreSQL a ``BEFORE UPDATE OR DELETE`` row trigger; on SQLite a ``BEFORE
UPDATE`` and a ``BEFORE DELETE`` trigger guarded by :data:`GUARD_FUNCTION`, a function every
Django connection to SQLite gets (:func:`register_guard_function`).

The guard is lifted only by :func:`guard_lifted`, which ``manage.py flush`` uses
(``samplan/core/management/commands/flush.py``): Django empties an SQLite database with
``DELETE FROM``, where PostgreSQL uses ``TRUNCATE`` (which row triggers do not see, and which in
production only the table owner may run). Anything else – the application, or a connection
opened without Django, where the function does not exist – is refused.

A later migration that makes Django rebuild one of these tables on SQLite (most ``AlterField``
operations) drops its triggers with the old table: such a migration must create them again. The
raw-SQL tests in ``sip`` and ``audit`` run on both databases and fail if it does not.
"""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Iterator
from typing import Any

from django.db.backends.base.base import BaseDatabaseWrapper

__all__ = ["GUARD_FUNCTION", "guard_lifted", "register_guard_function"]

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
