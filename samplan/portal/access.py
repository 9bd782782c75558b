"""Whose plan a signed-in citizen may open, and as whom.

A citizen opens their own plan (the person registered with their personnummer) and the plans of
persons they represent under an authority in force today (:mod:`samplan.portal.rules`). Any other
person answers 404, exactly as for a person that does not exist, and the attempt is written to the
access log. Authority is checked on every request, so an authority that ends or is withdrawn stops
working at once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from uuid import UUID

from django.db.models import Q
from django.http import Http404
from django.utils.translation import gettext_lazy

from samplan.audit.models import AccessAction, AccessPurpose
from samplan.audit.services import Actor, log_access
from samplan.people.models import Person, Representative
from samplan.portal import rules
from samplan.portal.citizen import Citizen

# What a representative *is*, for sentences like "Du är god man." (the authority's own label
# names the authority: "Fullmakt" is the document, its holder is an ombud).
REPRESENTATIVE_ROLES = {
    "guardian": gettext_lazy("vårdnadshavare"),
    "trustee": gettext_lazy("god man"),
    "administrator": gettext_lazy("förvaltare"),
    "power_of_attorney": gettext_lazy("ombud med fullmakt"),
}


def role_of(representative: Representative) -> str:
    return str(REPRESENTATIVE_ROLES.get(representative.authority, representative.authority))


@dataclass(frozen=True)
class Subject:
    """A person whose plan the citizen may open: their own, or one they represent."""

    person: Person
    representative: Representative | None = None

    @property
    def is_own(self) -> bool:
        return self.representative is None

    def allows(self, action: rules.PortalAction) -> bool:
        if self.representative is None:
            return True
        return rules.scope_allows(self.representative.portal_scope, action)

    @property
    def can_participate(self) -> bool:
        return self.allows(rules.PortalAction.PARTICIPATE)

    @property
    def can_consent(self) -> bool:
        return self.allows(rules.PortalAction.CONSENT)

    @property
    def role(self) -> str:
        """What the citizen is for the person: "" for their own plan, else e.g. "god man"."""
        return role_of(self.representative) if self.representative else ""

    @property
    def purpose(self) -> AccessPurpose:
        return AccessPurpose.OWN_ACCESS if self.is_own else AccessPurpose.REPRESENTATIVE

    @property
    def log_detail(self) -> str:
        """Which authority a representative acted under, for the access log."""
        rep = self.representative
        if rep is None:
            return ""
        return f"företrädare #{rep.pk}, {rep.get_authority_display()}"

    def log_text(self, what: str) -> str:
        """An access-log entry's detail: ``what`` was read or written, and under which
        authority when a representative acted."""
        return f"{what}; {self.log_detail}" if self.log_detail else what


def authority_in_force(representative: Representative, today: date) -> bool:
    return rules.authority_in_force(
        kind=representative.authority,
        valid_from=representative.valid_from,
        valid_until=representative.valid_until,
        withdrawn=representative.is_withdrawn,
        person_birth_date=representative.person.birth_date,
        today=today,
    )


def subjects_for(citizen: Citizen, today: date) -> list[Subject]:
    """The citizen's own plan first, then each person they may see for, by name."""
    own = Person.objects.filter(identifier=citizen.identifier).first()
    authorities = (
        Representative.objects.filter(identifier=citizen.identifier, withdrawn_at__isnull=True)
        .filter(valid_from__lte=today)
        .filter(Q(valid_until__isnull=True) | Q(valid_until__gte=today))
        .exclude(person__identifier=citizen.identifier)
        .select_related("person")
        .order_by("person__given_name", "person__family_name", "pk")
    )
    represented: dict[int, Subject] = {}
    for representative in authorities:
        if not authority_in_force(representative, today):
            continue
        subject = Subject(person=representative.person, representative=representative)
        if not subject.allows(rules.PortalAction.VIEW):
            continue
        earlier = represented.get(representative.person_id)
        if earlier is None or _breadth(subject) > _breadth(earlier):
            represented[representative.person_id] = subject
    return ([Subject(person=own)] if own else []) + list(represented.values())


def _breadth(subject: Subject) -> int:
    return sum(1 for action in rules.PortalAction if subject.allows(action))


def subject_get(
    *,
    citizen: Citizen,
    actor: Actor,
    public_id: UUID | str,
    today: date,
    action: rules.PortalAction = rules.PortalAction.VIEW,
    subjects: list[Subject] | None = None,
) -> Subject:
    """The subject if the citizen may do ``action`` for them today; otherwise 404, logged.

    ``subjects`` is :func:`subjects_for` of the same citizen and day, if the caller has it.
    """
    for subject in subjects if subjects is not None else subjects_for(citizen, today):
        if str(subject.person.public_id) == str(public_id) and subject.allows(action):
            return subject
    person = Person.objects.filter(public_id=public_id).first() if _is_uuid(public_id) else None
    log_access(
        actor=actor,
        person=person,
        action=AccessAction.DENIED,
        purpose=AccessPurpose.REPRESENTATIVE,
        obj=person,
        object_type="people.Person",
        detail=f"Min plan: {action.value}",
    )
    raise Http404


def _is_uuid(value: UUID | str) -> bool:
    try:
        UUID(str(value))
    except ValueError:
        return False
    return True
