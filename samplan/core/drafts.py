"""A working draft under optimistic versioning, as the SIP's plan and the psychiatric SVPL keep
theirs.

The draft has a revision that goes up by one on every save. A save names the revision it is
based on (the one the writer opened) and is written with a compare-and-swap – a conditional
``UPDATE`` – so of two writers on the same base exactly one succeeds, on SQLite and PostgreSQL
alike. Every saved revision is kept as an append-only row
(:class:`~samplan.core.records.DraftRevisionBase`). A save, or a step taken on a revision, that
someone else has saved over is refused with a :class:`DraftConflict`: who saved, what they
changed since the base, and the writer's own content back with what it would have changed, so
nothing is lost and the writer chooses what to do.

Where the draft is kept differs, and :class:`DraftStore` names it: the SIP keeps it in a row of
its own (``PlanDraft``: ``content``, ``revision``, ``saved_*``), the SVPL on the plan itself
(``draft_content``, ``draft_revision``, ``draft_saved_*``), whose row its approvals lock.

The callers stay in charge of everything else – who may write, what the content must be, the
timeline event and access-log entry, the transaction – since those are the processes' own rules.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from django.db import models
from django.utils.translation import gettext as _
from pydantic import BaseModel

from samplan.core.acting import DomainError
from samplan.core.content import Change
from samplan.core.records import DraftRevisionBase

if TYPE_CHECKING:
    from samplan.accounts.models import User
    from samplan.core.acting import Acting
    from samplan.directory.models import Unit

__all__ = ["DraftConflict", "DraftStore", "changes_out", "conflict_out", "successive_changes"]

Holder = TypeVar("Holder", bound=models.Model)
"""The model whose row holds the working draft."""
Content = TypeVar("Content", bound=BaseModel)
"""The plan document the draft is."""
Item = TypeVar("Item")


class DraftConflict(DomainError, Generic[Holder, Content]):
    """The draft was saved by someone else since ``base_revision``: nothing was written.

    ``current`` is the draft's holder as it is now; ``revision`` (the revision to base a retry
    on), ``saved_at``, ``saved_by`` and ``saved_unit`` say who saved it last; ``current_content``
    is the draft now; ``their_changes`` what the other writer changed since the base;
    ``attempted`` the refused content (give it back to the writer: nothing is lost) and
    ``your_changes`` what the refused save would have changed since the base. A step taken on
    a stale revision without new content (establishing, approving) has ``attempted`` ``None``.
    """

    def __init__(
        self,
        *,
        current: Holder,
        revision: int,
        saved_at: datetime | None,
        saved_by: User | None,
        saved_unit: Unit | None,
        current_content: Content,
        base_revision: int,
        their_changes: list[Change],
        attempted: Content | None,
        your_changes: list[Change],
    ) -> None:
        who = saved_by.get_full_name() if saved_by else ""
        unit = saved_unit.name if saved_unit else ""
        text = self.text(saving=attempted is not None)
        super().__init__(text % {"who": who or _("någon annan"), "unit": unit})
        self.current = current
        self.revision = revision
        self.saved_at = saved_at
        self.saved_by = saved_by
        self.saved_unit = saved_unit
        self.current_content = current_content
        self.base_revision = base_revision
        self.their_changes = their_changes
        self.attempted = attempted
        self.your_changes = your_changes

    @classmethod
    def text(cls, *, saving: bool) -> str:
        """The Swedish message, with ``%(who)s`` and ``%(unit)s`` for who saved; ``saving``
        is false for a step without new content."""
        return _(
            "Planen har ändrats av %(who)s (%(unit)s) sedan du öppnade den. Dina ändringar "
            "är inte sparade: se vad som ändrats och gör om dina ändringar i den nya "
            "versionen."
        )


@dataclass(frozen=True)
class DraftStore(Generic[Holder, Content]):
    """Where one process keeps its draft and how its content reads.

    ``owner`` in the methods is what the draft belongs to (the SIP process, the SVPL): the
    revision rows point at it by their foreign key ``revision_owner``, and the holder is the
    row whose ``holder_key`` is the owner's primary key."""

    holder: type[Holder]
    holder_key: str
    """``"process"`` for a draft in a row of its own, ``"pk"`` for a draft on the owner."""
    prefix: str
    """Of the holder's draft fields: ``content``, ``revision``, ``saved_at``, ``saved_by``,
    ``saved_unit``."""
    revisions: type[DraftRevisionBase]
    revision_owner: str
    content: type[Content]
    diff: Callable[[Content | None, Content], list[Change]]
    conflict: type[DraftConflict[Holder, Content]]
    stores_revision_zero: bool
    """Whether the draft as started is a revision row (the SVPL's names its chief physician);
    otherwise revision 0 is the empty document and no row is read for it."""

    def _field(self, name: str) -> str:
        return self.prefix + name

    def _holder(self, owner: models.Model) -> models.QuerySet[Holder]:
        return self.holder._default_manager.filter(**{self.holder_key: owner.pk})

    def current(self, owner: models.Model) -> Holder:
        """The holder as it is now, with who saved the draft last."""
        return (
            self._holder(owner)
            .select_related(self._field("saved_by"), self._field("saved_unit"))
            .get()
        )

    def locked(self, owner: models.Model) -> Holder:
        """The holder, locked until the transaction ends: one step built on the current
        revision (establishing, approving, a change of one field) at a time."""
        return self._holder(owner).select_for_update().get()

    def revision_of(self, holder: Holder) -> int:
        revision: int = getattr(holder, self._field("revision"))
        return revision

    def content_of(self, holder: Holder) -> Content:
        return self.content.model_validate(getattr(holder, self._field("content")))

    def revision_content(self, owner: models.Model, revision: int) -> Content:
        """A saved revision's content; the empty document for one that does not exist."""
        if revision == 0 and not self.stores_revision_zero:
            return self.content()
        stored = (
            self.revisions._default_manager.filter(**{self.revision_owner: owner})
            .filter(revision=revision)
            .first()
        )
        return self.content.model_validate(stored.content) if stored else self.content()

    def write(
        self,
        owner: models.Model,
        content: Content,
        *,
        base_revision: int,
        acting: Acting,
        at: datetime,
    ) -> None:
        """Save ``content`` as the revision after ``base_revision`` and keep it as a revision
        row; raise :attr:`conflict` (and write nothing) if someone saved since the base."""
        data = content.model_dump(mode="json")
        written = (
            self._holder(owner)
            .filter(**{self._field("revision"): base_revision})
            .update(
                **{
                    self._field("content"): data,
                    self._field("revision"): base_revision + 1,
                    self._field("saved_at"): at,
                    self._field("saved_by"): acting.user,
                    self._field("saved_unit"): acting.unit,
                }
            )
        )
        if not written:
            raise self.conflict_with(owner, base_revision, content)
        self.revisions._default_manager.create(
            **{self.revision_owner: owner},
            revision=base_revision + 1,
            content=data,
            saved_at=at,
            saved_by=acting.user,
            saved_unit=acting.unit,
        )

    def conflict_with(
        self, owner: models.Model, base_revision: int, attempted: Content | None
    ) -> DraftConflict[Holder, Content]:
        """The conflict of ``attempted`` (``None``: a step without new content) based on
        ``base_revision`` with the draft as it is now."""
        current = self.current(owner)
        base = self.revision_content(owner, base_revision)
        current_content = self.content_of(current)
        return self.conflict(
            current=current,
            revision=self.revision_of(current),
            saved_at=getattr(current, self._field("saved_at")),
            saved_by=getattr(current, self._field("saved_by")),
            saved_unit=getattr(current, self._field("saved_unit")),
            current_content=current_content,
            base_revision=base_revision,
            their_changes=self.diff(base, current_content),
            attempted=attempted,
            your_changes=self.diff(base, attempted) if attempted is not None else [],
        )


def successive_changes(
    items: list[Item],
    content_of: Callable[[Item], Content],
    diff: Callable[[Content | None, Content], list[Change]],
) -> list[tuple[Item, Content, list[Change]]]:
    """Each of ``items`` (revisions or versions, oldest first) with its content and what it
    changed from the one before (everything, for the first)."""
    out = []
    previous: Content | None = None
    for item in items:
        content = content_of(item)
        out.append((item, content, diff(previous, content)))
        previous = content
    return out


# --- For the JSON APIs ------------------------------------------------------------------------


def changes_out(changes: list[Change]) -> list[dict[str, str]]:
    """Changes as the APIs' ``ChangeOut``."""
    return [{"kind": c.kind, "text": c.text} for c in changes]


def conflict_out(error: DraftConflict[Any, Any]) -> dict[str, Any]:
    """The 409 body (the APIs' ``ConflictOut``): the current revision and who saved it, what
    they changed, and what the caller sent, untouched, to redo on ``current_revision``."""
    return {
        "detail": error.message,
        "current_revision": error.revision,
        "saved_by": error.saved_by.get_full_name() if error.saved_by else "",
        "saved_unit_hsa_id": error.saved_unit.hsa_id if error.saved_unit else None,
        "saved_at": error.saved_at,
        "current": error.current_content,
        "their_changes": changes_out(error.their_changes),
        "your_changes": changes_out(error.your_changes),
        "attempted": error.attempted,
    }
