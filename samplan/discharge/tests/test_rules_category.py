"""Planning category A–E from the recorded needs and what each category requires (SPEC §3.1).

Pure rules: no database."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from samplan.agreements.loader import get_agreement, version_in_force
from samplan.discharge.rules import (
    STOCKHOLM,
    AgreementVersion,
    CaseFacts,
    Needs,
    PlanningCategory,
    StepRule,
    UnitKind,
    category_requirements,
    derive_planning_category,
)

GAVLEBORG: AgreementVersion = version_in_force(
    get_agreement("gavleborg"), datetime(2025, 1, 1, tzinfo=STOCKHOLM)
)
STORSTAD: AgreementVersion = version_in_force(
    get_agreement("storstad"), datetime(2025, 1, 1, tzinfo=STOCKHOLM)
)

Cat = PlanningCategory
R, P, IF_SENT, N = (
    StepRule.REQUIRED,
    StepRule.PHYSICIAN_DECIDES,
    StepRule.IF_ADMISSION_NOTICE_SENT,
    StepRule.NOT_REQUIRED,
)
OUTPATIENT = {UnitKind.PRIMARY_CARE, UnitKind.SPECIALIST_OUTPATIENT}
SOCIAL = {UnitKind.SOCIAL_SERVICES}
HOME_HEALTH = {UnitKind.MUNICIPAL_HEALTH_CARE}


# --- SPEC §3.1, row by row --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("needs", "category", "admission", "notified", "fvk", "sip", "ready", "payment"),
    [
        pytest.param(Needs(), Cat.A, N, set(), False, False, N, False, id="A"),
        pytest.param(
            Needs(regional_outpatient=True), Cat.B, P, OUTPATIENT, False, False, IF_SENT, False,
            id="B",
        ),
        pytest.param(Needs(social_services=True), Cat.C, R, SOCIAL, False, False, R, True, id="C"),
        pytest.param(
            Needs(municipal_health_care=True), Cat.D, R, HOME_HEALTH | OUTPATIENT, True, True, R,
            True, id="D",
        ),
        pytest.param(
            Needs(regional_outpatient=True, social_services=True), Cat.B_C, R, OUTPATIENT | SOCIAL,
            True, True, R, True, id="B+C",
        ),
        pytest.param(
            Needs(social_services=True, municipal_health_care=True), Cat.C_D, R,
            SOCIAL | HOME_HEALTH | OUTPATIENT, True, True, R, True, id="C+D",
        ),
        pytest.param(
            Needs(special_housing_or_health_care_in_social_services=True), Cat.E, R,
            SOCIAL | HOME_HEALTH | OUTPATIENT, True, True, R, True, id="E",
        ),
    ],
)  # fmt: skip
def test_spec_table(
    needs: Needs,
    category: PlanningCategory,
    admission: StepRule,
    notified: set[UnitKind],
    fvk: bool,
    sip: bool,
    ready: StepRule,
    payment: bool,
) -> None:
    assert derive_planning_category(needs) is category
    # Without an agreement the law's table decides; the shipped Gävleborg agreement agrees.
    for requirements in (
        category_requirements(category),
        category_requirements(category, GAVLEBORG),
    ):
        assert requirements.category is category
        assert requirements.admission_notice is admission
        assert set(requirements.notified_unit_kinds) == notified
        assert len(requirements.notified_unit_kinds) == len(notified)  # no duplicates
        assert requirements.appoint_fvk is fvk
        assert requirements.sip_required is sip
        assert requirements.ready_notice is ready
        assert requirements.payment_liability_possible is payment
        assert requirements.reasons


# --- Every combination of needs ---------------------------------------------------------------

_OUT, _SOC, _HSV = "outpatient", "social", "home_health"
SPEC_CATEGORY_BY_NEEDS: dict[frozenset[str], PlanningCategory] = {
    frozenset(): Cat.A,
    frozenset({_OUT}): Cat.B,
    frozenset({_SOC}): Cat.C,
    frozenset({_HSV}): Cat.D,
    # Municipal health care always involves regional outpatient care (2:1): still D.
    frozenset({_OUT, _HSV}): Cat.D,
    frozenset({_OUT, _SOC}): Cat.B_C,
    frozenset({_SOC, _HSV}): Cat.C_D,
    frozenset({_OUT, _SOC, _HSV}): Cat.C_D,
}
"""The SPEC §3.1 category by the kinds of insatser needed, when E (special housing) is not."""


def spec_category(needs: Needs) -> PlanningCategory:
    if needs.special_housing_or_health_care_in_social_services:
        return Cat.E  # social services incl. municipal health care: covers everything else
    kinds = {
        kind
        for kind, needed in (
            (_OUT, needs.regional_outpatient),
            (_SOC, needs.social_services),
            (_HSV, needs.municipal_health_care),
        )
        if needed
    }
    return SPEC_CATEGORY_BY_NEEDS[frozenset(kinds)]


NEEDS = st.builds(
    Needs,
    regional_outpatient=st.booleans(),
    social_services=st.booleans(),
    municipal_health_care=st.booleans(),
    special_housing_or_health_care_in_social_services=st.booleans(),
)


@settings(max_examples=60)
@given(needs=NEEDS)
def test_every_combination_of_needs_maps_to_the_spec_category(needs: Needs) -> None:
    assert derive_planning_category(needs) is spec_category(needs)


def test_all_sixteen_combinations_cover_every_category() -> None:
    flags = [(a, b, c, d) for a in (0, 1) for b in (0, 1) for c in (0, 1) for d in (0, 1)]
    seen = {derive_planning_category(Needs(*map(bool, f))) for f in flags}
    assert seen == set(PlanningCategory)


@settings(max_examples=60)
@given(needs=NEEDS)
def test_reasons_cite_the_law_for_each_required_step(needs: Needs) -> None:
    category = derive_planning_category(needs)
    requirements = category_requirements(category, GAVLEBORG)
    text = " ".join(requirements.reasons)
    assert all(r.startswith(f"Kategori {category.value}") for r in requirements.reasons)
    if category is Cat.A:
        assert requirements.reasons == (
            "Kategori A: patienten behöver inga insatser efter utskrivningen och omfattas inte av "
            "lagen (1 kap. 1 §) – inga meddelanden skickas.",
        )
        return
    assert "inskrivningsmeddelande" in text
    if requirements.admission_notice is StepRule.REQUIRED:
        assert "inom 24 timmar (2 kap. 1–3 §§)" in text
    else:
        assert "om läkaren bedömer att det behövs (2 kap. 1 §)" in text
    assert "utskrivningsklar" in text
    assert "(3 kap. 1 §)" in text
    assert ("fast vårdkontakt" in text and "(2 kap. 5 §)" in text) is requirements.appoint_fvk
    assert ("SIP ska upprättas (4 kap. 1 §)" in text) is requirements.sip_required
    assert ("betalningsansvar" in text and "(5 kap.)" in text) is (
        requirements.payment_liability_possible
    )


# --- The agreement decides who is notified ----------------------------------------------------


@pytest.mark.parametrize("category", list(PlanningCategory))
def test_notified_unit_kinds_come_from_the_agreement(category: PlanningCategory) -> None:
    for agreement in (GAVLEBORG, STORSTAD):
        assert (
            category_requirements(category, agreement).notified_unit_kinds
            == agreement.notice_recipients[category]
        )


def test_storstad_also_notifies_the_vardcentral_in_category_c() -> None:
    gavleborg = category_requirements(Cat.C, GAVLEBORG)
    storstad = category_requirements(Cat.C, STORSTAD)
    assert gavleborg.notified_unit_kinds == (UnitKind.SOCIAL_SERVICES,)
    assert storstad.notified_unit_kinds == (UnitKind.PRIMARY_CARE, UnitKind.SOCIAL_SERVICES)
    # Only the recipients differ; what the law requires does not.
    assert replace(storstad, notified_unit_kinds=gavleborg.notified_unit_kinds) == gavleborg


@pytest.mark.parametrize("category", list(PlanningCategory))
def test_the_law_never_notifies_the_ward_itself(category: PlanningCategory) -> None:
    for agreement in (None, GAVLEBORG, STORSTAD):
        kinds = category_requirements(category, agreement).notified_unit_kinds
        assert UnitKind.INPATIENT_WARD not in kinds


# --- The category follows the facts -----------------------------------------------------------


def test_category_unknown_until_arrival_conversation_then_follows_needs() -> None:
    facts = CaseFacts(
        agreement_version_id=GAVLEBORG.version_id,
        admitted_at=datetime(2025, 3, 10, 8, 0, tzinfo=STOCKHOLM),
    )
    assert facts.category is None
    facts = replace(facts, needs=Needs(regional_outpatient=True))
    assert facts.category is Cat.B
    facts = replace(facts, needs=replace(facts.needs or Needs(), social_services=True))
    assert facts.category is Cat.B_C
    facts = replace(
        facts,
        needs=replace(
            facts.needs or Needs(), special_housing_or_health_care_in_social_services=True
        ),
    )
    assert facts.category is Cat.E


# --- The reasons say the agreement's deadline, not a fixed one --------------------------------


@pytest.mark.parametrize(
    ("duration", "words"),
    [
        ({"amount": 24, "unit": "hours"}, "inom 24 timmar"),
        ({"amount": 12, "unit": "hours"}, "inom 12 timmar"),
        ({"amount": 1, "unit": "hours"}, "inom 1 timme"),
        ({"amount": 1, "unit": "working_days", "at_end_of_day": True}, "inom 1 arbetsdag"),
        ({"amount": 2, "unit": "working_days", "at_end_of_day": True}, "inom 2 arbetsdagar"),
        ({"amount": 0, "unit": "calendar_days", "at_end_of_day": True}, "samma dag"),
    ],
)
def test_the_reason_for_the_admission_notice_names_the_agreements_deadline(
    duration: dict[str, object], words: str
) -> None:
    content = GAVLEBORG.model_dump(mode="json")
    content["deadlines"]["admission_notice"] = duration
    agreement = AgreementVersion.model_validate(content)
    reasons = category_requirements(Cat.E, agreement).reasons
    assert f"inskrivningsmeddelande ska skickas {words} (2 kap. 1–3 §§)." in reasons[0]
    # Without an agreement, the law's 24 hours.
    assert "inom 24 timmar" in category_requirements(Cat.E).reasons[0]
