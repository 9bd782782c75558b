"""A stay's recorded events as the plain :class:`rules.CaseFacts` the obligation rules read.

Reads only the relations :func:`samplan.discharge.selectors.prefetched` loads, so building the
facts of many stays costs no query per stay.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from django.utils import timezone

from samplan.agreements.schema import AgreementVersion, UnitKind
from samplan.agreements.services import agreement_in_force, agreement_of
from samplan.agreements.timeline import AgreementTimeline
from samplan.discharge import rules
from samplan.discharge.models import (
    ArrivalConversation,
    CaseAgreementVersion,
    ChecklistKind,
    InpatientStay,
    Message,
    MessageKind,
    PartyStatus,
)


def agreement_links(stay: InpatientStay) -> list[CaseAgreementVersion]:
    """The case's frozen versions, oldest first; prefetched (``agreement_versions`` and
    ``agreement_versions__record``) where many cases are read."""
    if "agreement_versions" in getattr(stay, "_prefetched_objects_cache", {}):
        links = list(stay.agreement_versions.all())
    else:
        links = list(stay.agreement_versions.select_related("record"))
    return sorted(links, key=lambda link: (link.in_force_at, link.pk))


def timeline_of(stay: InpatientStay) -> AgreementTimeline:
    """The versions the case's events were judged under (SPEC §6), for the rules."""
    links = agreement_links(stay)
    if not links:
        return AgreementTimeline.single(agreement_of(stay.agreement))
    return AgreementTimeline.of((link.in_force_at, agreement_of(link.record)) for link in links)


def colour_moment(stay: InpatientStay) -> datetime | None:
    """When the colour was last assessed or overridden: its model is that moment's version."""
    moments = [a.answered_at for a in stay.assessments.all()]
    moments += [o.decided_at for o in stay.overrides.all()]
    return max(moments, default=None)


def colour_agreement(stay: InpatientStay, timeline: AgreementTimeline) -> AgreementVersion:
    return timeline.version_at(colour_moment(stay))


def colour_view_of(
    stay: InpatientStay, timeline: AgreementTimeline | None = None
) -> tuple[rules.ColourView | None, bool]:
    """The case's current colour under the colour model of its latest assessment or override,
    and whether it is the FVK's override (e.g. for the SIP guidance)."""
    model = colour_agreement(stay, timeline or timeline_of(stay))
    return rules.colour_view(colour_facts_of(stay, rules.colour_codes(model)), model)


def checklist_agreement(stay: InpatientStay, timeline: AgreementTimeline) -> AgreementVersion:
    """The version whose checklists (information transfer, Hemgångsklar) the case follows: the
    one its utskrivningsklar notice, or else its discharge, was judged by; before either, the
    version in force now, which the next step will be judged by."""
    moment = stay.ready_notice_sent_at or stay.discharged_at
    if moment is not None:
        return timeline.version_at(moment)
    return agreement_in_force(timezone.now())


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


def colour_facts_of(stay: InpatientStay, codes: Collection[str] | None = None) -> rules.ColourFacts:
    """The colour history; with ``codes``, only the colours that model knows (a newer version
    of the agreement may have another colour model)."""
    assessments = sorted(stay.assessments.all(), key=lambda a: (a.answered_at, a.pk))
    overrides = sorted(stay.overrides.all(), key=lambda o: (o.decided_at, o.pk))
    return rules.ColourFacts(
        assessed=[a.colour for a in assessments if codes is None or a.colour in codes],
        overrides=[o.colour for o in overrides if codes is None or o.colour in codes],
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
        compulsory_care=bool(message.payload.get("compulsory_care")),
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
