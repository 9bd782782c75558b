"""Who may open whose plan in Min plan, and what they may do there. Pure: no database, no clock.

A person always sees their own plan. Anyone else needs a recorded authority (företrädare) that is
in force on the day: started, not past its last day, not withdrawn, and — for a guardian
(vårdnadshavare) — only until the child turns 18, when custody ends by law (föräldrabalken 6:2)
whatever end date was recorded. The authority's portal scope says what the representative may do.
"""

from __future__ import annotations

import enum
from datetime import date

ADULT_AGE = 18
# people.AuthorityKind.GUARDIAN and people.PortalScope values (kept as plain strings here so the
# rules need no Django models; a test checks that they agree).
GUARDIAN = "guardian"
SCOPE_NONE = "none"
SCOPE_READ = "read"
SCOPE_PARTICIPATE = "participate"
SCOPE_FULL = "full"


class PortalAction(enum.StrEnum):
    VIEW = "view"  # see the stay, contacts, meetings, the plan and the letter
    PARTICIPATE = "participate"  # goals and wishes, meeting preferences, comments, confirm read
    CONSENT = "consent"  # give or withdraw consent


SCOPE_ACTIONS: dict[str, frozenset[PortalAction]] = {
    SCOPE_NONE: frozenset(),
    SCOPE_READ: frozenset({PortalAction.VIEW}),
    SCOPE_PARTICIPATE: frozenset({PortalAction.VIEW, PortalAction.PARTICIPATE}),
    SCOPE_FULL: frozenset(PortalAction),
}


def scope_allows(scope: str, action: PortalAction) -> bool:
    """Whether a representative with ``scope`` may do ``action``; unknown scopes allow nothing."""
    return action in SCOPE_ACTIONS.get(scope, frozenset())


def coming_of_age(birth_date: date) -> date:
    """The 18th birthday; someone born on 29 February comes of age on 1 March."""
    try:
        return birth_date.replace(year=birth_date.year + ADULT_AGE)
    except ValueError:
        return date(birth_date.year + ADULT_AGE, 3, 1)


def authority_in_force(
    *,
    kind: str,
    valid_from: date,
    valid_until: date | None,
    withdrawn: bool,
    person_birth_date: date,
    today: date,
) -> bool:
    """Whether a recorded authority lets the representative act for the person ``today``.

    ``valid_until`` is the last day it holds (inclusive).
    """
    if withdrawn or today < valid_from:
        return False
    if valid_until is not None and today > valid_until:
        return False
    return not (kind == GUARDIAN and today >= coming_of_age(person_birth_date))


def last_day(*, kind: str, valid_until: date | None, person_birth_date: date) -> date | None:
    """The last day the authority holds as recorded (a guardian's ends the day before 18)."""
    ends = [valid_until] if valid_until is not None else []
    if kind == GUARDIAN:
        ends.append(date.fromordinal(coming_of_age(person_birth_date).toordinal() - 1))
    return min(ends) if ends else None


# --- Consent in Min plan (SPEC §4) -------------------------------------------------------------


class ConsentPart(enum.StrEnum):
    """What a viewer of a SIP in Min plan does about consent."""

    GIVE = "give"
    """Gives or withdraws consent themselves: an adult person, a child's guardian, an adult's
    god man, förvaltare or ombud (with the portal scope to consent)."""
    CHILD_VIEW = "child_view"
    """A child (under 18) seeing their own plan: the guardians consent; the child's own view is
    heard and recorded."""
    NONE = "none"
    """May not take part in the consent: someone other than a guardian, for a child."""


# The giver recorded on the consent event (sip.models.ConsentGiver values).
GIVER_PERSON = "person"
GIVER_GUARDIAN = "guardian"
GIVER_REPRESENTATIVE = "representative"


def consent_part(*, is_own: bool, authority: str, person_is_child: bool) -> ConsentPart:
    """For a child the guardians consent and the child is heard; for an adult the person
    consents, or a representative for them. ``authority`` is the representative's authority
    kind ("" for the person's own plan)."""
    if is_own:
        return ConsentPart.CHILD_VIEW if person_is_child else ConsentPart.GIVE
    if person_is_child:
        return ConsentPart.GIVE if authority == GUARDIAN else ConsentPart.NONE
    return ConsentPart.NONE if authority == GUARDIAN else ConsentPart.GIVE


def consent_giver(*, is_own: bool, authority: str) -> str:
    """Who the consent event names as giver when the viewer gives or withdraws it."""
    if is_own:
        return GIVER_PERSON
    return GIVER_GUARDIAN if authority == GUARDIAN else GIVER_REPRESENTATIVE
