"""A small county for discharge tests: one ward, one vårdcentral, one municipality's units,
with staff for each step, and helpers that take a case through the process."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.utils import timezone

from samplan.core.acting import Acting
from samplan.directory.models import (
    Membership,
    Organisation,
    OrganisationKind,
    Role,
    Unit,
    UnitKind,
)
from samplan.discharge import services
from samplan.discharge.models import InpatientStay, Message, MessageKind
from samplan.people.models import Person
from samplan.testing.factories import make_organisation, make_person, make_staff, make_unit

E_NEEDS = {
    "needs_regional_outpatient": True,
    "needs_social_services": True,
    "needs_municipal_health_care": True,
    "needs_special_housing": True,
}


@dataclass
class County:
    region: Organisation
    municipality: Organisation
    other_municipality: Organisation
    ward: Unit
    primary_care: Unit
    social_services: Unit
    home_health_care: Unit
    foreign_social_services: Unit
    ward_nurse: Membership
    physician: Membership
    primary_care_head: Membership
    primary_care_nurse: Membership
    needs_assessor: Membership
    municipal_nurse: Membership
    outsider: Membership

    def acting(self, membership: Membership) -> Acting:
        return Acting(user=membership.user, membership=membership, remote_addr="127.0.0.1")

    def person(self, **fields: Any) -> Person:
        fields.setdefault("municipality_code", self.municipality.municipality_code)
        fields.setdefault("listed_unit", self.primary_care)
        return make_person(**fields)


def make_county() -> County:
    region = make_organisation(OrganisationKind.REGION, name="Region Testlän")
    municipality = make_organisation(
        OrganisationKind.MUNICIPALITY, name="Testby kommun", municipality_code="2999"
    )
    other = make_organisation(
        OrganisationKind.MUNICIPALITY, name="Annanby kommun", municipality_code="2998"
    )
    ward = make_unit(
        region,
        UnitKind.INPATIENT_WARD,
        name="Medicinavdelning 12",
        phone="010-100 12 00",
        email="avd12@region.example",
    )
    primary_care = make_unit(
        region,
        UnitKind.PRIMARY_CARE,
        name="Vårdcentralen Centrum",
        phone="010-100 20 00",
        email="vc@region.example",
    )
    social = make_unit(municipality, UnitKind.SOCIAL_SERVICES, name="Biståndsenheten Testby")
    home = make_unit(municipality, UnitKind.MUNICIPAL_HEALTH_CARE, name="Hemsjukvården Testby")
    foreign = make_unit(other, UnitKind.SOCIAL_SERVICES, name="Biståndsenheten Annanby")
    return County(
        region=region,
        municipality=municipality,
        other_municipality=other,
        ward=ward,
        primary_care=primary_care,
        social_services=social,
        home_health_care=home,
        foreign_social_services=foreign,
        ward_nurse=make_staff(ward, Role.NURSE_COORDINATOR, first_name="Wilma", last_name="Ward"),
        physician=make_staff(ward, Role.PHYSICIAN, first_name="Lars", last_name="Läkare"),
        primary_care_head=make_staff(
            primary_care, Role.HEAD_OF_UNIT, first_name="Vera", last_name="Chef"
        ),
        primary_care_nurse=make_staff(
            primary_care, Role.NURSE_COORDINATOR, first_name="Fia", last_name="Fast"
        ),
        needs_assessor=make_staff(
            social, Role.NEEDS_ASSESSOR, first_name="Bo", last_name="Bistånd"
        ),
        municipal_nurse=make_staff(home, Role.MUNICIPAL_NURSE, first_name="Hanna", last_name="Hem"),
        outsider=make_staff(foreign, Role.NEEDS_ASSESSOR, first_name="Otto", last_name="Utanför"),
    )


def admit(
    county: County, person: Person | None = None, admitted_at: datetime | None = None
) -> InpatientStay:
    return services.stay_admit(
        acting=county.acting(county.ward_nurse),
        person=person or county.person(),
        admitted_at=admitted_at or timezone.now() - timedelta(hours=2),
        treating_physician="Lars Läkare",
    )


def record_conversation(county: County, stay: InpatientStay, **needs: bool) -> None:
    fields: dict[str, Any] = dict(needs or E_NEEDS)
    services.arrival_conversation_record(
        acting=county.acting(county.ward_nurse),
        stay=stay,
        held_at=stay.admitted_at,
        participants="Patienten och dottern",
        brochure_given=True,
        **fields,
    )


def send_admission_notice(county: County, stay: InpatientStay) -> Message:
    return services.admission_notice_send(
        acting=county.acting(county.ward_nurse),
        stay=stay,
        recipients=[county.primary_care, county.social_services, county.home_health_care],
        estimated_discharge=stay.admitted_at + timedelta(days=5),
    )


def message_of(stay: InpatientStay, kind: MessageKind) -> Message:
    return stay.messages.filter(kind=kind).latest("sent_at")
