"""Reads for the discharge pages: the case overview and the work list, in a constant number of
queries whatever the number of cases, messages or events."""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from samplan.agreements.schema import AgreementVersion
from samplan.agreements.timeline import AgreementTimeline
from samplan.audit.models import AccessAction, AccessPurpose
from samplan.audit.services import log_access
from samplan.core.acting import Acting
from samplan.directory.models import Unit
from samplan.discharge import access, documents, rules
from samplan.discharge.facts import (
    agreement_links,
    checklist_agreement,
    colour_view_of,
    facts_of,
    latest_conversation,
    timeline_of,
)
from samplan.discharge.models import (
    AgreementTrigger,
    ArrivalConversation,
    CaseEvent,
    CaseParty,
    ChecklistKind,
    ChecklistMark,
    InpatientStay,
    Message,
    MessageRecipient,
    PersonStatement,
    PlanningAssessment,
    StayStatus,
)
from samplan.discharge.steps import STEPS, Step
from samplan.people.models import CareContact, CareContactRole


@dataclass(frozen=True)
class MessageView:
    message: Message
    recipients: list[MessageRecipient]
    can_acknowledge: bool
    can_withdraw: bool


@dataclass(frozen=True)
class ObligationView:
    label: str
    responsible: str
    due: datetime | None
    overdue: bool
    mine: bool


@dataclass(frozen=True)
class PaymentView:
    """The municipality's payment liability (5 kap.) as far as it has run."""

    start: date | None
    unmet: list[str]
    days: int
    amount_sek: int
    problem: str = ""
    version_id: str = ""
    """The agreement version the rule is the utskrivningsklar notice's."""


@dataclass(frozen=True)
class JudgedUnder:
    """One agreement version the case's events were judged by, and which events."""

    version_id: str
    events: list[str]
    content_hash: str
    repeated: bool = False
    """Another text of the case was frozen under the same version id (the file was edited)."""


@dataclass
class CaseOverview:
    stay: InpatientStay
    """The case as read for the overview, with everything below prefetched."""
    parties: list[CaseParty]
    messages: list[MessageView]
    conversation: ArrivalConversation | None
    obligations: list[ObligationView]
    events: list[CaseEvent]
    steps: list[Step]
    is_ward: bool
    requirements_reasons: list[str] = field(default_factory=list)
    requirements: Any = None
    colour: rules.ColourView | None = None
    colour_overridden: bool = False
    assessments: list[Any] = field(default_factory=list)
    overrides: list[Any] = field(default_factory=list)
    notes: list[Any] = field(default_factory=list)
    checklists: list[dict[str, Any]] = field(default_factory=list)
    periods: list[Any] = field(default_factory=list)
    payment: PaymentView | None = None
    insatser_before: list[str] = field(default_factory=list)
    needs_after: list[str] = field(default_factory=list)
    can_end_periods: bool = False
    judged_under: list[JudgedUnder] = field(default_factory=list)
    existing_care_contacts: list[Any] = field(default_factory=list)
    deadlines_met: list[rules.DeadlineOutcome] = field(default_factory=list)
    """Steps taken, against their deadlines: on time or late."""
    can_mark: dict[str, bool] = field(default_factory=dict)
    """Checklist kind → whether the acting unit may mark its items now."""
    person_statements: list[PersonStatement] = field(default_factory=list)
    """What the person (or a representative) wrote in Min plan during the stay."""


def _prefetched(queryset: QuerySet[InpatientStay]) -> QuerySet[InpatientStay]:
    """Everything the obligation rules read about a case, in one query per relation."""
    return queryset.select_related(
        "person", "ward__organisation", "agreement", "care_contact__unit"
    ).prefetch_related(
        Prefetch(
            "parties",
            queryset=CaseParty.objects.select_related("unit__organisation", "forwarded_from"),
        ),
        Prefetch(
            "messages",
            queryset=Message.objects.select_related("sender_unit", "sender").prefetch_related(
                Prefetch(
                    "recipients",
                    queryset=MessageRecipient.objects.select_related("unit", "acknowledged_by"),
                )
            ),
        ),
        "arrival_conversations",
        "assessments__unit",
        "overrides__decided_by",
        Prefetch("checklist", queryset=ChecklistMark.objects.select_related("checked_by")),
        "unavailability_periods",
        "agreement_versions",
        "agreement_versions__record",
    )


def _worklist_prefetched(queryset: QuerySet[InpatientStay]) -> QuerySet[InpatientStay]:
    """What the obligation rules and the work list read, and nothing else.

    The work list builds the facts of every case the unit is a party to, so its cost per case is
    what matters: no users (senders, kvitterare, deciders), no 5:5 periods, no message texts. The
    agreement record (the whole agreement as JSON) is prefetched, not joined: joined, every case
    row would carry and decode its own copy; prefetched, each version is loaded once. It must
    load everything :func:`facts.facts_of` reads (``tests/test_worklist_queries.py`` checks).
    """
    return queryset.select_related("person", "ward", "care_contact").prefetch_related(
        "agreement",
        Prefetch("parties", queryset=CaseParty.objects.select_related("unit")),
        Prefetch(
            "messages",
            queryset=Message.objects.defer("body").prefetch_related(
                Prefetch("recipients", queryset=MessageRecipient.objects.select_related("unit"))
            ),
        ),
        "arrival_conversations",
        Prefetch("assessments", queryset=PlanningAssessment.objects.defer("answers")),
        "overrides",
        "checklist",
        "agreement_versions",
        "agreement_versions__record",
    )


def case_overview(*, acting: Acting, stay: InpatientStay, now: datetime) -> CaseOverview:
    stay = _prefetched(InpatientStay.objects.filter(pk=stay.pk)).get()
    log_access(
        actor=acting.actor,
        person=stay.person,
        action=AccessAction.READ,
        purpose=AccessPurpose.CARE_COORDINATION,
        obj=stay,
    )
    timeline = timeline_of(stay)
    conversation = latest_conversation(stay)
    overview = CaseOverview(
        stay=stay,
        parties=list(stay.parties.all()),
        messages=[_message_view(acting, m) for m in stay.messages.all()],
        conversation=conversation,
        obligations=_obligations(acting, stay, timeline, now),
        events=list(stay.events.select_related("actor", "unit")),
        steps=[s for s in STEPS.values() if s.allowed(acting, stay)],
        is_ward=access.is_ward(acting, stay),
        notes=list(stay.notes.select_related("unit", "author")),
        periods=list(stay.unavailability_periods.all()),
        overrides=list(stay.overrides.all()),
        can_end_periods=access.UNAVAILABILITY.allows(acting, stay),
        can_mark={
            ChecklistKind.INFORMATION_TRANSFER.value: access.WARD_FOLLOW_UP.allows(acting, stay),
            ChecklistKind.HOME_READY.value: access.WARD_STEP.allows(acting, stay),
        },
        person_statements=list(stay.person_statements.all()),
    )
    if stay.planning_category:
        # The notice's deadline and recipients as judged at admission (or the judgement).
        overview.requirements = rules.category_requirements(
            rules.PlanningCategory(stay.planning_category),
            timeline.version_at(rules.admission_trigger(facts_of(stay))),
        )
        overview.requirements_reasons = list(overview.requirements.reasons)
    overview.colour, overview.colour_overridden = colour_view_of(stay, timeline)
    overview.assessments = _latest_assessments(stay, timeline)
    for override in overview.overrides:
        labels = dict(rules.colour_choices(timeline.version_at(override.decided_at)))
        override.colour_label = labels.get(override.colour, override.colour)
    overview.payment = _payment(stay, timeline, now)
    overview.checklists = _checklists(stay, checklist_agreement(stay, timeline))
    overview.judged_under = _judged_under(stay)
    overview.deadlines_met = rules.deadline_outcomes(facts_of(stay), timeline)
    overview.existing_care_contacts = list(
        CareContact.objects.filter(
            person=stay.person, role=CareContactRole.FAST_VARDKONTAKT, ended_on__isnull=True
        ).select_related("unit")
    )
    for checklist in overview.checklists:
        checklist["can_mark"] = overview.can_mark[checklist["kind"]]
    if conversation is not None:
        overview.insatser_before = _labels(
            conversation,
            [
                "had_home_help",
                "had_home_health_care",
                "had_special_housing",
                "has_existing_sip",
                "has_care_plan",
                "has_implementation_plan",
                "has_existing_care_contact",
            ],
        )
        overview.needs_after = _labels(
            conversation,
            [
                "needs_regional_outpatient",
                "needs_social_services",
                "needs_municipal_health_care",
                "needs_special_housing",
            ],
        )
    return overview


def _judged_under(stay: InpatientStay) -> list[JudgedUnder]:
    """The versions the case's events were frozen under, in the order first used."""
    by_record: dict[int, JudgedUnder] = {}
    for link in agreement_links(stay):
        judged = by_record.setdefault(
            link.record_id,
            JudgedUnder(link.record.version_id, [], link.record.content_hash),
        )
        trigger = link.trigger
        label = str(AgreementTrigger(trigger).label) if trigger in AgreementTrigger else trigger
        if label not in judged.events:
            judged.events.append(label)
    ids = [j.version_id for j in by_record.values()]
    return [
        dataclasses.replace(j, repeated=ids.count(j.version_id) > 1) for j in by_record.values()
    ]


def _payment(stay: InpatientStay, timeline: AgreementTimeline, now: datetime) -> PaymentView | None:
    """None where liability cannot arise (category, or no utskrivningsklar notice yet). The
    start rule, cutoff and amounts are the utskrivningsklar notice's version's."""
    facts = facts_of(stay)
    ready_at = facts.ready_notice_sent_at
    if facts.category is None or ready_at is None:
        return None
    agreement = timeline.version_at(ready_at)
    if not rules.category_requirements(facts.category, agreement).payment_liability_possible:
        return None
    unmet = rules.payment_preconditions(facts, agreement)
    periods = [(p.starts_on, p.ends_on) for p in stay.unavailability_periods.all()]
    start = rules.payment_liability_start(ready_at, agreement)
    try:
        days = rules.payment_liability_days(
            ready_at,
            stay.discharged_at,
            not unmet,
            periods,
            agreement,
            until=timezone.localdate(now),
        )
    except rules.PaymentAmountMissing as error:
        return PaymentView(start, unmet, 0, 0, problem=str(error), version_id=agreement.version_id)
    return PaymentView(
        start,
        unmet,
        len(days),
        sum(d.amount_sek for d in days),
        version_id=agreement.version_id,
    )


def _labels(conversation: ArrivalConversation, names: list[str]) -> list[str]:
    fields = {f.name: f for f in ArrivalConversation._meta.concrete_fields}
    return [str(fields[n].verbose_name) for n in names if getattr(conversation, n)]


def _message_view(acting: Acting, message: Message) -> MessageView:
    recipients = list(message.recipients.all())
    mine = next((r for r in recipients if r.unit_id == acting.unit.pk), None)
    return MessageView(
        message=message,
        recipients=recipients,
        can_acknowledge=mine is not None
        and mine.acknowledged_at is None
        and not message.is_withdrawn,
        can_withdraw=message.sender_unit_id == acting.unit.pk and not message.is_withdrawn,
    )


def _latest_assessments(stay: InpatientStay, timeline: AgreementTimeline) -> list[Any]:
    """Each unit's newest answers, its colour named by the model they were answered under."""
    latest: dict[int, Any] = {}
    for assessment in sorted(stay.assessments.all(), key=lambda a: (a.answered_at, a.pk)):
        latest[assessment.unit_id] = assessment
    for assessment in latest.values():
        labels = dict(rules.colour_choices(timeline.version_at(assessment.answered_at)))
        assessment.colour_label = labels.get(assessment.colour, assessment.colour)
    return list(latest.values())


def _checklists(stay: InpatientStay, agreement: AgreementVersion) -> list[dict[str, Any]]:
    marks = {(m.checklist, m.item): m for m in stay.checklist.all()}
    notes = {item.id: item.note_label for item in agreement.information_transfer}
    lists = [
        (
            ChecklistKind.INFORMATION_TRANSFER,
            {item.id: item.text for item in agreement.information_transfer},
        ),
        (ChecklistKind.HOME_READY, rules.home_ready_items(agreement)),
    ]
    return [
        {
            "kind": kind.value,
            "title": kind.label,
            "items": [
                {
                    "id": i,
                    "label": label,
                    "mark": marks.get((kind.value, i)),
                    "note_label": notes.get(i, "")
                    if kind is ChecklistKind.INFORMATION_TRANSFER
                    else "",
                }
                for i, label in items.items()
            ],
        }
        for kind, items in lists
    ]


def _obligations(
    acting: Acting, stay: InpatientStay, timeline: AgreementTimeline, now: datetime
) -> list[ObligationView]:
    units: dict[rules.UnitId, Unit] = {p.unit_id: p.unit for p in stay.parties.all()}
    views = []
    for obligation in rules.open_obligations(facts_of(stay), timeline, now):
        unit = units.get(obligation.unit_id) if obligation.unit_id else None
        views.append(
            ObligationView(
                label=str(obligation.label),
                responsible=unit.name if unit else str(obligation.responsible_label),
                due=obligation.due,
                overdue=obligation.is_overdue(now),
                mine=obligation.unit_id == acting.unit.pk,
            )
        )
    return views


def invitation_export(*, acting: Acting, stay: InpatientStay, message: Message) -> bytes:
    """The kallelse till SIP as an iCalendar file, access-logged as an export."""
    log_access(
        actor=acting.actor,
        person=stay.person,
        action=AccessAction.EXPORT,
        purpose=AccessPurpose.CARE_COORDINATION,
        obj=message,
        detail="kallelse till SIP (iCalendar)",
    )
    return documents.invitation_ics(message)


# --- Work list --------------------------------------------------------------------------------


@dataclass(frozen=True)
class WorkItem:
    stay: InpatientStay
    obligations: list[ObligationView]
    unacknowledged: int
    unread: int = 0
    """Messages to the unit it has not read (opened the case since they came)."""

    @property
    def most_urgent(self) -> ObligationView | None:
        return self.obligations[0] if self.obligations else None


@dataclass(frozen=True)
class Worklist:
    items: list[WorkItem]
    overdue_count: int
    unacknowledged_count: int
    unread_count: int = 0
    ready_waiting: list[InpatientStay] = field(default_factory=list)
    """The ward's patients who are utskrivningsklar and still in hospital, longest waiting first."""


# Long enough for every step the law places after discharge (kallelse within 3 days of the
# ready notice, the written plan 3 days after the meeting), short enough that the list of
# discharged cases read per request stays small.
FOLLOW_UP_WINDOW = timedelta(days=30)


def worklist(*, acting: Acting, now: datetime) -> Worklist:
    """ "Att göra": the acting unit's open obligations in every case it is a party to, most
    urgent first, with the messages it has not acknowledged counted. A closed case stays on the
    list while the unit has a message in it left to acknowledge, and a discharged one for
    :data:`FOLLOW_UP_WINDOW` while what falls after discharge (kallelse, written plan, late
    information transfer) is still open."""
    unit_id = acting.unit.pk
    unacknowledged = MessageRecipient.objects.filter(
        unit=acting.unit, acknowledged_at__isnull=True, message__withdrawn_at__isnull=True
    )
    stays = _worklist_prefetched(
        access.stays_for_unit(acting.unit).filter(
            Q(status=StayStatus.OPEN)
            | Q(status=StayStatus.DISCHARGED, discharged_at__gte=now - FOLLOW_UP_WINDOW)
            | Q(pk__in=unacknowledged.values("message__stay"))
        )
    )
    items = []
    for stay in stays:
        mine = [o for o in _obligations(acting, stay, timeline_of(stay), now) if o.mine]
        mine_copies = [
            r
            for message in stay.messages.all()
            if not message.is_withdrawn
            for r in message.recipients.all()
            if r.unit_id == unit_id
        ]
        waiting = sum(1 for r in mine_copies if r.acknowledged_at is None)
        unread = sum(1 for r in mine_copies if r.read_at is None)
        if mine or waiting:
            items.append(WorkItem(stay, mine, waiting, unread))
    items.sort(key=_urgency)
    ready_waiting = sorted(
        (
            stay
            for stay in stays
            if stay.is_open and stay.ward_id == unit_id and stay.ready_notice_sent_at is not None
        ),
        key=lambda stay: stay.ready_notice_sent_at,  # type: ignore[arg-type, return-value]
    )
    return Worklist(
        items=items,
        overdue_count=sum(1 for i in items for o in i.obligations if o.overdue),
        unacknowledged_count=sum(i.unacknowledged for i in items),
        unread_count=sum(i.unread for i in items),
        ready_waiting=ready_waiting,
    )


def _urgency(item: WorkItem) -> tuple[int, float, str]:
    """Overdue first, then the earliest deadline; cases with only unread messages last."""
    first = item.most_urgent
    if first is None:
        return (2, math.inf, item.stay.person.family_name)
    due = first.due.timestamp() if first.due else math.inf
    return (0 if first.overdue else 1, due, item.stay.person.family_name)
