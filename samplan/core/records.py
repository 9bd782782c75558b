"""Append-only records: written once, never changed or deleted through the ORM.

Shared by the SIP and the psychiatric SVPL (and any record whose history must stay as written):
corrections are new records. :mod:`samplan.core.append_only` adds the database-level refusal.

Both plans are written as a working draft under optimistic versioning
(:mod:`samplan.core.drafts`): :class:`DraftRevisionBase` is every revision a writer saved,
:class:`EstablishedVersionBase` a revision established as an immutable version. The concrete
models add the foreign key to their plan (``process``, ``plan``), their constraints and what
their own version holds besides. :class:`TimelineEventBase` is one entry of a timeline (theirs,
written by :class:`samplan.core.timeline.TimelineWriter`, and the discharge case's).
"""

from __future__ import annotations

from typing import Any, NoReturn

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


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


class DraftRevisionBase(AppendOnly):
    """One saved revision of a working draft, kept so that nothing a writer saved is lost (also
    what someone saved before another writer saved their version over it)."""

    revision = models.PositiveIntegerField()
    content = models.JSONField()
    saved_at = models.DateTimeField()
    saved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    saved_unit = models.ForeignKey("directory.Unit", on_delete=models.PROTECT, related_name="+")

    class Meta:
        abstract = True
        ordering = ["revision"]

    def __str__(self) -> str:
        return f"Utkast rev. {self.revision}"


class EstablishedVersionBase(AppendOnly):
    """An established version: the content of the draft revision it was established from,
    numbered from 1. Immutable; a newer version supersedes it and it stays."""

    number = models.PositiveIntegerField(_("version"))
    content = models.JSONField()
    draft_revision = models.PositiveIntegerField()
    established_at = models.DateTimeField(_("fastställd"))

    class Meta:
        abstract = True
        ordering = ["number"]

    def __str__(self) -> str:
        return f"Version {self.number}"


class TimelineEventBase(models.Model):
    """One entry of a timeline: who (``actor``, none for what the person wrote in Min plan),
    for which unit, did what (the concrete model's ``kind``) and when, with a summary and the
    event's data. The concrete model adds the foreign key to what the timeline belongs to, its
    ``kind`` with its choices and its index – and :class:`AppendOnly`, as the SIP's and the
    SVPL's timelines are (the discharge case's ``CaseEvent`` is not, in the ORM)."""

    at = models.DateTimeField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    unit = models.ForeignKey(
        "directory.Unit", on_delete=models.PROTECT, null=True, related_name="+"
    )
    summary = models.CharField(max_length=500, blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        abstract = True
        ordering = ["at", "id"]
