"""Who may take which step in which state of the case, decided once for the pages and the API.

Every step service is called by every persona (each role at each unit of a category E case, a
ward member without a care role, and a unit outside the case) on an open, a discharged and an
interrupted case. The expected outcome is written out here, independently of the rules in
``access.py``: the wrong unit or role is refused (NotAllowed, 403), a closed case is refused
(CaseClosed, 409), everything else succeeds. The case page offers a step exactly where its
service succeeds.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.db import transaction
from django.utils import timezone

from samplan.agreements.services import agreement_of
from samplan.core.acting import Acting, DomainError, NotAllowed
from samplan.directory.models import Role, UnitKind
from samplan.discharge import rules, selectors, services
from samplan.discharge.access import CaseClosed
from samplan.discharge.models import (
    ChecklistKind,
    InpatientStay,
    InterruptionKind,
    MessageKind,
    OutpatientUnavailability,
)
from samplan.discharge.steps import STEPS
from samplan.testing.county import (
    County,
    admit,
    make_county,
    record_conversation,
    send_admission_notice,
)
from samplan.testing.factories import make_staff, make_unit

pytestmark = pytest.mark.django_db

WARD = {"ward_nurse", "physician"}
VC = {"primary_care_head", "primary_care_nurse"}  # the FVK's unit
HEAD = {"primary_care_head"}
MUNICIPAL = {"needs_assessor", "municipal_nurse"}
PARTIES = WARD | VC | MUNICIPAL
PERSONAS = [*sorted(PARTIES), "ward_admin", "outsider"]

OK, REFUSED, CLOSED = "ok", "not allowed", "closed"


def expected(who: set[str], state: str, persona: str, status: str) -> str:
    if persona not in who:
        return REFUSED
    if state == "open" and status != "open":
        return CLOSED
    if state == "follow_up" and status == "interrupted":
        return CLOSED
    return OK


Call = Callable[[Acting, InpatientStay, County], Any]


def _other_municipal_unit(acting: Acting, county: County) -> Any:
    return (
        county.home_health_care
        if acting.unit.pk == county.social_services.pk
        else county.social_services
    )


def _end_period(acting: Acting, stay: InpatientStay, county: County) -> Any:
    period = OutpatientUnavailability.objects.create(
        stay=stay,
        starts_on=timezone.localdate() - timedelta(days=1),
        reason="Ingen läkare",
        recorded_by=county.ward_nurse.user,
        recorded_at=timezone.now(),
    )
    return services.unavailability_end(
        acting=acting, stay=stay, period=period, ends_on=timezone.localdate()
    )


def _answers(stay: InpatientStay) -> dict[str, str]:
    agreement = agreement_of(stay.agreement)
    return {q.id: q.choices[0][0] for q in rules.planning_questions(agreement)}


NOW = timezone.now

# service name → (call, who may, state it needs, the step slug offering it on the case page)
SERVICES: dict[str, tuple[Call, set[str], str, str | None]] = {
    "arrival_conversation_record": (
        lambda a, s, c: services.arrival_conversation_record(
            acting=a,
            stay=s,
            held_at=s.admitted_at,
            participants="Patienten",
            needs_social_services=True,
        ),
        WARD,
        "open",
        "ankomstsamtal",
    ),
    "admission_notice_send": (
        lambda a, s, c: services.admission_notice_send(
            acting=a,
            stay=s,
            recipients=[c.social_services],
            estimated_discharge=s.admitted_at + timedelta(days=3),
        ),
        WARD,
        "open",
        "inskrivningsmeddelande",
    ),
    "assessment_answer": (
        lambda a, s, c: services.assessment_answer(acting=a, stay=s, answers=_answers(s)),
        PARTIES,
        "open",
        "planeringsunderlag",
    ),
    "colour_override": (
        lambda a, s, c: services.colour_override(acting=a, stay=s, colour="rod", reason="Stort"),
        VC,
        "open",
        "farg",
    ),
    "planning_note_add": (
        lambda a, s, c: services.planning_note_add(acting=a, stay=s, text="Anteckning"),
        PARTIES,
        "open",
        "anteckning",
    ),
    "general_message_send": (
        lambda a, s, c: services.general_message_send(acting=a, stay=s, body="Hej"),
        PARTIES,
        "open",
        "meddelande",
    ),
    "estimated_discharge_change": (
        lambda a, s, c: services.estimated_discharge_change(
            acting=a, stay=s, estimated_discharge=NOW() + timedelta(days=2)
        ),
        WARD,
        "open",
        "beraknad-utskrivning",
    ),
    "care_contact_appoint": (
        lambda a, s, c: services.care_contact_appoint(acting=a, stay=s, name="Nils Ny"),
        HEAD,
        "open",
        "fast-vardkontakt",
    ),
    "ready_notice_send": (
        lambda a, s, c: services.ready_notice_send(acting=a, stay=s, physician="Lars Läkare"),
        WARD,
        "open",
        "utskrivningsklar",
    ),
    "unavailability_record": (
        lambda a, s, c: services.unavailability_record(
            acting=a, stay=s, starts_on=timezone.localdate(), reason="Ingen läkare"
        ),
        WARD | VC,
        "open",
        "oppenvard-saknas",
    ),
    "unavailability_end": (_end_period, WARD | VC, "open", None),
    "sip_invitation_send": (
        lambda a, s, c: services.sip_invitation_send(
            acting=a,
            stay=s,
            meeting_at=NOW() + timedelta(days=1),
            place_kind="unit",
            location="Vårdcentralen",
            invitees=[c.social_services],
        ),
        VC,
        "follow_up",
        "kallelse",
    ),
    "written_plan_given_record": (
        lambda a, s, c: services.written_plan_given_record(acting=a, stay=s, given_at=NOW()),
        VC,
        "follow_up",
        "skriftlig-plan",
    ),
    "care_summary_write": (
        lambda a, s, c: services.care_summary_write(acting=a, stay=s, text="Du har vårdats."),
        WARD,
        "open",
        "sammanfattning",
    ),
    "discharge_notice_send": (
        lambda a, s, c: services.discharge_notice_send(acting=a, stay=s, discharged_at=NOW()),
        WARD,
        "open",
        "utskrivning",
    ),
    "stay_interrupt": (
        lambda a, s, c: services.stay_interrupt(acting=a, stay=s, kind=InterruptionKind.DECLINED),
        WARD,
        "open",
        "avbrott",
    ),
    "party_add": (
        lambda a, s, c: services.party_add(acting=a, stay=s, unit=c.specialist),  # type: ignore[attr-defined]
        WARD,
        "open",
        "lagg-till-enhet",
    ),
    "party_forward": (
        lambda a, s, c: services.party_forward(
            acting=a, stay=s, to_unit=_other_municipal_unit(a, c)
        ),
        MUNICIPAL,
        "open",
        "vidaresand",
    ),
    "party_mark_wrongly_addressed": (
        lambda a, s, c: services.party_mark_wrongly_addressed(acting=a, stay=s, reason="Fel"),
        VC | MUNICIPAL,
        "open",
        "felsant",
    ),
    "checklist_mark (informationsöverföring)": (
        lambda a, s, c: services.checklist_mark(
            acting=a, stay=s, checklist=ChecklistKind.INFORMATION_TRANSFER, item="epikris"
        ),
        WARD,
        "follow_up",
        None,
    ),
    "checklist_mark (hemgångsklar)": (
        lambda a, s, c: services.checklist_mark(
            acting=a, stay=s, checklist=ChecklistKind.HOME_READY, item="hjalpmedel"
        ),
        WARD,
        "open",
        None,
    ),
    "message_acknowledge": (
        lambda a, s, c: services.message_acknowledge(
            acting=a, stay=s, message=s.messages.get(kind=MessageKind.ADMISSION_NOTICE)
        ),
        VC | MUNICIPAL,
        "any",
        None,
    ),
    "message_withdraw": (
        lambda a, s, c: services.message_withdraw(
            acting=a,
            stay=s,
            message=s.messages.get(kind=MessageKind.ADMISSION_NOTICE),
            reason="Fel patient",
        ),
        WARD,
        "any",
        None,
    ),
}


def case_in(county: County, status: str) -> InpatientStay:
    """Category E: notice to three units, FVK at the vårdcentral, kallelse sent, not yet ready."""
    stay = admit(county)
    record_conversation(county, stay)
    send_admission_notice(county, stay)
    services.care_contact_appoint(
        acting=county.acting(county.primary_care_head), stay=stay, name="Fia Fast"
    )
    stay.refresh_from_db()
    services.sip_invitation_send(
        acting=county.acting(county.primary_care_nurse),
        stay=stay,
        meeting_at=timezone.now() + timedelta(days=2),
        place_kind="hospital",
        location="Avdelning 12",
        invitees=[county.social_services, county.ward],
    )
    ward = county.acting(county.ward_nurse)
    if status == "discharged":
        services.discharge_notice_send(acting=ward, stay=stay, discharged_at=timezone.now())
    elif status == "interrupted":
        services.stay_interrupt(acting=ward, stay=stay, kind=InterruptionKind.CANCELLED)
    return InpatientStay.objects.get(pk=stay.pk)


def outcome(call: Call, acting: Acting, stay: InpatientStay, county: County) -> str:
    """What the call did, rolled back so that the next call meets the same case (read afresh:
    a service changes the object it is given)."""
    try:
        with transaction.atomic():
            call(acting, InpatientStay.objects.get(pk=stay.pk), county)
            transaction.set_rollback(True)
    except CaseClosed:
        return CLOSED
    except NotAllowed:
        return REFUSED
    except DomainError as error:
        return f"refused by a rule: {error.message}"
    return OK


def offered_on_the_page(name: str, slug: str | None, acting: Acting, stay: InpatientStay) -> bool:
    if slug is not None:
        return STEPS[slug].allowed(acting, stay)
    overview = selectors.case_overview(acting=acting, stay=stay, now=timezone.now())
    if name == "unavailability_end":
        return overview.can_end_periods
    kind = "information_transfer" if "information" in name else "home_ready"
    return next(c["can_mark"] for c in overview.checklists if c["kind"] == kind)


@pytest.mark.parametrize("status", ["open", "discharged", "interrupted"])
def test_every_step_service_by_every_role_in_every_case_state(status: str) -> None:
    county = make_county()
    county.specialist = make_unit(  # type: ignore[attr-defined]
        county.region, UnitKind.SPECIALIST_OUTPATIENT, name="Geriatriska mottagningen"
    )
    members = {name: getattr(county, name) for name in PARTIES | {"outsider"}}
    members["ward_admin"] = make_staff(county.ward, Role.LOCAL_ADMIN)
    stay = case_in(county, status)

    wrong = []
    for name, (call, who, state, slug) in SERVICES.items():
        for persona in PERSONAS:
            acting = county.acting(members[persona])
            want = expected(who, state, persona, status)
            got = outcome(call, acting, stay, county)
            if got != want:
                wrong.append(f"{name} by {persona}: {got}, expected {want}")
            if persona in PARTIES and not name.startswith("message_"):
                page = offered_on_the_page(
                    name, slug, acting, InpatientStay.objects.get(pk=stay.pk)
                )
                if page != (want == OK):
                    wrong.append(f"{name} by {persona}: page offers it = {page}, service: {want}")
    assert wrong == []
