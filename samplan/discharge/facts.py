"""A stay's recorded events as the plain :class:`rules.CaseFacts` the obligation rules read.

Reads only the relations :func:`samplan.discharge.selectors.prefetched` loads, so building the
facts of many stays costs no query per stay.
"""

from __future__ import annotations

from datetime import datetime

from samplan.agreements.schema import UnitKind
from samplan.discharge import rules
from samplan.discharge.models import (
    ArrivalConversation,
    ChecklistKind,
    InpatientStay,
    Message,
    MessageKind,
    PartyStatus,
)


def needs_of(conversation: ArrivalConversation) -> rules.Needs:
    return rules.Needs(
        regional_outpatient=conversation.needs_regional_outpatient,
        social_services=conversation.needs_social_services,
        municipal_health_care=conversation.needs_municipal_health_care,
        special_housing_or_health_care_in_social_services=conversation.needs_special_housing,
    )


def latest_conversation(stay: InpatientStay) -> ArrivalConversation | None:
    """The newest ankomstsamtal: a correction is a new record."""
    return max(stay.arrival_conversations.all(), key=lambda c: (c.recorded_at, c.pk), default=None)


def colour_facts_of(stay: InpatientStay) -> rules.ColourFacts:
    assessments = sorted(stay.assessments.all(), key=lambda a: (a.answered_at, a.pk))
    overrides = sorted(stay.overrides.all(), key=lambda o: (o.decided_at, o.pk))
    return rules.ColourFacts(
        assessed=[a.colour for a in assessments], overrides=[o.colour for o in overrides]
    )


def _notice(message: Message, wrongly_addressed: set[int]) -> rules.Notice:
    return rules.Notice(
        kind=rules.NoticeKind(message.kind),
        sent_at=message.sent_at,
        recipients=tuple(
            rules.Recipient(r.unit_id, UnitKind(r.unit.kind), r.acknowledged_at)
            for r in message.recipients.all()
            if r.unit_id not in wrongly_addressed
        ),
        withdrawn=message.is_withdrawn,
    )


def _sip_meeting_at(messages: list[Message]) -> datetime | None:
    invitations = [
        m for m in messages if m.kind == MessageKind.SIP_INVITATION and not m.is_withdrawn
    ]
    if not invitations:
        return None
    return datetime.fromisoformat(invitations[-1].payload["meeting_at"])


def facts_of(stay: InpatientStay) -> rules.CaseFacts:
    messages = list(stay.messages.all())
    wrongly_addressed = {
        p.unit_id for p in stay.parties.all() if p.status == PartyStatus.WRONGLY_ADDRESSED
    }
    contact = stay.care_contact
    conversation = latest_conversation(stay)
    return rules.CaseFacts(
        agreement_version_id=stay.agreement.version_id,
        admitted_at=stay.admitted_at,
        ward_unit_id=stay.ward_id,
        needs=None if conversation is None else needs_of(conversation),
        needs_history=tuple(
            (c.recorded_at, needs_of(c))
            for c in sorted(stay.arrival_conversations.all(), key=lambda c: (c.recorded_at, c.pk))
        ),
        needs_judged_at=stay.needs_judged_at,
        physician_wants_admission_notice=(
            conversation is not None and conversation.admission_notice_needed
        ),
        notices=tuple(_notice(m, wrongly_addressed) for m in messages),
        assessed_by=frozenset(a.unit_id for a in stay.assessments.all()),
        colours=colour_facts_of(stay),
        estimated_discharge=stay.estimated_discharge,
        fvk_appointed=contact is not None,
        fvk_unit_id=contact.unit_id if contact is not None else None,
        information_transferred=frozenset(
            m.item
            for m in stay.checklist.all()
            if m.checklist == ChecklistKind.INFORMATION_TRANSFER
        ),
        sip_meeting_at=_sip_meeting_at(messages),
        written_plan_given_at=stay.written_plan_given_at,
        discharged_at=stay.discharged_at,
        interrupted=stay.status == "interrupted",
    )
