"""The discharge process through /api/v1/ as record systems use it: three units' tokens run a
category E case to the discharge notice, each unit's work list following every step; a token
that is missing, wrong or revoked gets 401; a unit outside the case gets 404 and is logged;
errors are in Swedish; a protected identity's address is never in a response."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from samplan.agreements.services import agreement_of
from samplan.audit.models import AccessAction, AccessLogEntry
from samplan.discharge import rules
from samplan.discharge.models import InpatientStay, MessageKind, StayStatus
from samplan.testing.api import ApiClient
from samplan.testing.county import (
    County,
    admit,
    make_county,
    record_conversation,
    send_admission_notice,
)

pytestmark = pytest.mark.django_db

API = "/api/v1/stays"


@pytest.fixture
def county() -> County:
    return make_county()


class Api(ApiClient):
    """A record system holding one unit's token."""

    base = API

    def my_tasks(self, stay_id: str) -> str:
        """The labels of this unit's own obligations on the case, from its work list."""
        for item in self.get("/worklist"):
            if item["stay"]["id"] == stay_id:
                return " | ".join(o["label"] for o in item["obligations"] if o["mine"])
        return ""

    def listed(self, stay_id: str) -> bool:
        return any(item["stay"]["id"] == stay_id for item in self.get("/worklist"))


def iso(moment) -> str:
    return moment.isoformat()


def answers_for(stay_id: str) -> dict[str, str]:
    stay = InpatientStay.objects.get(public_id=stay_id)
    return {q.id: q.choices[0][0] for q in rules.planning_questions(agreement_of(stay.agreement))}


def test_category_e_case_through_the_api_by_three_units(county: County) -> None:
    ward, centre, municipality = (
        Api(county.ward_nurse),
        Api(county.primary_care_head),
        Api(county.needs_assessor),
    )
    person = county.person()
    now = timezone.now()

    case = ward.post(
        "",
        {"person_identifier": person.identifier, "admitted_at": iso(now - timedelta(hours=3))},
        status=201,
    )
    stay_id = case["id"]
    assert case["status"] == StayStatus.OPEN
    assert "Dokumentera ankomstsamtalet" in ward.my_tasks(stay_id)
    assert not centre.listed(stay_id)

    case = ward.post(
        f"/{stay_id}/arrival-conversation",
        {
            "held_at": iso(now - timedelta(hours=2)),
            "participants": "Patienten och sonen",
            "needs_regional_outpatient": True,
            "needs_social_services": True,
            "needs_municipal_health_care": True,
            "needs_special_housing": True,
            "brochure_given": True,
        },
    )
    assert case["planning_category"] == "E"
    assert "Skicka inskrivningsmeddelande" in ward.my_tasks(stay_id)

    case = ward.post(
        f"/{stay_id}/admission-notice",
        {
            "recipient_hsa_ids": [county.primary_care.hsa_id, county.social_services.hsa_id],
            "estimated_discharge": iso(now + timedelta(days=4)),
        },
    )
    assert "Skicka inskrivningsmeddelande" not in ward.my_tasks(stay_id)
    notice = next(m for m in case["messages"] if m["kind"] == MessageKind.ADMISSION_NOTICE)
    for unit in (centre, municipality):
        assert "Kvittera inskrivningsmeddelande" in unit.my_tasks(stay_id)
        case = unit.post(f"/{stay_id}/messages/{notice['id']}/acknowledge")
        assert "Kvittera inskrivningsmeddelande" not in unit.my_tasks(stay_id)
    acknowledged = next(m for m in case["messages"] if m["id"] == notice["id"])
    assert all(r["acknowledged_at"] for r in acknowledged["recipients"])

    assert "Besvara planeringsunderlaget" in municipality.my_tasks(stay_id)
    case = municipality.post(f"/{stay_id}/assessments", {"answers": answers_for(stay_id)})
    assert case["colour"]
    assert "Besvara planeringsunderlaget" not in municipality.my_tasks(stay_id)

    assert "Utse fast vårdkontakt" in centre.my_tasks(stay_id)
    centre.post(f"/{stay_id}/care-contact", {"name": "Fia Fast", "title": "Distriktssköterska"})
    assert "Utse fast vårdkontakt" not in centre.my_tasks(stay_id)

    case = ward.post(
        f"/{stay_id}/estimated-discharge",
        {"estimated_discharge": iso(now + timedelta(days=2)), "reason": "Snabb förbättring"},
    )
    assert any(m["kind"] == MessageKind.ESTIMATED_DISCHARGE_CHANGED for m in case["messages"])

    case = ward.post(f"/{stay_id}/ready-notice", {"physician": "Lars Läkare"})
    assert case["ready_notice_sent_at"]
    assert "Skicka kallelse till SIP" in centre.my_tasks(stay_id)
    centre.post(
        f"/{stay_id}/sip-invitation",
        {
            "meeting_at": iso(now + timedelta(days=1)),
            "place_kind": "video",
            "location": "https://video.example/sip",
            "invitee_hsa_ids": [county.social_services.hsa_id, county.ward.hsa_id],
        },
    )
    assert "Skicka kallelse till SIP" not in centre.my_tasks(stay_id)

    for item in ("epikris", "medication_list"):
        ward.post(f"/{stay_id}/checklist", {"checklist": "information_transfer", "item": item})
    responsibility = {"checklist": "information_transfer", "item": "medical_responsibility"}
    refused = ward.post(f"/{stay_id}/checklist", responsibility, status=409)
    assert refused == {
        "detail": "Svara på frågan: Vem har det medicinska ansvaret efter utskrivningen?"
    }
    case = ward.post(
        f"/{stay_id}/checklist", {**responsibility, "note": "Vårdcentralen Centrum, dr Lind"}
    )
    transfer = next(c for c in case["checklists"] if c["kind"] == "information_transfer")
    assert transfer["items"][2]["note"] == "Vårdcentralen Centrum, dr Lind"
    ward.post(f"/{stay_id}/care-summary", {"text": "Du har vårdats för lunginflammation."})
    case = ward.post(f"/{stay_id}/discharge", {"discharged_at": iso(timezone.now())})

    assert case["status"] == StayStatus.DISCHARGED
    assert case["discharged_at"]
    assert any(m["kind"] == MessageKind.DISCHARGE_NOTICE for m in case["messages"])
    assert "Kvittera utskrivningsmeddelande" in municipality.my_tasks(stay_id)
    # Every party reads the same case.
    for unit in (ward, centre, municipality):
        assert unit.get(f"/{stay_id}")["status"] == StayStatus.DISCHARGED


@pytest.mark.parametrize(
    "header",
    [None, "Bearer spl_wrong", "Token abc", "Bearer "],
    ids=["missing", "unknown", "other-scheme", "empty"],
)
def test_requests_without_a_valid_token_get_401_in_swedish(county: County, header) -> None:
    headers = {"HTTP_AUTHORIZATION": header} if header is not None else {}
    response = Client().get(f"{API}/worklist", **headers)
    assert response.status_code == 401
    assert response.json() == {"detail": "API-nyckel saknas, är ogiltig eller återkallad."}
    assert response["WWW-Authenticate"] == "Bearer"


def test_a_revoked_token_stops_working_at_once(county: County) -> None:
    api = Api(county.ward_nurse)
    api.get("/worklist")
    county.ward_nurse.api_tokens.update(revoked_at=timezone.now())
    api.get("/worklist", status=401)


def test_a_non_party_unit_gets_404_and_the_attempt_is_logged(county: County) -> None:
    stay = admit(county)
    record_conversation(county, stay)
    send_admission_notice(county, stay)
    outsider = Api(county.outsider)

    assert outsider.get(f"/{stay.public_id}", status=404) == {"detail": "Finns inte."}
    outsider.post(f"/{stay.public_id}/notes", {"text": "Smyg"}, status=404)
    assert not outsider.listed(str(stay.public_id))

    denied = AccessLogEntry.objects.filter(
        action=AccessAction.DENIED, user=county.outsider.user, person_id=stay.person_id
    )
    assert denied.count() == 2
    assert not stay.notes.exists()


def test_a_rule_broken_through_the_api_is_refused_in_swedish(county: County) -> None:
    stay = admit(county)
    centre = Api(county.primary_care_head)
    ward = Api(county.ward_nurse)
    # The municipality is not yet a party, and the ward may not appoint the FVK.
    response = ward.post(f"/{stay.public_id}/care-contact", {"name": "Fia Fast"}, status=403)
    assert response["detail"]
    assert not centre.listed(str(stay.public_id))
    response = ward.post(
        f"/{stay.public_id}/admission-notice",
        {"recipient_hsa_ids": ["SE-FINNS-INTE"], "estimated_discharge": iso(timezone.now())},
        status=409,
    )
    assert response == {"detail": "Okända HSA-id: SE-FINNS-INTE"}


def test_malformed_input_is_explained_field_by_field_in_swedish(county: County) -> None:
    ward = Api(county.ward_nurse)
    response = ward.post("", {"admitted_at": "i går"}, status=422)
    assert response["detail"] == "Anropet innehåller fel."
    assert {(e["field"], e["message"]) for e in response["errors"]} == {
        ("person_identifier", "Uppgiften saknas."),
        (
            "admitted_at",
            "Ange datum och tid i ISO 8601, t.ex. 2026-03-01T14:30:00+01:00.",
        ),
    }


@pytest.mark.parametrize("protected", [True, False])
def test_a_protected_identity_address_is_never_in_a_response(county: County, protected) -> None:
    person = county.person(protected=protected, street_address="Lindvägen 7", city="Gömstad")
    stay = admit(county, person)
    record_conversation(county, stay)
    send_admission_notice(county, stay)
    for membership in (county.ward_nurse, county.primary_care_head):
        api = Api(membership)
        detail = json.dumps(api.get(f"/{stay.public_id}"), ensure_ascii=False)
        listed = json.dumps(api.get("/worklist"), ensure_ascii=False)
        assert str(stay.public_id) in listed
        # The inskrivningsmeddelande carries the address, unless the identity is protected.
        assert ("Lindvägen 7" in detail) is not protected
        assert "Lindvägen" not in listed
        assert ("Gömstad" in detail + listed) is not protected


def test_the_openapi_schema_lists_every_step(county: County) -> None:
    schema = Client().get("/api/v1/openapi.json").json()
    paths = set(schema["paths"])
    for suffix in (
        "",
        "/worklist",
        "/{stay_id}",
        "/{stay_id}/arrival-conversation",
        "/{stay_id}/admission-notice",
        "/{stay_id}/messages/{message_id}/acknowledge",
        "/{stay_id}/messages/{message_id}/withdraw",
        "/{stay_id}/assessments",
        "/{stay_id}/colour-override",
        "/{stay_id}/estimated-discharge",
        "/{stay_id}/care-contact",
        "/{stay_id}/ready-notice",
        "/{stay_id}/unavailability",
        "/{stay_id}/sip-invitation",
        "/{stay_id}/checklist",
        "/{stay_id}/care-summary",
        "/{stay_id}/discharge",
        "/{stay_id}/interruption",
        "/{stay_id}/forward",
        "/{stay_id}/parties",
        "/{stay_id}/wrongly-addressed",
        "/{stay_id}/written-plan",
        "/{stay_id}/proposed-recipients",
        "/{stay_id}/letter.pdf",
        "/{stay_id}/messages/{message_id}/invitation.ics",
        "/{stay_id}/messages",
        "/{stay_id}/notes",
        "/{stay_id}/unavailability/{period_id}/end",
    ):
        assert f"/api/v1/stays{suffix}" in paths, suffix
    assert schema["components"]["securitySchemes"]["TokenAuth"]["scheme"] == "bearer"


# --- The same rules as the pages: a closed case takes no writes over the API either ---------

CLOSED = "Ärendet är avslutat och kan inte ändras."


def closed_case(county: County, how: str) -> InpatientStay:
    """Category E with the FVK at the vårdcentral and a 5:5 period running, then closed."""
    from samplan.discharge import services
    from samplan.discharge.models import InterruptionKind

    stay = admit(county)
    record_conversation(county, stay)
    send_admission_notice(county, stay)
    services.care_contact_appoint(
        acting=county.acting(county.primary_care_head), stay=stay, name="Fia Fast"
    )
    stay.refresh_from_db()
    services.unavailability_record(
        acting=county.acting(county.primary_care_nurse),
        stay=stay,
        starts_on=timezone.localdate(),
        reason="Ingen läkare",
    )
    ward = county.acting(county.ward_nurse)
    if how == "discharged":
        services.discharge_notice_send(acting=ward, stay=stay, discharged_at=timezone.now())
    else:
        services.stay_interrupt(acting=ward, stay=stay, kind=InterruptionKind.DIED)
    return InpatientStay.objects.get(pk=stay.pk)


@pytest.mark.parametrize("how", ["discharged", "interrupted"])
def test_a_closed_case_refuses_notes_messages_colour_felsant_and_5_5_with_409(
    county: County, how: str
) -> None:
    stay = closed_case(county, how)
    base = f"/{stay.public_id}"
    municipality, centre, ward = (
        Api(county.needs_assessor),
        Api(county.primary_care_nurse),
        Api(county.ward_nurse),
    )
    period = stay.unavailability_periods.get()
    refused = [
        (municipality, "/notes", {"text": "Efter utskrivningen"}),
        (municipality, "/messages", {"body": "Hej"}),
        (centre, "/colour-override", {"colour": "rod", "reason": "Stort behov"}),
        (municipality, "/wrongly-addressed", {"reason": "Fel kommun"}),
        (centre, f"/unavailability/{period.pk}/end", {"ends_on": str(timezone.localdate())}),
        (ward, f"/unavailability/{period.pk}/end", {"ends_on": str(timezone.localdate())}),
    ]
    events = stay.events.count()
    for api, path, data in refused:
        assert api.post(base + path, data, status=409) == {"detail": CLOSED}, path
    assert stay.events.count() == events
    assert not stay.notes.exists()
    assert not stay.overrides.exists()
    assert stay.parties.filter(status="wrongly_addressed").count() == 0
    period.refresh_from_db()
    assert period.ends_on is None


def test_only_the_ward_and_outpatient_care_end_a_5_5_period(county: County) -> None:
    from samplan.discharge import services

    stay = admit(county)
    record_conversation(county, stay)
    send_admission_notice(county, stay)
    period = services.unavailability_record(
        acting=county.acting(county.ward_nurse),
        stay=stay,
        starts_on=timezone.localdate(),
        reason="Ingen läkare",
    )
    path = f"/{stay.public_id}/unavailability/{period.pk}/end"
    today = str(timezone.localdate())
    response = Api(county.needs_assessor).post(path, {"ends_on": today}, status=403)
    assert response == {"detail": "Perioden registreras av avdelningen eller regionens öppna vård."}
    Api(county.primary_care_nurse).post(path, {"ends_on": today})
    period.refresh_from_db()
    assert str(period.ends_on) == today


def test_category_b_gets_its_notice_obligation_when_the_physician_judges_so(
    county: County,
) -> None:
    ward = Api(county.physician)
    stay = admit(county)
    conversation = {
        "held_at": iso(stay.admitted_at),
        "participants": "Patienten",
        "needs_regional_outpatient": True,
    }
    case = ward.post(f"/{stay.public_id}/arrival-conversation", conversation)
    assert case["planning_category"] == "B"
    assert "Skicka inskrivningsmeddelande" not in ward.my_tasks(str(stay.public_id))
    ward.post(
        f"/{stay.public_id}/arrival-conversation",
        {**conversation, "admission_notice_needed": True},
    )
    assert "Skicka inskrivningsmeddelande" in ward.my_tasks(str(stay.public_id))
