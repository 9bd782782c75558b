"""Append-only records: written once, never changed or deleted through the ORM.

Shared by the SIP and the psychiatric SVPL (and any record whose history must stay as written):
corrections are new records. :mod:`samplan.core.append_only` adds the database-level refusal.
"""

from __future__ import annotations

from typing import Any, NoReturn

from django.db import models


class AppendOnlyError(Exception):
    """An append-only record was about to be changed or deleted."""


class AppendOnlyQuerySet(models.QuerySet[Any]):
    def update(self, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError(f"{self.model._meta.label} kan inte ändras.")

    def delete(self) -> NoReturn:
        raise AppendOnlyError(f"{self.model._meta.label} kan inte tas bort.")


class AppendOnly(models.Model):
    """A record written once. Corrections are new records."""

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None and not self._state.adding:
            raise AppendOnlyError(f"{self._meta.label} kan inte ändras.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError(f"{self._meta.label} kan inte tas bort.")
