"""The planning colour from the planeringsunderlag (SPEC §3.3) under each agreement's model:
Gävleborg's four colours (blå/grön/gul/röd) and Storstad's five (grå/blå/grön/gul/röd, röd
locked). Pure rules: no database."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from samplan.agreements.loader import get_agreement, version_in_force
from samplan.discharge.rules import (
    MEETING_PLACES,
    STOCKHOLM,
    AgreementVersion,
    Answer,
    AnswerError,
    ColourCode,
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

GAVLEBORG: AgreementVersion = version_in_force(
    get_agreement("gavleborg"), datetime(2025, 1, 1, tzinfo=STOCKHOLM)
)
STORSTAD: AgreementVersion = version_in_force(
    get_agreement("storstad"), datetime(2025, 1, 1, tzinfo=STOCKHOLM)
)
BOTH = pytest.mark.parametrize("agreement", [GAVLEBORG, STORSTAD], ids=lambda a: a.county_key)

# Nothing needed, nothing before, same home: the baseline of the answer sets below.
BASE: dict[str, Answer] = {
    "insatser_fore": "no",
    "kommunal_hsv": "no",
    "oppen_vard": "no",
    "nya_insatser": "no",
    "omfattande": "no",
    "befintlig_sip": "no",
    "boende": "samma",
}


def answers(**changes: Answer) -> dict[str, Answer]:
    return {**BASE, **changes}


# --- Representative answer sets ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("given_answers", "gavleborg", "storstad"),
    [
        # No municipal insatser before, no municipal health care after: Storstad's grå.
        pytest.param(answers(), "bla", "gra", id="nothing"),
        pytest.param(answers(oppen_vard="yes"), "gron", "gra", id="only-outpatient"),
        # Social services before, no region or municipal health care after: blå in both.
        pytest.param(answers(insatser_fore="yes"), "bla", "bla", id="only-social-services"),
        # Unchanged insatser from several parties: grön.
        pytest.param(
            answers(insatser_fore="yes", kommunal_hsv="yes"), "gron", "gron", id="unchanged"
        ),
        pytest.param(
            answers(insatser_fore="yes", oppen_vard="yes", befintlig_sip="yes"), "gron", "gron",
            id="unchanged-with-sip",
        ),
        # New or changed insatser: gul.
        pytest.param(
            answers(insatser_fore="yes", kommunal_hsv="yes", nya_insatser="yes"), "gul", "gul",
            id="new-insatser",
        ),
        pytest.param(answers(nya_insatser=True), "gul", "gul", id="new-insatser-bool"),
        pytest.param(answers(boende="korttid"), "gul", "gul", id="short-term-place"),
        # A new special housing place: röd in Gävleborg, gul in Storstad.
        pytest.param(answers(boende="nytt_sarskilt_boende"), "rod", "gul", id="new-housing"),
        # Extensive needs: röd everywhere, whatever else is answered.
        pytest.param(answers(omfattande="yes"), "rod", "rod", id="extensive"),
        pytest.param(
            {**{k: "yes" for k in BASE if k != "boende"}, "boende": "korttid"}, "rod", "rod",
            id="everything-yes",
        ),
    ],
)  # fmt: skip
def test_representative_answers(
    given_answers: dict[str, Answer], gavleborg: ColourCode, storstad: ColourCode
) -> None:
    assert assess_colour(given_answers, GAVLEBORG) == gavleborg
    assert assess_colour(given_answers, STORSTAD) == storstad
    # The planning model alone will do too.
    assert assess_colour(given_answers, GAVLEBORG.planning) == gavleborg


def gavleborg_colour(a: Mapping[str, str]) -> ColourCode:
    """SPEC §3.3 as the Gävleborg file words it."""
    if a["omfattande"] == "yes" or a["boende"] == "nytt_sarskilt_boende":
        return "rod"  # extensive and/or new changed insatser
    if a["nya_insatser"] == "yes" or a["boende"] == "korttid":
        return "gul"  # new or changed insatser
    if a["kommunal_hsv"] == "no" and a["oppen_vard"] == "no":
        return "bla"  # only social services: no coordination need
    return "gron"  # unchanged


def storstad_colour(a: Mapping[str, str]) -> ColourCode:
    if a["omfattande"] == "yes":
        return "rod"
    if a["nya_insatser"] == "yes" or a["boende"] in ("korttid", "nytt_sarskilt_boende"):
        return "gul"
    if a["insatser_fore"] == "no" and a["kommunal_hsv"] == "no":
        return "gra"
    if a["kommunal_hsv"] == "no" and a["oppen_vard"] == "no":
        return "bla"
    return "gron"


def answer_sets(agreement: AgreementVersion) -> st.SearchStrategy[dict[str, str]]:
    return st.fixed_dictionaries(
        {q.id: st.sampled_from([v for v, _ in q.choices]) for q in planning_questions(agreement)}
    )


@settings(max_examples=100)
@given(given_answers=answer_sets(GAVLEBORG))
def test_gavleborg_every_answer_set(given_answers: dict[str, str]) -> None:
    colour = assess_colour(given_answers, GAVLEBORG)
    assert colour == gavleborg_colour(given_answers)
    assert colour in ("bla", "gron", "gul", "rod")
    # An existing SIP decides whether to establish or follow up, never the colour.
    flipped = {
        **given_answers,
        "befintlig_sip": "no" if given_answers["befintlig_sip"] == "yes" else "yes",
    }
    assert assess_colour(flipped, GAVLEBORG) == colour
    # True/False are yes/no.
    as_bools: dict[str, Answer] = {
        k: (v == "yes") if v in ("yes", "no") else v for k, v in given_answers.items()
    }
    assert assess_colour(as_bools, GAVLEBORG) == colour


@settings(max_examples=100)
@given(given_answers=answer_sets(STORSTAD))
def test_storstad_every_answer_set(given_answers: dict[str, str]) -> None:
    colour = assess_colour(given_answers, STORSTAD)
    assert colour == storstad_colour(given_answers)
    assert colour in STORSTAD.planning.codes


# --- Bad answers ------------------------------------------------------------------------------


@BOTH
@pytest.mark.parametrize(
    ("given_answers", "message"),
    [
        pytest.param({}, "obesvarade frågor: insatser_fore, kommunal_hsv, oppen_vard, "
                         "nya_insatser, omfattande, befintlig_sip, boende", id="empty"),
        pytest.param({k: v for k, v in BASE.items() if k != "boende"},
                     "obesvarade frågor: boende", id="missing"),
        pytest.param(answers(hemtjanst="yes"), "okända frågor: hemtjanst", id="unknown-question"),
        pytest.param({**answers(zz="no"), "aa": "no"}, "okända frågor: aa, zz", id="two-unknown"),
        pytest.param(answers(boende="hotell"), "boende: ogiltigt svar 'hotell'", id="bad-option"),
        pytest.param(answers(omfattande="kanske"), "omfattande: ogiltigt svar 'kanske'",
                     id="bad-yes-no"),
        pytest.param(answers(omfattande="Ja"), "omfattande: ogiltigt svar 'Ja'", id="label"),
        pytest.param(answers(boende=True), "boende: välj ett av svarsalternativen",
                     id="bool-for-choice"),
    ],
)  # fmt: skip
def test_missing_and_unknown_answers_are_refused(
    agreement: AgreementVersion, given_answers: dict[str, Answer], message: str
) -> None:
    with pytest.raises(AnswerError) as caught:
        assess_colour(given_answers, agreement)
    assert str(caught.value) == message
    assert isinstance(caught.value, ValueError)


# --- Override and locked colours --------------------------------------------------------------


def test_the_fvk_override_wins_over_the_computed_colour() -> None:
    for computed in ("bla", "gron", "gul", "rod", None):
        for override in ("bla", "gron", "gul", "rod"):
            assert effective_colour(computed, override, None, GAVLEBORG) == override
            # Gävleborg locks nothing: a previous colour never holds.
            assert effective_colour(computed, override, "rod", GAVLEBORG) == override
        assert effective_colour(computed, None, None, GAVLEBORG) == computed


@pytest.mark.parametrize(
    ("computed", "override", "previous", "expected"),
    [
        # A locked röd is never lowered, neither by a new assessment nor by the FVK.
        ("gul", None, "rod", "rod"),
        ("gra", None, "rod", "rod"),
        (None, None, "rod", "rod"),
        ("gul", "gron", "rod", "rod"),
        ("rod", "bla", "rod", "rod"),
        ("bla", "rod", "rod", "rod"),
        # Unlocked previous colours do not hold.
        ("gra", None, "gul", "gra"),
        ("gul", "gra", "gul", "gra"),
        (None, None, "gul", None),
        # Raising is always possible.
        ("rod", None, "gul", "rod"),
        ("gul", "rod", "gra", "rod"),
    ],
)
def test_storstad_locked_colour_is_never_lowered(
    computed: ColourCode | None,
    override: ColourCode | None,
    previous: ColourCode | None,
    expected: ColourCode | None,
) -> None:
    assert effective_colour(computed, override, previous, STORSTAD) == expected


@BOTH
def test_unknown_colours_are_refused(agreement: AgreementVersion) -> None:
    unknown: list[tuple[ColourCode | None, ColourCode | None, ColourCode | None]] = [
        ("lila", None, None),
        (None, "lila", None),
        (None, None, "lila"),
    ]
    for computed, override, previous in unknown:
        with pytest.raises(ValueError, match="okänd färg 'lila'"):
            effective_colour(computed, override, previous, agreement)
    if "gra" not in agreement.planning.codes:
        with pytest.raises(ValueError, match="okänd färg 'gra'"):
            effective_colour("gra", None, None, agreement)


def test_current_colour_gavleborg() -> None:
    assert current_colour(ColourFacts(), GAVLEBORG) is None
    # A newer planeringsunderlag supersedes the older one, downwards too.
    assert current_colour(ColourFacts(assessed=["rod", "gron"]), GAVLEBORG) == "gron"
    # The FVK's judgement wins; the latest override counts.
    assert current_colour(ColourFacts(assessed=["rod"], overrides=["gron"]), GAVLEBORG) == "gron"
    assert current_colour(ColourFacts(assessed=["bla"], overrides=["rod", "gul"]), GAVLEBORG) == (
        "gul"
    )
    assert current_colour(ColourFacts(overrides=["bla"]), GAVLEBORG) == "bla"


def test_current_colour_storstad_keeps_a_reached_red() -> None:
    assert current_colour(ColourFacts(assessed=["gra", "gul"]), STORSTAD) == "gul"
    assert current_colour(ColourFacts(assessed=["rod", "gul"]), STORSTAD) == "rod"
    assert current_colour(ColourFacts(assessed=["rod"], overrides=["gron"]), STORSTAD) == "rod"
    assert current_colour(ColourFacts(assessed=["gul"], overrides=["rod"]), STORSTAD) == "rod"
    assert current_colour(
        ColourFacts(assessed=["gul", "gra"], overrides=["rod", "bla"]), STORSTAD
    ) == ("rod")
    # Below the lock the override still wins.
    assert current_colour(ColourFacts(assessed=["gul"], overrides=["gra"]), STORSTAD) == "gra"


COLOUR_HISTORY = st.lists(st.sampled_from(STORSTAD.planning.codes), max_size=5)


@settings(max_examples=100)
@given(assessed=COLOUR_HISTORY, overrides=COLOUR_HISTORY)
def test_once_red_always_red_in_storstad_but_not_in_gavleborg(
    assessed: list[ColourCode], overrides: list[ColourCode]
) -> None:
    facts = ColourFacts(assessed=assessed, overrides=overrides)
    now = current_colour(facts, STORSTAD)
    latest = overrides[-1] if overrides else assessed[-1] if assessed else None
    if "rod" in assessed or "rod" in overrides:
        assert now == "rod"
    else:
        assert now == latest
    in_gavleborg = [c for c in (*assessed, *overrides) if c in GAVLEBORG.planning.codes]
    if len(in_gavleborg) == len(assessed) + len(overrides):
        assert current_colour(facts, GAVLEBORG) == latest


# --- What the UI shows ------------------------------------------------------------------------


def test_colour_view_gavleborg() -> None:
    assert colour_view(ColourFacts(), GAVLEBORG) == (None, False)
    view, overridden = colour_view(ColourFacts(assessed=["gul"]), GAVLEBORG)
    assert overridden is False
    assert view == ColourView(
        code="gul",
        label="Gul",
        hex="#f5c400",
        text_colour="#1b1f24",
        meaning="Nya eller förändrade insatser, med eller utan befintlig SIP.",
        guidance="Upprätta eller följ upp SIP nära hemgången.",
        meeting_timing="SIP-möte inom 1–6 dagar efter hemgången.",
        locked=False,
    )
    view, overridden = colour_view(ColourFacts(assessed=["gul"], overrides=["rod"]), GAVLEBORG)
    assert view is not None
    assert (view.code, view.label, view.hex, overridden) == ("rod", "Röd", "#b3261e", True)
    assert view.guidance.startswith("Starta SIP-processen direkt")


def test_colour_view_storstad() -> None:
    view, overridden = colour_view(ColourFacts(assessed=["gra"]), STORSTAD)
    assert view is not None
    assert (view.code, view.label, view.locked, overridden) == ("gra", "Grå", False, False)
    assert view.guidance == "Ingen SIP behövs."
    # The FVK tried to lower a locked röd: röd is shown, and it is not the override.
    view, overridden = colour_view(ColourFacts(assessed=["rod"], overrides=["gul"]), STORSTAD)
    assert view is not None
    assert (view.code, view.locked, overridden) == ("rod", True, False)
    view, overridden = colour_view(ColourFacts(assessed=["gul"], overrides=["rod"]), STORSTAD)
    assert view is not None
    assert (view.code, view.locked, overridden) == ("rod", True, True)


@BOTH
def test_every_colour_can_be_viewed(agreement: AgreementVersion) -> None:
    for colour in agreement.planning.colours:
        view, _ = colour_view(ColourFacts(assessed=[colour.code]), agreement)
        assert view is not None
        assert (view.code, view.label, view.hex, view.text_colour) == (
            colour.code,
            colour.label,
            colour.hex,
            colour.text_colour,
        )
        assert (view.meaning, view.guidance, view.meeting_timing) == (
            colour.meaning,
            colour.sip_guidance,
            colour.meeting_timing,
        )


# --- Model helpers ----------------------------------------------------------------------------


def test_codes_choices_and_locks() -> None:
    assert colour_codes(GAVLEBORG) == ("bla", "gron", "gul", "rod")
    assert colour_codes(STORSTAD) == ("gra", "bla", "gron", "gul", "rod")
    assert colour_choices(GAVLEBORG) == [
        ("bla", "Blå"),
        ("gron", "Grön"),
        ("gul", "Gul"),
        ("rod", "Röd"),
    ]
    assert colour_choices(STORSTAD)[0] == ("gra", "Grå")
    assert [is_locked(c, STORSTAD) for c in colour_codes(STORSTAD)] == [False] * 4 + [True]
    assert not any(is_locked(c, GAVLEBORG) for c in colour_codes(GAVLEBORG))
    assert is_locked("rod", STORSTAD.planning)


@BOTH
def test_questions_checklist_and_meeting_places(agreement: AgreementVersion) -> None:
    questions = planning_questions(agreement)
    assert [q.id for q in questions] == list(BASE)
    boende = next(q for q in questions if q.id == "boende")
    assert [v for v, _ in boende.choices] == ["samma", "korttid", "nytt_sarskilt_boende"]
    yes_no = next(q for q in questions if q.id == "omfattande")
    assert yes_no.choices == [("yes", "Ja"), ("no", "Nej")]
    items = home_ready_items(agreement)
    assert next(iter(items)) == "utskrivningsklar"
    assert items["hjalpmedel"] == "Hjälpmedel finns på plats"
    assert set(MEETING_PLACES) == {"home", "hospital", "unit", "video"}
    assert MEETING_PLACES["video"] == "Videomöte"
