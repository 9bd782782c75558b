"""Django's ``flush``, letting SQLite's immutability triggers allow the whole-database wipe.

See :mod:`samplan.core.immutable`. On PostgreSQL ``flush`` truncates, which the row triggers do
not see, so nothing changes there.
"""

from __future__ import annotations

from typing import Any

from django.core.management.commands.flush import Command as FlushCommand

from samplan.core.immutable import flushing


class Command(FlushCommand):
    def handle(self, **options: Any) -> None:
        with flushing():
            super().handle(**options)
