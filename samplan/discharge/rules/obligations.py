"""Open obligations of a case, for work lists: who must do what, by when."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from samplan.agreements.schema import AgreementVersion, PlanningCategory, UnitKind, to_local
from samplan.agreements.timeline import AgreementTimeline, as_timeline
from samplan.discharge.rules.category import (
    NOTIFIED_GROUP_LABELS,
    CategoryRequirements,
    StepRule,
    category_requirements,
    derive_planning_category,
    notified_group,
)
from samplan.discharge.rules.clock import instant
from samplan.discharge.rules.deadlines import (
    acknowledgement_due,
    admission_notice_due,
    discharge_notice_due,
    information_transfer_due,
    planning_assessment_due,
    sip_invitation_due,
    written_plan_due,
)
from samplan.discharge.rules.facts import NOTICE_LABELS, CaseFacts, NoticeKind, UnitId

__all__ = ["AgreementMismatch", "Obligation", "ObligationKind", "open_obligations"]


class AgreementMismatch(ValueError):
    """The facts were judged under another agreement version than the one given."""


class ObligationKind(StrEnum):
    RECORD_ARRIVAL_CONVERSATION = "record_arrival_conversation"
    SEND_ADMISSION_NOTICE = "send_admission_notice"
    ACKNOWLEDGE_NOTICE = "acknowledge_notice"
    ANSWER_PLANNING_ASSESSMENT = "answer_planning_assessment"
    APPOINT_FVK = "appoint_fvk"
    SEND_READY_NOTICE = "send_ready_notice"
    ESTIMATED_DISCHARGE_PASSED = "estimated_discharge_passed"
    SEND_SIP_INVITATION = "send_sip_invitation"
    TRANSFER_INFORMATION = "transfer_information"
    SEND_DISCHARGE_NOTICE = "send_discharge_notice"
    DELIVER_WRITTEN_PLAN = "deliver_written_plan"


UNIT_KIND_LABELS = {
    UnitKind.INPATIENT_WARD: gettext_lazy("Slutenvårdsavdelning"),
    UnitKind.PRIMARY_CARE: gettext_lazy("Vårdcentral"),
    UnitKind.SPECIALIST_OUTPATIENT: gettext_lazy("Specialistmottagning"),
    UnitKind.SOCIAL_SERVICES: gettext_lazy("Socialtjänst"),
    UnitKind.MUNICIPAL_HEALTH_CARE: gettext_lazy("Kommunal hälso- och sjukvård"),
}

_OUTPATIENT = (UnitKind.PRIMARY_CARE, UnitKind.SPECIALIST_OUTPATIENT)


@dataclass(frozen=True)
class Obligation:
    """Something a unit must do in a case. ``due`` is ``None`` when no deadline applies.

    Overdue means strictly after the deadline: at ``due`` itself the obligation is still on time.
    """

    kind: ObligationKind
    label: str
    due: datetime | None
    responsible_kind: UnitKind
    unit_id: UnitId | None = None
    subject: str | None = None
    """What it concerns, when a case has several of the kind: the notice kind, the item id."""

    def is_overdue(self, now: datetime) -> bool:
        return self.due is not None and instant(now) > instant(self.due)

    @property
    def responsible_label(self) -> str:
        return str(UNIT_KIND_LABELS[self.responsible_kind])


def admission_trigger(facts: CaseFacts) -> datetime:
    """What the inskrivningsmeddelande's deadline runs from (2:3): admission, or the physician's
    later judgement of the need."""
    if facts.needs_judged_at is not None and instant(facts.needs_judged_at) > instant(
        facts.admitted_at
    ):
        return facts.needs_judged_at
    return facts.admitted_at


def open_obligations(
    facts: CaseFacts, agreement: AgreementVersion | AgreementTimeline, now: datetime
) -> list[Obligation]:
    """Every obligation still open at ``now``, most urgent first: overdue ones, then by due time,
    those without a deadline last. Steps the category does not require give none.

    Each deadline is judged by the agreement version frozen for the event that triggers it
    (``agreement``: the case's :class:`AgreementTimeline`, or one version for every event):
    admission or the physician's judgement for the inskrivningsmeddelande, a message's send
    time for its kvittens, the utskrivningsklar notice for the kallelse and information
    transfer, the SIP meeting for the written plan, the discharge for the discharge notice.

    Acknowledgements stay open in every state. An interrupted case has nothing else. After
    discharge the steps before it lapse; what remains is what the law ties to the discharge day
    (information transfer, discharge notice) or to the utskrivningsklar notice and the SIP
    meeting (kallelse within 3 days, written plan), which often fall after discharge.
    """
    timeline = as_timeline(agreement)
    admitted_under = timeline.version_at(facts.admitted_at)
    if facts.agreement_version_id != admitted_under.version_id:
        raise AgreementMismatch(
            f"ärendet bedöms enligt {facts.agreement_version_id}, inte {admitted_under.version_id}"
        )
    now = to_local(now)
    found = list(_acknowledgements(facts, timeline))
    if not facts.interrupted:
        category = facts.category
        notice_version = timeline.version_at(admission_trigger(facts))
        if category is None:
            if facts.discharged_at is None:
                found.append(
                    _ward(
                        facts,
                        ObligationKind.RECORD_ARRIVAL_CONVERSATION,
                        _("Dokumentera ankomstsamtalet"),
                        admission_notice_due(
                            facts.admitted_at, facts.needs_judged_at, notice_version
                        ),
                    )
                )
        else:
            requirements = category_requirements(category, notice_version)
            if facts.discharged_at is None:
                found += _before_discharge(facts, requirements, timeline, now)
            found += _around_discharge(facts, requirements, timeline)
    return sorted(found, key=lambda o: _urgency(o, now))


_KIND_ORDER = {kind: i for i, kind in enumerate(ObligationKind)}


def _urgency(obligation: Obligation, now: datetime) -> tuple[int, float, int, str]:
    due = obligation.due
    group = 2 if due is None else 0 if obligation.is_overdue(now) else 1
    return (
        group,
        due.timestamp() if due is not None else 0.0,
        _KIND_ORDER[obligation.kind],
        obligation.label,
    )


def _ward(
    facts: CaseFacts,
    kind: ObligationKind,
    label: str,
    due: datetime | None,
    subject: str | None = None,
) -> Obligation:
    return Obligation(kind, label, due, UnitKind.INPATIENT_WARD, facts.ward_unit_id, subject)


def _acknowledgements(facts: CaseFacts, timeline: AgreementTimeline) -> Iterator[Obligation]:
    for notice in facts.notices:
        if notice.withdrawn:
            continue
        for recipient in notice.recipients:
            if recipient.acknowledged_at is None:
                yield Obligation(
                    ObligationKind.ACKNOWLEDGE_NOTICE,
                    _("Kvittera %(notice)s") % {"notice": NOTICE_LABELS[notice.kind]},
                    acknowledgement_due(notice.sent_at, timeline.version_at(notice.sent_at)),
                    recipient.unit_kind,
                    recipient.unit_id,
                    notice.kind.value,
                )


def _before_discharge(
    facts: CaseFacts, requirements: CategoryRequirements, timeline: AgreementTimeline, now: datetime
) -> Iterator[Obligation]:
    admission_notice = facts.first_sent(NoticeKind.ADMISSION_NOTICE)
    notice_due = requirements.admission_notice is StepRule.REQUIRED or (
        requirements.admission_notice is StepRule.PHYSICIAN_DECIDES
        and facts.physician_wants_admission_notice
    )
    if admission_notice is None and notice_due:
        yield _ward(
            facts,
            ObligationKind.SEND_ADMISSION_NOTICE,
            _("Skicka inskrivningsmeddelande"),
            admission_notice_due(
                facts.admitted_at,
                facts.needs_judged_at,
                timeline.version_at(admission_trigger(facts)),
            ),
        )

    if admission_notice is not None:
        yield from _newly_required(facts, requirements, timeline, admission_notice.sent_at)

    notified: dict[UnitId, tuple[UnitKind, datetime]] = {}
    for notice in sorted(facts.notices, key=lambda n: instant(n.sent_at)):
        if notice.kind is NoticeKind.ADMISSION_NOTICE and not notice.withdrawn:
            for recipient in notice.recipients:
                notified.setdefault(recipient.unit_id, (recipient.unit_kind, notice.sent_at))
    for unit_id, (unit_kind, sent_at) in notified.items():
        if unit_id not in facts.assessed_by:
            yield Obligation(
                ObligationKind.ANSWER_PLANNING_ASSESSMENT,
                _("Besvara planeringsunderlaget"),
                planning_assessment_due(sent_at, timeline.version_at(sent_at)),
                unit_kind,
                unit_id,
            )

    if requirements.appoint_fvk and not facts.fvk_appointed:
        fvk_kind, fvk_unit = _outpatient_party(facts)
        yield Obligation(
            ObligationKind.APPOINT_FVK,
            _("Utse fast vårdkontakt (före utskrivningen)"),
            facts.estimated_discharge,
            fvk_kind,
            fvk_unit,
        )

    ready_required = requirements.ready_notice is StepRule.REQUIRED or (
        requirements.ready_notice is StepRule.IF_ADMISSION_NOTICE_SENT
        and admission_notice is not None
    )
    if ready_required and facts.ready_notice_sent_at is None:
        yield _ward(
            facts,
            ObligationKind.SEND_READY_NOTICE,
            _(
                "Skicka underrättelse om utskrivningsklar när läkaren bedömt patienten "
                "utskrivningsklar"
            ),
            None,
        )

    estimated = facts.estimated_discharge
    if admission_notice is not None and estimated is not None and instant(now) > instant(estimated):
        yield _ward(
            facts,
            ObligationKind.ESTIMATED_DISCHARGE_PASSED,
            _("Beräknad utskrivning har passerat – meddela ny tidpunkt (2 kap. 4 §)"),
            estimated,
        )


def _groups(category: PlanningCategory | None, agreement: AgreementVersion) -> set[str]:
    """The parts of the care chain the category has told, under ``agreement``."""
    if category is None:
        return set()
    kinds = category_requirements(category, agreement).notified_unit_kinds
    return {notified_group(kind) for kind in kinds}


def _newly_required(
    facts: CaseFacts,
    requirements: CategoryRequirements,
    timeline: AgreementTimeline,
    first_notice_at: datetime,
) -> Iterator[Obligation]:
    """The category changed after the inskrivningsmeddelande (say C → E): the parts of the care
    chain the new category adds, and no notice has reached yet, must be told. Due like the
    first notice, counted from the ankomstsamtal that made them needed."""
    notified = {
        notified_group(recipient.unit_kind)
        for notice in facts.notices
        if notice.kind is NoticeKind.ADMISSION_NOTICE and not notice.withdrawn
        for recipient in notice.recipients
    }
    before = _groups(facts.category_at(first_notice_at), timeline.version_at(first_notice_at))
    latest = facts.needs_history[-1][0] if facts.needs_history else first_notice_at
    missing = _groups(requirements.category, timeline.version_at(latest)) - before - notified
    for group in sorted(missing):
        # The earliest ankomstsamtal from which the group has been needed without a break.
        since: datetime | None = None
        for at, needs in reversed(facts.needs_history):
            if group not in _groups(derive_planning_category(needs), timeline.version_at(at)):
                break
            since = at
        start = since or first_notice_at
        yield _ward(
            facts,
            ObligationKind.SEND_ADMISSION_NOTICE,
            _("Skicka inskrivningsmeddelande till %(group)s")
            % {"group": NOTIFIED_GROUP_LABELS[group]},
            admission_notice_due(start, None, timeline.version_at(start)),
            group,
        )


def _outpatient_party(facts: CaseFacts) -> tuple[UnitKind, UnitId | None]:
    """The outpatient unit the inskrivningsmeddelande reached, vårdcentral before specialist
    clinic: its head appoints the FVK (2:5), and until then the FVK's steps are its own."""
    reached: dict[UnitId, UnitKind] = {}
    for notice in sorted(facts.notices, key=lambda n: instant(n.sent_at)):
        if notice.kind is NoticeKind.ADMISSION_NOTICE and not notice.withdrawn:
            for recipient in notice.recipients:
                if recipient.unit_kind in _OUTPATIENT:
                    reached.setdefault(recipient.unit_id, recipient.unit_kind)
    if not reached:
        return UnitKind.PRIMARY_CARE, None
    unit_id, kind = min(reached.items(), key=lambda pair: _OUTPATIENT.index(pair[1]))
    return kind, unit_id


def _fvk_or_outpatient(facts: CaseFacts) -> tuple[UnitKind, UnitId | None, str]:
    """Who does what the FVK does: the FVK's unit, or before there is one, the outpatient party
    (with a reminder to appoint the FVK first)."""
    if facts.fvk_appointed and facts.fvk_unit_id is not None:
        return UnitKind.PRIMARY_CARE, facts.fvk_unit_id, ""
    kind, unit_id = _outpatient_party(facts)
    return kind, unit_id, " " + _("(utse först fast vårdkontakt)")


def _around_discharge(
    facts: CaseFacts, requirements: CategoryRequirements, timeline: AgreementTimeline
) -> Iterator[Obligation]:
    ready_at = facts.ready_notice_sent_at
    fvk_kind, fvk_unit, first = _fvk_or_outpatient(facts)
    if (
        requirements.sip_required
        and not facts.svpl_instead_of_sip
        and ready_at is not None
        and facts.sip_invitation_sent_at is None
    ):
        yield Obligation(
            ObligationKind.SEND_SIP_INVITATION,
            _("Skicka kallelse till SIP") + first,
            sip_invitation_due(ready_at, timeline.version_at(ready_at)),
            fvk_kind,
            fvk_unit,
        )
    if facts.sip_meeting_at is not None and facts.written_plan_given_at is None:
        yield Obligation(
            ObligationKind.DELIVER_WRITTEN_PLAN,
            _("Ge personen den skriftliga planen från SIP-mötet"),
            written_plan_due(facts.sip_meeting_at, timeline.version_at(facts.sip_meeting_at)),
            fvk_kind,
            fvk_unit,
        )

    if facts.admission_notice_sent_at is None:
        return
    if ready_at is not None or facts.discharged_at is not None:
        # What to transfer, and by when, as the version of the ready notice (or else of the
        # discharge) says.
        agreement = timeline.version_at(ready_at or facts.discharged_at)
        for item in agreement.information_transfer:
            if item.id not in facts.information_transferred:
                due = information_transfer_due(ready_at, facts.discharged_at, agreement, item.id)
                yield _ward(
                    facts,
                    ObligationKind.TRANSFER_INFORMATION,
                    _("Informationsöverföring: %(item)s") % {"item": item.text},
                    due,
                    item.id,
                )
    if facts.discharged_at is not None and facts.discharge_notice_sent_at is None:
        yield _ward(
            facts,
            ObligationKind.SEND_DISCHARGE_NOTICE,
            _("Skicka utskrivningsmeddelande"),
            discharge_notice_due(facts.discharged_at, timeline.version_at(facts.discharged_at)),
        )
