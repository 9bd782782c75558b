"""Reads for the discharge pages: the case overview and the work list, in a constant number of
queries whatever the number of cases, messages or events."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from samplan.agreements.services import agreement_of
from samplan.audit.models import AccessAction, AccessPurpose
from samplan.audit.services import log_access
from samplan.core.acting import Acting
from samplan.directory.models import Unit
from samplan.discharge import access, rules
from samplan.discharge.facts import colour_facts_of, facts_of, latest_conversation
from samplan.discharge.models import (
    ArrivalConversation,
    CaseEvent,
    CaseParty,
    ChecklistKind,
    InpatientStay,
    Message,
    MessageRecipient,
    PersonStatement,
    PlanningAssessment,
    StayStatus,
)
from samplan.discharge.steps import STEPS, Step


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


@dataclass
class CaseOverview:
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
        "checklist",
        "unavailability_periods",
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
    agreement = agreement_of(stay.agreement)
    conversation = latest_conversation(stay)
    overview = CaseOverview(
        parties=list(stay.parties.all()),
        messages=[_message_view(acting, m) for m in stay.messages.all()],
        conversation=conversation,
        obligations=_obligations(acting, stay, agreement, now),
        events=list(stay.events.select_related("actor", "unit")),
        steps=[s for s in STEPS.values() if s.allowed(acting, stay)],
        is_ward=access.is_ward(acting, stay),
        notes=list(stay.notes.select_related("unit", "author")),
        periods=list(stay.unavailability_periods.all()),
        overrides=list(stay.overrides.all()),
        person_statements=list(stay.person_statements.all()),
    )
    if stay.planning_category:
        overview.requirements = rules.category_requirements(
            rules.PlanningCategory(stay.planning_category), agreement
        )
        overview.requirements_reasons = list(overview.requirements.reasons)
    overview.colour, overview.colour_overridden = rules.colour_view(
        colour_facts_of(stay), agreement
    )
    overview.assessments = _latest_assessments(stay, agreement)
    colour_labels = dict(rules.colour_choices(agreement))
    for override in overview.overrides:
        override.colour_label = colour_labels.get(override.colour, override.colour)
    overview.payment = _payment(stay, agreement, now)
    overview.checklists = _checklists(stay, agreement)
    if conversation is not None:
        overview.insatser_before = _labels(
            conversation,
            [
                "had_home_help",
                "had_home_health_care",
                "had_special_housing",
                "has_existing_sip",
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


def _payment(stay: InpatientStay, agreement: Any, now: datetime) -> PaymentView | None:
    """None where liability cannot arise (category, or no utskrivningsklar notice yet)."""
    facts = facts_of(stay)
    ready_at = facts.ready_notice_sent_at
    if facts.category is None or ready_at is None:
        return None
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
        return PaymentView(start, unmet, 0, 0, problem=str(error))
    return PaymentView(start, unmet, len(days), sum(d.amount_sek for d in days))


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


def _latest_assessments(stay: InpatientStay, agreement: Any) -> list[Any]:
    latest: dict[int, Any] = {}
    for assessment in stay.assessments.all():
        latest[assessment.unit_id] = assessment
    labels = dict(rules.colour_choices(agreement))
    for assessment in latest.values():
        assessment.colour_label = labels.get(assessment.colour, assessment.colour)
    return list(latest.values())


def _checklists(stay: InpatientStay, agreement: Any) -> list[dict[str, Any]]:
    marks = {(m.checklist, m.item): m for m in stay.checklist.all()}
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
                {"id": i, "label": label, "mark": marks.get((kind.value, i))}
                for i, label in items.items()
            ],
        }
        for kind, items in lists
    ]


def _obligations(
    acting: Acting, stay: InpatientStay, agreement: Any, now: datetime
) -> list[ObligationView]:
    units: dict[rules.UnitId, Unit] = {p.unit_id: p.unit for p in stay.parties.all()}
    views = []
    for obligation in rules.open_obligations(facts_of(stay), agreement, now):
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


# --- Work list --------------------------------------------------------------------------------


@dataclass(frozen=True)
class WorkItem:
    stay: InpatientStay
    obligations: list[ObligationView]
    unacknowledged: int

    @property
    def most_urgent(self) -> ObligationView | None:
        return self.obligations[0] if self.obligations else None


@dataclass(frozen=True)
class Worklist:
    items: list[WorkItem]
    overdue_count: int
    unacknowledged_count: int
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
    # agreement_of serialises the record's JSON to find its parsed copy: once per version.
    agreements: dict[int, Any] = {}
    for stay in stays:
        if stay.agreement_id not in agreements:
            agreements[stay.agreement_id] = agreement_of(stay.agreement)
        agreement = agreements[stay.agreement_id]
        mine = [o for o in _obligations(acting, stay, agreement, now) if o.mine]
        waiting = sum(
            1
            for message in stay.messages.all()
            if not message.is_withdrawn
            for r in message.recipients.all()
            if r.unit_id == unit_id and r.acknowledged_at is None
        )
        if mine or waiting:
            items.append(WorkItem(stay, mine, waiting))
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
        ready_waiting=ready_waiting,
    )


def _urgency(item: WorkItem) -> tuple[int, float, str]:
    """Overdue first, then the earliest deadline; cases with only unread messages last."""
    first = item.most_urgent
    if first is None:
        return (2, math.inf, item.stay.person.family_name)
    due = first.due.timestamp() if first.due else math.inf
    return (0 if first.overdue else 1, due, item.stay.person.family_name)
