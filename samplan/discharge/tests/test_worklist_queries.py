"""The work list costs as many queries for one case as for many, whatever stage the cases have
reached: kvittenser, planeringsunderlag, notes, FVK and an overridden colour, utskrivningsklar,
a checklist mark, a 5:5 period and a kallelse till SIP – as a page and through the API, for the
ward, the vårdcentral and the municipality."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from samplan.accounts.tokens import api_token_create
from samplan.agreements.schema import NO
from samplan.agreements.services import agreement_of
from samplan.audit.models import AccessLogEntry
from samplan.directory.models import Membership
from samplan.discharge import rules, services
from samplan.discharge.models import ChecklistKind, InpatientStay
from samplan.testing.county import (
    County,
    admit,
    make_county,
    record_conversation,
    send_admission_notice,
)
from samplan.testing.factories import sign_in

pytestmark = pytest.mark.django_db


def far_along_case(county: County) -> InpatientStay:
    """A category E case with a row in every relation the work list could read."""
    stay = admit(county)
    record_conversation(county, stay)
    notice = send_admission_notice(county, stay)
    for member in (county.primary_care_nurse, county.needs_assessor):
        services.message_acknowledge(acting=county.acting(member), stay=stay, message=notice)
    agreement = agreement_of(stay.agreement)
    answers = {
        q.id: NO if q.kind == "yes_no" else q.choices[0][0]
        for q in rules.planning_questions(agreement)
    }
    assessor = county.acting(county.needs_assessor)
    services.assessment_answer(acting=assessor, stay=stay, answers=answers)
    services.planning_note_add(acting=assessor, stay=stay, text="Hemtjänst utökas.")
    services.care_contact_appoint(
        acting=county.acting(county.primary_care_head), stay=stay, name="Fia Fast"
    )
    stay.refresh_from_db()
    vc_nurse = county.acting(county.primary_care_nurse)
    colour = sorted(rules.colour_codes(agreement))[-1]
    services.colour_override(acting=vc_nurse, stay=stay, colour=colour, reason="Stort behov.")
    services.ready_notice_send(
        acting=county.acting(county.physician), stay=stay, physician="Lars Läkare"
    )
    services.checklist_mark(
        acting=county.acting(county.ward_nurse),
        stay=stay,
        checklist=ChecklistKind.INFORMATION_TRANSFER,
        item="epikris",
    )
    services.unavailability_record(
        acting=vc_nurse, stay=stay, starts_on=timezone.localdate(), reason="Läkare saknas."
    )
    services.sip_invitation_send(
        acting=vc_nurse,
        stay=stay,
        meeting_at=timezone.now() + timedelta(days=2),
        place_kind="home",
        location="Hemma hos patienten",
        invitees=[county.social_services, county.home_health_care],
    )
    return stay


def listed(since: int) -> int:
    """Access-log entries for persons shown on the work list since entry ``since``."""
    return AccessLogEntry.objects.filter(
        pk__gt=since, object_type="list:discharge.worklist"
    ).count()


def queries_and_items(page: Client, api: Client) -> tuple[int, int, int]:
    """Queries of the page, queries of the API call, and the number of cases on the list; each
    person shown is logged, in one batch, by the page and by the API call."""
    since = AccessLogEntry.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    with CaptureQueriesContext(connection) as page_queries:
        assert page.get(reverse("discharge:worklist")).status_code == 200
    after_page = AccessLogEntry.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    with CaptureQueriesContext(connection) as api_queries:
        response = api.get("/api/v1/stays/worklist")
    assert response.status_code == 200
    items = len(response.json())
    assert listed(since) - listed(after_page) == items
    assert listed(after_page) == items
    return len(page_queries), len(api_queries), items


def clients(membership: Membership) -> tuple[Client, Client]:
    _record, token = api_token_create(membership=membership, name="test")
    return sign_in(Client(), membership), Client(HTTP_AUTHORIZATION=f"Bearer {token}")


@pytest.mark.parametrize("unit", ["ward_nurse", "primary_care_head", "needs_assessor"])
def test_worklist_queries_do_not_grow_with_cases_in_every_stage(unit: str) -> None:
    county = make_county()
    page, api = clients(getattr(county, unit))
    far_along_case(county)
    page_one, api_one, items_one = queries_and_items(page, api)
    for _ in range(3):
        far_along_case(county)
    page_four, api_four, items_four = queries_and_items(page, api)

    assert (items_one, items_four) == (1, 4)
    assert page_four == page_one
    assert api_four == api_one
