"""The SVPL's content: validation, ids, what is missing before justering, and the readable
difference between versions."""

from __future__ import annotations

import itertools
from datetime import date
from unittest import mock

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from samplan.psychiatry.plan import (
    Insats,
    Need,
    OtherAction,
    SvplContent,
    svpl_diff,
    svpl_problems,
    with_ids,
)

NEED = Need(id="n1", text="Stöd i vardagen")
INSATS = Insats(
    id="i1",
    what="Boendestöd",
    decision="Beviljat",
    unit_id=7,
    responsible_unit="Biståndsenheten",
    responsible_person="Bo",
    patient_view="Bra",
    need_ids=("n1",),
)
OTHER = OtherAction(id="o1", who="God man", what="Betalar räkningar")
COMPLETE = SvplContent(
    needs=(NEED,),
    insatser=(INSATS,),
    patient_view="Jag vill bo hemma.",
    other_actions=(OTHER,),
    chief_physician="Cecilia C",
    applies_from=date(2026, 3, 2),
)


def test_a_complete_plan_lacks_nothing() -> None:
    assert svpl_problems(COMPLETE) == []


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        ({"needs": ()}, "Planen har inga bedömda behov."),
        ({"insatser": ()}, "Planen har inga insatser."),
        ({"patient_view": ""}, "Patientens synpunkter på planen saknas"),
        ({"chief_physician": ""}, "Chefsöverläkaren som har skrivit planen saknas."),
        ({"applies_from": None}, "Datum då planen börjar gälla saknas."),
        (
            {"insatser": (INSATS.model_copy(update={"decision": ""}),)},
            "Insatsen ”Boendestöd” saknar beslut.",
        ),
        (
            {"insatser": (INSATS.model_copy(update={"responsible_unit": ""}),)},
            "Insatsen ”Boendestöd” saknar ansvarig enhet.",
        ),
    ],
)
def test_each_missing_part_is_named(change: dict, problem: str) -> None:
    problems = svpl_problems(COMPLETE.model_copy(update=change))
    assert len(problems) == 1
    assert problems[0].startswith(problem)


def test_the_empty_plan_lacks_every_part() -> None:
    assert len(svpl_problems(SvplContent())) == 5


def test_others_actions_and_the_patients_view_of_an_insats_are_optional() -> None:
    plan = COMPLETE.model_copy(
        update={"other_actions": (), "insatser": (INSATS.model_copy(update={"patient_view": ""}),)}
    )
    assert svpl_problems(plan) == []


def test_ids_must_be_unique_and_links_must_point_at_needs() -> None:
    with pytest.raises(ValidationError, match="samma id"):
        SvplContent(needs=(NEED, NEED))
    with pytest.raises(ValidationError, match="samma id"):
        SvplContent(insatser=(INSATS, INSATS), needs=(NEED,))
    with pytest.raises(ValidationError, match="okänt behov"):
        SvplContent(insatser=(INSATS,))
    with pytest.raises(ValidationError):
        SvplContent.model_validate({"needs": [{"text": ""}]})
    with pytest.raises(ValidationError):
        SvplContent.model_validate({"unknown": 1})
    with pytest.raises(ValidationError):
        SvplContent.model_validate({"needs": [{"id": "bad id!", "text": "x"}]})


def test_with_ids_gives_new_items_an_id_and_keeps_existing_ones() -> None:
    counter = itertools.count(1)
    plan = SvplContent(
        needs=(Need(text="a"), NEED),
        insatser=(Insats(what="b"),),
        other_actions=(OtherAction(who="c", what="d"),),
    )
    filled = with_ids(plan, lambda: f"x{next(counter)}")
    assert [n.id for n in filled.needs] == ["x1", "n1"]
    assert filled.insatser[0].id == "x2"
    assert filled.other_actions[0].id == "x3"


def test_round_trip_through_json() -> None:
    assert SvplContent.model_validate(COMPLETE.as_json()) == COMPLETE


# --- Differences ------------------------------------------------------------------------------


def kinds(old: SvplContent | None, new: SvplContent) -> list[str]:
    return [c.kind for c in svpl_diff(old, new)]


def test_a_first_version_lists_everything_as_added() -> None:
    texts = [c.text for c in svpl_diff(None, COMPLETE)]
    assert "Behov tillagt: ”Stöd i vardagen”." in texts
    assert "Insats tillagd: ”Boendestöd” (Biståndsenheten, Bo)." in texts
    assert "Åtgärd av annan aktör tillagd: God man: ”Betalar räkningar”." in texts
    assert kinds(None, COMPLETE) == [
        "need_added",
        "insats_added",
        "patient_view",
        "other_added",
        "chief_physician",
        "applies_from",
    ]


@pytest.mark.parametrize(
    ("update", "kind", "text"),
    [
        ({"what": "Boendestöd i hemmet"}, "insats_what", "Insatsen ”Boendestöd” ändrad till"),
        ({"decision": "Avslag"}, "insats_decision", "Beslut om ”Boendestöd” ändrat från"),
        ({"responsible_unit": "Hemtjänsten"}, "insats_unit", "Ansvarig enhet för ”Boendestöd”"),
        ({"responsible_person": "Eva"}, "insats_person", "Ansvarig person för ”Boendestöd”"),
        ({"patient_view": "Nej tack"}, "insats_view", "Patientens syn på ”Boendestöd” ändrad"),
    ],
)
def test_each_change_of_an_insats_reads_as_a_change(update: dict, kind: str, text: str) -> None:
    new = COMPLETE.model_copy(update={"insatser": (INSATS.model_copy(update=update),)})
    changes = svpl_diff(COMPLETE, new)
    assert [c.kind for c in changes] == [kind]
    assert changes[0].text.startswith(text)


def test_removed_and_changed_needs_and_other_actions() -> None:
    new = COMPLETE.model_copy(
        update={
            "needs": (NEED.model_copy(update={"text": "Stöd med boendet"}),),
            "other_actions": (),
            "insatser": (INSATS.model_copy(update={"need_ids": ("n1",)}),),
        }
    )
    assert kinds(COMPLETE, new) == ["need_changed", "other_removed"]
    gone = COMPLETE.model_copy(update={"needs": (), "insatser": ()})
    assert kinds(COMPLETE, gone) == ["need_removed", "insats_removed"]
    other = COMPLETE.model_copy(
        update={"other_actions": (OTHER.model_copy(update={"who": "Förvaltare"}),)}
    )
    assert kinds(COMPLETE, other) == ["other_changed"]


def test_plan_level_changes() -> None:
    new = COMPLETE.model_copy(
        update={
            "patient_view": "Jag vill flytta.",
            "chief_physician": "Anna A",
            "applies_from": date(2026, 3, 9),
        }
    )
    texts = [c.text for c in svpl_diff(COMPLETE, new)]
    assert texts == [
        "Patientens synpunkter på planen ändrade från ”Jag vill bo hemma.” "
        "till ”Jag vill flytta.”.",
        "Chefsöverläkare ändrad från ”Cecilia C” till ”Anna A”.",
        "Planen gäller från 2026-03-09 (tidigare 2026-03-02).",
    ]


def test_items_without_ids_are_new_each_time() -> None:
    plan = SvplContent(needs=(Need(text="a"),))
    assert kinds(plan, plan) == ["need_added", "need_removed"]


texts = st.text(alphabet="abcåäö ", min_size=1, max_size=8).map(str.strip).filter(bool)
needs = st.lists(texts, max_size=4, unique=True).map(
    lambda xs: tuple(Need(id=f"n{i}", text=t) for i, t in enumerate(xs))
)
plans = st.builds(
    lambda ns, view, doc: SvplContent(needs=ns, patient_view=view, chief_physician=doc),
    needs,
    st.text(max_size=10).map(str.strip),
    st.text(max_size=10).map(str.strip),
)


@given(plans)
def test_a_plan_does_not_differ_from_itself(plan: SvplContent) -> None:
    assert svpl_diff(plan, plan) == []


@given(plans, plans)
def test_there_is_a_difference_exactly_when_the_plans_differ(
    a: SvplContent, b: SvplContent
) -> None:
    assert bool(svpl_diff(a, b)) == (a != b)


def test_every_sentence_of_a_difference_is_translated() -> None:
    """Staff read the differences in their language: each sentence is one translated message
    (its values filled in), not Swedish built in code."""
    everything_else = SvplContent(
        needs=(Need(id="n1", text="Annat behov"), Need(id="n2", text="Nytt")),
        insatser=(
            Insats(
                id="i1",
                what="Annan insats",
                decision="Avslag",
                responsible_unit="Annan enhet",
                responsible_person="Annan",
                patient_view="Annat",
            ),
            Insats(id="i9", what="Ny insats"),
        ),
        other_actions=(
            OtherAction(id="o1", who="Annan", what="Annat"),
            OtherAction(id="o9", who="Skolan", what="Stöd"),
        ),
        patient_view="Nytt",
        chief_physician="Annan läkare",
        applies_from=date(2030, 1, 1),
    )

    def marked(message: str) -> str:
        return f"⟦{message}⟧"

    with (
        mock.patch("samplan.psychiatry.plan._", marked),
        mock.patch("samplan.core.content._", marked),
    ):
        changes = [*svpl_diff(COMPLETE, everything_else), *svpl_diff(everything_else, COMPLETE)]
    assert len({c.kind for c in changes}) >= 12
    for change in changes:
        assert change.text[0] + change.text[-1] == "⟦⟧", change.text
