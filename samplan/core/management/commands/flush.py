"""``flush`` as Django's, with SQLite's append-only triggers lifted while the tables are emptied.

Django empties an SQLite database with ``DELETE FROM`` (PostgreSQL: ``TRUNCATE``, which the row
triggers there do not see), and the test runner flushes after every transactional test. See
:mod:`samplan.core.append_only`."""

from typing import Any

from django.core.management.commands import flush

from samplan.core.append_only import guard_lifted


class Command(flush.Command):
    def handle(self, **options: Any) -> None:
        with guard_lifted():
            super().handle(**options)
