"""The SIP process through /api/v1/sip as record systems use it, each unit with its own token:
both must-shows (a SIP started outside hospital and one continued from a discharge case reach an
established plan, a follow-up and closure), established versions that cannot change and a new
version's difference, withdrawn consent stopping another organisation at once, two writers on
the same draft, outsiders getting 404 (logged), no protected address in any response, and the
SIP paths in the OpenAPI schema."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

import pytest
from django.core import mail
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from samplan.audit.models import AccessAction, AccessLogEntry
from samplan.discharge import services as discharge_services
from samplan.sip.models import PlanDraftRevision, PlanVersion, SipProcess
from samplan.testing.api import ApiClient
from samplan.testing.county import (
    County,
    admit,
    make_county,
    record_conversation,
    send_admission_notice,
)
from samplan.testing.sip import (
    add_social_services,
    establish,
    give_consent,
    plan_content,
    save_plan,
    sip_continuing_a_stay,
    start_outpatient_sip,
)

pytestmark = pytest.mark.django_db

API = "/api/v1/sip"


@pytest.fixture
def county() -> County:
    return make_county()


class Api(ApiClient):
    """A record system holding one unit's token."""

    base = API

    def listed(self, sip_id: str) -> dict[str, Any] | None:
        return next((i for i in self.get("/worklist") if i["sip"]["id"] == sip_id), None)


def at_local(days: int, hour: int = 10) -> datetime:
    day = timezone.localdate() + timedelta(days=days)
    return timezone.make_aware(datetime(day.year, day.month, day.day, hour, 0))


def participant_id(sip: dict[str, Any], **match: Any) -> int:
    [found] = [
        p["id"]
        for p in sip["participants"]
        if p["active"] and all(p[k] == v for k, v in match.items())
    ]
    return found


CONSENT = {"giver": "person", "form": "written", "scope": "Vårdcentralen och kommunen"}


# --- Must show: outside hospital, from need to closure -------------------------------------------


def test_a_sip_started_outside_hospital_reaches_a_plan_follow_up_and_closure(
    county: County, time_machine, django_capture_on_commit_callbacks
) -> None:
    time_machine.move_to(at_local(0, 9), tick=True)
    vc, social = Api(county.primary_care_nurse), Api(county.needs_assessor)
    person = county.person()

    sip = vc.post(
        "",
        {
            "person_identifier": person.identifier,
            "reason": "Behöver insatser från vårdcentral och socialtjänst.",
            "has_mandate": True,
        },
        status=201,
    )
    sip_id = sip["id"]
    assert sip["status"] == "preparing"
    assert sip["consent"]["valid"] is False
    assert [p["unit_hsa_id"] for p in sip["participants"]] == [county.primary_care.hsa_id]

    # Nothing is shared with the municipality before consent.
    refused = vc.post(
        f"/{sip_id}/participants",
        {"kind": "unit", "unit_hsa_id": county.social_services.hsa_id},
        status=409,
    )
    assert "samtycke" in refused["detail"]
    sip = vc.post(f"/{sip_id}/consents", CONSENT)
    assert sip["consent"]["valid"] is True
    vc.post(
        f"/{sip_id}/participants",
        {"kind": "unit", "unit_hsa_id": county.social_services.hsa_id, "has_mandate": True},
    )
    vc.post(
        f"/{sip_id}/participants",
        {
            "kind": "external",
            "name": "Sam Handläggare",
            "organisation": "Försäkringskassan",
            "external_kind": "social_insurance",
        },
    )
    assert social.get(f"/{sip_id}")["id"] == sip_id
    social.post(f"/{sip_id}/need-level", {"level": "over_time"})
    social.post(f"/{sip_id}/preparation", {"kind": "mapping", "text": "Hemtjänst två gånger/dag."})
    sip = vc.post(
        f"/{sip_id}/preparation",
        {
            "kind": "wish",
            "text": "Helst hemma, på förmiddagen.",
            "place_kind": "home",
            "author_kind": "person",
        },
    )
    assert sip["need_level"] == "over_time"
    assert [p["kind"] for p in sip["preparation"]] == ["mapping", "wish"]
    vc_id = participant_id(sip, unit_hsa_id=county.primary_care.hsa_id)
    social_id = participant_id(sip, unit_hsa_id=county.social_services.hsa_id)

    with django_capture_on_commit_callbacks(execute=True):
        sip = vc.post(
            f"/{sip_id}/meetings",
            {
                "meeting_at": at_local(3).isoformat(),
                "place_kind": "unit",
                "location": "Vårdcentralen Centrum, rum 4",
                "invitee_ids": [vc_id, social_id],
            },
        )
    [meeting] = sip["meetings"]
    assert meeting["invitee_ids"] == [vc_id, social_id]
    assert [m.to for m in mail.outbox] == [["vc@region.example"]]  # the municipality has none

    time_machine.move_to(at_local(3, 12), tick=True)
    vc.post(
        f"/{sip_id}/meetings/{meeting['id']}/minutes",
        {
            "text": "Personen berättade vad som är viktigt.",
            "attendee_ids": [vc_id, social_id],
            "person_present": True,
            "decisions": "Hemtjänst startar.",
        },
    )
    draft = vc.get(f"/{sip_id}/plan/draft")
    assert draft["revision"] == 0
    assert "Personens långsiktiga mål saknas." in draft["problems"]
    draft = vc.put(
        f"/{sip_id}/plan/draft",
        {"base_revision": draft["revision"], "content": plan_content(county)},
    )
    assert draft["problems"] == []
    assert draft["content"]["lead_organisation"] == "Vårdcentralen Centrum, Region Testlän"
    # Approval by both mandated participants who attended, and the person.
    refused = vc.post(
        f"/{sip_id}/plan/establish",
        {
            "base_revision": draft["revision"],
            "approved_by_ids": [vc_id],
            "person_agreed": True,
            "meeting_id": meeting["id"],
        },
        status=409,
    )
    assert "Biståndsenheten Testby" in refused["detail"]
    version = vc.post(
        f"/{sip_id}/plan/establish",
        {
            "base_revision": draft["revision"],
            "approved_by_ids": [vc_id, social_id],
            "person_agreed": True,
            "meeting_id": meeting["id"],
        },
        status=201,
    )
    assert version["number"] == 1
    assert version["content"]["long_term_goal"].startswith("Jag vill")
    assert "Långsiktigt mål" in version["changes"][0]["text"]
    sip = social.get(f"/{sip_id}")
    assert sip["status"] == "established"
    assert sip["lead_unit_hsa_id"] == county.primary_care.hsa_id
    assert [a["organisation_kind"] for a in sip["current_plan"]["actions"]] == [
        "region",
        "municipality",
        "other",
    ]

    sip = social.post(f"/{sip_id}/plan/actions/a2/progress", {"status": "done"})
    assert sip["current_plan"]["actions"][1]["status"] == "done"
    sip = vc.post(
        f"/{sip_id}/meetings",
        {
            "kind": "follow_up",
            "meeting_at": at_local(30).isoformat(),
            "place_kind": "video",
            "location": "https://video.example/sip",
            "invitee_ids": [vc_id, social_id],
        },
    )
    assert sip["status"] == "follow_up"
    follow_up = sip["meetings"][-1]

    assert vc.listed(sip_id)["next_check_in"]["meeting_at"] is not None

    time_machine.move_to(at_local(30, 11), tick=True)
    # At the follow-up the next check-in is set: continuous SIP.
    next_on = (timezone.localdate() + timedelta(days=90)).isoformat()
    sip = vc.post(
        f"/{sip_id}/meetings/{follow_up['id']}/minutes",
        {
            "text": "Hemtjänsten fungerar.",
            "attendee_ids": [vc_id, social_id],
            "next_follow_up_on": next_on,
            "next_follow_up_by": "Bo Bistånd",
        },
    )
    assert sip["meetings"][-1]["minutes"]["next_follow_up_on"] == next_on
    check_in = sip["next_check_in"]
    assert (check_in["on"], check_in["by"], check_in["source"]) == (
        next_on,
        "Bo Bistånd",
        "minutes",
    )
    assert check_in["meeting_at"] is None
    assert vc.listed(sip_id)["next_check_in"] == check_in
    vc.post(f"/{sip_id}/evaluations", {"summary": "Målet är nått.", "outcomes": {"g1": "reached"}})
    # Only the unit with overall responsibility closes.
    refused = social.post(f"/{sip_id}/close", {"reason": "goals_reached"}, status=403)
    assert refused["detail"] == "SIP:en avslutas av enheten med det övergripande ansvaret."
    sip = vc.post(f"/{sip_id}/close", {"reason": "goals_reached"})
    assert sip["status"] == "closed"
    assert sip["close_reason"] == "goals_reached"
    assert sip["events"][-1]["label"] == "SIP avslutad"
    assert vc.listed(sip_id) is None
    # A closed SIP is a rule refusing the step (409), as a closed discharge case; who may not
    # act is still told so first (403).
    refused = vc.post(f"/{sip_id}/preparation", {"kind": "question", "text": "x"}, status=409)
    assert refused["detail"] == "SIP:en är avslutad och kan inte ändras."
    refused = vc.post(f"/{sip_id}/close", {"reason": "moved"}, status=409)
    assert refused["detail"] == "SIP:en är avslutad och kan inte ändras."
    refused = social.post(f"/{sip_id}/close", {"reason": "moved"}, status=403)
    assert refused["detail"] == "SIP:en avslutas av enheten med det övergripande ansvaret."


# --- Must show: continued from a discharge case --------------------------------------------------


def discharge_case_with_kallelse(county: County):
    stay = admit(county)
    record_conversation(county, stay)
    send_admission_notice(county, stay)
    discharge_services.care_contact_appoint(
        acting=county.acting(county.primary_care_head), stay=stay, name="Fia Fast"
    )
    discharge_services.sip_invitation_send(
        acting=county.acting(county.primary_care_nurse),
        stay=stay,
        meeting_at=at_local(2),
        place_kind="hospital",
        location="Avdelning 12, samtalsrummet",
        invitees=[county.social_services, county.home_health_care],
    )
    return stay


def test_a_sip_continued_from_a_discharge_case_reaches_a_plan_follow_up_and_closure(
    county: County, time_machine
) -> None:
    time_machine.move_to(at_local(0, 9), tick=True)
    stay = discharge_case_with_kallelse(county)
    vc, social = Api(county.primary_care_nurse), Api(county.needs_assessor)

    Api(county.outsider).post(f"/from-stay/{stay.public_id}", status=404)
    sip = vc.post(f"/from-stay/{stay.public_id}", {"reason": "Fortsätter efter utskrivning"}, 201)
    sip_id = sip["id"]
    assert sip["origin_stay_id"] == str(stay.public_id)
    assert {p["unit_hsa_id"] for p in sip["participants"]} == {
        county.primary_care.hsa_id,
        county.ward.hsa_id,
        county.social_services.hsa_id,
        county.home_health_care.hsa_id,
    }
    [meeting] = sip["meetings"]
    assert (meeting["place_kind"], meeting["location"]) == (
        "hospital",
        "Avdelning 12, samtalsrummet",
    )
    assert sip["events"][0]["label"] == "SIP-processen startad från utskrivning"
    again = vc.post(f"/from-stay/{stay.public_id}", status=409)
    assert again["detail"] == "Det finns redan en SIP från det här vårdtillfället."

    # The municipality is a participant but sees nothing until the person consents.
    social.get(f"/{sip_id}", status=404)
    assert social.listed(sip_id) is None
    sip = vc.post(f"/{sip_id}/consents", CONSENT)
    assert social.listed(sip_id) is not None
    vc_id = participant_id(sip, unit_hsa_id=county.primary_care.hsa_id)
    social_id = participant_id(sip, unit_hsa_id=county.social_services.hsa_id)
    for pid in (vc_id, social_id):
        vc.post(f"/{sip_id}/participants/{pid}/mandate", {"has_mandate": True})
    flags = {f["code"] for f in vc.listed(sip_id)["flags"]}
    assert "participants_without_mandate" in flags  # the ward and home health care

    time_machine.move_to(at_local(2, 12), tick=True)
    vc.post(
        f"/{sip_id}/meetings/{meeting['id']}/minutes",
        {"text": "SIP-möte på avdelningen.", "attendee_ids": [vc_id, social_id]},
    )
    draft = social.get(f"/{sip_id}/plan/draft")
    draft = social.put(
        f"/{sip_id}/plan/draft",
        {
            "base_revision": draft["revision"],
            "content": plan_content(county, lead=county.social_services),
        },
    )
    version = social.post(
        f"/{sip_id}/plan/establish",
        {
            "base_revision": draft["revision"],
            "approved_by_ids": [vc_id, social_id],
            "person_agreed": True,
            "meeting_id": meeting["id"],
        },
        status=201,
    )
    assert version["content"]["lead_organisation"] == "Biståndsenheten Testby, Testby kommun"
    assert len(version["content"]["actions"]) == 3

    sip = social.post(
        f"/{sip_id}/meetings",
        {
            "kind": "follow_up",
            "meeting_at": at_local(20).isoformat(),
            "place_kind": "home",
            "location": "Hemma",
            "invitee_ids": [vc_id, social_id],
        },
    )
    assert sip["status"] == "follow_up"
    assert social.listed(sip_id)["is_lead"] is True
    vc.post(f"/{sip_id}/close", {"reason": "moved"}, status=403)
    sip = social.post(
        f"/{sip_id}/close", {"reason": "other", "note": "Flyttar till särskilt boende."}
    )
    assert sip["status"] == "closed"


# --- Immutability and differences ---------------------------------------------------------------


def established(county: County, vc: Api, social: Api) -> tuple[str, list[int]]:
    """An outpatient SIP with consent, the municipality, and version 1 established."""
    sip = vc.post(
        "", {"person_identifier": county.person().identifier, "has_mandate": True}, status=201
    )
    sip_id = sip["id"]
    vc.post(f"/{sip_id}/consents", CONSENT)
    sip = vc.post(
        f"/{sip_id}/participants",
        {"kind": "unit", "unit_hsa_id": county.social_services.hsa_id, "has_mandate": True},
    )
    approvers = [p["id"] for p in sip["participants"]]
    draft = vc.get(f"/{sip_id}/plan/draft")
    draft = vc.put(f"/{sip_id}/plan/draft", {"base_revision": 0, "content": plan_content(county)})
    vc.post(
        f"/{sip_id}/plan/establish",
        {"base_revision": draft["revision"], "approved_by_ids": approvers, "person_agreed": True},
        status=201,
    )
    return sip_id, approvers


def test_an_established_version_cannot_be_changed_and_a_new_one_shows_its_difference(
    county: County,
) -> None:
    vc, social = Api(county.primary_care_nurse), Api(county.needs_assessor)
    sip_id, approvers = established(county, vc, social)
    first = vc.get(f"/{sip_id}/plan/versions/1")

    # There is no way to write an established version.
    for method in ("put", "post", "patch", "delete"):
        vc.send(method, f"/{sip_id}/plan/versions/1", {"content": {}}, status=405)
    # Changing the plan is a new draft; version 1 stays as it was.
    draft = social.get(f"/{sip_id}/plan/draft")
    content = draft["content"]
    content["long_term_goal"] = "Jag vill klara mig själv hemma."
    content["actions"][1]["due"] = (timezone.localdate() + timedelta(days=21)).isoformat()
    content["needs"] = [*content["needs"], "Trygghetslarm"]
    draft = social.put(
        f"/{sip_id}/plan/draft", {"base_revision": draft["revision"], "content": content}
    )
    assert [c["kind"] for c in draft["changes"]] == ["goal", "need_added", "action_due"]
    assert vc.get(f"/{sip_id}/plan/versions/1") == first

    second = social.post(
        f"/{sip_id}/plan/establish",
        {"base_revision": draft["revision"], "approved_by_ids": approvers, "person_agreed": True},
        status=201,
    )
    assert second["number"] == 2
    assert second["is_latest"] is True
    assert [c["text"] for c in second["changes"]] == [
        "Långsiktigt mål ändrat från ”Jag vill kunna bo kvar hemma och gå till affären själv.” "
        "till ”Jag vill klara mig själv hemma.”.",
        "Behov tillagt: ”Trygghetslarm”.",
        f"Slutdatum för ”Hemtjänst morgon och kväll” ändrat från "
        f"{(timezone.localdate() + timedelta(days=7)).isoformat()} till "
        f"{(timezone.localdate() + timedelta(days=21)).isoformat()}.",
    ]
    again = vc.get(f"/{sip_id}/plan/versions/1")
    assert again["content"] == first["content"]
    assert again["is_latest"] is False
    assert [v["number"] for v in vc.get(f"/{sip_id}/plan/versions")] == [1, 2]
    vc.get(f"/{sip_id}/plan/versions/3", status=404)
    stored = PlanVersion.objects.get(process__public_id=sip_id, number=1)
    assert stored.content["long_term_goal"].startswith("Jag vill kunna bo kvar")


# --- Consent withdrawn ----------------------------------------------------------------------------


def test_withdrawn_consent_stops_another_organisation_at_once(county: County) -> None:
    vc, social = Api(county.primary_care_nurse), Api(county.needs_assessor)
    sip_id, _approvers = established(county, vc, social)
    assert social.listed(sip_id) is not None
    assert social.get(f"/{sip_id}/plan/versions/1")["number"] == 1

    # Recorded by the municipality's own unit: it answers 204, it no longer sees the SIP.
    withdrawal = {
        "giver": "person",
        "form": "oral",
        "reason": "Vill inte att kommunen får veta mer.",
    }
    assert social.post(f"/{sip_id}/consents/withdraw", withdrawal, status=204) is None
    for path in ("", "/plan/draft", "/plan/versions", "/plan/versions/1"):
        assert social.get(f"/{sip_id}{path}", status=404) == {"detail": "Finns inte."}
    social.post(f"/{sip_id}/preparation", {"kind": "mapping", "text": "Smyg"}, status=404)
    assert social.listed(sip_id) is None
    denied = AccessLogEntry.objects.filter(
        action=AccessAction.DENIED, user=county.needs_assessor.user
    )
    assert denied.count() == 5
    # The region's own unit still works with it, but cannot share it.
    sip = vc.get(f"/{sip_id}")
    assert sip["consent"]["status"] == "withdrawn"
    refused = vc.post(
        f"/{sip_id}/participants",
        {"kind": "unit", "unit_hsa_id": county.home_health_care.hsa_id},
        status=409,
    )
    assert "samtycke" in refused["detail"]
    # Consent given again: shared again.
    vc.post(f"/{sip_id}/consents", CONSENT)
    assert social.get(f"/{sip_id}")["id"] == sip_id


# --- Two writers ----------------------------------------------------------------------------------


def test_the_second_of_two_concurrent_draft_saves_is_told_and_nothing_is_lost(
    county: County,
) -> None:
    vc, social = Api(county.primary_care_nurse), Api(county.needs_assessor)
    sip = vc.post(
        "", {"person_identifier": county.person().identifier, "has_mandate": True}, status=201
    )
    sip_id = sip["id"]
    vc.post(f"/{sip_id}/consents", CONSENT)
    vc.post(
        f"/{sip_id}/participants", {"kind": "unit", "unit_hsa_id": county.social_services.hsa_id}
    )
    base = vc.put(f"/{sip_id}/plan/draft", {"base_revision": 0, "content": plan_content(county)})

    # Both open revision 1.
    mine = vc.get(f"/{sip_id}/plan/draft")
    theirs = social.get(f"/{sip_id}/plan/draft")
    assert mine["revision"] == theirs["revision"] == base["revision"]

    mine["content"]["needs"] = [*mine["content"]["needs"], "Rollator"]
    saved = vc.put(
        f"/{sip_id}/plan/draft", {"base_revision": mine["revision"], "content": mine["content"]}
    )
    assert saved["revision"] == mine["revision"] + 1

    theirs["content"]["long_term_goal"] = "Jag vill laga min egen mat."
    conflict = social.put(
        f"/{sip_id}/plan/draft",
        {"base_revision": theirs["revision"], "content": theirs["content"]},
        status=409,
    )
    assert conflict["detail"].startswith("Planen har ändrats av Fia Fast (Vårdcentralen Centrum)")
    assert conflict["current_revision"] == saved["revision"]
    assert conflict["saved_by"] == "Fia Fast"
    assert conflict["saved_unit_hsa_id"] == county.primary_care.hsa_id
    assert [c["text"] for c in conflict["their_changes"]] == ["Behov tillagt: ”Rollator”."]
    assert [c["kind"] for c in conflict["your_changes"]] == ["goal"]
    assert conflict["attempted"]["long_term_goal"] == "Jag vill laga min egen mat."
    assert "Rollator" in conflict["current"]["needs"]
    # Nothing of the first writer was overwritten.
    assert vc.get(f"/{sip_id}/plan/draft")["content"] == saved["content"]

    # The second writer redoes the change on the current revision: both changes are there.
    merged = dict(conflict["current"], long_term_goal=conflict["attempted"]["long_term_goal"])
    final = social.put(
        f"/{sip_id}/plan/draft",
        {"base_revision": conflict["current_revision"], "content": merged},
    )
    assert final["content"]["long_term_goal"] == "Jag vill laga min egen mat."
    assert "Rollator" in final["content"]["needs"]
    process = SipProcess.objects.get(public_id=sip_id)
    revisions = PlanDraftRevision.objects.filter(process=process).order_by("revision")
    assert [r.saved_by_id for r in revisions] == [
        county.primary_care_nurse.user_id,
        county.primary_care_nurse.user_id,
        county.needs_assessor.user_id,
    ]

    # Had they saved over instead, nothing would be lost either: the history shows each save.
    over = social.put(
        f"/{sip_id}/plan/draft",
        {"base_revision": final["revision"], "content": theirs["content"]},
    )
    history = social.get(f"/{sip_id}/plan/draft/revisions")
    assert [h["revision"] for h in history] == [over["revision"], 3, 2, 1]
    assert history[0]["saved_by"] == "Bo Bistånd"
    assert history[0]["saved_unit_hsa_id"] == county.social_services.hsa_id
    assert [c["text"] for c in history[0]["changes"]] == ["Behov borttaget: ”Rollator”."]
    assert [c["text"] for c in history[2]["changes"]] == ["Behov tillagt: ”Rollator”."]
    assert "Rollator" in history[2]["content"]["needs"]
    assert history[2]["saved_by"] == "Fia Fast"

    # Establishing a revision that is no longer current is refused the same way.
    conflict = vc.post(
        f"/{sip_id}/plan/establish",
        {"base_revision": saved["revision"], "approved_by_ids": [], "person_agreed": True},
        status=409,
    )
    assert conflict["current_revision"] == over["revision"]
    assert conflict["attempted"] is None
    assert not process.versions.exists()


# --- Outsiders, privacy, schema -------------------------------------------------------------------


def test_a_unit_outside_the_sip_gets_404_and_the_attempt_is_logged(county: County) -> None:
    vc, outsider = Api(county.primary_care_nurse), Api(county.outsider)
    sip_id, _approvers = established(county, vc, Api(county.needs_assessor))
    process = SipProcess.objects.get(public_id=sip_id)

    for path in ("", "/plan/draft", "/plan/versions", "/plan/versions/1"):
        assert outsider.get(f"/{sip_id}{path}", status=404) == {"detail": "Finns inte."}
    outsider.post(f"/{sip_id}/preparation", {"kind": "mapping", "text": "Smyg"}, status=404)
    outsider.put(
        f"/{sip_id}/plan/draft", {"base_revision": 1, "content": plan_content(county)}, status=404
    )
    outsider.post(f"/{sip_id}/close", {"reason": "moved"}, status=404)
    assert outsider.get("/worklist") == []
    denied = AccessLogEntry.objects.filter(
        action=AccessAction.DENIED, user=county.outsider.user, person_id=process.person_id
    )
    assert denied.count() == 7
    assert not process.preparation.exists()
    # A process that does not exist looks the same.
    assert outsider.get(f"/{'0' * 8}-0000-4000-8000-{'0' * 12}", status=404) == {
        "detail": "Finns inte."
    }


def test_a_protected_identity_address_is_never_in_a_response(county: County, time_machine) -> None:
    time_machine.move_to(at_local(0, 9), tick=True)
    person = county.person(
        protected=True, street_address="Lindvägen 7", postal_code="80599", city="Gömstad"
    )
    vc, social = Api(county.primary_care_nurse), Api(county.needs_assessor)
    sip = vc.post("", {"person_identifier": person.identifier, "has_mandate": True}, status=201)
    sip_id = sip["id"]
    vc.post(f"/{sip_id}/consents", CONSENT)
    sip = vc.post(
        f"/{sip_id}/participants",
        {"kind": "unit", "unit_hsa_id": county.social_services.hsa_id, "has_mandate": True},
    )
    approvers = [p["id"] for p in sip["participants"]]
    vc.post(
        f"/{sip_id}/meetings",
        {
            "meeting_at": at_local(2).isoformat(),
            "place_kind": "unit",
            "location": "Vårdcentralen Centrum",
            "invitee_ids": approvers,
        },
    )
    vc.put(f"/{sip_id}/plan/draft", {"base_revision": 0, "content": plan_content(county)})
    vc.post(
        f"/{sip_id}/plan/establish",
        {"base_revision": 1, "approved_by_ids": approvers, "person_agreed": True},
        status=201,
    )
    responses = []
    for api in (vc, social):
        for path in ("", "/plan/draft", "/plan/versions", "/plan/versions/1"):
            responses.append(api.get(f"/{sip_id}{path}"))
        responses.append(api.get("/worklist"))
    text = json.dumps(responses, ensure_ascii=False)
    assert person.full_name in text  # the right person's data is what is read
    for part in ("Lindvägen", "80599", "805 99", "Gömstad"):
        assert part not in text


def test_refusals_and_malformed_input_are_explained_in_swedish(county: County) -> None:
    vc = Api(county.primary_care_nurse)
    assert vc.post("", {"person_identifier": "19000101-0000"}, status=409)["detail"]
    sip = vc.post(
        "", {"person_identifier": county.person().identifier, "has_mandate": True}, status=201
    )
    refused = vc.post(
        f"/{sip['id']}/plan/establish",
        {"base_revision": 0, "approved_by_ids": [], "person_agreed": True},
        status=409,
    )
    assert refused["detail"].startswith("Att fastställa planen kräver personens samtycke.")
    refused = vc.post(
        f"/{sip['id']}/participants/999999/mandate", {"has_mandate": True}, status=409
    )
    assert refused == {"detail": "Okända deltagare: 999999"}
    malformed = vc.put(
        f"/{sip['id']}/plan/draft",
        {"base_revision": "senaste", "content": {"actions": [{"what": "x"}]}},
        status=422,
    )
    assert malformed["detail"] == "Anropet innehåller fel."
    fields = {e["field"] for e in malformed["errors"]}
    assert "base_revision" in fields
    assert "content.actions.0.organisation_kind" in fields

    # Every message is Swedish and says what to fix; our own rules keep their Swedish text.
    def errors_of(content: dict[str, Any]) -> dict[str, str]:
        answer = vc.put(
            f"/{sip['id']}/plan/draft", {"base_revision": 0, "content": content}, status=422
        )
        return {e["field"]: e["message"] for e in answer["errors"]}

    assert errors_of({"goals": [{"id": "g1", "text": "a"}, {"id": "g1", "text": "b"}]}) == {
        "content": "Samma id förekommer på flera delmål: g1."
    }
    assert errors_of(
        {"actions": [{"what": "Dusch", "organisation_kind": "region", "goal_ids": ["g9"]}]}
    ) == {"content": "Insatsen ”Dusch” hör till ett delmål som inte finns i planen: g9."}
    assert errors_of(
        {
            "goals": [{"id": "g 1", "text": ""}],
            "needs": ["x" * 301],
            "actions": [{"what": "Dusch", "organisation_kind": "county", "extra": 1}],
        }
    ) == {
        "content.goals.0.id": "Innehåller tecken som inte är tillåtna här.",
        "content.goals.0.text": "Får inte vara tomt.",
        "content.needs.0": "Får ha högst 300 tecken.",
        "content.actions.0.organisation_kind": (
            "Otillåtet värde. Tillåtna värden: 'region', 'municipality' eller 'other'."
        ),
        "content.actions.0.extra": "Okänt fält: det ska inte finnas med.",
    }


def test_the_work_list_costs_the_same_queries_for_one_sip_of_each_origin_as_for_many(
    county: County,
) -> None:
    municipality = Api(county.needs_assessor)

    def outpatient() -> SipProcess:
        process = start_outpatient_sip(county)
        give_consent(county, process)
        add_social_services(county, process)
        return process

    def queries() -> tuple[int, list[dict[str, Any]]]:
        with CaptureQueriesContext(connection) as captured:
            items = municipality.get("/worklist")
        return len(captured), items

    outpatient()
    sip_continuing_a_stay(county, kallelse=True)
    one, items = queries()
    assert len(items) == 2
    for _ in range(2):
        process = outpatient()
        save_plan(county, process)
        establish(county, process)
        sip_continuing_a_stay(county, kallelse=True)
        sip_continuing_a_stay(county, kallelse=False)
    many, items = queries()
    assert len(items) == 8
    origins = {i["sip"]["origin_stay_id"] is None for i in items}
    assert origins == {True, False}
    assert many == one


def test_the_draft_and_establishing_warn_about_good_practice(county: County) -> None:
    vc = Api(county.primary_care_nurse)
    sip = vc.post(
        "", {"person_identifier": county.person().identifier, "has_mandate": True}, status=201
    )
    sip_id = sip["id"]
    vc.post(f"/{sip_id}/consents", CONSENT)
    sip = vc.post(
        f"/{sip_id}/participants",
        {"kind": "staff", "unit_hsa_id": county.social_services.hsa_id, "name": "Bo Bistånd"},
    )
    content = plan_content(county, goals=[{"id": "g1", "text": "Handla själv"}])
    content["follow_up_by"] = ""
    draft = vc.put(f"/{sip_id}/plan/draft", {"base_revision": 0, "content": content})
    assert draft["problems"] == []
    expected = [
        "Delmålet ”Handla själv” har inget mått: hur vet ni att det är nått?",
        "Planen säger inte vem som följer upp.",
        "Insatsen ”Följer med till affären på lördagar” har inget datum för när den ska vara klar.",
    ]
    mandate = (
        "Deltagare utan mandat: Bo Bistånd (Biståndsenheten Testby). Den som ska besluta om "
        "deras insatser behöver vara med eller godkänna planen."
    )
    assert draft["warnings"] == [*expected, mandate]
    approvers = [p["id"] for p in sip["participants"] if p["has_mandate"]]
    version = vc.post(
        f"/{sip_id}/plan/establish",
        {"base_revision": 1, "approved_by_ids": approvers, "person_agreed": True},
        status=201,
    )
    assert version["warnings"] == [*expected, mandate]
    assert vc.get(f"/{sip_id}/plan/versions/1")["warnings"] == expected


def test_the_openapi_schema_lists_the_sip_paths(county: County) -> None:
    schema = Client().get("/api/v1/openapi.json").json()
    paths = set(schema["paths"])
    for suffix in (
        "",
        "/worklist",
        "/from-stay/{stay_id}",
        "/{sip_id}",
        "/{sip_id}/consents",
        "/{sip_id}/consents/withdraw",
        "/{sip_id}/participants",
        "/{sip_id}/participants/{participant_id}/remove",
        "/{sip_id}/participants/{participant_id}/mandate",
        "/{sip_id}/need-level",
        "/{sip_id}/lead-unit",
        "/{sip_id}/preparation",
        "/{sip_id}/meetings",
        "/{sip_id}/meetings/{meeting_id}/cancel",
        "/{sip_id}/meetings/{meeting_id}/minutes",
        "/{sip_id}/plan/draft",
        "/{sip_id}/plan/draft/revisions",
        "/{sip_id}/plan/establish",
        "/{sip_id}/plan/versions",
        "/{sip_id}/plan/versions/{number}",
        "/{sip_id}/plan/actions/{action_id}/progress",
        "/{sip_id}/evaluations",
        "/{sip_id}/close",
    ):
        assert f"/api/v1/sip{suffix}" in paths, suffix
    draft = schema["paths"]["/api/v1/sip/{sip_id}/plan/draft"]["put"]
    assert set(draft["responses"]) >= {"200", "409"}
    assert "/api/v1/stays/worklist" in paths  # one API, one schema
