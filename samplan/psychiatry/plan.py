"""The content of a samordnad vårdplan (SVPL) under LPT 7 a § / LRV 12 a §, as a validated
document, and the readable difference between two versions of it. Pure: no ORM, no HTTP.

What the plan states (SPEC §3.2): the assessed needs; the decisions about insatser, each with
the unit responsible for it (one of the case's parties, or another unit named in text), who
carries it out, and the patient's view of it; the patient's view of the plan as a whole in their
own words; actions by others than the region and the municipality; the chief physician
(chefsöverläkare) who wrote it; and the date it applies from.

Needs, insatser and others' actions carry a stable ``id`` across drafts and versions, so
:func:`svpl_diff` says "changed" rather than "removed, added". New items may come without one;
:func:`with_ids` gives them one. The text limits, the frozen parts and the readable
:class:`Change` are the SIP plan's (:mod:`samplan.core.content`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date
from typing import Any, TypeVar

from django.utils.translation import gettext as _
from pydantic import Field, model_validator

from samplan.core.content import (
    Change,
    FrozenModel,
    ItemId,
    LongText,
    ShortText,
    date_text,
    quoted,
)

__all__ = [
    "Change",
    "Insats",
    "Need",
    "OtherAction",
    "SvplContent",
    "svpl_diff",
    "svpl_problems",
    "with_ids",
]


class Need(FrozenModel):
    """An assessed need (bedömt behov) of care, support or treatment after discharge."""

    id: ItemId = ""
    text: LongText = Field(min_length=1)


class Insats(FrozenModel):
    """A decided insats: what, the decision, the responsible unit and who, the patient's view.

    ``unit_id`` points at a unit that is a party to the case; services then fill in
    ``responsible_unit`` from it so a version reads without the directory. A unit outside the
    case is named in ``responsible_unit`` alone."""

    id: ItemId = ""
    what: LongText = Field(min_length=1)
    decision: LongText = ""
    """The decision made about the insats (e.g. "Beviljad hemtjänst 2 gånger per dag")."""
    unit_id: int | None = None
    responsible_unit: ShortText = ""
    responsible_person: ShortText = ""
    patient_view: LongText = ""
    """What the patient thinks of this insats, in their own words."""
    need_ids: tuple[ItemId, ...] = ()


class OtherAction(FrozenModel):
    """An action by someone other than the region and the municipality (e.g. Försäkringskassan,
    a trustee, family)."""

    id: ItemId = ""
    who: ShortText = Field(min_length=1)
    what: LongText = Field(min_length=1)


class SvplContent(FrozenModel):
    """A whole SVPL: a draft being written, or the snapshot of an established version."""

    needs: tuple[Need, ...] = ()
    insatser: tuple[Insats, ...] = ()
    patient_view: LongText = ""
    """The patient's view of the plan as a whole, in their own words."""
    other_actions: tuple[OtherAction, ...] = ()
    chief_physician: ShortText = ""
    """The chefsöverläkare who wrote the plan (name, title)."""
    applies_from: date | None = None

    @model_validator(mode="after")
    def _unique_ids(self) -> SvplContent:
        for name, items in (
            (_("behov"), self.needs),
            (_("insatser"), self.insatser),
            (_("andra aktörer"), self.other_actions),
        ):
            ids = [item.id for item in items if item.id]
            if len(ids) != len(set(ids)):
                raise ValueError(_("%(part)s: samma id förekommer flera gånger") % {"part": name})
        need_ids = {n.id for n in self.needs}
        for insats in self.insatser:
            unknown = [n for n in insats.need_ids if n not in need_ids]
            if unknown:
                raise ValueError(
                    _("insats %(insats)s: okänt behov %(need)s")
                    % {"insats": repr(insats.id or insats.what), "need": unknown[0]}
                )
        return self

    def as_json(self) -> dict[str, Any]:
        return self.model_dump(mode="json")


_Item = TypeVar("_Item", Need, Insats, OtherAction)


def with_ids(content: SvplContent, new_id: Callable[[], str]) -> SvplContent:
    """``content`` with an id given to every need, insats and action that has none."""

    def fill(items: Iterable[_Item]) -> tuple[_Item, ...]:
        return tuple(
            item if item.id else item.model_copy(update={"id": new_id()}) for item in items
        )

    return content.model_copy(
        update={
            "needs": fill(content.needs),
            "insatser": fill(content.insatser),
            "other_actions": fill(content.other_actions),
        }
    )


def svpl_problems(content: SvplContent) -> list[str]:
    """What the plan still lacks before the units can approve it, in Swedish; empty when
    nothing is missing."""
    problems = []
    if not content.needs:
        problems.append(_("Planen har inga bedömda behov."))
    if not content.insatser:
        problems.append(_("Planen har inga insatser."))
    for insats in content.insatser:
        if not insats.decision:
            problems.append(_("Insatsen ”%(what)s” saknar beslut.") % {"what": insats.what})
        if not insats.responsible_unit:
            problems.append(_("Insatsen ”%(what)s” saknar ansvarig enhet.") % {"what": insats.what})
    if not content.patient_view:
        problems.append(
            _(
                "Patientens synpunkter på planen saknas (skriv det patienten säger, eller att "
                "patienten inte vill lämna några)."
            )
        )
    if not content.chief_physician:
        problems.append(_("Chefsöverläkaren som har skrivit planen saknas."))
    if content.applies_from is None:
        problems.append(_("Datum då planen börjar gälla saknas."))
    return problems


# --- Differences between versions --------------------------------------------------------------


def _changed(kind: str, sentence: str, old: str, new: str, **names: str) -> Change:
    """``sentence`` (translated, with ``%(old)s``, ``%(new)s`` and any ``names``) filled in."""
    return Change(kind, sentence % {**names, "old": quoted(old), "new": quoted(new)})


def svpl_diff(old: SvplContent | None, new: SvplContent) -> list[Change]:
    """What changed from ``old`` to ``new``, in plan order. ``old`` ``None`` is the empty plan
    (a first version)."""
    old = old or SvplContent()
    changes: list[Change] = []
    before_needs = {n.id: n for n in old.needs if n.id}
    for need in new.needs:
        previous = before_needs.get(need.id) if need.id else None
        if previous is None:
            text = _("Behov tillagt: %(need)s.") % {"need": quoted(need.text)}
            changes.append(Change("need_added", text))
        elif previous.text != need.text:
            changes.append(
                _changed(
                    "need_changed",
                    _("Behov ändrat från %(old)s till %(new)s."),
                    previous.text,
                    need.text,
                )
            )
    new_need_ids = {n.id for n in new.needs}
    for need in old.needs:
        if not need.id or need.id not in new_need_ids:
            text = _("Behov borttaget: %(need)s.") % {"need": quoted(need.text)}
            changes.append(Change("need_removed", text))
    changes += _insats_changes(old.insatser, new.insatser)
    if old.patient_view != new.patient_view:
        changes.append(
            _changed(
                "patient_view",
                _("Patientens synpunkter på planen ändrade från %(old)s till %(new)s."),
                old.patient_view,
                new.patient_view,
            )
        )
    before_other = {a.id: a for a in old.other_actions if a.id}
    for action in new.other_actions:
        earlier = before_other.get(action.id) if action.id else None
        if earlier is None:
            changes.append(
                Change(
                    "other_added",
                    _("Åtgärd av annan aktör tillagd: %(who)s: %(what)s.")
                    % {"who": action.who, "what": quoted(action.what)},
                )
            )
        elif (earlier.who, earlier.what) != (action.who, action.what):
            changes.append(
                Change(
                    "other_changed",
                    _(
                        "Åtgärd av annan aktör ändrad från %(old_who)s: %(old_what)s "
                        "till %(who)s: %(what)s."
                    )
                    % {
                        "old_who": earlier.who,
                        "old_what": quoted(earlier.what),
                        "who": action.who,
                        "what": quoted(action.what),
                    },
                )
            )
    new_other_ids = {a.id for a in new.other_actions}
    for action in old.other_actions:
        if not action.id or action.id not in new_other_ids:
            changes.append(
                Change(
                    "other_removed",
                    _("Åtgärd av annan aktör borttagen: %(who)s: %(what)s.")
                    % {"who": action.who, "what": quoted(action.what)},
                )
            )
    if old.chief_physician != new.chief_physician:
        changes.append(
            _changed(
                "chief_physician",
                _("Chefsöverläkare ändrad från %(old)s till %(new)s."),
                old.chief_physician,
                new.chief_physician,
            )
        )
    if old.applies_from != new.applies_from:
        changes.append(
            Change(
                "applies_from",
                _("Planen gäller från %(new)s (tidigare %(old)s).")
                % {"new": date_text(new.applies_from), "old": date_text(old.applies_from)},
            )
        )
    return changes


def _insats_changes(old: tuple[Insats, ...], new: tuple[Insats, ...]) -> list[Change]:
    changes = []
    before = {i.id: i for i in old if i.id}
    for insats in new:
        previous = before.get(insats.id) if insats.id else None
        name = quoted(insats.what)
        if previous is None:
            who = ", ".join(p for p in (insats.responsible_unit, insats.responsible_person) if p)
            text = _("Insats tillagd: %(name)s (%(who)s).") % {
                "name": name,
                "who": who or _("ansvarig saknas"),
            }
            changes.append(Change("insats_added", text))
            continue
        if previous.what != insats.what:
            changes.append(
                Change(
                    "insats_what",
                    _("Insatsen %(old)s ändrad till %(new)s.")
                    % {"old": quoted(previous.what), "new": name},
                )
            )
        if previous.decision != insats.decision:
            changes.append(
                _changed(
                    "insats_decision",
                    _("Beslut om %(name)s ändrat från %(old)s till %(new)s."),
                    previous.decision,
                    insats.decision,
                    name=name,
                )
            )
        if previous.responsible_unit != insats.responsible_unit:
            changes.append(
                _changed(
                    "insats_unit",
                    _("Ansvarig enhet för %(name)s ändrad från %(old)s till %(new)s."),
                    previous.responsible_unit,
                    insats.responsible_unit,
                    name=name,
                )
            )
        if previous.responsible_person != insats.responsible_person:
            changes.append(
                _changed(
                    "insats_person",
                    _("Ansvarig person för %(name)s ändrad från %(old)s till %(new)s."),
                    previous.responsible_person,
                    insats.responsible_person,
                    name=name,
                )
            )
        if previous.patient_view != insats.patient_view:
            changes.append(
                _changed(
                    "insats_view",
                    _("Patientens syn på %(name)s ändrad från %(old)s till %(new)s."),
                    previous.patient_view,
                    insats.patient_view,
                    name=name,
                )
            )
    new_ids = {i.id for i in new}
    for insats in old:
        if not insats.id or insats.id not in new_ids:
            text = _("Insats borttagen: %(name)s.") % {"name": quoted(insats.what)}
            changes.append(Change("insats_removed", text))
    return changes
