"""Demoinloggning: in demo mode only, sign in to Min plan as one of the demo county's persons.

The demo county has no e-ID provider, so the demo sign-in page lists a few synthetic persons with a
discharge case, a few with an established SIP plan, one with an established samordnad vårdplan
(SVPL, the demo's psychiatric ward S131) and representatives of such persons, and signs in as the
chosen one directly, exactly as a verified e-ID sign-in would, with the method recorded as
``demo``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.utils.text import capfirst
from django.utils.translation import gettext as _

from samplan.discharge.models import InpatientStay, StayStatus
from samplan.people.identifiers import InvalidIdentifier, PersonIdentifier, parse_identifier
from samplan.people.models import Person, Representative
from samplan.portal.access import authority_in_force, role_of
from samplan.psychiatry.models import CoordinatedCarePlanLpt
from samplan.sip.models import ProcessStatus, SipProcess

DEMO_PERSONS = 6
DEMO_SIP_PERSONS = 2
DEMO_SVPL_PERSONS = 1
DEMO_REPRESENTATIVES = 3


@dataclass(frozen=True)
class DemoCitizen:
    identifier: PersonIdentifier
    name: str
    note: str


def demo_citizens(today: date) -> list[DemoCitizen]:
    """Persons with a discharge case in different states, persons with an established SIP
    plan, a person with an established SVPL, then some of their representatives."""
    stays = (
        InpatientStay.objects.exclude(status=StayStatus.INTERRUPTED)
        .select_related("person")
        .order_by("status", "-admitted_at", "pk")
    )
    persons: dict[int, tuple[Person, str]] = {}
    for stay in stays[:100]:
        if len(persons) >= DEMO_PERSONS:
            break
        note = _("Ligger på sjukhuset.") if stay.status == StayStatus.OPEN else _("Har åkt hem.")
        persons.setdefault(stay.person_id, (stay.person, note))
    with_plan = (
        SipProcess.objects.filter(
            status__in=[ProcessStatus.ESTABLISHED, ProcessStatus.FOLLOW_UP],
            versions__isnull=False,
        )
        .exclude(person_id__in=list(persons))
        .select_related("person")
        .distinct()
        .order_by("started_at", "pk")
    )
    for process in with_plan[:DEMO_SIP_PERSONS]:
        persons.setdefault(process.person_id, (process.person, _("Har en plan (SIP).")))
    # Listed for the SVPL even when already listed for the stay it was made in.
    with_svpl = (
        CoordinatedCarePlanLpt.objects.filter(established_number__gt=0)
        .select_related("stay__person")
        .order_by("started_at", "pk")
    )
    for plan in with_svpl[:DEMO_SVPL_PERSONS]:
        persons[plan.stay.person_id] = (plan.stay.person, _("Har en plan från psykiatrin."))
    citizens = [
        DemoCitizen(person.parsed_identifier, person.full_name, note)
        for person, note in persons.values()
    ]
    representatives = (
        Representative.objects.filter(withdrawn_at__isnull=True)
        .exclude(identifier="")
        .select_related("person")
        .order_by("pk")
    )
    with_stay = [r for r in representatives[:500] if r.person_id in persons]
    chosen = (with_stay or list(representatives[:50]))[:DEMO_REPRESENTATIVES]
    for rep in chosen:
        if not authority_in_force(rep, today):
            continue
        try:
            identifier = parse_identifier(rep.identifier, today=today)
        except InvalidIdentifier:
            continue
        citizens.append(
            DemoCitizen(
                identifier,
                rep.name,
                _("%(role)s för %(name)s.")
                % {"role": capfirst(role_of(rep)), "name": rep.person.full_name},
            )
        )
    return citizens
