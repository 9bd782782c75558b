"""The plan document: validation, ids, progress and the readable difference between versions."""

from __future__ import annotations

import itertools
from datetime import date
from unittest import mock

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from samplan.sip.plan import (
    ActionStatus,
    Goal,
    PlanAction,
    PlanContent,
    apply_progress,
    plan_advice,
    plan_diff,
    plan_problems,
    with_ids,
)
from samplan.sip.validation import plan_error_texts


def action(id: str = "a1", **fields) -> PlanAction:
    fields.setdefault("what", "Hemtjänst")
    fields.setdefault("organisation_kind", "municipality")
    fields.setdefault("organisation", "Biståndsenheten")
    return PlanAction(id=id, **fields)


BASE = PlanContent(
    long_term_goal="Bo kvar hemma",
    goals=(Goal(id="g1", text="Handla själv", measure="Varje vecka"),),
    needs=("Dusch",),
    actions=(action(due=date(2026, 4, 1)),),
    lead_unit_id=1,
    lead_organisation="Vårdcentralen Centrum, Region Testlän",
    follow_up_on=date(2026, 6, 1),
    follow_up_by="Fia Fast",
)


def texts(old, new) -> list[str]:
    return [c.text for c in plan_diff(old, new)]


def test_no_change_no_difference() -> None:
    assert plan_diff(BASE, BASE) == []


def test_first_version_lists_everything() -> None:
    assert texts(None, BASE) == [
        "Långsiktigt mål: ”Bo kvar hemma”.",
        "Delmål tillagt: ”Handla själv”.",
        "Behov tillagt: ”Dusch”.",
        "Insats tillagd: ”Hemtjänst” (Biståndsenheten, senast 2026-04-01).",
        "Övergripande ansvar ändrat från (tomt) till ”Vårdcentralen Centrum, Region Testlän”.",
        "Uppföljningsdatum ändrat från inget datum till 2026-06-01.",
        "Den som följer upp ändrad från (tomt) till ”Fia Fast”.",
    ]


def test_goal_lead_and_follow_up_changes() -> None:
    new = BASE.model_copy(
        update={
            "long_term_goal": "Klara mig själv",
            "goals": (Goal(id="g1", text="Handla själv två gånger", measure="Varje vecka"),),
            "lead_organisation": "Biståndsenheten Testby, Testby kommun",
            "follow_up_on": None,
            "needs": ("Dusch", "Tillsyn natt"),
        }
    )
    assert texts(BASE, new) == [
        "Långsiktigt mål ändrat från ”Bo kvar hemma” till ”Klara mig själv”.",
        "Delmål ändrat från ”Handla själv” till ”Handla själv två gånger”.",
        "Behov tillagt: ”Tillsyn natt”.",
        "Övergripande ansvar ändrat från ”Vårdcentralen Centrum, Region Testlän” till "
        "”Biståndsenheten Testby, Testby kommun”.",
        "Uppföljningsdatum ändrat från 2026-06-01 till inget datum.",
    ]


def test_action_changes_by_stable_id() -> None:
    changed = action(
        what="Hemtjänst morgon",
        organisation="Hemtjänsten Norr",
        responsible="Bo",
        due=date(2026, 5, 1),
        status=ActionStatus.ONGOING,
    )
    new = BASE.model_copy(update={"actions": (changed, action("a2", what="Skolstöd"))})
    assert texts(BASE, new) == [
        "Insatsen ”Hemtjänst” ändrad till ”Hemtjänst morgon”.",
        "Ansvarig organisation för ”Hemtjänst morgon” ändrad från ”Biståndsenheten” "
        "till ”Hemtjänsten Norr”.",
        "Ansvarig person för ”Hemtjänst morgon” ändrad från (tomt) till ”Bo”.",
        "Slutdatum för ”Hemtjänst morgon” ändrat från 2026-04-01 till 2026-05-01.",
        "Status för ”Hemtjänst morgon” ändrad från Planerad till Pågår.",
        "Insats tillagd: ”Skolstöd” (Biståndsenheten).",
    ]
    removed = BASE.model_copy(update={"actions": (), "goals": ()})
    assert texts(BASE, removed) == [
        "Delmål borttaget: ”Handla själv”.",
        "Insats borttagen: ”Hemtjänst”.",
    ]


def test_items_without_id_are_always_new() -> None:
    anonymous = BASE.model_copy(update={"actions": (action(""),)})
    assert [c.kind for c in plan_diff(anonymous, anonymous)] == ["action_added", "action_removed"]


def test_with_ids_fills_only_missing_ids() -> None:
    counter = itertools.count(1)
    content = BASE.model_copy(update={"actions": (action("a1"), action(""), action(""))})
    filled = with_ids(content, lambda: f"n{next(counter)}")
    assert [a.id for a in filled.actions] == ["a1", "n1", "n2"]
    assert [g.id for g in filled.goals] == ["g1"]


def test_content_is_validated() -> None:
    with pytest.raises(ValidationError, match="Samma id förekommer på flera insatser: a1"):
        PlanContent(actions=(action("a1"), action("a1")))
    with pytest.raises(ValidationError, match="hör till ett delmål som inte finns i planen: g9"):
        PlanContent(actions=(action(goal_ids=("g9",)),))
    with pytest.raises(ValidationError):
        PlanContent.model_validate({"actions": [{"what": "x", "organisation_kind": "county"}]})
    with pytest.raises(ValidationError):
        PlanContent.model_validate({"unknown_field": 1})
    with pytest.raises(ValidationError):
        PlanContent.model_validate(
            {"actions": [{"id": "a b", "what": "x", "organisation_kind": "other"}]}
        )


def test_content_round_trips_through_json() -> None:
    assert PlanContent.model_validate(BASE.as_json()) == BASE


def test_plan_problems_before_establishing() -> None:
    assert plan_problems(BASE) == []
    assert plan_problems(PlanContent()) == [
        "Personens långsiktiga mål saknas.",
        "Planen har inga insatser.",
        "Det är inte bestämt vilken organisation som har det övergripande ansvaret.",
    ]
    no_org = BASE.model_copy(update={"actions": (action(organisation=""),)})
    assert plan_problems(no_org) == ["Insatsen ”Hemtjänst” saknar ansvarig organisation."]


def test_apply_progress_takes_the_latest_per_action() -> None:
    content = BASE.model_copy(update={"actions": (action("a1"), action("a2"))})
    applied = apply_progress(content, [("a1", "ongoing"), ("a1", "done"), ("zz", "done")])
    assert [a.status for a in applied.actions] == ["done", "planned"]
    assert apply_progress(content, []) is content
    assert content.actions[0].status == "planned"


def test_overdue_means_open_and_past_due() -> None:
    today = date(2026, 4, 2)
    assert action(due=date(2026, 4, 1)).is_overdue(today)
    assert not action(due=date(2026, 4, 2)).is_overdue(today)
    assert not action(due=None).is_overdue(today)
    assert not action(due=date(2026, 4, 1), status="done").is_overdue(today)
    assert not action(due=date(2026, 4, 1), status="cancelled").is_overdue(today)


statuses = st.sampled_from(list(ActionStatus))
dates = st.one_of(st.none(), st.dates(min_value=date(2026, 1, 1), max_value=date(2027, 1, 1)))
actions = st.builds(
    PlanAction,
    id=st.sampled_from(["a1", "a2", "a3", "a4"]),
    what=st.sampled_from(["Hemtjänst", "Läkemedel", "Skolstöd"]),
    organisation_kind=st.sampled_from(["region", "municipality", "other"]),
    organisation=st.sampled_from(["", "VC", "Kommunen"]),
    due=dates,
    status=statuses,
)
plans = st.builds(
    PlanContent,
    long_term_goal=st.sampled_from(["", "Bo kvar hemma", "Arbeta"]),
    actions=st.lists(actions, max_size=4, unique_by=lambda a: a.id).map(tuple),
    lead_organisation=st.sampled_from(["", "VC", "Kommunen"]),
    follow_up_on=dates,
)


@settings(deadline=None)
@given(old=plans, new=plans)
def test_diff_is_empty_exactly_when_nothing_shown_changed(old, new) -> None:
    changes = plan_diff(old, new)
    same = old == new
    assert (changes == []) == same
    assert all(c.text.endswith(".") for c in changes)
    # Every action id present only in new is reported added, only in old removed.
    added = {a.id for a in new.actions} - {a.id for a in old.actions}
    removed = {a.id for a in old.actions} - {a.id for a in new.actions}
    assert sum(c.kind == "action_added" for c in changes) == len(added)
    assert sum(c.kind == "action_removed" for c in changes) == len(removed)


# --- Validation errors in Swedish ----------------------------------------------------------------


def swedish_errors(data: dict) -> list[str]:
    with pytest.raises(ValidationError) as raised:
        PlanContent.model_validate(data)
    return plan_error_texts(raised.value)


def test_every_validation_error_of_a_plan_is_swedish_and_says_where() -> None:
    assert swedish_errors(
        {
            "goals": [{"id": "g 1", "text": ""}, {"text": "x" * 5001}],
            "needs": ["ok", "y" * 301],
            "actions": [
                {"what": "Hemtjänst", "organisation_kind": "county"},
                {"what": "Dusch", "organisation_kind": "region", "due": "nästa vecka"},
                {"what": "Larm", "organisation_kind": "region", "colour": "blå"},
            ],
            "follow_up_on": "2026-13-01",
            "lead_unit_id": "VC",
        }
    ) == [
        "Delmål 1, id: Innehåller tecken som inte är tillåtna här.",
        "Delmål 1, texten: Får inte vara tomt.",
        "Delmål 2, texten: Får ha högst 5000 tecken.",
        "Behov 2: Får ha högst 300 tecken.",
        "Insats 1, huvudman: Otillåtet värde. Tillåtna värden: 'region', 'municipality' eller "
        "'other'.",
        "Insats 2, klart senast: Ange ett datum som ÅÅÅÅ-MM-DD.",
        "Insats 3, colour: Okänt fält: det ska inte finnas med.",
        "Övergripande ansvar: Ska vara ett heltal.",
        "Datum för uppföljning: Ange ett datum som ÅÅÅÅ-MM-DD.",
    ]


def test_our_own_rules_come_through_as_they_are() -> None:
    assert swedish_errors({"goals": [{"id": "g1", "text": "a"}, {"id": "g1", "text": "b"}]}) == [
        "Samma id förekommer på flera delmål: g1."
    ]
    assert swedish_errors(
        {"actions": [{"what": "Dusch", "organisation_kind": "region", "goal_ids": ["g9"]}]}
    ) == ["Insatsen ”Dusch” hör till ett delmål som inte finns i planen: g9."]


def test_no_english_from_pydantic_reaches_the_user() -> None:
    texts = swedish_errors(
        {
            "long_term_goal": 5,
            "goals": "inte en lista",
            "actions": [{"what": "x", "organisation_kind": "other", "status": "klar"}, 7],
            "follow_up_by": ["x"],
            "extra": True,
        }
    )
    assert texts
    for text in texts:
        for english in ("should", "Input", "valid", "Value error", "permitted", "Field"):
            assert english not in text, text


# --- Good practice that does not block establishing ----------------------------------------------


def test_a_plan_following_good_practice_gets_no_advice() -> None:
    complete = BASE.model_copy(
        update={"actions": (action(due=date(2026, 4, 1), responsible="Bo Bistånd"),)}
    )
    assert plan_advice(complete) == []
    assert plan_problems(complete) == []


def test_advice_names_each_gap() -> None:
    gaps = BASE.model_copy(
        update={
            "goals": (
                Goal(id="g1", text="Handla själv", measure="Varje vecka"),
                Goal(id="g2", text="Träffa vänner"),
            ),
            "actions": (
                action("a1", what="Hemtjänst", responsible="Bo", due=None),
                action("a2", what="Dusch", due=date(2026, 4, 1)),
                action("a3", what="Larm", status="done"),  # done: needs neither
                action("a4", what="Rullator", status="cancelled"),
            ),
            "follow_up_on": None,
            "follow_up_by": "",
        }
    )
    assert plan_advice(gaps) == [
        "Delmålet ”Träffa vänner” har inget mått: hur vet ni att det är nått?",
        "Planen har inget datum för uppföljning.",
        "Planen säger inte vem som följer upp.",
        "Insatsen ”Hemtjänst” har inget datum för när den ska vara klar.",
        "Insatsen ”Dusch” har ingen ansvarig person.",
    ]
    # None of it blocks establishing: the law's content is there.
    assert plan_problems(gaps) == []


@settings(deadline=None)
@given(
    measures=st.lists(st.booleans(), max_size=4),
    actions=st.lists(
        st.tuples(st.booleans(), st.booleans(), st.sampled_from(list(ActionStatus))), max_size=4
    ),
    follow_up_on=st.booleans(),
    follow_up_by=st.booleans(),
)
def test_advice_is_one_line_per_gap(measures, actions, follow_up_on, follow_up_by) -> None:
    content = BASE.model_copy(
        update={
            "goals": tuple(
                Goal(id=f"g{i}", text=f"Mål {i}", measure="Mått" if m else "")
                for i, m in enumerate(measures)
            ),
            "actions": tuple(
                action(
                    f"a{i}",
                    what=f"Insats {i}",
                    responsible="Bo" if who else "",
                    due=date(2026, 4, 1) if when else None,
                    status=status,
                )
                for i, (who, when, status) in enumerate(actions)
            ),
            "follow_up_on": date(2026, 6, 1) if follow_up_on else None,
            "follow_up_by": "Fia" if follow_up_by else "",
        }
    )
    open_actions = [a for a in actions if a[2] in ("planned", "ongoing")]
    expected = (
        measures.count(False)
        + (not follow_up_on)
        + (not follow_up_by)
        + sum(not who for who, _when, _s in open_actions)
        + sum(not when for _who, when, _s in open_actions)
    )
    assert len(plan_advice(content)) == expected


def marked(message: str) -> str:
    """A stand-in translation catalogue that marks every message it translates."""
    return f"⟦{message}⟧"


EVERYTHING_CHANGED = PlanContent(
    long_term_goal="Arbeta",
    goals=(Goal(id="g1", text="Laga mat", measure="Varje dag"), Goal(id="g2", text="Gå ut")),
    needs=("Städning",),
    actions=(
        action(
            organisation="Vårdcentralen",
            organisation_kind="region",
            responsible="Ann",
            due=date(2026, 5, 1),
            what="Hemsjukvård",
            status=ActionStatus.ONGOING,
        ),
        action(id="a2", due=date(2026, 5, 1)),
        action(id="a3", organisation=""),
    ),
    lead_organisation="Kommunen",
    follow_up_on=None,
    follow_up_by="Bo Berg",
)


@settings(deadline=None)
@example(old=None, new=BASE)
@example(old=BASE, new=EVERYTHING_CHANGED)
@example(old=EVERYTHING_CHANGED, new=BASE)
@given(old=plans, new=plans)
def test_every_sentence_of_a_difference_is_translated(old, new) -> None:
    """Staff read the differences in their language: each sentence is one translated message
    (its values filled in), not Swedish built in code."""
    with (
        mock.patch("samplan.sip.plan._", marked),
        mock.patch("samplan.core.content._", marked),
    ):
        changes = plan_diff(old, new)
    for change in changes:
        assert change.text[0] + change.text[-1] == "⟦⟧", change.text
