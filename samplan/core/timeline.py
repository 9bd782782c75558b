"""The timeline of a SIP process or an SVPL: every state change writes one event – who, for
which unit, did what and when – and its access-log entry, in the service's transaction.

The discharge case's timeline (:mod:`samplan.discharge.services`) is written the same way but
by its own helper: its services take the event's time as an argument (a back-dated discharge),
and its access-log entry is a creation exactly when the event names a created object.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from django.db import models

from samplan.audit.models import AccessAction, AccessPurpose
from samplan.audit.services import log_access

if TYPE_CHECKING:
    from samplan.core.acting import Acting
    from samplan.people.models import Person

__all__ = ["TimelineWriter"]

Owner = TypeVar("Owner", bound=models.Model)
"""What the timeline belongs to (the SIP process, the SVPL)."""
Event = TypeVar("Event", bound=models.Model)
"""A :class:`~samplan.core.records.TimelineEventBase` with its ``kind`` and owner."""


@dataclass(frozen=True)
class TimelineWriter(Generic[Owner, Event]):
    """Call it as ``_event(owner, kind, acting, summary, obj=…, created=…, **data)``: one
    ``events`` row (a :class:`~samplan.core.records.TimelineEventBase`) pointing at ``owner``
    by ``owner_field``, at ``now()``, the summary cut to 500 characters, ``data`` kept as JSON;
    and an access-log entry for ``person_of(owner)``, care coordination, about ``obj`` (the
    owner when none is given), a creation unless ``created`` is false."""

    events: type[Event]
    owner_field: str
    person_of: Callable[[Owner], Person]
    now: Callable[[], datetime]

    def __call__(
        self,
        owner: Owner,
        kind: models.TextChoices,
        acting: Acting,
        summary: str = "",
        *,
        obj: models.Model | None = None,
        created: bool = True,
        **data: Any,
    ) -> Event:
        event = self.events._default_manager.create(
            **{self.owner_field: owner},
            kind=kind,
            at=self.now(),
            actor=acting.user,
            unit=acting.unit,
            summary=summary[:500],
            data=data,
        )
        log_access(
            actor=acting.actor,
            person=self.person_of(owner),
            action=AccessAction.CREATE if created else AccessAction.UPDATE,
            purpose=AccessPurpose.CARE_COORDINATION,
            obj=obj or owner,
            detail=str(kind.label),
        )
        return event
