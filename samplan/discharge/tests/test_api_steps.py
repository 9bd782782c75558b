"""Every step of the pages has its endpoint, calling the same service: forward, add a party,
felsänt, withdraw, avbrott, a 5:5 period from start to end, an existing FVK continuing, the
written plan, the proposed recipients, the patient's letter and the kallelse as a calendar file.
The case detail reads everything the case page shows, in a constant number of queries."""

from __future__ import annotations

import subprocess
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from samplan.audit.models import AccessAction, AccessLogEntry
from samplan.discharge import services
from samplan.discharge.models import ChecklistKind, InpatientStay, MessageKind
from samplan.people.models import CareContact, CareContactRole
from samplan.testing.api import ApiClient
from samplan.testing.county import County, admit, make_county, record_conversation
from samplan.testing.factories import make_unit

pytestmark = pytest.mark.django_db


class Api(ApiClient):
    base = "/api/v1/stays"


@pytest.fixture
def county() -> County:
    return make_county()


def iso(moment) -> str:
    return moment.isoformat()


def category_c_case(county: County) -> tuple[InpatientStay, str, Api]:
    """Admitted, ankomstsamtal for social services only, notice to the social services unit."""
    ward = Api(county.ward_nurse)
    stay = admit(county)
    record_conversation(county, stay, needs_social_services=True)
    base = f"/{stay.public_id}"
    proposed = ward.get(base + "/proposed-recipients")
    assert [u["hsa_id"] for u in proposed] == [county.social_services.hsa_id]
    ward.post(
        base + "/admission-notice",
        {
            "recipient_hsa_ids": [u["hsa_id"] for u in proposed],
            "estimated_discharge": iso(timezone.now() + timedelta(days=3)),
        },
    )
    return stay, base, ward


def test_forward_add_party_felsant_withdraw_and_interruption_through_the_api(
    county: County,
) -> None:
    _stay, base, ward = category_c_case(county)
    social = Api(county.needs_assessor)
    home = Api(county.municipal_nurse)
    assert home.get(base, status=404)

    # The needs assessors forward to the home health care of the same municipality.
    case = social.post(
        base + "/forward",
        {"unit_hsa_id": county.home_health_care.hsa_id, "reason": "Såromläggning"},
    )
    forwarded = next(
        p for p in case["parties"] if p["unit_hsa_id"] == county.home_health_care.hsa_id
    )
    assert forwarded["forwarded_from_hsa_id"] == county.social_services.hsa_id
    notice = next(
        m for m in home.get(base)["messages"] if m["kind"] == MessageKind.ADMISSION_NOTICE
    )
    assert county.home_health_care.hsa_id in {r["unit_hsa_id"] for r in notice["recipients"]}
    social.post(
        base + "/forward", {"unit_hsa_id": county.foreign_social_services.hsa_id}, status=403
    )

    # The ward adds the vårdcentral later: it gets the notice already sent, to acknowledge.
    case = ward.post(base + "/parties", {"unit_hsa_id": county.primary_care.hsa_id})
    centre = Api(county.primary_care_nurse)
    assert "Kvittera inskrivningsmeddelande" in [
        o["label"] for o in centre.get(base)["obligations"] if o["mine"]
    ]
    social.post(base + "/parties", {"unit_hsa_id": county.primary_care.hsa_id}, status=403)

    # The vårdcentral was wrongly addressed: it leaves the case and no longer sees it.
    centre.post(
        base + "/wrongly-addressed", {"reason": "Patienten är listad i Annanby"}, status=204
    )
    centre.get(base, status=404)
    party = next(
        p for p in ward.get(base)["parties"] if p["unit_hsa_id"] == county.primary_care.hsa_id
    )
    assert (party["status"], party["status_reason"]) == (
        "wrongly_addressed",
        "Patienten är listad i Annanby",
    )
    ward.post(base + "/wrongly-addressed", {"reason": "x"}, status=403)

    # A general message is withdrawn with its reason, never deleted; only by its sender.
    case = ward.post(base + "/messages", {"body": "Fel uppgift om boende"})
    message = next(m for m in case["messages"] if m["kind"] == MessageKind.GENERAL)
    social.post(f"{base}/messages/{message['id']}/withdraw", {"reason": "Nej"}, status=403)
    case = ward.post(f"{base}/messages/{message['id']}/withdraw", {"reason": "Fel patient"})
    kept = next(m for m in case["messages"] if m["id"] == message["id"])
    assert (kept["withdrawn_reason"], kept["body"]) == ("Fel patient", "Fel uppgift om boende")
    assert kept["withdrawn_at"]
    ward.post(f"{base}/messages/{message['id']}/withdraw", {"reason": "igen"}, status=409)

    # Avbrott: the parties are told, and the case takes no more steps.
    social.post(base + "/interruption", {"kind": "declined"}, status=403)
    case = ward.post(base + "/interruption", {"kind": "declined", "reason": "Vill klara sig själv"})
    assert case["status"] == "interrupted"
    told = [m for m in social.get(base)["messages"] if m["payload"].get("interruption")]
    assert told[0]["body"].startswith("Processen är avbruten: Patienten har avböjt insatser.")
    ward.post(base + "/notes", {"text": "Efteråt"}, status=409)
    kinds = [e["kind"] for e in case["timeline"]]
    for kind in ("party_forwarded", "party_added", "party_wrongly_addressed", "message_withdrawn"):
        assert kind in kinds


def test_a_5_5_period_from_start_to_end_through_the_api(county: County) -> None:
    _stay, base, ward = category_c_case(county)
    ward.post(base + "/parties", {"unit_hsa_id": county.primary_care.hsa_id})
    centre = Api(county.primary_care_nurse)
    today = timezone.localdate()
    Api(county.needs_assessor).post(
        base + "/unavailability", {"starts_on": str(today), "reason": "x"}, status=403
    )
    case = centre.post(
        base + "/unavailability",
        {"starts_on": str(today - timedelta(days=2)), "reason": "Ingen hemsjukvårdsläkare"},
    )
    (period,) = case["unavailability_periods"]
    assert (period["reason"], period["ends_on"]) == ("Ingen hemsjukvårdsläkare", None)
    centre.post(base + "/unavailability", {"starts_on": str(today), "reason": "igen"}, status=409)
    end = f"{base}/unavailability/{period['id']}/end"
    centre.post(end, {"ends_on": str(today - timedelta(days=3))}, status=409)  # before start
    case = ward.post(end, {"ends_on": str(today)})
    assert case["unavailability_periods"][0]["ends_on"] == str(today)
    ward.post(end, {"ends_on": str(today)}, status=409)  # already ended
    assert [e["kind"] for e in case["timeline"]][-2:] == [
        "unavailability_recorded",
        "unavailability_ended",
    ]


def e_case_notified(county: County) -> InpatientStay:
    stay = admit(county)
    record_conversation(county, stay)
    services.admission_notice_send(
        acting=county.acting(county.ward_nurse),
        stay=stay,
        recipients=[county.primary_care, county.social_services, county.home_health_care],
        estimated_discharge=stay.admitted_at + timedelta(days=4),
    )
    return stay


def test_an_existing_fvk_continues_through_the_api(county: County) -> None:
    person = county.person()
    existing = CareContact.objects.create(
        person=person,
        role=CareContactRole.FAST_VARDKONTAKT,
        name="Siv Sedan",
        title="Distriktssköterska",
        unit=county.primary_care,
        phone="010-100 20 10",
        valid_from=timezone.localdate() - timedelta(days=400),
        recorded_by=county.primary_care_head.user,
    )
    other = county.person()
    foreign = CareContact.objects.create(
        person=other,
        role=CareContactRole.FAST_VARDKONTAKT,
        name="Annan Person",
        unit=county.primary_care,
        valid_from=timezone.localdate(),
        recorded_by=county.primary_care_head.user,
    )
    stay = admit(county, person)
    record_conversation(county, stay)
    services.admission_notice_send(
        acting=county.acting(county.ward_nurse),
        stay=stay,
        recipients=[county.primary_care],
        estimated_discharge=stay.admitted_at + timedelta(days=4),
    )
    head = Api(county.primary_care_head)
    base = f"/{stay.public_id}"
    assert [c["name"] for c in head.get(base)["existing_care_contacts"]] == ["Siv Sedan"]
    refused = head.post(base + "/care-contact", {"existing_contact_id": foreign.pk}, status=409)
    assert refused == {"detail": "Den fasta vårdkontakten finns inte för den här personen."}
    head.post(base + "/care-contact", {"existing_contact_id": 999999}, status=409)
    case = head.post(base + "/care-contact", {"existing_contact_id": existing.pk})
    assert case["care_contact"] == {
        "id": existing.pk,
        "name": "Siv Sedan",
        "title": "Distriktssköterska",
        "unit_hsa_id": county.primary_care.hsa_id,
        "unit_name": county.primary_care.name,
        "phone": "010-100 20 10",
        "email": "",
    }
    assert CareContact.objects.filter(person=person).count() == 1


def test_kallelse_calendar_file_written_plan_and_letter_through_the_api(county: County) -> None:
    stay = e_case_notified(county)
    services.care_contact_appoint(
        acting=county.acting(county.primary_care_head), stay=stay, name="Fia Fast"
    )
    base = f"/{stay.public_id}"
    centre = Api(county.primary_care_nurse)
    Api(county.ward_nurse).post(base + "/ready-notice", {"physician": "Lars Läkare"})
    case = centre.post(
        base + "/sip-invitation",
        {
            "meeting_at": iso(timezone.now() + timedelta(hours=2)),
            "place_kind": "unit",
            "location": "Vårdcentralen Centrum, rum 3",
            "invitee_hsa_ids": [county.social_services.hsa_id, county.ward.hsa_id],
        },
    )
    invitation = next(m for m in case["messages"] if m["kind"] == MessageKind.SIP_INVITATION)
    municipality = Api(county.needs_assessor)
    response = municipality.client.get(
        f"/api/v1/stays{base}/messages/{invitation['id']}/invitation.ics",
        headers=municipality._headers(),
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar"
    assert b"BEGIN:VEVENT" in response.content
    assert b"rum 3" in response.content
    not_an_invitation = next(m for m in case["messages"] if m["kind"] != MessageKind.SIP_INVITATION)
    municipality.get(f"{base}/messages/{not_an_invitation['id']}/invitation.ics", status=404)

    Api(county.ward_nurse).post(
        base + "/written-plan", {"given_at": iso(timezone.now())}, status=403
    )
    case = centre.post(base + "/written-plan", {"given_at": iso(timezone.now())})
    assert case["written_plan_given_at"]
    centre.post(base + "/written-plan", {"given_at": iso(timezone.now())}, status=409)

    ward = Api(county.ward_nurse)
    ward.post(base + "/care-summary", {"text": "Du har vårdats för en höftfraktur."})
    response = ward.client.get(f"/api/v1/stays{base}/letter.pdf", headers=ward._headers())
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    text = subprocess.run(
        ["pdftotext", "-", "-"], input=response.content, capture_output=True, check=True
    ).stdout.decode()
    assert "Du har vårdats för en höftfraktur." in text
    assert AccessLogEntry.objects.filter(
        person=stay.person, action=AccessAction.EXPORT, user=county.ward_nurse.user
    ).exists()
    # Proposed recipients are the ward's question.
    municipality.get(base + "/proposed-recipients", status=403)


def test_the_case_detail_reads_what_the_case_page_shows(county: County) -> None:
    stay = e_case_notified(county)
    municipality = county.acting(county.needs_assessor)
    notice = stay.messages.get(kind=MessageKind.ADMISSION_NOTICE)
    services.message_acknowledge(acting=municipality, stay=stay, message=notice)
    services.planning_note_add(acting=municipality, stay=stay, text="Hemtjänst utökas.")
    answers = {
        "insatser_fore": "yes",
        "kommunal_hsv": "yes",
        "oppen_vard": "yes",
        "nya_insatser": "yes",
        "omfattande": "yes",
        "befintlig_sip": "no",
        "boende": "nytt_sarskilt_boende",
    }
    services.assessment_answer(acting=municipality, stay=stay, answers=answers)
    services.care_contact_appoint(
        acting=county.acting(county.primary_care_head), stay=stay, name="Fia Fast"
    )
    services.ready_notice_send(acting=county.acting(county.physician), stay=stay, physician="L")

    case = Api(county.needs_assessor).get(f"/{stay.public_id}")
    ack = next(
        r
        for r in next(m for m in case["messages"] if m["id"] == notice.pk)["recipients"]
        if r["unit_hsa_id"] == county.social_services.hsa_id
    )
    assert ack["acknowledged_by"] == "Bo Bistånd"
    assert case["arrival_conversation"]["participants"] == "Patienten och dottern"
    assert case["arrival_conversation"]["needs_special_housing"] is True
    assert any("inom 24 timmar" in r for r in case["category_reasons"])
    assert case["care_contact"]["name"] == "Fia Fast"
    assert case["colour_detail"]["label"] == "Röd"
    assert case["assessments"][0]["answers"]["boende"] == "nytt_sarskilt_boende"
    assert [(n["author"], n["text"]) for n in case["notes"]] == [
        ("Bo Bistånd", "Hemtjänst utökas.")
    ]
    assert [c["kind"] for c in case["checklists"]] == ["information_transfer", "home_ready"]
    assert case["payment"]["start"]
    assert case["payment"]["unmet"] == ["Fast vårdkontakt har inte kallat till SIP (4 kap. 3 §)."]
    assert case["judged_under"][0]["version"] == stay.agreement.version_id
    assert [(d["step"], d["late"]) for d in case["deadlines_met"]] == [
        ("send_admission_notice", False)
    ]
    first = case["timeline"][0]
    assert (first["kind"], first["actor"], first["unit_hsa_id"]) == (
        "admitted",
        "Wilma Ward",
        county.ward.hsa_id,
    )


def _detail_queries(api: Api, stay: InpatientStay) -> int:
    """Queries of reading the case again, once its messages are marked read."""
    api.get(f"/{stay.public_id}")
    with CaptureQueriesContext(connection) as queries:
        api.get(f"/{stay.public_id}")
    return len(queries)


def test_the_case_detail_costs_the_same_queries_however_long_the_timeline(
    county: County,
) -> None:
    stay = e_case_notified(county)
    api = Api(county.needs_assessor)
    short = _detail_queries(api, stay)
    ward = county.acting(county.ward_nurse)
    social = county.acting(county.needs_assessor)
    extra = make_unit(county.region, "specialist_outpatient", name="Geriatriken")
    services.party_add(acting=ward, stay=stay, unit=extra)
    for n in range(6):
        services.planning_note_add(acting=social, stay=stay, text=f"Anteckning {n}")
        message = services.general_message_send(acting=ward, stay=stay, body=f"Meddelande {n}")
        services.message_acknowledge(acting=social, stay=stay, message=message)
        services.checklist_mark(
            acting=ward,
            stay=stay,
            checklist=ChecklistKind.HOME_READY,
            item=[
                "utskrivningsklar",
                "muntlig_information",
                "skriftlig_information",
                "nasta_vardgivare",
                "hjalpmedel",
                "lakemedel",
            ][n],
        )
    services.unavailability_record(
        acting=ward, stay=stay, starts_on=timezone.localdate(), reason="Ingen läkare"
    )
    assert stay.events.count() >= 30
    assert _detail_queries(api, stay) == short


def test_reading_the_case_through_the_api_marks_the_units_messages_read(county: County) -> None:
    stay = e_case_notified(county)
    municipality = Api(county.needs_assessor)
    (item,) = municipality.get("/worklist")
    assert (item["unread"], item["unacknowledged"]) == (1, 1)
    case = municipality.get(f"/{stay.public_id}")
    recipients = {r["unit_hsa_id"]: r for m in case["messages"] for r in m["recipients"]}
    assert recipients[county.social_services.hsa_id]["read_at"]
    assert recipients[county.home_health_care.hsa_id]["read_at"] is None
    (item,) = municipality.get("/worklist")
    assert (item["unread"], item["unacknowledged"]) == (0, 1)
