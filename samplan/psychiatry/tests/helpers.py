"""A psychiatric ward in the test county, a case there, and an SVPL taken through its services."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.utils import timezone

from samplan.directory.models import Membership, Role, Unit, UnitKind
from samplan.discharge import services as discharge_services
from samplan.discharge.models import InpatientStay
from samplan.people.models import Person
from samplan.psychiatry import services
from samplan.psychiatry.models import CoordinatedCarePlanLpt, SvplApproval
from samplan.testing.county import County, make_county
from samplan.testing.factories import make_staff, make_unit


@dataclass
class PsychCounty:
    county: County
    ward: Unit
    chief: Membership
    head: Membership
    nurse: Membership

    def acting(self, membership: Membership) -> Any:
        return self.county.acting(membership)


def make_psych_county(county: County | None = None) -> PsychCounty:
    county = county or make_county()
    ward = make_unit(
        county.region,
        UnitKind.INPATIENT_WARD,
        name="Psykiatrisk avdelning 31",
        is_psychiatric=True,
        phone="010-100 31 00",
    )
    return PsychCounty(
        county=county,
        ward=ward,
        chief=make_staff(ward, Role.PHYSICIAN, first_name="Cecilia", last_name="Chefsöverläkare"),
        head=make_staff(ward, Role.HEAD_OF_UNIT, first_name="Vilhelm", last_name="Verksamhet"),
        nurse=make_staff(ward, Role.NURSE_COORDINATOR, first_name="Sara", last_name="Skötare"),
    )


def psych_case(pc: PsychCounty, person: Person | None = None) -> InpatientStay:
    """An open case at the psychiatric ward with the vårdcentral and the municipality's social
    services and home health care notified."""
    c = pc.county
    nurse = pc.acting(pc.nurse)
    stay = discharge_services.stay_admit(
        acting=nurse,
        person=person or c.person(birth_date=date(1985, 4, 12)),
        admitted_at=timezone.now() - timedelta(hours=30),
        treating_physician="Cecilia Chefsöverläkare",
    )
    discharge_services.arrival_conversation_record(
        acting=nurse,
        stay=stay,
        held_at=stay.admitted_at,
        participants="Patienten",
        needs_regional_outpatient=True,
        needs_social_services=True,
    )
    discharge_services.admission_notice_send(
        acting=nurse,
        stay=stay,
        recipients=[c.primary_care, c.social_services],
        estimated_discharge=stay.admitted_at + timedelta(days=10),
    )
    stay.refresh_from_db()
    return stay


def start(pc: PsychCounty, stay: InpatientStay, basis: str = "lpt_7a") -> CoordinatedCarePlanLpt:
    return services.svpl_start(
        acting=pc.acting(pc.chief),
        stay=stay,
        legal_basis=basis,
        physician="Cecilia Chefsöverläkare, chefsöverläkare",
    )


def content(pc: PsychCounty, **fields: Any) -> dict[str, Any]:
    """A complete plan: two needs, a vårdcentral and a social services insats with the patient's
    view, one by an outside unit, an action by someone else."""
    c = pc.county
    data: dict[str, Any] = {
        "needs": [
            {"id": "n1", "text": "Fortsatt medicinering och regelbunden läkarkontakt"},
            {"id": "n2", "text": "Stöd i vardagen och med boendet"},
        ],
        "insatser": [
            {
                "id": "i1",
                "what": "Depåinjektion var fjärde vecka",
                "decision": "Beslutad av chefsöverläkaren",
                "unit_id": c.primary_care.pk,
                "responsible_person": "Fia Fast",
                "patient_view": "Jag går med på sprutan om jag får välja tid.",
                "need_ids": ["n1"],
            },
            {
                "id": "i2",
                "what": "Boendestöd tre dagar i veckan",
                "decision": "Beviljat enligt socialtjänstlagen",
                "unit_id": c.social_services.pk,
                "responsible_person": "Bo Bistånd",
                "patient_view": "Bra, men inte tidigt på morgonen.",
                "need_ids": ["n2"],
            },
            {
                "id": "i3",
                "what": "Samtal med psykolog varannan vecka",
                "decision": "Remiss skickad och antagen",
                "responsible_unit": "Psykiatriska öppenvårdsmottagningen Norr",
            },
        ],
        "patient_view": "Jag vill bo kvar i min lägenhet och klara mig själv.",
        "other_actions": [{"id": "o1", "who": "God man", "what": "Hjälper till med räkningarna"}],
        "chief_physician": "Cecilia Chefsöverläkare, chefsöverläkare",
        "applies_from": (timezone.localdate() + timedelta(days=2)).isoformat(),
    }
    data.update(fields)
    return data


def save(
    pc: PsychCounty, plan: CoordinatedCarePlanLpt, by: Membership | None = None, **fields: Any
) -> CoordinatedCarePlanLpt:
    plan.refresh_from_db()
    return services.svpl_draft_save(
        acting=pc.acting(by or pc.chief),
        plan=plan,
        content=content(pc, **fields),
        base_revision=plan.draft_revision,
    )


def approve(pc: PsychCounty, plan: CoordinatedCarePlanLpt, by: Membership) -> SvplApproval:
    plan.refresh_from_db()
    return services.svpl_approve(acting=pc.acting(by), plan=plan, base_revision=plan.draft_revision)


def establish(pc: PsychCounty, plan: CoordinatedCarePlanLpt) -> CoordinatedCarePlanLpt:
    """Both approving units (vårdcentral, social services) approve the current draft."""
    approve(pc, plan, pc.county.primary_care_nurse)
    approve(pc, plan, pc.county.needs_assessor)
    plan.refresh_from_db()
    return plan
