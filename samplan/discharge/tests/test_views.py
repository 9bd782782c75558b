"""The discharge pages as staff use them: a category E case through every step by three units,
what each unit's work list shows, and what a unit outside the case gets."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from samplan.audit.models import AccessAction, AccessLogEntry
from samplan.discharge.models import CaseEventKind, InpatientStay, MessageKind, StayStatus
from samplan.testing.county import (
    County,
    admit,
    make_county,
    message_of,
    record_conversation,
    send_admission_notice,
)
from samplan.testing.factories import sign_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def county() -> County:
    return make_county()


def client_for(membership) -> Client:
    return sign_in(Client(), membership)


def local(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


def step(client: Client, stay: InpatientStay, slug: str, data: dict) -> None:
    url = reverse("discharge:step", kwargs={"public_id": stay.public_id, "slug": slug})
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]


def worklist_text(client: Client) -> str:
    response = client.get(reverse("discharge:worklist"))
    assert response.status_code == 200
    return response.content.decode()


def case_text(client: Client, stay: InpatientStay) -> str:
    response = client.get(reverse("discharge:case", kwargs={"public_id": stay.public_id}))
    assert response.status_code == 200
    return response.content.decode()


def test_category_e_case_through_the_ui_by_three_units(county: County) -> None:
    ward = client_for(county.ward_nurse)
    centre = client_for(county.primary_care_head)
    municipality = client_for(county.needs_assessor)
    person = county.person()

    response = ward.post(
        reverse("discharge:admit", kwargs={"person_id": person.public_id}),
        {"admitted_at": local(timezone.now() - timedelta(hours=3)), "treating_physician": "Dr L"},
    )
    assert response.status_code == 302
    stay = InpatientStay.objects.get(person=person)
    assert "Dokumentera ankomstsamtalet" in worklist_text(ward)

    step(
        ward,
        stay,
        "ankomstsamtal",
        {
            "held_at": local(stay.admitted_at),
            "participants": "Patienten",
            "had_home_help": "on",
            "needs_regional_outpatient": "on",
            "needs_social_services": "on",
            "needs_municipal_health_care": "on",
            "needs_special_housing": "on",
            "patient_wishes": "Vill hem till katten",
            "brochure_given": "on",
        },
    )
    page = case_text(ward, stay)
    assert "Kategori E" in page
    assert "Skicka inskrivningsmeddelande" in worklist_text(ward)
    # Not yet a party: the vårdcentral and the municipality do not see the case.
    assert stay.person.family_name not in worklist_text(centre)

    step(
        ward,
        stay,
        "inskrivningsmeddelande",
        {
            "recipients": [county.primary_care.pk, county.social_services.pk],
            "estimated_discharge": local(timezone.now() + timedelta(days=4)),
        },
    )
    assert "Skicka inskrivningsmeddelande" not in worklist_text(ward)
    for client in (centre, municipality):
        listed = worklist_text(client)
        assert stay.person.family_name in listed
        assert "Kvittera inskrivningsmeddelande" in listed

    notice = message_of(stay, MessageKind.ADMISSION_NOTICE)
    for client in (centre, municipality):
        response = client.post(
            reverse(
                "discharge:acknowledge",
                kwargs={"public_id": stay.public_id, "message_id": notice.pk},
            )
        )
        assert response.status_code == 302
    assert "Kvittera inskrivningsmeddelande" not in worklist_text(municipality)
    assert "Besvara planeringsunderlaget" in worklist_text(municipality)

    answers = {"boende": "ordinart", "insatser_idag": "no", "nya_behov": "yes"}
    step(municipality, stay, "planeringsunderlag", _valid_answers(stay, answers))
    assert "Besvara planeringsunderlaget" not in worklist_text(municipality)

    assert "Utse fast vårdkontakt" in worklist_text(centre)
    step(centre, stay, "fast-vardkontakt", {"name": "Fia Fast", "title": "Distriktssköterska"})
    assert "Utse fast vårdkontakt" not in worklist_text(centre)

    assert "Utskrivningsklara patienter som väntar" not in worklist_text(ward)
    step(ward, stay, "utskrivningsklar", {"physician": "Lars Läkare"})
    waiting = worklist_text(ward).split("Utskrivningsklara patienter som väntar")[1]
    assert stay.person.family_name in waiting
    assert "Skicka kallelse till SIP" in worklist_text(centre)
    step(
        centre,
        stay,
        "kallelse",
        {
            "meeting_at": local(timezone.now() + timedelta(days=1)),
            "place_kind": "video",
            "location": "https://video.example/sip",
            "invitees": [county.social_services.pk, county.ward.pk],
        },
    )
    assert "Skicka kallelse till SIP" not in worklist_text(centre)
    invitation = message_of(stay, MessageKind.SIP_INVITATION)
    ics = municipality.get(
        reverse("discharge:ics", kwargs={"public_id": stay.public_id, "message_id": invitation.pk})
    )
    assert ics["Content-Type"] == "text/calendar"
    assert b"BEGIN:VEVENT" in ics.content

    for item in ("epikris", "medication_list", "medical_responsibility"):
        ward.post(
            reverse(
                "discharge:checklist",
                kwargs={"public_id": stay.public_id, "kind": "information_transfer", "item": item},
            ),
            {"note": "Vårdcentralen Centrum, dr Lind"} if item == "medical_responsibility" else {},
        )
    assert "Informationsöverföring" not in worklist_text(ward)

    step(ward, stay, "sammanfattning", {"text": "Du har vårdats för lunginflammation."})
    letter = ward.get(reverse("discharge:letter", kwargs={"public_id": stay.public_id}))
    assert letter["Content-Type"] == "application/pdf"
    assert letter.content.startswith(b"%PDF")

    step(ward, stay, "utskrivning", {"discharged_at": local(timezone.now())})
    stay.refresh_from_db()
    assert stay.status == StayStatus.DISCHARGED
    assert stay.events.filter(kind=CaseEventKind.DISCHARGED).exists()
    # The discharge notice waits for the other parties' acknowledgement.
    assert "Kvittera utskrivningsmeddelande" in worklist_text(municipality)
    timeline = case_text(municipality, stay)
    for label in (
        "Inskriven",
        "Ankomstsamtal dokumenterat",
        "Fast vårdkontakt utsedd",
        "Utskriven",
    ):
        assert label in timeline


def _valid_answers(stay: InpatientStay, preferred: dict[str, str]) -> dict[str, str]:
    """An answer to every planning question of the case's agreement: ``preferred`` where it
    names a valid choice, else the first choice."""
    from samplan.agreements.services import agreement_of
    from samplan.discharge import rules

    answers = {}
    for question in rules.planning_questions(agreement_of(stay.agreement)):
        allowed = [value for value, _label in question.choices]
        wanted = preferred.get(question.id)
        answers[question.id] = wanted if wanted in allowed else allowed[0]
    return answers


def test_non_party_gets_404_and_the_attempt_is_logged(county: County) -> None:
    stay = admit(county)
    record_conversation(county, stay)
    send_admission_notice(county, stay)
    outsider = client_for(county.outsider)
    url = reverse("discharge:case", kwargs={"public_id": stay.public_id})

    response = outsider.get(url)

    assert response.status_code == 404
    assert stay.person.family_name not in response.content.decode()
    denied = AccessLogEntry.objects.filter(action=AccessAction.DENIED, person=stay.person)
    assert denied.filter(username=county.outsider.user.username).exists()
    for slug in ("meddelande", "anteckning"):
        response = outsider.post(
            reverse("discharge:step", kwargs={"public_id": stay.public_id, "slug": slug}),
            {"body": "x", "text": "x"},
        )
        assert response.status_code == 404
    assert not stay.messages.filter(sender_unit=county.outsider.unit).exists()


def test_wrongly_addressed_unit_loses_the_case(county: County) -> None:
    stay = admit(county)
    record_conversation(county, stay)
    send_admission_notice(county, stay)
    home = client_for(county.municipal_nurse)
    assert case_text(home, stay)

    step(home, stay, "felsant", {"reason": "Fel kommun"})

    response = home.get(reverse("discharge:case", kwargs={"public_id": stay.public_id}))
    assert response.status_code == 404


def test_protected_identity_address_is_not_on_the_case_page(county: County) -> None:
    person = county.person(protected=True, street_address="Hemliga vägen 7")
    stay = admit(county, person)
    record_conversation(county, stay)
    send_admission_notice(county, stay)
    for membership in (county.ward_nurse, county.needs_assessor):
        assert "Hemliga vägen" not in case_text(client_for(membership), stay)


def _worklist_queries(client: Client) -> int:
    with CaptureQueriesContext(connection) as queries:
        worklist_text(client)
    return len(queries)


def _case_queries(client: Client, stay: InpatientStay) -> int:
    with CaptureQueriesContext(connection) as queries:
        case_text(client, stay)
    return len(queries)


def test_worklist_and_case_page_have_constant_query_counts(county: County) -> None:
    municipality = client_for(county.needs_assessor)

    def open_case() -> InpatientStay:
        stay = admit(county)
        record_conversation(county, stay)
        send_admission_notice(county, stay)
        return stay

    first = open_case()
    few_list, few_case = _worklist_queries(municipality), _case_queries(municipality, first)
    for _ in range(6):
        stay = open_case()
        county_messages = stay.messages.count()
        assert county_messages >= 1
    many_list = _worklist_queries(municipality)
    assert worklist_text(municipality).count("Kvittera inskrivningsmeddelande") == 7
    assert many_list == few_list

    # More messages and events in one case do not add queries either.
    ward = client_for(county.ward_nurse)
    for n in range(5):
        step(ward, first, "meddelande", {"body": f"Meddelande {n}"})
    assert _case_queries(municipality, first) == few_case


def test_the_physicians_judgement_in_the_ankomstsamtal_gives_category_b_its_notice(
    county: County,
) -> None:
    ward = client_for(county.physician)
    stay = admit(county)
    data = {
        "held_at": local(stay.admitted_at),
        "participants": "Patienten",
        "needs_regional_outpatient": "on",
    }
    step(ward, stay, "ankomstsamtal", data)
    assert "Skicka inskrivningsmeddelande" not in worklist_text(ward)
    assert "Inte bedömt att inskrivningsmeddelande behövs." in case_text(ward, stay)
    step(ward, stay, "ankomstsamtal", {**data, "admission_notice_needed": "on"})
    assert "Skicka inskrivningsmeddelande" in worklist_text(ward)
    assert "Inskrivningsmeddelande behövs." in case_text(ward, stay)
    assert stay.events.filter(kind=CaseEventKind.NEEDS_JUDGED).count() == 1


def test_opening_the_case_reads_the_units_messages_and_the_work_list_counts_unread(
    county: County, time_machine
) -> None:
    from datetime import datetime
    from zoneinfo import ZoneInfo

    stockholm = ZoneInfo("Europe/Stockholm")
    time_machine.move_to(datetime(2026, 10, 5, 9, 0, tzinfo=stockholm), tick=False)
    stay = admit(county)
    record_conversation(county, stay)
    send_admission_notice(county, stay)
    municipality = client_for(county.needs_assessor)
    assert "1 olästa / 1 okvitterade" in worklist_text(municipality)
    assert "1 oläst meddelande" in worklist_text(municipality)

    time_machine.move_to(datetime(2026, 10, 5, 9, 40, tzinfo=stockholm), tick=False)
    municipality = client_for(county.needs_assessor)
    page = case_text(municipality, stay)
    # Read by the unit that opened it; the others' copies stay unread.
    assert f"{county.social_services.name}: läst 2026-10-05 09:40, <strong>ej kvitterat" in page
    assert f"{county.home_health_care.name}: <strong>oläst, ej kvitterat" in page
    assert "0 olästa / 1 okvitterade" in worklist_text(municipality)
    assert "oläst meddelande" not in worklist_text(municipality)
    assert "1 olästa / 1 okvitterade" in worklist_text(client_for(county.municipal_nurse))

    # The read time is set once; reading again changes nothing and is not logged again.
    marked = AccessLogEntry.objects.filter(
        person=stay.person, user=county.needs_assessor.user, detail="1 meddelande läst"
    )
    assert marked.count() == 1
    time_machine.move_to(datetime(2026, 10, 5, 11, 0, tzinfo=stockholm), tick=False)
    assert "läst 2026-10-05 09:40" in case_text(client_for(county.needs_assessor), stay)
    assert marked.count() == 1


def test_a_discharge_recorded_the_next_morning_shows_its_notice_as_late(
    county: County, time_machine
) -> None:
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from samplan.discharge import services

    stockholm = ZoneInfo("Europe/Stockholm")
    time_machine.move_to(datetime(2026, 11, 2, 9, 0, tzinfo=stockholm), tick=False)
    stay = admit(county, admitted_at=datetime(2026, 11, 2, 8, 0, tzinfo=stockholm))
    record_conversation(county, stay)
    send_admission_notice(county, stay)
    time_machine.move_to(datetime(2026, 11, 6, 8, 15, tzinfo=stockholm), tick=False)
    services.discharge_notice_send(
        acting=county.acting(county.ward_nurse),
        stay=stay,
        discharged_at=datetime(2026, 11, 5, 16, 0, tzinfo=stockholm),
    )
    stay.refresh_from_db()
    notice = message_of(stay, MessageKind.DISCHARGE_NOTICE)
    assert stay.discharged_at == datetime(2026, 11, 5, 16, 0, tzinfo=stockholm)
    assert notice.sent_at == datetime(2026, 11, 6, 8, 15, tzinfo=stockholm)

    page = case_text(client_for(county.needs_assessor), stay)
    assert (
        "Utskrivningsmeddelande: skickat 2026-11-06 08:15, senast 2026-11-05 23:59 "
        '<strong class="badge badge--overdue">För sent</strong>'
    ) in page
    assert "Inskrivningsmeddelande: skickat 2026-11-02 09:00, senast 2026-11-03 08:00" in page
    event = stay.events.get(kind=CaseEventKind.DISCHARGED)
    assert event.summary == (
        "Utskrivningsmeddelandet skickades 2026-11-06 08:15, efter utskrivningsdagen."
    )
