"""Steps taken, against their deadlines: a discharge recorded afterwards is dated back, but its
notice keeps its real send time, so a notice sent after the discharge day is late. Pure rules."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, time, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from samplan.agreements.loader import get_agreement, version_in_force
from samplan.discharge.rules import (
    STOCKHOLM,
    CaseFacts,
    Needs,
    Notice,
    NoticeKind,
    ObligationKind,
    deadline_outcomes,
)

GAVLEBORG = version_in_force(get_agreement("gavleborg"), datetime(2025, 1, 1, tzinfo=STOCKHOLM))
E = Needs(special_housing_or_health_care_in_social_services=True)
ADMITTED = datetime(2025, 11, 3, 8, 0, tzinfo=STOCKHOLM)
DISCHARGED = datetime(2025, 11, 10, 16, 0, tzinfo=STOCKHOLM)


def case(**fields) -> CaseFacts:
    return CaseFacts(
        agreement_version_id=GAVLEBORG.version_id, admitted_at=ADMITTED, needs=E, **fields
    )


def outcomes(facts: CaseFacts) -> dict[ObligationKind, tuple[datetime, datetime, bool]]:
    return {o.kind: (o.due, o.done_at, o.late) for o in deadline_outcomes(facts, GAVLEBORG)}


END_OF_DISCHARGE_DAY = datetime.combine(DISCHARGED.date(), time.max, tzinfo=STOCKHOLM)


@pytest.mark.parametrize(
    ("sent", "late"),
    [
        (DISCHARGED, False),
        (END_OF_DISCHARGE_DAY, False),
        (END_OF_DISCHARGE_DAY + timedelta(microseconds=1), True),  # midnight: the next day
        (datetime(2025, 11, 11, 8, 0, tzinfo=STOCKHOLM), True),
    ],
)
def test_a_discharge_notice_sent_after_the_discharge_day_is_late(
    sent: datetime, late: bool
) -> None:
    facts = case(
        discharged_at=DISCHARGED,
        notices=(Notice(NoticeKind.DISCHARGE_NOTICE, sent),),
    )
    assert outcomes(facts)[ObligationKind.SEND_DISCHARGE_NOTICE] == (
        END_OF_DISCHARGE_DAY,
        sent,
        late,
    )


@given(hours=st.integers(min_value=0, max_value=72))
def test_the_admission_notice_is_late_exactly_after_24_hours(hours: int) -> None:
    sent = ADMITTED + timedelta(hours=hours)
    facts = case(notices=(Notice(NoticeKind.ADMISSION_NOTICE, sent),))
    due, done, late = outcomes(facts)[ObligationKind.SEND_ADMISSION_NOTICE]
    assert (due, done, late) == (ADMITTED + timedelta(hours=24), sent, hours > 24)


def test_kallelse_and_written_plan_against_their_days() -> None:
    ready = datetime(2025, 11, 7, 13, 0, tzinfo=STOCKHOLM)  # Friday
    meeting = datetime(2025, 11, 12, 10, 0, tzinfo=STOCKHOLM)
    facts = case(
        notices=(
            Notice(NoticeKind.READY_FOR_DISCHARGE, ready),
            Notice(NoticeKind.SIP_INVITATION, datetime(2025, 11, 11, 9, 0, tzinfo=STOCKHOLM)),
        ),
        sip_meeting_at=meeting,
        written_plan_given_at=datetime(2025, 11, 14, 12, 0, tzinfo=STOCKHOLM),
    )
    found = outcomes(facts)
    # Within 3 days of the ready notice: by the end of Monday the 10th; sent Tuesday: late.
    assert found[ObligationKind.SEND_SIP_INVITATION][2] is True
    assert found[ObligationKind.DELIVER_WRITTEN_PLAN][2] is False
    # Nothing is held against a deadline before it is done; withdrawn notices count as unsent.
    assert outcomes(case()) == {}
    withdrawn = replace(
        facts, notices=(Notice(NoticeKind.READY_FOR_DISCHARGE, ready, withdrawn=True),)
    )
    assert ObligationKind.SEND_SIP_INVITATION not in outcomes(withdrawn)


def test_category_b_holds_the_notice_to_its_deadline_only_when_the_physician_asked() -> None:
    sent = ADMITTED + timedelta(hours=30)
    b = replace(
        case(notices=(Notice(NoticeKind.ADMISSION_NOTICE, sent),)),
        needs=Needs(regional_outpatient=True),
    )
    assert outcomes(b) == {}
    asked = replace(b, physician_wants_admission_notice=True)
    assert outcomes(asked)[ObligationKind.SEND_ADMISSION_NOTICE][2] is True
