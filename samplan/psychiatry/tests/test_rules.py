"""The SVPL's rules: who may start one, approval of a revision, status, the establishment
deadline in Swedish time, and the work-list flags."""

from __future__ import annotations

import dataclasses
import itertools
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from samplan.agreements.schema import Duration
from samplan.psychiatry.rules import (
    Approval,
    FlagCode,
    StartFacts,
    SvplStatus,
    approval_state,
    establishment_due,
    start_refusal,
    svpl_status,
    worklist_flags,
)

STOCKHOLM = ZoneInfo("Europe/Stockholm")
THREE_DAYS = Duration(amount=3, unit="calendar_days", at_end_of_day=True)
TWO_WORKING_DAYS = Duration(amount=2, unit="working_days", at_end_of_day=True)
FINE = StartFacts(
    ward_is_psychiatric=True,
    case_open=True,
    acting_is_ward=True,
    role_may_write=True,
    has_svpl=False,
    ready_notice_sent=False,
)


def local(*args: int) -> datetime:
    return datetime(*args, tzinfo=STOCKHOLM)


# --- Starting ---------------------------------------------------------------------------------


def test_the_psychiatric_ward_may_start_in_an_open_case() -> None:
    assert start_refusal(FINE) is None


@pytest.mark.parametrize("values", list(itertools.product([True, False], repeat=6)))
def test_every_combination_of_facts(values: tuple[bool, ...]) -> None:
    facts = StartFacts(*values)
    refusal = start_refusal(facts)
    allowed = (
        facts.ward_is_psychiatric
        and facts.case_open
        and facts.acting_is_ward
        and facts.role_may_write
        and not facts.has_svpl
        and not facts.ready_notice_sent
    )
    assert (refusal is None) == allowed
    if refusal is not None:
        # Who acts decides before the case's state; a wrong unit or role is forbidden (403),
        # a closed case, or another state of it, is a rule refusing the step (409).
        who_wrong = not (
            facts.acting_is_ward and facts.ward_is_psychiatric and facts.role_may_write
        )
        assert refusal.forbidden == who_wrong


@pytest.mark.parametrize(
    ("change", "text"),
    [
        ({"acting_is_ward": False}, "Bara den vårdande avdelningen"),
        ({"ward_is_psychiatric": False}, "bara av en psykiatrisk slutenvårdsavdelning"),
        ({"role_may_write": False}, "chefsöverläkaren"),
        ({"case_open": False}, "Ärendet är avslutat"),
        ({"has_svpl": True}, "Det finns redan en samordnad vårdplan"),
        ({"ready_notice_sent": True}, "redan anmäld som utskrivningsklar"),
    ],
)
def test_each_refusal_says_why(change: dict, text: str) -> None:
    refusal = start_refusal(dataclasses.replace(FINE, **change))
    assert refusal is not None
    assert text in refusal.text


# --- Approval ---------------------------------------------------------------------------------


def test_every_approver_must_approve_the_current_revision() -> None:
    state = approval_state([1, 2], [Approval(1, 3)], 3)
    assert state.approved == (1,)
    assert state.missing == (2,)
    assert not state.complete
    state = approval_state([1, 2], [Approval(1, 3), Approval(2, 3)], 3)
    assert state.complete


def test_an_approval_of_an_earlier_revision_is_void() -> None:
    state = approval_state([1, 2], [Approval(1, 2), Approval(2, 3)], 3)
    assert state.missing == (1,)
    assert state.void == (1,)
    assert not state.complete


def test_approvals_by_others_do_not_count_and_no_approvers_establish_nothing() -> None:
    assert approval_state([1], [Approval(9, 1)], 1).missing == (1,)
    empty = approval_state([], [Approval(9, 1)], 1)
    assert empty.missing == ()
    assert not empty.complete


@given(
    st.lists(st.integers(1, 6), unique=True),
    st.lists(st.tuples(st.integers(1, 8), st.integers(0, 4))),
    st.integers(0, 4),
)
def test_approved_and_missing_split_the_approvers(
    approvers: list[int], given_approvals: list[tuple[int, int]], revision: int
) -> None:
    state = approval_state(approvers, [Approval(u, r) for u, r in given_approvals], revision)
    assert set(state.approved) | set(state.missing) == set(approvers)
    assert not set(state.approved) & set(state.missing)
    assert set(state.void) <= set(state.missing)
    assert all((u, revision) in given_approvals for u in state.approved)
    assert state.complete == (
        bool(approvers) and all((u, revision) in given_approvals for u in approvers)
    )


# --- Status -----------------------------------------------------------------------------------


def test_status() -> None:
    assert svpl_status(None, 0) == SvplStatus.DRAFT
    assert svpl_status(None, 5) == SvplStatus.DRAFT
    assert svpl_status(4, 4) == SvplStatus.ESTABLISHED
    assert svpl_status(4, 5) == SvplStatus.CHANGED


# --- The deadline -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sent", "due"),
    [
        # Before and after 12.00 the same day: the same deadline (days, not hours).
        (local(2026, 3, 2, 11, 59), local(2026, 3, 5, 23, 59, 59, 999999)),
        (local(2026, 3, 2, 12, 1), local(2026, 3, 5, 23, 59, 59, 999999)),
        # Just before and just after midnight: a day apart.
        (local(2026, 3, 2, 23, 59), local(2026, 3, 5, 23, 59, 59, 999999)),
        (local(2026, 3, 3, 0, 0), local(2026, 3, 6, 23, 59, 59, 999999)),
        # Over the spring DST change (2026-03-29) and the autumn one (2026-10-25).
        (local(2026, 3, 27, 22, 0), local(2026, 3, 30, 23, 59, 59, 999999)),
        (local(2026, 10, 23, 22, 0), local(2026, 10, 26, 23, 59, 59, 999999)),
    ],
)
def test_three_calendar_days_end_at_local_midnight(sent: datetime, due: datetime) -> None:
    assert establishment_due(sent.astimezone(UTC), THREE_DAYS) == due


def test_working_days_skip_weekends_and_holidays() -> None:
    # Friday → Tuesday; Thursday before Good Friday 2026 (04-03) and Easter Monday → Wednesday.
    assert (
        establishment_due(local(2026, 3, 6, 15, 0), TWO_WORKING_DAYS).date().isoformat()
        == "2026-03-10"
    )
    assert (
        establishment_due(local(2026, 4, 2, 9, 0), TWO_WORKING_DAYS).date().isoformat()
        == "2026-04-08"
    )


# --- Work-list flags --------------------------------------------------------------------------

DUE = local(2026, 3, 5, 23, 59, 59, 999999)
BEFORE = local(2026, 3, 4, 10, 0)
AFTER = local(2026, 3, 6, 8, 0)
WARD, VC, SOC = 1, 2, 3


def flags(
    unit: int,
    *,
    approved: tuple[int, ...] = (),
    ready: bool = True,
    version: bool = False,
    now: datetime = BEFORE,
) -> list[tuple[FlagCode, bool]]:
    state = approval_state([VC, SOC], [Approval(u, 1) for u in approved], 1)
    return [
        (f.code, f.overdue)
        for f in worklist_flags(
            unit_id=unit,
            ward_id=WARD,
            state=state,
            ready_to_approve=ready,
            has_version=version,
            due=DUE,
            now=now,
        )
    ]


def test_a_unit_that_has_not_approved_a_complete_draft_has_it_to_approve() -> None:
    assert flags(VC) == [(FlagCode.TO_APPROVE, False)]
    assert flags(VC, now=AFTER) == [(FlagCode.TO_APPROVE, True)]
    assert flags(VC, approved=(VC,)) == []
    assert flags(VC, ready=False) == []
    assert flags(SOC, approved=(VC,)) == [(FlagCode.TO_APPROVE, False)]


def test_a_change_to_an_established_plan_has_no_deadline() -> None:
    assert flags(VC, version=True, now=AFTER) == [(FlagCode.TO_APPROVE, False)]


def test_the_ward_sees_it_not_established_only_after_the_deadline() -> None:
    assert flags(WARD) == []
    assert flags(WARD, now=AFTER) == [(FlagCode.NOT_ESTABLISHED, True)]
    assert flags(WARD, now=AFTER, ready=False) == [(FlagCode.NOT_ESTABLISHED, True)]
    assert flags(WARD, now=AFTER, version=True) == []
    assert flags(WARD, now=DUE) == []
