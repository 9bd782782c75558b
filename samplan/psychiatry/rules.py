"""Rules of the samordnad vårdplan (SVPL) under LPT 7 a § / LRV 12 a §. Pure: no ORM, no HTTP.

* Legal basis: LPT 7 a § leads to öppen psykiatrisk tvångsvård (ÖPT), LRV 12 a § to öppen
  rättspsykiatrisk vård (ÖRV).
* Who may start one (:func:`start_refusal`): the psychiatric ward of an open case, through a
  physician (the chefsöverläkare) or the head of the unit.
* Approval (justering, :func:`approval_state`): every unit taking part in the case other than
  the ward that writes the plan approves for itself, always a particular draft revision. A
  change to the draft voids approvals of earlier revisions. The plan (or its next version) is
  established when every such unit has approved the current revision.
* Status (:func:`svpl_status`) and the work-list flags (:func:`worklist_flags`): "SVPL att
  justera" for a unit that has not approved a complete draft, "SVPL ej fastställd" for the ward
  once the agreement's time after the LPT/LRV notice has passed with nothing established.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from samplan.agreements.schema import Duration
from samplan.discharge.rules.clock import add_duration

__all__ = [
    "CARE_FORM_LABELS",
    "LAW_REFERENCES",
    "Approval",
    "ApprovalState",
    "Flag",
    "FlagCode",
    "LegalBasis",
    "Refusal",
    "StartFacts",
    "SvplStatus",
    "approval_state",
    "establishment_due",
    "start_refusal",
    "svpl_status",
    "worklist_flags",
]


class LegalBasis(StrEnum):
    LPT_7A = "lpt_7a"
    LRV_12A = "lrv_12a"


LAW_REFERENCES: dict[LegalBasis, Any] = {
    LegalBasis.LPT_7A: gettext_lazy("7 a § lagen (1991:1128) om psykiatrisk tvångsvård (LPT)"),
    LegalBasis.LRV_12A: gettext_lazy("12 a § lagen (1991:1129) om rättspsykiatrisk vård (LRV)"),
}
CARE_FORM_LABELS: dict[LegalBasis, Any] = {
    LegalBasis.LPT_7A: gettext_lazy("öppen psykiatrisk tvångsvård (ÖPT)"),
    LegalBasis.LRV_12A: gettext_lazy("öppen rättspsykiatrisk vård (ÖRV)"),
}


@dataclass(frozen=True)
class StartFacts:
    """What deciding whether a unit may start an SVPL in a case needs to know."""

    ward_is_psychiatric: bool
    case_open: bool
    acting_is_ward: bool
    role_may_write: bool
    has_svpl: bool
    ready_notice_sent: bool


@dataclass(frozen=True)
class Refusal:
    """Why an action is refused, in Swedish. ``forbidden``: the unit or role may not (403 in the
    API); otherwise the case's state stands in the way (409)."""

    text: str
    forbidden: bool


def start_refusal(facts: StartFacts) -> Refusal | None:
    """Why an SVPL cannot be started, or ``None`` when it can. The first reason in this order
    wins: who acts, then the case's state."""
    if not facts.acting_is_ward:
        return Refusal(_("Bara den vårdande avdelningen kan upprätta en samordnad vårdplan."), True)
    if not facts.ward_is_psychiatric:
        return Refusal(
            _(
                "Samordnad vårdplan enligt LPT och LRV upprättas bara av en psykiatrisk "
                "slutenvårdsavdelning."
            ),
            True,
        )
    if not facts.role_may_write:
        return Refusal(
            _(
                "Planen skrivs av chefsöverläkaren: du behöver rollen läkare eller "
                "verksamhetschef på avdelningen."
            ),
            True,
        )
    if not facts.case_open:
        return Refusal(_("Ärendet är avslutat och kan inte ändras."), False)
    if facts.has_svpl:
        return Refusal(
            _("Det finns redan en samordnad vårdplan i ärendet. Ändra den i stället."), False
        )
    if facts.ready_notice_sent:
        return Refusal(
            _(
                "Patienten är redan anmäld som utskrivningsklar. Underrättelsen enligt LPT/LRV "
                "räknas som den underrättelsen: makulera den först om en samordnad vårdplan ska "
                "upprättas."
            ),
            False,
        )
    return None


@dataclass(frozen=True)
class Approval:
    """One unit's justering of one draft revision."""

    unit_id: int
    revision: int


@dataclass(frozen=True)
class ApprovalState:
    """Approval of ``revision`` by the ``approvers`` (unit ids, in their order)."""

    revision: int
    approvers: tuple[int, ...]
    approved: tuple[int, ...]
    missing: tuple[int, ...]
    void: tuple[int, ...]
    """Units whose latest approval was of an earlier revision: void now."""

    @property
    def complete(self) -> bool:
        return bool(self.approvers) and not self.missing


def approval_state(
    approvers: Iterable[int], approvals: Iterable[Approval], revision: int
) -> ApprovalState:
    """Who among ``approvers`` has approved ``revision``. Approvals of other revisions, and
    approvals by units that are not approvers (any longer), do not count. No approvers means
    nothing can be established (``complete`` is false)."""
    order = tuple(dict.fromkeys(approvers))
    by_unit: dict[int, set[int]] = {}
    for approval in approvals:
        by_unit.setdefault(approval.unit_id, set()).add(approval.revision)
    approved = tuple(u for u in order if revision in by_unit.get(u, set()))
    missing = tuple(u for u in order if u not in approved)
    void = tuple(u for u in missing if by_unit.get(u))
    return ApprovalState(revision, order, approved, missing, void)


class SvplStatus(StrEnum):
    DRAFT = "draft"
    """No version established yet."""
    ESTABLISHED = "established"
    """The latest version is the current draft."""
    CHANGED = "changed"
    """A version is established and the draft has changed since: a new version is under way."""


STATUS_LABELS: Mapping[SvplStatus, Any] = {
    SvplStatus.DRAFT: gettext_lazy("Utkast, inte fastställd"),
    SvplStatus.ESTABLISHED: gettext_lazy("Fastställd"),
    SvplStatus.CHANGED: gettext_lazy("Fastställd, ändringar väntar på justering"),
}


def svpl_status(latest_version_revision: int | None, current_revision: int) -> SvplStatus:
    if latest_version_revision is None:
        return SvplStatus.DRAFT
    if latest_version_revision == current_revision:
        return SvplStatus.ESTABLISHED
    return SvplStatus.CHANGED


def establishment_due(notice_sent_at: datetime, within: Duration) -> datetime:
    """When the SVPL should be established: the agreement's time after the LPT/LRV notice."""
    return add_duration(notice_sent_at, within)


class FlagCode(StrEnum):
    TO_APPROVE = "to_approve"
    NOT_ESTABLISHED = "not_established"


FLAG_LABELS: Mapping[FlagCode, Any] = {
    FlagCode.TO_APPROVE: gettext_lazy("SVPL att justera"),
    FlagCode.NOT_ESTABLISHED: gettext_lazy("SVPL ej fastställd"),
}


@dataclass(frozen=True)
class Flag:
    code: FlagCode
    due: datetime | None
    overdue: bool

    @property
    def label(self) -> str:
        return str(FLAG_LABELS[self.code])


def worklist_flags(
    *,
    unit_id: int,
    ward_id: int,
    state: ApprovalState,
    ready_to_approve: bool,
    has_version: bool,
    due: datetime,
    now: datetime,
) -> list[Flag]:
    """The work-list items of one SVPL for one unit.

    * "SVPL att justera": the unit is an approver, the draft is complete (nothing in
      :func:`samplan.psychiatry.plan.svpl_problems`) and the unit has not approved it. Its
      deadline is the establishment deadline while no version exists; a change to an
      established plan has none.
    * "SVPL ej fastställd": for the ward, once ``due`` has passed and no version is established.
    """
    flags = []
    if ready_to_approve and unit_id in state.missing:
        flag_due = None if has_version else due
        flags.append(Flag(FlagCode.TO_APPROVE, flag_due, flag_due is not None and now > flag_due))
    if unit_id == ward_id and not has_version and now > due:
        flags.append(Flag(FlagCode.NOT_ESTABLISHED, due, True))
    return flags
