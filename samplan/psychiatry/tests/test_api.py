"""/api/v1/svpl: the same rules through the JSON API – start, read, draft with 409 on conflict,
approve, versions with the difference, PDF – and the refusals (401, 403, 404, 409, 422)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from samplan.audit.models import AccessAction, AccessLogEntry
from samplan.discharge import services as discharge_services
from samplan.discharge.models import InterruptionKind
from samplan.psychiatry.tests.helpers import PsychCounty, content, psych_case
from samplan.testing.api import ApiClient

pytestmark = pytest.mark.django_db


def started(pc: PsychCounty) -> tuple[ApiClient, dict[str, Any]]:
    stay = psych_case(pc)
    chief = ApiClient(pc.chief)
    body = chief.post(
        f"/svpl/stays/{stay.public_id}",
        {"legal_basis": "lpt_7a", "physician": "Cecilia C"},
        status=201,
    )
    return chief, body


def test_the_whole_process_through_the_api(pc: PsychCounty) -> None:
    c = pc.county
    chief, plan = started(pc)
    assert plan["status"] == "draft"
    assert plan["ready_notice_sent_at"]
    assert [a["unit_hsa_id"] for a in plan["approvers"]] == [
        c.primary_care.hsa_id,
        c.social_services.hsa_id,
    ]
    stay = chief.get(f"/stays/{plan['stay_id']}")
    assert stay["ready_notice_sent_at"] == plan["ready_notice_sent_at"]
    url = f"/svpl/{plan['id']}"
    saved = chief.put(f"{url}/draft", {"base_revision": 0, "content": content(pc)})
    assert saved["draft_revision"] == 1
    assert saved["problems"] == []
    vc, social = ApiClient(c.primary_care_nurse), ApiClient(c.needs_assessor)
    assert vc.get(url)["can_approve"] is True
    after_vc = vc.post(f"{url}/approve", {"base_revision": 1})
    assert after_vc["missing_unit_hsa_ids"] == [c.social_services.hsa_id]
    done = social.post(f"{url}/approve", {"base_revision": 1})
    assert done["status"] == "established"
    assert done["versions"][0]["number"] == 1
    # A change, approved again, is version 2 with its difference.
    changed = content(pc, patient_view="Jag vill ha stöd på kvällen.")
    chief.put(f"{url}/draft", {"base_revision": 1, "content": changed})
    assert chief.get(url)["status"] == "changed"
    vc.post(f"{url}/approve", {"base_revision": 2})
    social.post(f"{url}/approve", {"base_revision": 2})
    versions = chief.get(f"{url}/versions")
    assert [v["number"] for v in versions] == [1, 2]
    second = chief.get(f"{url}/versions/2")
    assert second["is_latest"] is True
    assert [ch["kind"] for ch in second["changes"]] == ["patient_view"]
    assert second["content"]["patient_view"] == "Jag vill ha stöd på kvällen."
    assert chief.get(f"{url}/versions/9", status=404)["detail"] == "Finns inte."
    response = chief.client.get(f"/api/v1{url}/versions/1/pdf", headers=chief._headers())
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert AccessLogEntry.objects.filter(action=AccessAction.EXPORT).count() == 1
    work = social.get("/svpl/worklist")
    assert work == []


def test_a_concurrent_draft_save_is_409_with_the_other_writers_changes(pc: PsychCounty) -> None:
    chief, plan = started(pc)
    url = f"/svpl/{plan['id']}/draft"
    social = ApiClient(pc.county.needs_assessor)
    social.put(url, {"base_revision": 0, "content": content(pc)})
    mine = content(pc, patient_view="Min version")
    conflict = chief.put(url, {"base_revision": 0, "content": mine}, status=409)
    assert conflict["current_revision"] == 1
    assert conflict["saved_unit_hsa_id"] == pc.county.social_services.hsa_id
    assert conflict["saved_by"] == "Bo Bistånd"
    assert "insats_added" in [c["kind"] for c in conflict["their_changes"]]
    assert conflict["attempted"]["patient_view"] == "Min version"
    assert chief.get(f"/svpl/{plan['id']}")["draft_revision"] == 1
    stale = ApiClient(pc.county.primary_care_nurse).post(
        f"/svpl/{plan['id']}/approve", {"base_revision": 0}, status=409
    )
    assert stale["attempted"] is None


def test_the_work_list(pc: PsychCounty) -> None:
    chief, plan = started(pc)
    chief.put(f"/svpl/{plan['id']}/draft", {"base_revision": 0, "content": content(pc)})
    [item] = ApiClient(pc.county.primary_care_nurse).get("/svpl/worklist")
    assert (item["code"], item["label"], item["overdue"]) == (
        "to_approve",
        "SVPL att justera",
        False,
    )
    assert item["svpl_id"] == plan["id"]


def test_refusals(pc: PsychCounty) -> None:
    stay = psych_case(pc)
    start = f"/svpl/stays/{stay.public_id}"
    body = {"legal_basis": "lpt_7a", "physician": "Cecilia C"}
    assert "chefsöverläkaren" in ApiClient(pc.nurse).post(start, body, status=403)["detail"]
    denied = AccessLogEntry.objects.filter(action=AccessAction.DENIED).count()
    ApiClient(pc.county.outsider).post(start, body, status=404)
    assert AccessLogEntry.objects.filter(action=AccessAction.DENIED).count() == denied + 1
    bad = ApiClient(pc.chief).post(start, {"legal_basis": "lpt_7a"}, status=422)
    assert bad["errors"][0]["field"] == "physician"
    chief = ApiClient(pc.chief)
    plan = chief.post(start, body, status=201)
    assert "redan en samordnad" in chief.post(start, body, status=409)["detail"]
    url = f"/svpl/{plan['id']}"
    ApiClient(pc.county.outsider).get(url, status=404)
    ApiClient(pc.county.outsider).put(
        f"{url}/draft", {"base_revision": 0, "content": content(pc)}, status=404
    )
    ApiClient(pc.chief).post(f"{url}/approve", {"base_revision": 0}, status=403)
    incomplete = ApiClient(pc.county.primary_care_nurse).post(
        f"{url}/approve", {"base_revision": 0}, status=409
    )
    assert "inte justeras än" in incomplete["detail"]
    assert Client().get(f"/api/v1{url}").status_code == 401


def test_a_closed_case_is_409_and_a_wrong_role_403(pc: PsychCounty) -> None:
    stay = psych_case(pc)
    discharge_services.stay_interrupt(
        acting=pc.acting(pc.nurse), stay=stay, kind=InterruptionKind.CANCELLED
    )
    start = f"/svpl/stays/{stay.public_id}"
    body = {"legal_basis": "lpt_7a", "physician": "Cecilia C"}
    closed = ApiClient(pc.chief).post(start, body, status=409)
    assert closed["detail"] == "Ärendet är avslutat och kan inte ändras."
    assert "chefsöverläkaren" in ApiClient(pc.nurse).post(start, body, status=403)["detail"]


def test_the_router_is_in_the_same_openapi(pc: PsychCounty) -> None:
    schema = Client().get("/api/v1/openapi.json").json()
    paths = schema["paths"]
    assert "/api/v1/svpl/{svpl_id}/draft" in paths
    assert "/api/v1/stays/{stay_id}" in paths or any(p.startswith("/api/v1/stays") for p in paths)
    assert any(p.startswith("/api/v1/sip") for p in paths)
