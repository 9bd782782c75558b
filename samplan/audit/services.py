"""Writing the access log. Every read or write of a person's data calls :func:`log_access`."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone

from samplan.audit.chain import GENESIS_HASH, ChainFields, entry_hash
from samplan.audit.models import (
    LIST_OBJECT_PREFIX,
    AccessAction,
    AccessLogChainHead,
    AccessLogEntry,
    AccessPurpose,
)

if TYPE_CHECKING:
    from django.http import HttpRequest

    from samplan.people.models import Person

CHAIN_HEAD_ID = 1


@dataclass(frozen=True)
class Actor:
    """Who acts, for which unit, from where — captured once per request."""

    user_id: int | None
    username: str
    unit_id: int | None
    unit_hsa_id: str
    remote_addr: str | None

    @property
    def staff_user_id(self) -> int:
        """The acting staff member; writes that record "recorded by" need one."""
        if self.user_id is None:
            raise PermissionError("This change must be made by a signed-in member of staff.")
        return self.user_id

    @classmethod
    def from_request(cls, request: HttpRequest) -> Actor:
        membership = getattr(request, "membership", None)
        user = request.user
        return cls(
            user_id=user.pk if user.is_authenticated else None,
            username=user.get_username() if user.is_authenticated else "",
            unit_id=membership.unit_id if membership else None,
            unit_hsa_id=membership.unit.hsa_id if membership else "",
            remote_addr=request.META.get("REMOTE_ADDR"),
        )


def log_access(
    *,
    actor: Actor,
    person: Person | None,
    action: AccessAction,
    purpose: AccessPurpose,
    obj: models.Model | None = None,
    object_type: str = "",
    detail: str = "",
    emergency: bool = False,
) -> AccessLogEntry:
    fields = ChainFields(
        at=timezone.now().astimezone(UTC),
        user_id=actor.user_id,
        username=actor.username,
        unit_id=actor.unit_id,
        unit_hsa_id=actor.unit_hsa_id,
        person_id=person.pk if person else None,
        action=action.value,
        object_type=object_type or (obj._meta.label if obj is not None else ""),
        object_id=str(obj.pk) if obj is not None else "",
        purpose=purpose.value,
        protected_identity=bool(person and person.protected_identity),
        emergency=emergency,
        detail=detail[:300],
        remote_addr=actor.remote_addr,
    )
    with transaction.atomic():
        head = _lock_chain_head()
        digest = entry_hash(settings.ACCESS_LOG_HMAC_KEY, head.last_hash, fields)
        entry = AccessLogEntry.objects.create(
            previous_hash=head.last_hash, entry_hash=digest, **fields.__dict__
        )
        AccessLogChainHead.objects.filter(pk=CHAIN_HEAD_ID).update(last_hash=digest)
    return entry


@dataclass(frozen=True)
class LogItem:
    """One entry of :func:`log_access_many`: whose data, which object, what."""

    person: Person | None
    obj: models.Model | None = None
    object_type: str = ""
    detail: str = ""


def log_access_many(
    *, actor: Actor, action: AccessAction, purpose: AccessPurpose, items: Sequence[LogItem]
) -> list[AccessLogEntry]:
    """One entry per item, chained in order, in a constant number of queries (list pages)."""
    if not items:
        return []
    at = timezone.now().astimezone(UTC)
    entries = []
    with transaction.atomic():
        head = _lock_chain_head(len(items))
        previous = head.last_hash
        for item in items:
            fields = ChainFields(
                at=at,
                user_id=actor.user_id,
                username=actor.username,
                unit_id=actor.unit_id,
                unit_hsa_id=actor.unit_hsa_id,
                person_id=item.person.pk if item.person else None,
                action=action.value,
                object_type=item.object_type
                or (item.obj._meta.label if item.obj is not None else ""),
                object_id=str(item.obj.pk) if item.obj is not None else "",
                purpose=purpose.value,
                protected_identity=bool(item.person and item.person.protected_identity),
                emergency=False,
                detail=item.detail[:300],
                remote_addr=actor.remote_addr,
            )
            digest = entry_hash(settings.ACCESS_LOG_HMAC_KEY, previous, fields)
            entries.append(
                AccessLogEntry(previous_hash=previous, entry_hash=digest, **fields.__dict__)
            )
            previous = digest
        created = AccessLogEntry.objects.bulk_create(entries)
        AccessLogChainHead.objects.filter(pk=CHAIN_HEAD_ID).update(last_hash=previous)
    return created


@dataclass
class ListRead:
    """The persons one page (or API answer) shows in its lists: a list shows names and
    personnummer, so each person shown is a read of their data.

    Add what each list shows with :meth:`add`, then :meth:`write` once: one READ entry per
    person, whichever of the page's lists showed them (the entry's detail names them), all in one
    :func:`log_access_many` batch, so the page costs the same queries whatever its length. The
    object is the list (``object_type`` ``list:<list_id>``), so a reviewer tells a list view from
    opening a case. A protected identity is flagged as for any access."""

    actor: Actor
    list_id: str
    """Which list, e.g. ``discharge.worklist``."""
    title: str
    """The list's name in the log, e.g. "Att göra"."""
    purpose: AccessPurpose = AccessPurpose.CARE_COORDINATION
    _shown: dict[int, tuple[Person, list[str]]] = field(default_factory=dict)
    _written: bool = False

    def add(self, persons: Iterable[Person], section: str = "") -> None:
        """``persons`` are shown in the list's ``section`` (e.g. "SIP"), in page order."""
        if self._written:
            raise RuntimeError("The list read is already written.")
        for person in persons:
            _person, sections = self._shown.setdefault(person.pk, (person, []))
            if section and section not in sections:
                sections.append(section)

    def write(self) -> list[AccessLogEntry]:
        """Write the entries (none when the list showed nobody); once."""
        if self._written:
            raise RuntimeError("The list read is already written.")
        self._written = True
        return log_access_many(
            actor=self.actor,
            action=AccessAction.READ,
            purpose=self.purpose,
            items=[
                LogItem(
                    person=person,
                    object_type=f"{LIST_OBJECT_PREFIX}{self.list_id}",
                    detail=f"{self.title}: {', '.join(sections)}" if sections else self.title,
                )
                for person, sections in self._shown.values()
            ],
        )


def _lock_chain_head(count: int = 1) -> AccessLogChainHead:
    """Take the chain's write lock (row lock on PostgreSQL, write lock on SQLite), then read it.

    Updating before reading is what makes this portable: both databases block a second writer
    at the UPDATE until the first transaction commits. ``count`` entries are about to be added.
    """
    bump = models.F("entry_count") + count
    if not AccessLogChainHead.objects.filter(pk=CHAIN_HEAD_ID).update(entry_count=bump):
        AccessLogChainHead.objects.get_or_create(
            pk=CHAIN_HEAD_ID, defaults={"last_hash": GENESIS_HASH, "entry_count": 0}
        )
        AccessLogChainHead.objects.filter(pk=CHAIN_HEAD_ID).update(entry_count=bump)
    return AccessLogChainHead.objects.get(pk=CHAIN_HEAD_ID)
