"""The content of a SIP plan as a validated document, and the readable difference between two
versions of it. Pure: no ORM, no HTTP.

The plan states what HSL 16 kap. 4 § requires (SPEC §4): the insatser needed, which organisation
(huvudman) is responsible for each, which actions are taken by others than the region and the
municipality (an action whose ``organisation_kind`` is ``other``), and which organisation holds
the overall responsibility. Practice puts the person's own long-term goal and sub-goals, in their
own words, first; every action says who does what and by when; the plan names a follow-up date
and who follows up.

Goals and actions carry a stable ``id``: it identifies the same goal or action across drafts and
established versions, so :func:`plan_diff` can say "status changed" rather than "removed, added",
and action progress after establishment is recorded against it. New items may come without an id;
:func:`with_ids` gives them one.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date
from enum import StrEnum
from typing import TYPE_CHECKING, Any, TypeVar

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
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

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

__all__ = [
    "ACTION_STATUS_LABELS",
    "OPEN_ACTION_STATUSES",
    "ORGANISATION_KIND_LABELS",
    "PERSON_ACTION_STATUS_LABELS",
    "ActionStatus",
    "Change",
    "Goal",
    "OrganisationKind",
    "PlanAction",
    "PlanContent",
    "apply_progress",
    "plan_advice",
    "plan_diff",
    "plan_problems",
    "with_ids",
]


class OrganisationKind(StrEnum):
    """Who is responsible for an action: the region, the municipality, or someone else
    (school, Försäkringskassan, Arbetsförmedlingen, the person's family, …)."""

    REGION = "region"
    MUNICIPALITY = "municipality"
    OTHER = "other"


ORGANISATION_KIND_LABELS: dict[OrganisationKind, StrOrPromise] = {
    OrganisationKind.REGION: gettext_lazy("Region"),
    OrganisationKind.MUNICIPALITY: gettext_lazy("Kommun"),
    OrganisationKind.OTHER: gettext_lazy("Annan aktör"),
}


class ActionStatus(StrEnum):
    PLANNED = "planned"
    ONGOING = "ongoing"
    DONE = "done"
    CANCELLED = "cancelled"


ACTION_STATUS_LABELS: dict[ActionStatus, StrOrPromise] = {
    ActionStatus.PLANNED: gettext_lazy("Planerad"),
    ActionStatus.ONGOING: gettext_lazy("Pågår"),
    ActionStatus.DONE: gettext_lazy("Klar"),
    ActionStatus.CANCELLED: gettext_lazy("Avbruten"),
}

PERSON_ACTION_STATUS_LABELS: dict[ActionStatus, StrOrPromise] = {
    ActionStatus.PLANNED: gettext_lazy("Ska göras"),
    ActionStatus.ONGOING: gettext_lazy("Pågår"),
    ActionStatus.DONE: gettext_lazy("Klar"),
    ActionStatus.CANCELLED: gettext_lazy("Blir inte av"),
}
"""The same statuses in the words of what the person reads (Min plan, the plan PDF)."""

OPEN_ACTION_STATUSES = frozenset({ActionStatus.PLANNED, ActionStatus.ONGOING})
"""An action in one of these statuses is still to be carried out (and can be overdue)."""


class Goal(FrozenModel):
    """A sub-goal (delmål) in the person's own words, and how everyone will know it is reached."""

    id: ItemId = ""
    text: LongText = Field(min_length=1)
    measure: LongText = ""


class PlanAction(FrozenModel):
    """An insats or other action: who (organisation, unit, person) does what, by when.

    ``unit_id`` points at a participant unit when the organisation is one; services then fill in
    ``organisation`` and ``organisation_kind`` from it so the version reads without the
    directory."""

    id: ItemId = ""
    what: LongText = Field(min_length=1)
    organisation_kind: OrganisationKind
    organisation: ShortText = ""
    unit_id: int | None = None
    responsible: ShortText = ""
    due: date | None = None
    status: ActionStatus = ActionStatus.PLANNED
    goal_ids: tuple[ItemId, ...] = ()

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_ACTION_STATUSES

    def is_overdue(self, today: date) -> bool:
        return self.is_open and self.due is not None and self.due < today


class PlanContent(FrozenModel):
    """A whole plan: a draft being written, or the snapshot of an established version."""

    long_term_goal: LongText = ""
    """The person's own long-term goal, in their own words ("vad är viktigt för dig?")."""
    goals: tuple[Goal, ...] = ()
    needs: tuple[ShortText, ...] = ()
    actions: tuple[PlanAction, ...] = ()
    lead_unit_id: int | None = None
    lead_organisation: ShortText = ""
    """The organisation (and unit) holding the overall responsibility for the plan."""
    follow_up_on: date | None = None
    follow_up_by: ShortText = ""

    @model_validator(mode="after")
    def _unique_ids(self) -> PlanContent:
        duplicates = {
            _("Samma id förekommer på flera delmål: %(id)s."): [g.id for g in self.goals if g.id],
            _("Samma id förekommer på flera insatser: %(id)s."): [
                a.id for a in self.actions if a.id
            ],
        }
        for message, ids in duplicates.items():
            twice = sorted({i for i in ids if ids.count(i) > 1})
            if twice:
                raise ValueError(message % {"id": ", ".join(twice)})
        goal_ids = {g.id for g in self.goals}
        for action in self.actions:
            unknown = [g for g in action.goal_ids if g not in goal_ids]
            if unknown:
                raise ValueError(
                    _("Insatsen ”%(what)s” hör till ett delmål som inte finns i planen: %(id)s.")
                    % {"what": action.what, "id": unknown[0]}
                )
        return self

    def action(self, action_id: str) -> PlanAction | None:
        return next((a for a in self.actions if a.id == action_id), None)

    def as_json(self) -> dict[str, Any]:
        return self.model_dump(mode="json")


_Item = TypeVar("_Item", Goal, PlanAction)


def with_ids(content: PlanContent, new_id: Callable[[], str]) -> PlanContent:
    """``content`` with an id given to every goal and action that has none."""

    def fill(items: Iterable[_Item]) -> tuple[_Item, ...]:
        return tuple(
            item if item.id else item.model_copy(update={"id": new_id()}) for item in items
        )

    return content.model_copy(
        update={"goals": fill(content.goals), "actions": fill(content.actions)}
    )


def plan_problems(content: PlanContent) -> list[str]:
    """What the plan still lacks before it can be established (HSL 16:4 and practice), in
    Swedish. Empty when nothing is missing."""
    problems = []
    if not content.long_term_goal:
        problems.append(_("Personens långsiktiga mål saknas."))
    if not content.actions:
        problems.append(_("Planen har inga insatser."))
    for action in content.actions:
        if not action.organisation:
            problems.append(
                _("Insatsen ”%(what)s” saknar ansvarig organisation.") % {"what": action.what}
            )
    if not content.lead_organisation:
        problems.append(
            _("Det är inte bestämt vilken organisation som har det övergripande ansvaret.")
        )
    return problems


def plan_advice(content: PlanContent) -> list[str]:
    """What good practice asks of the plan but does not block establishing it (SPEC §4, the
    user audit: measurable goals, clear decisions carried out, recurring follow-up), in
    Swedish: sub-goals without a measure, no follow-up date or no one who follows up, open
    actions without a responsible person or a date. Empty when there is nothing to add."""
    advice = [
        _("Delmålet ”%(goal)s” har inget mått: hur vet ni att det är nått?") % {"goal": g.text}
        for g in content.goals
        if not g.measure
    ]
    if content.follow_up_on is None:
        advice.append(_("Planen har inget datum för uppföljning."))
    if not content.follow_up_by:
        advice.append(_("Planen säger inte vem som följer upp."))
    for action in content.actions:
        if not action.is_open:
            continue
        if not action.responsible:
            advice.append(
                _("Insatsen ”%(what)s” har ingen ansvarig person.") % {"what": action.what}
            )
        if action.due is None:
            advice.append(
                _("Insatsen ”%(what)s” har inget datum för när den ska vara klar.")
                % {"what": action.what}
            )
    return advice


# --- Differences between versions --------------------------------------------------------------


def plan_diff(old: PlanContent | None, new: PlanContent) -> list[Change]:
    """What changed from ``old`` to ``new``, in plan order: goals, needs, actions, overall
    responsibility, follow-up. ``old`` ``None`` is the empty plan (a first version)."""
    old = old or PlanContent()
    changes: list[Change] = []
    if old.long_term_goal != new.long_term_goal:
        if not old.long_term_goal:
            changes.append(
                Change(
                    "goal",
                    _("Långsiktigt mål: %(goal)s.") % {"goal": quoted(new.long_term_goal)},
                    new=new.long_term_goal,
                )
            )
        else:
            changes.append(
                Change(
                    "goal",
                    _("Långsiktigt mål ändrat från %(old)s till %(new)s.")
                    % {"old": quoted(old.long_term_goal), "new": quoted(new.long_term_goal)},
                    old=old.long_term_goal,
                    new=new.long_term_goal,
                )
            )
    changes += _goal_changes(old.goals, new.goals)
    for need in new.needs:
        if need not in old.needs:
            text = _("Behov tillagt: %(need)s.") % {"need": quoted(need)}
            changes.append(Change("need_added", text, subject=need))
    for need in old.needs:
        if need not in new.needs:
            text = _("Behov borttaget: %(need)s.") % {"need": quoted(need)}
            changes.append(Change("need_removed", text, subject=need))
    changes += _action_changes(old.actions, new.actions)
    if old.lead_organisation != new.lead_organisation:
        changes.append(
            Change(
                "lead",
                _("Övergripande ansvar ändrat från %(old)s till %(new)s.")
                % {"old": quoted(old.lead_organisation), "new": quoted(new.lead_organisation)},
                old=old.lead_organisation,
                new=new.lead_organisation,
            )
        )
    if old.follow_up_on != new.follow_up_on:
        changes.append(
            Change(
                "follow_up_on",
                _("Uppföljningsdatum ändrat från %(old)s till %(new)s.")
                % {"old": date_text(old.follow_up_on), "new": date_text(new.follow_up_on)},
                old=old.follow_up_on.isoformat() if old.follow_up_on else "",
                new=new.follow_up_on.isoformat() if new.follow_up_on else "",
            )
        )
    if old.follow_up_by != new.follow_up_by:
        changes.append(
            Change(
                "follow_up_by",
                _("Den som följer upp ändrad från %(old)s till %(new)s.")
                % {"old": quoted(old.follow_up_by), "new": quoted(new.follow_up_by)},
                old=old.follow_up_by,
                new=new.follow_up_by,
            )
        )
    return changes


def _goal_changes(old: tuple[Goal, ...], new: tuple[Goal, ...]) -> list[Change]:
    changes = []
    before = {g.id: g for g in old}
    after_ids = {g.id for g in new}
    for goal in new:
        previous = before.get(goal.id) if goal.id else None
        if previous is None:
            text = _("Delmål tillagt: %(goal)s.") % {"goal": quoted(goal.text)}
            changes.append(Change("subgoal_added", text, subject=goal.text))
            continue
        if previous.text != goal.text:
            changes.append(
                Change(
                    "subgoal_changed",
                    _("Delmål ändrat från %(old)s till %(new)s.")
                    % {"old": quoted(previous.text), "new": quoted(goal.text)},
                    subject=goal.text,
                    old=previous.text,
                    new=goal.text,
                )
            )
        if previous.measure != goal.measure:
            changes.append(
                Change(
                    "subgoal_measure",
                    _("Hur delmålet %(goal)s mäts ändrat från %(old)s till %(new)s.")
                    % {
                        "goal": quoted(goal.text),
                        "old": quoted(previous.measure),
                        "new": quoted(goal.measure),
                    },
                    subject=goal.text,
                    old=previous.measure,
                    new=goal.measure,
                )
            )
    for goal in old:
        if not goal.id or goal.id not in after_ids:
            text = _("Delmål borttaget: %(goal)s.") % {"goal": quoted(goal.text)}
            changes.append(Change("subgoal_removed", text, subject=goal.text))
    return changes


def _action_changes(old: tuple[PlanAction, ...], new: tuple[PlanAction, ...]) -> list[Change]:
    changes = []
    before = {a.id: a for a in old}
    after_ids = {a.id for a in new}
    for action in new:
        previous = before.get(action.id) if action.id else None
        name = quoted(action.what)
        if previous is None:
            who = ", ".join(p for p in (action.organisation, action.responsible) if p)
            who = who or _("ansvarig saknas")
            if action.due:
                text = _("Insats tillagd: %(name)s (%(who)s, senast %(due)s).") % {
                    "name": name,
                    "who": who,
                    "due": action.due.isoformat(),
                }
            else:
                text = _("Insats tillagd: %(name)s (%(who)s).") % {"name": name, "who": who}
            changes.append(
                Change(
                    "action_added",
                    text,
                    subject=action.what,
                    new=who,
                    due=action.due.isoformat() if action.due else "",
                )
            )
            continue
        if previous.what != action.what:
            changes.append(
                Change(
                    "action_what",
                    _("Insatsen %(old)s ändrad till %(new)s.")
                    % {"old": quoted(previous.what), "new": name},
                    subject=action.what,
                    old=previous.what,
                    new=action.what,
                )
            )
        if (previous.organisation, previous.organisation_kind) != (
            action.organisation,
            action.organisation_kind,
        ):
            changes.append(
                Change(
                    "action_organisation",
                    _("Ansvarig organisation för %(name)s ändrad från %(old)s till %(new)s.")
                    % {
                        "name": name,
                        "old": quoted(previous.organisation),
                        "new": quoted(action.organisation),
                    },
                    subject=action.what,
                    old=previous.organisation,
                    new=action.organisation,
                )
            )
        if previous.responsible != action.responsible:
            changes.append(
                Change(
                    "action_responsible",
                    _("Ansvarig person för %(name)s ändrad från %(old)s till %(new)s.")
                    % {
                        "name": name,
                        "old": quoted(previous.responsible),
                        "new": quoted(action.responsible),
                    },
                    subject=action.what,
                    old=previous.responsible,
                    new=action.responsible,
                )
            )
        if previous.due != action.due:
            changes.append(
                Change(
                    "action_due",
                    _("Slutdatum för %(name)s ändrat från %(old)s till %(new)s.")
                    % {"name": name, "old": date_text(previous.due), "new": date_text(action.due)},
                    subject=action.what,
                    old=previous.due.isoformat() if previous.due else "",
                    new=action.due.isoformat() if action.due else "",
                )
            )
        if previous.status != action.status:
            changes.append(
                Change(
                    "action_status",
                    _("Status för %(name)s ändrad från %(old)s till %(new)s.")
                    % {
                        "name": name,
                        "old": ACTION_STATUS_LABELS[previous.status],
                        "new": ACTION_STATUS_LABELS[action.status],
                    },
                    subject=action.what,
                    old=previous.status.value,
                    new=action.status.value,
                )
            )
    for action in old:
        if not action.id or action.id not in after_ids:
            text = _("Insats borttagen: %(name)s.") % {"name": quoted(action.what)}
            changes.append(Change("action_removed", text, subject=action.what))
    return changes


def apply_progress(
    content: PlanContent, progress: Iterable[tuple[str, ActionStatus | str]]
) -> PlanContent:
    """``content`` with each action's status replaced by its latest progress event.

    ``progress`` is (action id, status) in the order recorded; ids not in the plan are ignored.
    The established version itself is never changed: this is how it reads today."""
    latest = {action_id: ActionStatus(status) for action_id, status in progress}
    if not latest:
        return content
    actions = tuple(
        a.model_copy(update={"status": latest[a.id]}) if a.id in latest else a
        for a in content.actions
    )
    return content.model_copy(update={"actions": actions})
