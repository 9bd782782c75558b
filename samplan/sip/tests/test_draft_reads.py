"""The plan editor and the establish page show the working draft (the person's goals, needs and
insatser): each view of them is an access-log READ of the draft, as the API's draft read is."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from samplan.audit.models import AccessAction, AccessLogEntry, AccessPurpose
from samplan.audit.verification import verify_chain
from samplan.sip import services
from samplan.sip.models import CloseReason, PlanDraft, SipProcess
from samplan.testing.county import County, make_county
from samplan.testing.factories import sign_in
from samplan.testing.sip import add_social_services, give_consent, save_plan, start_outpatient_sip

pytestmark = pytest.mark.django_db


@pytest.fixture
def county() -> County:
    return make_county()


def entries_after(since: int) -> list[AccessLogEntry]:
    return list(AccessLogEntry.objects.filter(pk__gt=since).order_by("pk"))


def last_id() -> int:
    entry = AccessLogEntry.objects.order_by("-pk").first()
    return entry.pk if entry else 0


def url(name: str, process: SipProcess) -> str:
    return reverse(f"sip:{name}", kwargs={"public_id": process.public_id})


@pytest.mark.parametrize(
    ("page", "detail"),
    [("plan_edit", "planutkast (redigering)"), ("establish", "planutkast (fastställ)")],
)
def test_opening_the_draft_is_logged(county: County, page: str, detail: str) -> None:
    process = start_outpatient_sip(county)
    give_consent(county, process)
    add_social_services(county, process)
    save_plan(county, process)
    draft = PlanDraft.objects.get(process=process)
    nurse = county.primary_care_nurse
    client = sign_in(Client(), nurse)
    since = last_id()
    assert client.get(url(page, process)).status_code == 200

    [entry] = [e for e in entries_after(since) if e.object_type == "sip.PlanDraft"]
    assert (entry.person_id, entry.object_id, entry.detail) == (
        process.person_id,
        str(draft.pk),
        detail,
    )
    assert (entry.action, entry.purpose, entry.user_id, entry.unit_id) == (
        AccessAction.READ,
        AccessPurpose.CARE_COORDINATION,
        nurse.user_id,
        nurse.unit_id,
    )
    assert verify_chain().intact


def test_adding_a_row_to_the_editor_reads_the_draft_again(county: County) -> None:
    process = start_outpatient_sip(county)
    client = sign_in(Client(), county.primary_care_nurse)
    page = client.get(url("plan_edit", process)).content.decode()
    assert "goals-TOTAL_FORMS" in page
    since = last_id()
    response = client.post(
        url("plan_edit", process),
        {
            "base_revision": "0",
            "goals-TOTAL_FORMS": "0",
            "goals-INITIAL_FORMS": "0",
            "actions-TOTAL_FORMS": "0",
            "actions-INITIAL_FORMS": "0",
            "add_goals": "1",
        },
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    drafts = [e for e in entries_after(since) if e.object_type == "sip.PlanDraft"]
    assert [e.detail for e in drafts] == ["planutkast (redigering)"]


def test_a_closed_sip_sends_the_editor_back_without_reading_the_draft(county: County) -> None:
    process = start_outpatient_sip(county)
    services.sip_close(
        acting=county.acting(county.primary_care_nurse),
        process=process,
        reason=CloseReason.NO_LONGER_NEEDED,
    )
    client = sign_in(Client(), county.primary_care_nurse)
    for page in ("plan_edit", "establish"):
        since = last_id()
        assert client.get(url(page, process)).status_code == 302
        assert not [e for e in entries_after(since) if e.object_type == "sip.PlanDraft"]


def test_an_outsider_is_denied_and_reads_nothing(county: County) -> None:
    process = start_outpatient_sip(county)
    client = sign_in(Client(), county.outsider)
    for page in ("plan_edit", "establish"):
        since = last_id()
        assert client.get(url(page, process)).status_code == 404
        [entry] = entries_after(since)
        assert entry.action == AccessAction.DENIED
