"""The SIP pages as staff use them, through the Django test client: starting a SIP from the
person page and from a discharge case, every form's happy path and its validation errors, who
gets 404 (and the access log entry), withdrawn consent taking effect at once, two staff saving
the same plan, and the work list's constant number of queries."""

from __future__ import annotations

import re
from datetime import timedelta
from html import unescape
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from samplan.agreements.services import agreement_of
from samplan.audit.models import AccessAction, AccessLogEntry
from samplan.directory.models import Membership
from samplan.discharge import rules as discharge_rules
from samplan.discharge import services as discharge_services
from samplan.discharge.models import InpatientStay
from samplan.sip import services
from samplan.sip.models import (
    ConsentGiver,
    MeetingKind,
    ParticipantKind,
    PlanDraft,
    PlanDraftRevision,
    PlanVersion,
    ProcessStatus,
    SipMeeting,
    SipParticipant,
    SipProcess,
)
from samplan.testing.county import (
    County,
    admit,
    make_county,
    record_conversation,
    send_admission_notice,
)
from samplan.testing.factories import sign_in
from samplan.testing.sip import (
    add_social_services,
    establish,
    give_consent,
    save_plan,
    sip_continuing_a_stay,
    start_outpatient_sip,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def county() -> County:
    return make_county()


def client_for(membership: Membership) -> Client:
    return sign_in(Client(), membership)


def local(moment: Any) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


def text_of(response: Any) -> str:
    """The page's visible text, tags stripped and whitespace collapsed."""
    html = response.content.decode()
    html = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", html, flags=re.S)
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def process_url(process: SipProcess) -> str:
    return reverse("sip:process", kwargs={"public_id": process.public_id})


def step_url(process: SipProcess, slug: str, target: Any = None) -> str:
    if target is None:
        return reverse("sip:step", kwargs={"public_id": process.public_id, "slug": slug})
    return reverse(
        "sip:target_step",
        kwargs={"public_id": process.public_id, "slug": slug, "target": str(target)},
    )


def page(client: Client, process: SipProcess) -> str:
    response = client.get(process_url(process))
    assert response.status_code == 200
    return text_of(response)


def step_ok(client: Client, process: SipProcess, slug: str, data: dict, target: Any = None) -> str:
    """Post a step that must succeed; the process page it returns to, as text."""
    response = client.post(step_url(process, slug, target), data)
    assert response.status_code == 302, text_of(response)[:3000]
    return text_of(client.get(response["Location"]))


def step_errors(
    client: Client, process: SipProcess, slug: str, data: dict, target: Any = None
) -> str:
    """Post a step that must be refused; the error summary's text."""
    response = client.post(step_url(process, slug, target), data)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'class="error-summary"' in html, text_of(response)[:3000]
    summary = html.split('class="error-summary"')[1].split("</div>")[0]
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", summary)).split())


def plan_data(
    base_revision: int,
    *,
    goals: list[dict] | None = None,
    actions: list[dict] | None = None,
    **fields: Any,
) -> dict[str, Any]:
    """A plan editor submission: goals and actions as rows of the two formsets."""
    goals = goals or []
    actions = actions or []
    data: dict[str, Any] = {
        "base_revision": base_revision,
        "long_term_goal": "",
        "needs": "",
        "lead_unit": "",
        "follow_up_on": "",
        "follow_up_by": "",
        "goals-TOTAL_FORMS": len(goals),
        "goals-INITIAL_FORMS": 0,
        "goals-MIN_NUM_FORMS": 0,
        "goals-MAX_NUM_FORMS": 1000,
        "actions-TOTAL_FORMS": len(actions),
        "actions-INITIAL_FORMS": 0,
        "actions-MIN_NUM_FORMS": 0,
        "actions-MAX_NUM_FORMS": 1000,
        "save": "1",
    }
    for i, goal in enumerate(goals):
        for key, value in goal.items():
            data[f"goals-{i}-{key}"] = value
    for i, action in enumerate(actions):
        action = {"status": "planned", **action}
        for key, value in action.items():
            data[f"actions-{i}-{key}"] = value
    data.update(fields)
    return data


def full_plan(county: County, base_revision: int, **fields: Any) -> dict[str, Any]:
    today = timezone.localdate()
    return plan_data(
        base_revision,
        long_term_goal="Jag vill klara mig själv hemma och träffa mina vänner.",
        goals=[{"text": "Duscha själv", "measure": "Tre gånger i veckan utan hjälp"}],
        needs="Hjälp med dusch\nLäkemedelsgenomgång",
        actions=[
            {
                "what": "Läkemedelsgenomgång",
                "unit": county.primary_care.pk,
                "responsible": "Fia Fast",
                "due": (today + timedelta(days=14)).isoformat(),
            },
            {
                "what": "Hemtjänst morgon och kväll",
                "unit": county.social_services.pk,
                "responsible": "Bo Bistånd",
                "due": (today + timedelta(days=7)).isoformat(),
            },
            {
                "what": "Följer med till affären",
                "organisation_kind": "other",
                "organisation": "Dottern Eva",
            },
        ],
        lead_unit=county.primary_care.pk,
        follow_up_on=(today + timedelta(days=60)).isoformat(),
        follow_up_by="Fia Fast",
        **fields,
    )


def editor_url(process: SipProcess) -> str:
    return reverse("sip:plan_edit", kwargs={"public_id": process.public_id})


def establish_url(process: SipProcess) -> str:
    return reverse("sip:establish", kwargs={"public_id": process.public_id})


def revision(process: SipProcess) -> int:
    return PlanDraft.objects.get(process=process).revision


def denied_count() -> int:
    return AccessLogEntry.objects.filter(action=AccessAction.DENIED).count()


# --- Starting ---------------------------------------------------------------------------------


def test_start_outside_hospital_from_the_person_page(county: County) -> None:
    vc = client_for(county.primary_care_nurse)
    person = county.person(given_name="Saga", family_name="Samordnad")
    person_url = reverse("people:detail", kwargs={"public_id": person.public_id})
    start_url = reverse("sip:start", kwargs={"person_id": person.public_id})

    listed = text_of(vc.get(person_url))
    assert "Ingen SIP som din enhet deltar i." in listed
    assert "Starta SIP" in listed

    response = vc.post(start_url, {"reason": ""})
    assert response.status_code == 200
    assert "Varför behövs en SIP?: Detta fält måste fyllas i." in text_of(response)
    assert not SipProcess.objects.exists()

    response = vc.post(
        start_url,
        {"reason": "Behöver hjälp från både vårdcentral och socialtjänst.", "has_mandate": "on"},
    )
    process = SipProcess.objects.get(person=person)
    assert response["Location"] == process_url(process)
    shown = page(vc, process)
    assert "Personens samtycke saknas." in shown
    assert "Vårdcentralen Centrum" in shown
    assert "Kallelse till SIP-möte ska skickas senast" in shown

    listed = text_of(vc.get(person_url))
    assert "SIP startad" in listed
    assert "Starta SIP" not in listed  # one open SIP per person

    # A second start (e.g. from an old tab) is refused in words.
    response = vc.post(start_url, {"reason": "Igen"})
    assert "Personen har redan en pågående SIP." in text_of(response)


def test_a_ward_continues_its_case_instead_of_starting_from_the_person_page(
    county: County,
) -> None:
    ward = client_for(county.ward_nurse)
    person = county.person()
    listed = text_of(ward.get(reverse("people:detail", kwargs={"public_id": person.public_id})))
    assert "Starta SIP" not in listed
    response = ward.post(
        reverse("sip:start", kwargs={"person_id": person.public_id}), {"reason": "Försök"}
    )
    assert response.status_code == 302
    assert not SipProcess.objects.exists()


def discharge_case_with_kallelse(county: County) -> InpatientStay:
    """A category E case where the FVK has called a SIP meeting and the colour is assessed."""
    stay = admit(county)
    record_conversation(county, stay)
    notice = send_admission_notice(county, stay)
    head = county.acting(county.primary_care_head)
    discharge_services.message_acknowledge(acting=head, stay=stay, message=notice)
    agreement = agreement_of(stay.agreement)
    answers = {q.id: q.choices[0][0] for q in discharge_rules.planning_questions(agreement)}
    discharge_services.assessment_answer(
        acting=county.acting(county.needs_assessor), stay=stay, answers=answers
    )
    discharge_services.care_contact_appoint(acting=head, stay=stay, name="Fia Fast")
    stay.refresh_from_db()
    discharge_services.sip_invitation_send(
        acting=head,
        stay=stay,
        meeting_at=timezone.now() + timedelta(days=2),
        place_kind="home",
        location="Hemma hos patienten",
        invitees=[county.social_services, county.home_health_care],
    )
    return stay


def test_continue_a_discharge_case_as_a_sip(county: County) -> None:
    stay = discharge_case_with_kallelse(county)
    centre = client_for(county.primary_care_head)
    case_url = reverse("discharge:case", kwargs={"public_id": stay.public_id})
    continue_url = reverse("sip:start_from_stay", kwargs={"stay_id": stay.public_id})

    case = text_of(centre.get(case_url))
    assert "Fortsätt till SIP" in case
    response = centre.get(continue_url)
    assert response.status_code == 200
    response = centre.post(continue_url, {"reason": "Behöver samordning efter hemgång."})
    process = SipProcess.objects.get(origin_stay=stay)
    assert response["Location"] == process_url(process)

    shown = page(centre, process)
    assert "Fortsätter från" in shown
    assert "Vårdtillfälle på Medicinavdelning 12" in shown
    # The case's kallelse is the first meeting, at home, with the invited units.
    assert "SIP-möte" in shown
    assert "I hemmet: Hemma hos patienten" in shown
    assert "Biståndsenheten Testby" in shown
    # The colour guidance from the discharge case is shown.
    assert "Vägledning från utskrivningen" in shown

    case = text_of(centre.get(case_url))
    assert "Fortsätt till SIP" not in case
    assert "SIP:en som fortsätter ärendet" in case
    # Continuing again only leads to the existing SIP.
    assert centre.post(continue_url, {})["Location"] == process_url(process)

    # The municipality is a participant but sees nothing until consent is recorded.
    municipality = client_for(county.needs_assessor)
    assert municipality.get(process_url(process)).status_code == 404
    give_consent_as(county, process, county.primary_care_head)
    assert municipality.get(process_url(process)).status_code == 200


def give_consent_as(county: County, process: SipProcess, member: Membership) -> None:
    services.consent_give(
        acting=county.acting(member),
        process=process,
        giver=ConsentGiver.PERSON,
        form="written",
        scope="Alla deltagande enheter",
    )


# --- From need to an established plan, every form ----------------------------------------------


def test_from_need_to_established_plan_through_every_form(county: County, time_machine) -> None:
    time_machine.move_to(timezone.now(), tick=False)
    vc = client_for(county.primary_care_nurse)
    municipality = client_for(county.needs_assessor)
    process = start_outpatient_sip(county)

    # Before consent nobody outside the region can be added.
    errors = step_errors(
        vc, process, "deltagare", {"kind": "unit", "unit": county.social_services.pk}
    )
    assert "kräver personens samtycke" in errors

    # Consent: validation, then the person's written consent.
    errors = step_errors(vc, process, "samtycke", {})
    assert "Vem lämnar beskedet?" in errors
    assert "Omfattning" in errors
    errors = step_errors(
        vc,
        process,
        "samtycke",
        {"giver": "representative", "form": "oral", "on": "2999-01-01", "scope": "Alla"},
    )
    assert "Namn på vårdnadshavare eller företrädare" in errors
    assert "Datumet kan inte ligga i framtiden." in errors
    shown = step_ok(
        vc,
        process,
        "samtycke",
        {
            "giver": "person",
            "form": "written",
            "on": timezone.localdate().isoformat(),
            "scope": "Vårdcentralen, socialtjänsten, hemsjukvården och skolan",
        },
    )
    assert "Samtycket är giltigt" in shown
    assert "Personens samtycke saknas." not in shown

    # Participants: a unit with mandate, named staff without, a relative, an external actor.
    errors = step_errors(vc, process, "deltagare", {"kind": "staff"})
    assert "Välj en enhet." in errors
    assert "Ange medarbetarens namn." in errors
    errors = step_errors(vc, process, "deltagare", {"kind": "external"})
    assert "Ange namn eller organisation." in errors
    assert "Ange vilken sorts aktör det är." in errors
    step_ok(
        vc,
        process,
        "deltagare",
        {"kind": "unit", "unit": county.social_services.pk, "has_mandate": "on"},
    )
    step_ok(
        vc,
        process,
        "deltagare",
        {
            "kind": "staff",
            "unit": county.home_health_care.pk,
            "name": "Hanna Hem",
            "title": "Sjuksköterska",
        },
    )
    step_ok(vc, process, "deltagare", {"kind": "relative", "name": "Eva Dotter"})
    shown = step_ok(
        vc,
        process,
        "deltagare",
        {
            "kind": "external",
            "external_kind": "school",
            "organisation": "Testby skola",
            "name": "Rektor Rut",
        },
    )
    assert "Utan mandat" in shown
    assert "Deltagare utan mandat: Hanna Hem, Sjuksköterska (Hemsjukvården Testby)" in shown
    hanna = SipParticipant.objects.get(process=process, name="Hanna Hem")
    shown = step_ok(vc, process, "mandat", {"has_mandate": "on"}, target=hanna.pk)
    assert "Deltagare utan mandat: Hanna Hem" not in shown
    rut = SipParticipant.objects.get(process=process, name="Rektor Rut")
    errors = step_errors(vc, process, "ta-bort-deltagare", {"reason": ""}, target=rut.pk)
    assert "Orsak" in errors
    shown = step_ok(
        vc, process, "ta-bort-deltagare", {"reason": "Skolan deltar senare"}, target=rut.pk
    )
    assert "borttagen" in shown
    assert "Skolan deltar senare" in shown

    # The municipality sees the process now and takes part.
    shown = page(municipality, process)
    assert "Hanna Hem" in shown

    # Need level and preparation.
    errors = step_errors(vc, process, "behovsniva", {})
    assert "Behovsnivå" in errors
    shown = step_ok(vc, process, "behovsniva", {"level": "over_time", "reason": "Flera parter"})
    assert "SIP som process över tid" in shown
    errors = step_errors(municipality, process, "forberedelse", {"kind": "mapping"})
    assert "Text" in errors
    step_ok(
        municipality,
        process,
        "forberedelse",
        {"kind": "mapping", "text": "Hemtjänst två gånger per dag i dag.", "author_kind": "staff"},
    )
    step_ok(
        municipality,
        process,
        "forberedelse",
        {"kind": "question", "text": "Behövs trygghetslarm?", "author_kind": "staff"},
    )
    errors = step_errors(vc, process, "onskemal", {"author_kind": "person"})
    assert "Personens önskemål om tid och plats" in errors
    shown = step_ok(
        vc,
        process,
        "onskemal",
        {"text": "Helst förmiddag, hemma.", "place_kind": "home", "author_kind": "person"},
    )
    assert "Helst förmiddag, hemma. (I hemmet)" in shown
    assert "Hemtjänst två gånger per dag i dag." in shown
    # An adult has no child's view to record.
    assert vc.get(step_url(process, "barnets-uppfattning")).status_code == 302

    # Kallelse: the wish for the place is proposed, a past time is refused.
    form = vc.get(step_url(process, "kallelse")).content.decode()
    assert re.search(r'value="home"[^>]*checked', form)
    participants = list(process.participants.filter(removed_at__isnull=True))
    errors = step_errors(
        vc,
        process,
        "kallelse",
        {
            "kind": "first",
            "meeting_at": local(timezone.now() - timedelta(hours=1)),
            "place_kind": "unit",
            "location": "",
        },
    )
    assert "Mötet måste ligga i framtiden." in errors
    assert "Adress, lokal eller länk till videomötet" in errors
    assert "Kallade" in errors
    meeting_at = timezone.now() + timedelta(minutes=10)
    shown = step_ok(
        vc,
        process,
        "kallelse",
        {
            "kind": "first",
            "meeting_at": local(meeting_at),
            "place_kind": "home",
            "location": "Hemma, Provgatan 1",
            "invitees": [p.pk for p in participants],
        },
    )
    assert f"SIP-möte {local(meeting_at).replace('T', ' ')}" in shown
    meeting = SipMeeting.objects.get(process=process)

    # Minutes: not before the meeting has started.
    minutes = {
        "attendees": [p.pk for p in participants if p.kind != ParticipantKind.RELATIVE],
        "person_present": "on",
        "text": "Personen berättade att hon vill duscha själv.",
        "decisions": "Hemtjänsten utökas.\nLäkemedelsgenomgång på vårdcentralen.",
    }
    errors = step_errors(vc, process, "protokoll", minutes, target=meeting.pk)
    assert "Protokoll kan föras först när mötet har börjat." in errors
    time_machine.shift(timedelta(minutes=15))
    errors = step_errors(vc, process, "protokoll", {"person_present": "on"}, target=meeting.pk)
    assert "Protokoll" in errors
    # The first meeting's minutes set no next check-in: the plan states the follow-up.
    form = vc.get(step_url(process, "protokoll", meeting.pk)).content.decode()
    assert "next_follow_up_on" not in form
    shown = step_ok(vc, process, "protokoll", minutes, target=meeting.pk)
    assert "Personen berättade att hon vill duscha själv." in shown
    # The timeline names the meeting by its local time, as everywhere else.
    timeline = shown.split("Händelser")[-1]
    assert f"Protokoll fört : SIP-möte {local(meeting_at).replace('T', ' ')}" in timeline
    assert "Hemtjänsten utökas." in shown

    # The plan: goal first; an invalid action row is shown, nothing saved.
    base = revision(process)
    bad = plan_data(
        base,
        long_term_goal="Klara mig själv",
        actions=[{"what": "Hemtjänst"}],
        goals=[{"measure": "Varje vecka"}],
    )
    response = vc.post(editor_url(process), bad)
    assert response.status_code == 200
    shown = text_of(response)
    assert "Insats 1, Huvudman: Välj en ansvarig enhet eller vilken huvudman som ansvarar." in shown
    assert "Delmål 1, Delmål, med personens egna ord: Detta fält måste fyllas i." in shown
    assert revision(process) == base
    response = vc.post(editor_url(process), full_plan(county, base))
    assert response.status_code == 302
    shown = page(vc, process)
    assert "Senast sparat av Fia Fast, Vårdcentralen Centrum" in shown
    assert "Jag vill klara mig själv hemma" in text_of(vc.get(establish_url(process)))

    # Establish: the person must agree and the mandated participants approve.
    mandated = list(process.participants.filter(removed_at__isnull=True, has_mandate=True))
    response = vc.post(
        establish_url(process),
        {"base_revision": revision(process), "meeting": meeting.pk},
    )
    shown = text_of(response)
    assert "Planen kan inte fastställas utan att personen har godkänt den." in shown
    assert "Godkänd av deltagare med mandat" in shown
    response = vc.post(
        establish_url(process),
        {
            "base_revision": revision(process),
            "meeting": meeting.pk,
            "approved_by": [mandated[0].pk],
            "person_agreed": "on",
        },
    )
    assert "har inte godkänt planen" in text_of(response)
    assert not PlanVersion.objects.exists()
    response = municipality.post(
        establish_url(process),
        {
            "base_revision": revision(process),
            "meeting": meeting.pk,
            "approved_by": [p.pk for p in mandated],
            "person_agreed": "on",
        },
    )
    assert response.status_code == 302
    shown = page(vc, process)
    assert "Plan fastställd" in shown
    assert "Version 1, fastställd" in shown
    assert "Långsiktigt mål: ”Jag vill klara mig själv hemma och träffa mina vänner.”" in shown
    assert "Insats tillagd: ”Hemtjänst morgon och kväll”" in shown
    assert "Vårdcentralen Centrum, Region Testlän" in shown  # overall responsibility


def test_establishing_warns_about_good_practice_without_blocking(county: County) -> None:
    process = start_outpatient_sip(county)
    give_consent(county, process)
    add_social_services(county, process)
    services.participant_add(
        acting=county.acting(county.primary_care_nurse),
        process=process,
        kind=ParticipantKind.STAFF,
        unit=county.home_health_care,
        name="Hanna Hem",
    )
    save_plan(
        county,
        process,
        goals=[{"id": "g1", "text": "Gå till affären med rollator"}],
        follow_up_by="",
    )
    vc = client_for(county.primary_care_nurse)
    shown = text_of(vc.get(establish_url(process)))
    advice = shown.split("Bra att se över innan planen fastställs")[1].split("Komplettera")[0]
    assert "Delmålet ”Gå till affären med rollator” har inget mått" in advice
    assert "Planen säger inte vem som följer upp." in advice
    assert "Insatsen ”Följer med till affären på lördagar” har inget datum" in advice
    assert "Deltagare utan mandat: Hanna Hem (Hemsjukvården Testby)." in advice
    mandated = process.participants.filter(has_mandate=True)
    response = vc.post(
        establish_url(process),
        {
            "base_revision": revision(process),
            "approved_by": [p.pk for p in mandated],
            "person_agreed": "on",
        },
    )
    assert response.status_code == 302  # warned, not refused
    assert PlanVersion.objects.filter(process=process).exists()
    # The process page shows which goals have no measure.
    shown = page(vc, process)
    assert "Gå till affären med rollator Mått saknas Hur vet ni att målet är nått?" in shown


def test_a_new_version_shows_its_difference_and_the_first_stays(county: County) -> None:
    process = established_process(county)
    vc = client_for(county.primary_care_nurse)
    form = vc.get(editor_url(process)).content.decode()
    # The editor opens with the draft: the person's goal first.
    assert form.index("Personens långsiktiga mål") < form.index("Insatser: vem gör vad")
    assert "Jag vill kunna bo kvar hemma" in form
    data = editor_post_of(form)
    data["actions-1-due"] = (timezone.localdate() + timedelta(days=30)).isoformat()
    data["actions-2-DELETE"] = "on"
    assert vc.post(editor_url(process), data).status_code == 302
    # Rows left as they were stay in the plan; only the removed one is gone.
    saved = PlanDraft.objects.get(process=process).content
    assert [a["id"] for a in saved["actions"]] == ["a1", "a2"]
    assert [g["id"] for g in saved["goals"]] == ["g1"]
    assert saved["actions"][0]["goal_ids"] == ["g1"]
    shown = text_of(vc.get(establish_url(process)))
    assert "Skillnad mot version 1" in shown
    assert "Insats borttagen: ”Följer med till affären på lördagar”." in shown
    response = vc.post(
        establish_url(process),
        {
            "base_revision": revision(process),
            "approved_by": [
                p.pk for p in process.participants.filter(removed_at__isnull=True, has_mandate=True)
            ],
            "person_agreed": "on",
        },
    )
    assert response.status_code == 302
    shown = page(vc, process)
    assert "Version 2, fastställd" in shown
    assert "Version 1, fastställd" in shown
    assert "Slutdatum för ”Hemtjänst morgon och kväll” ändrat från" in shown
    first = PlanVersion.objects.get(process=process, number=1)
    assert len(first.content["actions"]) == 3


def test_a_new_version_carries_on_from_the_reported_progress(county: County) -> None:
    process = established_process(county)
    municipality = client_for(county.needs_assessor)
    step_ok(municipality, process, "insats", {"status": "done"}, target="a2")
    vc = client_for(county.primary_care_nurse)
    form = vc.get(editor_url(process)).content.decode()
    data = editor_post_of(form)
    assert data["actions-1-status"] == "done"
    assert data["actions-0-status"] == "planned"
    data["follow_up_by"] = "Bo Bistånd"
    assert vc.post(editor_url(process), data).status_code == 302
    establish(county, process)
    shown = page(vc, process)
    assert "Status för ”Hemtjänst morgon och kväll” ändrad från Planerad till Klar." in shown
    row = shown.split("Gällande plan: version 2")[1].split("Övergripande ansvar")[0]
    assert "Hemtjänst morgon och kväll" in row
    assert "Klar" in row


def editor_post_of(html: str) -> dict[str, Any]:
    """What the browser would send for the editor form as it is rendered."""
    form = html.split('id="plan-form"')[1].split("</form>")[0]
    data: dict[str, Any] = {}
    for tag in re.findall(r"<input[^>]*>", form):
        name = re.search(r'name="([^"]+)"', tag)
        if not name:
            continue
        kind = re.search(r'type="([^"]+)"', tag)
        value = re.search(r'value="([^"]*)"', tag)
        if kind and kind.group(1) in ("checkbox", "radio"):
            if "checked" in tag:
                data.setdefault(name.group(1), []).append(unescape(value.group(1)))
            continue
        if kind and kind.group(1) == "submit":
            continue
        data[name.group(1)] = unescape(value.group(1)) if value else ""
    for name, body in re.findall(r'<textarea[^>]*name="([^"]+)"[^>]*>(.*?)</textarea>', form, re.S):
        data[name] = unescape(body).removeprefix("\n")
    for name, body in re.findall(r'<select[^>]*name="([^"]+)"[^>]*>(.*?)</select>', form, re.S):
        selected = re.search(r'<option value="([^"]*)"[^>]*selected', body)
        data[name] = selected.group(1) if selected else ""
    data["save"] = "1"
    return data


def established_process(county: County) -> SipProcess:
    process = start_outpatient_sip(county)
    give_consent(county, process)
    add_social_services(county, process)
    save_plan(county, process)
    establish(county, process)
    process.refresh_from_db()
    return process


# --- After establishing: progress, follow-up, evaluation, closure ------------------------------


def test_progress_follow_up_evaluation_and_closure(county: County) -> None:
    process = established_process(county)
    vc = client_for(county.primary_care_nurse)
    municipality = client_for(county.needs_assessor)

    errors = step_errors(municipality, process, "insats", {}, target="a2")
    assert "Status" in errors
    shown = step_ok(
        municipality, process, "insats", {"status": "ongoing", "note": "Startade i dag"}, "a2"
    )
    assert "Hemtjänst morgon och kväll: Pågår" in shown
    assert municipality.get(step_url(process, "insats", "okand")).status_code == 404

    # Follow-up: only follow-up and evaluation meetings once a plan is established.
    form = vc.get(step_url(process, "kallelse")).content.decode()
    assert 'value="follow_up"' in form
    assert 'value="first"' not in form
    shown = step_ok(
        vc,
        process,
        "kallelse",
        {
            "kind": "follow_up",
            "meeting_at": local(timezone.now() + timedelta(days=30)),
            "place_kind": "video",
            "location": "https://video.example/uppfoljning",
            "invitees": [p.pk for p in process.participants.all()],
        },
    )
    assert "Uppföljningsmöte" in shown
    assert "Uppföljning" in shown
    process.refresh_from_db()
    assert process.status == ProcessStatus.FOLLOW_UP
    follow_up = SipMeeting.objects.get(process=process, kind=MeetingKind.FOLLOW_UP)
    errors = step_errors(vc, process, "stall-in", {}, target=follow_up.pk)
    assert "Orsak" in errors
    shown = step_ok(vc, process, "stall-in", {"reason": "Personen är sjuk"}, target=follow_up.pk)
    assert "INSTÄLLT" in shown
    assert "Personen är sjuk" in shown

    # Evaluation with how each goal went.
    errors = step_errors(vc, process, "utvardering", {})
    assert "Sammanfattning" in errors
    shown = step_ok(
        vc,
        process,
        "utvardering",
        {"summary": "Det går bra att handla.", "goal_g1": "partly"},
    )
    assert "Det går bra att handla." in shown
    assert "Gå till affären med rollator: Delvis uppnått" in shown

    # Closing is for the unit with the overall responsibility.
    assert "Avsluta SIP:en" not in page(municipality, process)
    assert municipality.get(step_url(process, "avsluta")).status_code == 302
    errors = step_errors(vc, process, "avsluta", {"reason": "other"})
    assert "Beskriv skälet." in errors
    shown = step_ok(vc, process, "avsluta", {"reason": "goals_reached"})
    assert "Avslutad" in shown
    assert "Målen är uppnådda" in shown
    assert "Skriv planen" not in shown
    # Everything stays readable; nothing can be changed.
    assert vc.get(editor_url(process)).status_code == 302
    assert vc.get(step_url(process, "samtycke")).status_code == 302


def test_the_minutes_of_a_follow_up_set_the_next_check_in(county: County, time_machine) -> None:
    time_machine.move_to(timezone.now().replace(hour=9, minute=0), tick=False)
    process = established_process(county)
    vc = client_for(county.primary_care_nurse)
    today = timezone.localdate()
    plan_date = (today + timedelta(days=60)).isoformat()
    shown = page(vc, process)
    assert f"Nästa uppföljning: {plan_date} , Fia Fast" in shown
    assert "(enligt den fastställda planen)" in shown
    follow_up = services.follow_up_schedule(
        acting=county.acting(county.primary_care_nurse),
        process=process,
        meeting_at=timezone.now() + timedelta(hours=1),
        place_kind="unit",
        location="Vårdcentralen",
        invitees=list(process.participants.all()),
    )
    time_machine.move_to(timezone.now() + timedelta(hours=2), tick=False)
    vc = client_for(county.primary_care_nurse)  # the earlier session has timed out
    form = vc.get(step_url(process, "protokoll", follow_up.pk)).content.decode()
    assert 'name="next_follow_up_on"' in form
    assert 'name="next_follow_up_by"' in form
    errors = step_errors(
        vc,
        process,
        "protokoll",
        {"text": "Uppföljning.", "next_follow_up_by": "Bo Bistånd"},
        target=follow_up.pk,
    )
    assert "Nästa uppföljning: Ange datum för nästa uppföljning." in errors
    errors = step_errors(
        vc,
        process,
        "protokoll",
        {"text": "Uppföljning.", "next_follow_up_on": today.isoformat()},
        target=follow_up.pk,
    )
    assert "Nästa uppföljning måste ligga efter mötet." in errors
    next_on = (today + timedelta(days=90)).isoformat()
    shown = step_ok(
        vc,
        process,
        "protokoll",
        {
            "text": "Uppföljning: det går bra.",
            "next_follow_up_on": next_on,
            "next_follow_up_by": "Bo Bistånd",
        },
        target=follow_up.pk,
    )
    assert f"Nästa uppföljning: {next_on} , Bo Bistånd (bestämd vid uppföljningen {today})" in shown
    listed = text_of(vc.get(reverse("sip:worklist")))
    assert f"{next_on} , Bo Bistånd" in listed


def test_a_child_has_guardians_consent_and_its_own_view(county: County) -> None:
    today = timezone.localdate()
    child = county.person(birth_date=today.replace(year=today.year - 12))
    process = start_outpatient_sip(county, child)
    vc = client_for(county.primary_care_nurse)
    shown = page(vc, process)
    assert "Samtycke från vårdnadshavare saknas." in shown
    form = vc.get(step_url(process, "samtycke")).content.decode()
    assert re.search(r'value="guardian"[^>]*checked', form)
    errors = step_errors(
        vc,
        process,
        "samtycke",
        {"giver": "guardian", "form": "written", "on": today.isoformat(), "scope": "Alla"},
    )
    assert "Ange namnet på vårdnadshavaren eller företrädaren." in errors
    shown = step_ok(
        vc,
        process,
        "samtycke",
        {
            "giver": "guardian",
            "giver_name": "Anna Förälder",
            "form": "written",
            "on": today.isoformat(),
            "scope": "Alla",
        },
    )
    assert "Barnets egen uppfattning är inte dokumenterad." in shown
    errors = step_errors(vc, process, "barnets-uppfattning", {})
    assert "Barnets egen uppfattning, med barnets egna ord" in errors
    shown = step_ok(vc, process, "barnets-uppfattning", {"text": "Jag vill spela fotboll igen."})
    assert "”Jag vill spela fotboll igen.”" in shown
    assert "Barnets egen uppfattning är inte dokumenterad." not in shown


# --- Who sees what ------------------------------------------------------------------------------


def test_a_non_participant_gets_404_everywhere_and_it_is_logged(county: County) -> None:
    process = established_process(county)
    meeting_free = SipParticipant.objects.filter(process=process).first()
    outsider = client_for(county.outsider)
    urls = [
        process_url(process),
        editor_url(process),
        establish_url(process),
        step_url(process, "samtycke"),
        step_url(process, "mandat", meeting_free.pk),
        step_url(process, "insats", "a1"),
    ]
    before = denied_count()
    for url in urls:
        assert outsider.get(url).status_code == 404
    assert outsider.post(step_url(process, "avsluta"), {"reason": "goals_reached"}).status_code == (
        404
    )
    entries = AccessLogEntry.objects.filter(action=AccessAction.DENIED).order_by("id")
    assert denied_count() - before == len(urls) + 1
    assert {e.person_id for e in entries} == {process.person_id}
    assert {e.username for e in entries} == {county.outsider.user.username}
    process.refresh_from_db()
    assert process.is_open
    # Not on their lists either.
    assert process.person.family_name not in text_of(outsider.get(reverse("sip:worklist")))


def test_withdrawn_consent_stops_sharing_with_other_organisations_at_once(
    county: County,
) -> None:
    process = established_process(county)
    vc = client_for(county.primary_care_nurse)
    municipality = client_for(county.needs_assessor)
    assert municipality.get(process_url(process)).status_code == 200
    assert process.person.family_name in text_of(municipality.get(reverse("sip:worklist")))

    errors = step_errors(
        vc, process, "aterkalla-samtycke", {"giver": "person", "form": "oral", "on": ""}
    )
    assert "Vad har personen sagt?" in errors
    shown = step_ok(
        vc,
        process,
        "aterkalla-samtycke",
        {
            "giver": "person",
            "form": "oral",
            "on": timezone.localdate().isoformat(),
            "reason": "Vill inte att kommunen får uppgifterna.",
        },
    )
    assert "Samtycket är återkallat av personen." in shown
    before = denied_count()
    assert municipality.get(process_url(process)).status_code == 404
    assert denied_count() == before + 1
    assert process.person.family_name not in text_of(municipality.get(reverse("sip:worklist")))
    # The region still sees it, and nothing outside it can be started again without consent.
    errors = step_errors(
        vc, process, "deltagare", {"kind": "unit", "unit": county.home_health_care.pk}
    )
    assert "kräver personens samtycke" in errors


def test_removing_your_own_unit_leads_to_the_list(county: County) -> None:
    process = start_outpatient_sip(county)
    give_consent(county, process)
    social = add_social_services(county, process)
    municipality = client_for(county.needs_assessor)
    response = municipality.post(
        step_url(process, "ta-bort-deltagare", social.pk), {"reason": "Fel enhet"}
    )
    assert response["Location"] == reverse("sip:worklist")
    assert municipality.get(process_url(process)).status_code == 404


# --- Two staff editing the same plan ------------------------------------------------------------


def test_the_second_save_is_refused_shown_and_nothing_is_lost(county: County) -> None:
    process = start_outpatient_sip(county)
    give_consent(county, process)
    add_social_services(county, process)
    save_plan(county, process)
    vc = client_for(county.primary_care_nurse)
    municipality = client_for(county.needs_assessor)

    # Both open the editor on the same revision.
    mine = editor_post_of(vc.get(editor_url(process)).content.decode())
    theirs = editor_post_of(municipality.get(editor_url(process)).content.decode())
    base = revision(process)
    assert mine["base_revision"] == theirs["base_revision"] == str(base)

    theirs["follow_up_by"] = "Bo Bistånd, Biståndsenheten"
    assert municipality.post(editor_url(process), theirs).status_code == 302

    mine["long_term_goal"] = "Jag vill kunna laga min egen mat."
    response = vc.post(editor_url(process), mine)
    assert response.status_code == 200
    shown = text_of(response)
    assert "Någon annan har sparat planen medan du skrev" in shown
    assert "Bo Bistånd (Biståndsenheten Testby) sparade planen" in shown
    assert "Den som följer upp ändrad från ”Fia Fast, Vårdcentralen Centrum”" in shown
    assert "Långsiktigt mål ändrat från" in shown  # what the refused save would change
    # The writer's own input is still in the form; the draft holds the other's save.
    html = response.content.decode()
    assert "Jag vill kunna laga min egen mat." in html.split('id="plan-form"')[1]
    draft = PlanDraft.objects.get(process=process)
    assert draft.revision == base + 1
    assert draft.content["follow_up_by"] == "Bo Bistånd, Biståndsenheten"
    assert len(draft.content["actions"]) == 3  # their untouched rows are kept
    assert draft.content["long_term_goal"] != "Jag vill kunna laga min egen mat."

    # Pressing an ordinary save again is refused again: overwriting is a deliberate choice.
    again = editor_post_of(html)
    assert again["over_revision"] == str(base + 1)
    assert vc.post(editor_url(process), {**again, "base_revision": str(base)}).status_code == 200
    assert revision(process) == base + 1

    again.pop("save")
    again["save_over"] = "1"
    assert vc.post(editor_url(process), again).status_code == 302
    draft.refresh_from_db()
    assert draft.revision == base + 2
    assert draft.content["long_term_goal"] == "Jag vill kunna laga min egen mat."
    assert [a["id"] for a in draft.content["actions"]] == ["a1", "a2", "a3"]
    # Both saves are kept in the draft's history.
    kept = PlanDraftRevision.objects.filter(process=process).order_by("revision")
    assert [r.content["follow_up_by"] for r in kept][-2] == "Bo Bistånd, Biståndsenheten"
    # And the editor shows that history: who saved what, when, and what it changed – so the
    # municipality's change that was saved over can be seen and brought back.
    shown = text_of(municipality.get(editor_url(process)))
    history = shown.split("Utkastets historik")[1]
    newest, theirs_saved = history.split("Sparning ")[1:3]
    assert newest.startswith(f"{base + 2} av utkastet")
    assert "Sparad av Fia Fast, Vårdcentralen Centrum." in newest
    assert "Långsiktigt mål ändrat från" in newest
    assert "Den som följer upp ändrad från ”Bo Bistånd, Biståndsenheten”" in newest
    assert theirs_saved.startswith(f"{base + 1} av utkastet")
    assert "Sparad av Bo Bistånd, Biståndsenheten Testby." in theirs_saved
    assert "till ”Bo Bistånd, Biståndsenheten”" in theirs_saved
    assert "Hela utkastet efter sparning" in theirs_saved
    logged = AccessLogEntry.objects.filter(
        person=process.person, action=AccessAction.READ, detail="planutkastets historik"
    )
    assert logged.exists()


def test_the_draft_history_costs_the_same_queries_for_one_save_as_for_many(
    county: County,
) -> None:
    process = start_outpatient_sip(county)
    give_consent(county, process)
    add_social_services(county, process)
    save_plan(county, process)
    vc = client_for(county.primary_care_nurse)
    one = queries_of(vc, editor_url(process))
    for n in range(4):
        save_plan(county, process, follow_up_by=f"Fia Fast {n}")
    assert text_of(vc.get(editor_url(process))).count("Sparning ") == 5
    assert queries_of(vc, editor_url(process)) == one


def test_establishing_a_plan_that_changed_meanwhile_is_refused(county: County) -> None:
    process = start_outpatient_sip(county)
    give_consent(county, process)
    social = add_social_services(county, process)
    save_plan(county, process)
    vc = client_for(county.primary_care_nurse)
    opened = revision(process)
    save_plan(county, process, follow_up_by="Någon annan")
    response = vc.post(
        establish_url(process),
        {
            "base_revision": opened,
            "approved_by": [social.pk, process.participants.first().pk],
            "person_agreed": "on",
        },
    )
    shown = text_of(response)
    assert "Planen har ändrats sedan du öppnade sidan" in shown
    assert "Ingenting är fastställt." in shown
    assert "Den som följer upp ändrad" in shown
    assert not PlanVersion.objects.exists()
    assert f'name="base_revision" value="{opened + 1}"' in response.content.decode()


# --- The plan editor without JavaScript and with HTMX -------------------------------------------


def editor_errors(client: Client, process: SipProcess, data: dict[str, Any]) -> str:
    """Post the plan editor expecting a refusal; the error summary's text."""
    response = client.post(editor_url(process), data)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'class="error-summary"' in html, text_of(response)[:3000]
    summary = html.split('class="error-summary"')[1].split("</div>")[0]
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", summary)).split())


def test_tampered_plan_input_is_refused_in_swedish(county: County) -> None:
    process = start_outpatient_sip(county)
    vc = client_for(county.primary_care_nurse)
    goal = {"text": "Duscha själv", "measure": "Tre gånger i veckan"}
    # A hidden id edited in the browser.
    errors = editor_errors(vc, process, plan_data(0, goals=[{**goal, "id": "g1<script>"}]))
    assert "Planen kan inte sparas. Delmål 1, id: Innehåller tecken som inte är tillåtna här." in (
        errors
    )
    # Two rows given the same id.
    errors = editor_errors(
        vc, process, plan_data(0, goals=[{**goal, "id": "g1"}, {"text": "Gå ut", "id": "g1"}])
    )
    assert "Planen kan inte sparas. Samma id förekommer på flera delmål: g1." in errors
    # An action's hidden id edited too, and a row id longer than the form allows.
    errors = editor_errors(
        vc,
        process,
        plan_data(
            0,
            goals=[{**goal, "id": "x" * 41}],
            actions=[{"what": "Dusch", "organisation_kind": "region", "id": "a 1"}],
        ),
    )
    assert "Säkerställ att detta värde har som mest 40 tecken" in errors  # Django's, Swedish
    errors = editor_errors(
        vc,
        process,
        plan_data(0, actions=[{"what": "Dusch", "organisation_kind": "region", "id": "a 1"}]),
    )
    assert "Insats 1, id: Innehåller tecken som inte är tillåtna här." in errors
    for english in ("String should", "Value error", "Input should", "match pattern"):
        assert english not in errors
    assert revision(process) == 0


def test_rows_are_added_without_saving_with_and_without_htmx(county: County) -> None:
    process = start_outpatient_sip(county)
    vc = client_for(county.primary_care_nurse)
    data = plan_data(
        0,
        long_term_goal="Bo kvar hemma",
        goals=[{"text": "Gå ut varje dag"}],
        actions=[{"what": "Hemtjänst", "organisation_kind": "municipality"}],
    )
    data.pop("save")
    response = vc.post(editor_url(process), {**data, "add_goals": "1"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "<html" in html
    assert "Delmål 2" in text_of(response)
    assert 'name="goals-1-text"' in html
    assert re.search(r'name="goals-1-text"[^>]*autofocus', html)
    assert "Gå ut varje dag" in html  # input kept
    assert revision(process) == 0
    response = vc.post(editor_url(process), {**data, "add_actions": "1"}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert "<html" not in html
    assert html.lstrip().startswith('<div id="plan-editor">')
    assert 'name="actions-1-what"' in html
    assert revision(process) == 0


# --- Work lists ---------------------------------------------------------------------------------


def flagged_sip(county: County) -> SipProcess:
    """A SIP whose kallelse is overdue, with a participant without mandate."""
    process = start_outpatient_sip(county)
    give_consent(county, process)
    add_social_services(county, process)
    services.participant_add(
        acting=county.acting(county.primary_care_nurse),
        process=process,
        kind=ParticipantKind.STAFF,
        unit=county.home_health_care,
        name="Hanna Hem",
    )
    SipProcess.objects.filter(pk=process.pk).update(started_at=timezone.now() - timedelta(days=40))
    return process


def test_the_work_lists_show_sip_flags(county: County) -> None:
    process = flagged_sip(county)
    municipality = client_for(county.needs_assessor)
    todo = text_of(municipality.get(reverse("discharge:worklist")))
    assert "Kallelse till SIP-möte ska skickas senast" in todo
    assert "Deltagare utan mandat: Hanna Hem" in todo
    assert process.person.full_name in todo
    listed = text_of(municipality.get(reverse("sip:worklist")))
    assert "Din enhet deltar i 1 pågående SIP." in listed
    assert "Försenad" in listed


def queries_of(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def test_work_lists_cost_the_same_queries_for_one_sip_as_for_many(county: County) -> None:
    municipality = client_for(county.needs_assessor)
    flagged_sip(county)
    sip_continuing_a_stay(county, kallelse=True)
    one = {
        url: queries_of(municipality, url)
        for url in (reverse("sip:worklist"), reverse("discharge:worklist"))
    }
    for _ in range(3):
        process = flagged_sip(county)
        save_plan(county, process)
        establish(county, process)
        services.action_progress_record(
            acting=county.acting(county.needs_assessor),
            process=process,
            action_id="a2",
            status="ongoing",
        )
    sip_continuing_a_stay(county, kallelse=False)
    sip_continuing_a_stay(county, kallelse=False)
    text = text_of(municipality.get(reverse("sip:worklist")))
    assert "Din enhet deltar i 7 pågående SIP:ar." in text
    assert "enligt lagens tidsgräns efter underrättelsen om utskrivningsklar" in text
    many = {url: queries_of(municipality, url) for url in one}
    assert many == one
