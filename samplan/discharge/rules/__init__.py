"""The pure domain rules of the discharge process (lag 2017:612): no ORM, no HTTP.

Planning category and its requirements, deadlines, colour, open obligations and payment
liability, each a function of plain values and an :class:`AgreementVersion`. Times are aware
datetimes; the rules work in Europe/Stockholm.
"""

from samplan.agreements.schema import (
    STOCKHOLM,
    AgreementVersion,
    ColourCode,
    Duration,
    NaiveDatetimeError,
    PaymentAmountMissing,
    PlanningCategory,
    UnitKind,
)
from samplan.agreements.timeline import AgreementTimeline, as_timeline
from samplan.discharge.rules.category import (
    CategoryRequirements,
    Needs,
    StepRule,
    category_requirements,
    derive_planning_category,
    describe_duration,
)
from samplan.discharge.rules.clock import add_duration, end_of_day, is_working_day
from samplan.discharge.rules.colour import (
    MEETING_PLACES,
    Answer,
    AnswerError,
    ColourFacts,
    ColourView,
    assess_colour,
    colour_choices,
    colour_codes,
    colour_view,
    current_colour,
    effective_colour,
    home_ready_items,
    is_locked,
    planning_questions,
)
from samplan.discharge.rules.compliance import DeadlineOutcome, deadline_outcomes
from samplan.discharge.rules.deadlines import (
    acknowledgement_due,
    admission_notice_due,
    discharge_notice_due,
    information_transfer_due,
    planning_assessment_due,
    sip_invitation_due,
    written_plan_due,
)
from samplan.discharge.rules.facts import CaseFacts, Notice, NoticeKind, Recipient, UnitId
from samplan.discharge.rules.obligations import (
    AgreementMismatch,
    Obligation,
    ObligationKind,
    admission_trigger,
    open_obligations,
)
from samplan.discharge.rules.payment import (
    ExcludedPeriod,
    LiableDay,
    payment_liability_days,
    payment_liability_start,
    payment_preconditions,
    sent_after_cutoff,
)

__all__ = [
    "MEETING_PLACES",
    "STOCKHOLM",
    "AgreementMismatch",
    "AgreementTimeline",
    "AgreementVersion",
    "Answer",
    "AnswerError",
    "CaseFacts",
    "CategoryRequirements",
    "ColourCode",
    "ColourFacts",
    "ColourView",
    "DeadlineOutcome",
    "Duration",
    "ExcludedPeriod",
    "LiableDay",
    "NaiveDatetimeError",
    "Needs",
    "Notice",
    "NoticeKind",
    "Obligation",
    "ObligationKind",
    "PaymentAmountMissing",
    "PlanningCategory",
    "Recipient",
    "StepRule",
    "UnitId",
    "UnitKind",
    "acknowledgement_due",
    "add_duration",
    "admission_notice_due",
    "admission_trigger",
    "as_timeline",
    "assess_colour",
    "category_requirements",
    "colour_choices",
    "colour_codes",
    "colour_view",
    "current_colour",
    "deadline_outcomes",
    "derive_planning_category",
    "describe_duration",
    "discharge_notice_due",
    "effective_colour",
    "end_of_day",
    "home_ready_items",
    "information_transfer_due",
    "is_locked",
    "is_working_day",
    "open_obligations",
    "payment_liability_days",
    "payment_liability_start",
    "payment_preconditions",
    "planning_assessment_due",
    "planning_questions",
    "sent_after_cutoff",
    "sip_invitation_due",
    "written_plan_due",
]
