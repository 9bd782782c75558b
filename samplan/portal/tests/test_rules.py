"""The pure rules of Min plan: what a portal scope allows, and when an authority is in force."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from samplan.people.models import AuthorityKind, PortalScope
from samplan.portal import rules
from samplan.portal.rules import PortalAction

V, P, C = PortalAction.VIEW, PortalAction.PARTICIPATE, PortalAction.CONSENT


def test_the_rules_use_the_models_values() -> None:
    assert AuthorityKind.GUARDIAN.value == rules.GUARDIAN
    assert set(rules.SCOPE_ACTIONS) == set(PortalScope.values)
    assert PortalScope.NONE.value == rules.SCOPE_NONE
    assert PortalScope.FULL.value == rules.SCOPE_FULL


@pytest.mark.parametrize(
    ("scope", "allowed"),
    [
        ("none", set()),
        ("read", {V}),
        ("participate", {V, P}),
        ("full", {V, P, C}),
        ("unknown", set()),
        ("", set()),
    ],
)
def test_each_scope_allows_exactly_its_actions(scope: str, allowed: set) -> None:
    assert {a for a in PortalAction if rules.scope_allows(scope, a)} == allowed


def test_coming_of_age() -> None:
    assert rules.coming_of_age(date(2008, 5, 17)) == date(2026, 5, 17)
    assert rules.coming_of_age(date(2008, 2, 29)) == date(2026, 3, 1)
    assert rules.coming_of_age(date(2006, 2, 28)) == date(2024, 2, 28)


DAY = date(2026, 6, 15)


@pytest.mark.parametrize(
    ("fields", "in_force"),
    [
        ({}, True),
        ({"valid_from": DAY}, True),
        ({"valid_from": DAY + timedelta(days=1)}, False),
        ({"valid_until": DAY}, True),
        ({"valid_until": DAY - timedelta(days=1)}, False),
        ({"withdrawn": True}, False),
        ({"kind": "guardian", "person_birth_date": date(2008, 6, 16)}, True),  # 17 today
        ({"kind": "guardian", "person_birth_date": date(2008, 6, 15)}, False),  # 18 today
        ({"kind": "trustee", "person_birth_date": date(2008, 6, 15)}, True),
    ],
)
def test_authority_in_force_on_the_day(fields: dict, in_force: bool) -> None:
    arguments = {
        "kind": "power_of_attorney",
        "valid_from": DAY - timedelta(days=100),
        "valid_until": None,
        "withdrawn": False,
        "person_birth_date": date(1950, 1, 1),
        "today": DAY,
        **fields,
    }
    assert rules.authority_in_force(**arguments) is in_force


dates = st.dates(min_value=date(1990, 1, 1), max_value=date(2060, 12, 31))


@settings(deadline=None)
@given(
    kind=st.sampled_from([k.value for k in AuthorityKind]),
    valid_from=dates,
    length=st.none() | st.integers(min_value=0, max_value=8000),
    withdrawn=st.booleans(),
    birth=st.dates(min_value=date(1985, 1, 1), max_value=date(2060, 12, 31)),
    today=dates,
)
def test_authority_in_force_is_the_recorded_period_cut_at_18_for_guardians(
    kind: str,
    valid_from: date,
    length: int | None,
    withdrawn: bool,
    birth: date,
    today: date,
) -> None:
    valid_until = None if length is None else valid_from + timedelta(days=length)
    in_force = rules.authority_in_force(
        kind=kind,
        valid_from=valid_from,
        valid_until=valid_until,
        withdrawn=withdrawn,
        person_birth_date=birth,
        today=today,
    )
    # Independent formulation: a child is under 18 while (year, month, day) of today is
    # before the birthday 18 years on (1 March for someone born 29 February).
    years = today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))
    under_18 = years < 18
    expected = (
        not withdrawn
        and valid_from <= today
        and (valid_until is None or today <= valid_until)
        and (kind != "guardian" or under_18)
    )
    assert in_force is expected
    last = rules.last_day(kind=kind, valid_until=valid_until, person_birth_date=birth)
    if not withdrawn and last is not None and valid_from <= last:
        assert rules.authority_in_force(
            kind=kind,
            valid_from=valid_from,
            valid_until=valid_until,
            withdrawn=False,
            person_birth_date=birth,
            today=last,
        )
        assert not rules.authority_in_force(
            kind=kind,
            valid_from=valid_from,
            valid_until=valid_until,
            withdrawn=False,
            person_birth_date=birth,
            today=last + timedelta(days=1),
        )


# --- Consent in Min plan -------------------------------------------------------------------------


def test_the_consent_givers_are_the_sip_models_values() -> None:
    from samplan.sip.models import ConsentGiver

    assert {rules.GIVER_PERSON, rules.GIVER_GUARDIAN, rules.GIVER_REPRESENTATIVE} == set(
        ConsentGiver.values
    )


@pytest.mark.parametrize(
    ("is_own", "authority", "child", "part", "giver"),
    [
        (True, "", False, rules.ConsentPart.GIVE, "person"),
        (True, "", True, rules.ConsentPart.CHILD_VIEW, "person"),
        (False, "guardian", True, rules.ConsentPart.GIVE, "guardian"),
        (False, "trustee", True, rules.ConsentPart.NONE, "representative"),
        (False, "power_of_attorney", True, rules.ConsentPart.NONE, "representative"),
        (False, "trustee", False, rules.ConsentPart.GIVE, "representative"),
        (False, "administrator", False, rules.ConsentPart.GIVE, "representative"),
        (False, "power_of_attorney", False, rules.ConsentPart.GIVE, "representative"),
        (False, "guardian", False, rules.ConsentPart.NONE, "guardian"),
    ],
    ids=[
        "adult person",
        "child",
        "child's guardian",
        "child's god man",
        "child's ombud",
        "adult's god man",
        "adult's förvaltare",
        "adult's ombud",
        "guardian of an adult",
    ],
)
def test_who_consents_for_whom(
    is_own: bool, authority: str, child: bool, part: rules.ConsentPart, giver: str
) -> None:
    """SPEC §4: an adult consents (or a representative for them); for a child the guardians
    consent and the child's own view is heard."""
    assert rules.consent_part(is_own=is_own, authority=authority, person_is_child=child) == part
    assert rules.consent_giver(is_own=is_own, authority=authority) == giver
