"""What happened in a case, as plain values: the input of the obligation and payment rules."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from django.utils.translation import gettext_lazy

from samplan.agreements.schema import PlanningCategory, UnitKind, to_local
from samplan.discharge.rules.category import Needs, derive_planning_category
from samplan.discharge.rules.clock import instant
from samplan.discharge.rules.colour import ColourFacts

__all__ = ["CaseFacts", "Notice", "NoticeKind", "Recipient", "UnitId"]

UnitId = int | str
"""Whatever identifies a unit to the caller (a primary key, an HSA-id)."""


class NoticeKind(StrEnum):
    """Messages of a case (values as ``discharge.MessageKind``)."""

    ADMISSION_NOTICE = "admission_notice"
    ESTIMATED_DISCHARGE_CHANGED = "estimated_discharge"
    READY_FOR_DISCHARGE = "ready_for_discharge"
    SIP_INVITATION = "sip_invitation"
    DISCHARGE_NOTICE = "discharge_notice"
    GENERAL = "general"


NOTICE_LABELS = {
    NoticeKind.ADMISSION_NOTICE: gettext_lazy("inskrivningsmeddelande"),
    NoticeKind.ESTIMATED_DISCHARGE_CHANGED: gettext_lazy("ändrad beräknad utskrivning"),
    NoticeKind.READY_FOR_DISCHARGE: gettext_lazy("underrättelse om utskrivningsklar"),
    NoticeKind.SIP_INVITATION: gettext_lazy("kallelse till SIP"),
    NoticeKind.DISCHARGE_NOTICE: gettext_lazy("utskrivningsmeddelande"),
    NoticeKind.GENERAL: gettext_lazy("meddelande"),
}


@dataclass(frozen=True)
class Recipient:
    """A unit a notice went to, and when it acknowledged (kvitterade) it. Leave out recipients
    marked wrongly addressed (felsänt)."""

    unit_id: UnitId
    unit_kind: UnitKind
    acknowledged_at: datetime | None = None


@dataclass(frozen=True)
class Notice:
    kind: NoticeKind
    sent_at: datetime
    recipients: tuple[Recipient, ...] = ()
    withdrawn: bool = False
    """Makulerad: counts as never sent, and needs no acknowledgement."""
    compulsory_care: bool = False
    """The utskrivningsklar notice is the one under LPT 7 a § / LRV 12 a §: a samordnad vårdplan
    is made instead of a SIP (4 kap. 1 § andra stycket)."""


@dataclass(frozen=True)
class CaseFacts:
    """One inpatient stay as plain values.

    ``needs`` is ``None`` until the ankomstsamtal is documented; the category is always derived
    from it. Times of sent messages are read from ``notices`` (the first one of a kind that is
    not withdrawn), so they cannot disagree with them."""

    agreement_version_id: str
    """The version the case is judged by; the rules refuse any other version."""
    admitted_at: datetime
    ward_unit_id: UnitId | None = None
    needs: Needs | None = None
    needs_history: tuple[tuple[datetime, Needs], ...] = ()
    """Every documented ankomstsamtal, oldest first: when it was recorded and the needs it gave.
    The category a notice was sent under, and when a later one began, are read from it."""
    needs_judged_at: datetime | None = None
    """When the physician judged the need for insatser, if later than admission (2:3)."""
    physician_wants_admission_notice: bool = False
    """Category B: the physician judged that an inskrivningsmeddelande is needed."""
    notices: tuple[Notice, ...] = ()
    assessed_by: frozenset[UnitId] = frozenset()
    """Units that have answered the planeringsunderlag."""
    colours: ColourFacts = field(default_factory=ColourFacts)
    estimated_discharge: datetime | None = None
    fvk_appointed: bool = False
    fvk_unit_id: UnitId | None = None
    """The fast vårdkontakt's unit: it sends the SIP invitation."""
    information_transferred: frozenset[str] = frozenset()
    """Ids of the agreement's information-transfer items already sent."""
    sip_meeting_at: datetime | None = None
    written_plan_given_at: datetime | None = None
    discharged_at: datetime | None = None
    interrupted: bool = False

    def __post_init__(self) -> None:
        to_local(self.admitted_at)  # raises NaiveDatetimeError

    @property
    def category(self) -> PlanningCategory | None:
        return None if self.needs is None else derive_planning_category(self.needs)

    def category_at(self, moment: datetime) -> PlanningCategory | None:
        """The category in force at ``moment``: that of the last ankomstsamtal recorded by then
        (``needs`` when there is no history)."""
        if not self.needs_history:
            return self.category
        earlier = [needs for at, needs in self.needs_history if instant(at) <= instant(moment)]
        return derive_planning_category(earlier[-1]) if earlier else None

    def first_sent(self, kind: NoticeKind) -> Notice | None:
        sent = [n for n in self.notices if n.kind is kind and not n.withdrawn]
        return min(sent, key=lambda n: instant(n.sent_at), default=None)

    def _sent_at(self, kind: NoticeKind) -> datetime | None:
        notice = self.first_sent(kind)
        return None if notice is None else notice.sent_at

    @property
    def admission_notice_sent_at(self) -> datetime | None:
        return self._sent_at(NoticeKind.ADMISSION_NOTICE)

    @property
    def ready_notice_sent_at(self) -> datetime | None:
        return self._sent_at(NoticeKind.READY_FOR_DISCHARGE)

    @property
    def svpl_instead_of_sip(self) -> bool:
        """The patient goes to öppen psykiatrisk (or rättspsykiatrisk) tvångsvård: the SVPL
        replaces the SIP kallelse (4:1 andra stycket), here and as a 5:3 precondition."""
        notice = self.first_sent(NoticeKind.READY_FOR_DISCHARGE)
        return notice is not None and notice.compulsory_care

    @property
    def sip_invitation_sent_at(self) -> datetime | None:
        return self._sent_at(NoticeKind.SIP_INVITATION)

    @property
    def discharge_notice_sent_at(self) -> datetime | None:
        return self._sent_at(NoticeKind.DISCHARGE_NOTICE)
