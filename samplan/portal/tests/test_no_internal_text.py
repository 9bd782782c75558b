"""No staff-internal text reaches Min plan: a marker is written into everything staff can write
in a discharge case and in a SIP, and no portal page, calendar file or PDF the person or their
representative can reach contains it. Every link on the person's page is followed.

The psychiatric SVPL likewise: its LPT/LRV notice and a draft after the established version.

Decided: what staff record is internal, also when it is about the person's own words (the
arrival conversation's "patientens egna önskemål", a wish or a child's view staff wrote down):
the portal shows the person only what they, or their representative, wrote in Min plan.
"""

from __future__ import annotations

import re
import subprocess
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from samplan.discharge import services
from samplan.discharge.models import ChecklistKind, InpatientStay, InterruptionKind
from samplan.people.identifiers import synthetic_identifier
from samplan.people.models import AuthorityKind, Person, PortalScope
from samplan.portal.tests.conftest import citizen_client
from samplan.portal.tests.scenes import INTERNAL, full_case
from samplan.portal.tests.test_pages import overview_url, represent
from samplan.portal.tests.test_sip import established_sip
from samplan.psychiatry import services as svpl_services
from samplan.psychiatry.tests.helpers import establish as svpl_establish
from samplan.psychiatry.tests.helpers import make_psych_county, psych_case
from samplan.psychiatry.tests.helpers import save as svpl_save
from samplan.sip import services as sip_services
from samplan.sip.models import (
    AuthorKind,
    CloseReason,
    ConsentForm,
    ConsentGiver,
    ParticipantKind,
    PreparationKind,
    SipProcess,
)
from samplan.testing.county import County, admit, record_conversation
from samplan.testing.factories import sign_in
from samplan.testing.sip import save_plan

pytestmark = pytest.mark.django_db

M = INTERNAL


def mark_discharge_case(county: County, stay: InpatientStay) -> None:
    """Staff text everywhere in an open case that full_case did not already cover."""
    ward = county.acting(county.ward_nurse)
    services.arrival_conversation_record(
        acting=ward,
        stay=stay,
        held_at=stay.admitted_at,
        participants=f"{M} deltagare i ankomstsamtalet",
        patient_wishes=f"{M} patientens önskemål som personalen skrev",
        needs_regional_outpatient=True,
        needs_social_services=True,
        needs_municipal_health_care=True,
        needs_special_housing=True,
    )
    services.unavailability_record(
        acting=ward, stay=stay, starts_on=timezone.localdate(), reason=f"{M} orsak 5:5"
    )
    item = next(iter(services.checklist_items(stay, ChecklistKind.HOME_READY)))
    services.checklist_mark(
        acting=ward, stay=stay, checklist=ChecklistKind.HOME_READY, item=item, note=f"{M} not"
    )


def interrupted_stay(county: County, person: Person) -> None:
    stay = admit(county, person, admitted_at=timezone.now() - timedelta(days=20))
    record_conversation(county, stay)
    services.admission_notice_send(
        acting=county.acting(county.ward_nurse),
        stay=stay,
        recipients=[county.primary_care, county.social_services],
        estimated_discharge=timezone.now(),
    )
    services.stay_interrupt(
        acting=county.acting(county.ward_nurse),
        stay=stay,
        kind=InterruptionKind.TRANSFERRED,
        reason=f"{M} avbrott",
    )


def mark_sip(county: County, process: SipProcess) -> None:
    """Staff text in an open SIP that established_sip(internal=True) did not already cover."""
    vc = county.acting(county.primary_care_nurse)
    sip_services.consent_give(
        acting=vc,
        process=process,
        giver=ConsentGiver.PERSON,
        form=ConsentForm.ORAL,
        scope="Vårdcentralen och kommunen",
        note=f"{M} samtyckesanteckning",
    )
    external = sip_services.participant_add(
        acting=vc,
        process=process,
        kind=ParticipantKind.EXTERNAL,
        name="Sara Skola",
        organisation="Skolan",
        external_kind="school",
    )
    sip_services.participant_remove(
        acting=vc, process=process, participant=external, reason=f"{M} borttagen"
    )
    for kind in (PreparationKind.WISH, PreparationKind.QUESTION):
        sip_services.preparation_add(
            acting=vc,
            process=process,
            kind=kind,
            text=f"{M} vad personen sa, skrivet av personalen",
            author_kind=AuthorKind.PERSON,
            author_name="Personen",
        )
    latest = process.versions.order_by("-number").first()
    assert latest is not None
    sip_services.action_progress_record(
        acting=vc, process=process, action_id="a1", status="ongoing", note=f"{M} läget"
    )
    held = process.meetings.filter(meeting_at__lte=timezone.now()).first()
    assert held is not None
    sip_services.minutes_record(
        acting=vc,
        process=process,
        meeting=held,
        text=f"{M} rättat protokoll",
        decisions=f"{M} beslut",
        person_present=True,
    )
    spare = sip_services.follow_up_schedule(
        acting=vc,
        process=process,
        meeting_at=timezone.now() + timedelta(days=40),
        place_kind="unit",
        location="Rum 9",
        invitees=list(process.participants.filter(removed_at__isnull=True)),
    )
    sip_services.meeting_cancel(acting=vc, process=process, meeting=spare, reason=f"{M} inställt")


def closed_sip_from_stay(county: County, person: Person, time_machine) -> SipProcess:
    """A discharge case (marked everywhere) continued as a SIP (reason marked), whose meeting is
    held, plan established, actions followed up, evaluated and closed, with staff text in each."""
    real_now = timezone.now()
    time_machine.move_to(real_now - timedelta(days=12), tick=True)
    case = full_case(county, person)
    mark_discharge_case(county, case.stay)
    services.care_summary_write(
        acting=county.acting(county.ward_nurse),
        stay=case.stay,
        text="Du har vårdats för en fraktur.",
    )
    services.discharge_notice_send(
        acting=county.acting(county.ward_nurse), stay=case.stay, discharged_at=timezone.now()
    )
    vc = county.acting(county.primary_care_nurse)
    process = sip_services.sip_start_from_stay(acting=vc, stay=case.stay, reason=f"{M} varför")
    sip_services.consent_give(
        acting=vc,
        process=process,
        giver=ConsentGiver.PERSON,
        form=ConsentForm.WRITTEN,
        note=f"{M} samtycke",
    )
    own = process.participants.get(unit=county.primary_care)
    sip_services.participant_set_mandate(
        acting=vc, process=process, participant=own, has_mandate=True
    )
    time_machine.move_to(real_now - timedelta(days=4), tick=True)
    meeting = process.meetings.get()
    sip_services.minutes_record(
        acting=vc,
        process=process,
        meeting=meeting,
        text=f"{M} protokoll",
        decisions=f"{M} beslut",
        person_present=True,
    )
    save_plan(county, process)
    draft = process.draft
    draft.refresh_from_db()
    sip_services.plan_establish(
        acting=vc,
        process=process,
        base_revision=draft.revision,
        approved_by=[own],
        person_agreed=True,
        meeting=meeting,
    )
    sip_services.action_progress_record(
        acting=vc, process=process, action_id="a1", status="done", note=f"{M} klart"
    )
    follow_up = sip_services.follow_up_schedule(
        acting=vc,
        process=process,
        meeting_at=timezone.now() + timedelta(days=1),
        place_kind="video",
        location="https://video.example/uppfoljning",
        invitees=[own],
        message=f"{M} uppföljning",
    )
    sip_services.meeting_cancel(
        acting=vc, process=process, meeting=follow_up, reason=f"{M} inställt"
    )
    sip_services.evaluation_record(
        acting=vc, process=process, summary=f"{M} utvärdering", outcomes={"g1": "reached"}
    )
    sip_services.sip_close(acting=vc, process=process, reason=CloseReason.OTHER, note=f"{M} avslut")
    time_machine.move_to(real_now, tick=True)
    process.refresh_from_db()
    return process


def pdf_text(content: bytes) -> str:
    return subprocess.run(
        ["pdftotext", "-enc", "UTF-8", "-", "-"], input=content, capture_output=True, check=True
    ).stdout.decode()


_LINK = re.compile(r'href="(/min-plan/[^"#]+)"')


def everything_reachable(client: Client, person: Person, extra: list[str]) -> dict[str, str]:
    """The person's page and every Min plan page, calendar file and PDF it links to (and the
    ``extra`` addresses), as text."""
    start = overview_url(person)
    seen: dict[str, str] = {}
    queue = [start, reverse("portal:home"), *extra]
    while queue:
        url = queue.pop()
        if url in seen:
            continue
        response = client.get(url, follow=True)
        assert response.status_code == 200, (url, response.status_code)
        if response["Content-Type"].startswith("application/pdf"):
            seen[url] = pdf_text(response.content)
            continue
        seen[url] = response.content.decode()
        if response["Content-Type"].startswith("text/html"):
            queue += [u for u in _LINK.findall(seen[url]) if u not in seen]
    return seen


def test_no_staff_text_of_a_case_or_a_sip_reaches_any_portal_page_calendar_file_or_pdf(
    county: County, time_machine
) -> None:
    # A: an interrupted stay, then a marked case continued as a SIP that is closed after its
    # whole life (minutes, plan, progress, a cancelled meeting, evaluation).
    a = county.person(given_name="Alma")
    interrupted_stay(county, a)
    closed = closed_sip_from_stay(county, a, time_machine)
    # B: in hospital, no SIP: the case marked everywhere (its wishes page is on the stay).
    b = county.person(given_name="Berit")
    b_case = full_case(county, b)
    mark_discharge_case(county, b_case.stay)
    # C: an established, open SIP marked everywhere (its wishes page is on the SIP).
    open_sip, _meeting = established_sip(county, time_machine, internal=True)
    mark_sip(county, open_sip)
    c = open_sip.person
    # D: at a psychiatric ward, an established SVPL whose LPT notice and later draft are marked.
    pc = make_psych_county(county)
    svpl = svpl_services.svpl_start(
        acting=pc.acting(pc.chief),
        stay=psych_case(pc, county.person(given_name="Dora")),
        legal_basis="lpt_7a",
        physician="Cecilia Chefsöverläkare, chefsöverläkare",
        body=f"{M} underrättelsens text",
    )
    svpl_save(pc, svpl)
    svpl_establish(pc, svpl)
    svpl_save(
        pc,
        svpl,
        patient_view=f"{M} utkast till vårdplanen",
        other_actions=[{"id": "o1", "who": "God man", "what": f"{M} åtgärd i utkastet"}],
    )
    d = svpl.stay.person

    # The markers are where staff read them, or this test proves nothing.
    staff_case = sign_in(Client(), county.ward_nurse).get(
        reverse("discharge:case", kwargs={"public_id": b_case.stay.public_id})
    )
    for text in ("deltagare i ankomstsamtalet", "patientens önskemål", "orsak 5:5"):
        assert f"{M} {text}" in staff_case.content.decode()
    staff_sip = sign_in(Client(), county.primary_care_nurse).get(
        reverse("sip:process", kwargs={"public_id": closed.public_id})
    )
    for text in ("varför", "beslut", "utvärdering", "avslut", "inställt", "samtycke"):
        assert f"{M} {text}" in staff_sip.content.decode(), text
    assert closed.evaluations.exists()
    assert not closed.is_open
    ward = sign_in(Client(), pc.chief)
    staff_svpl = ward.get(reverse("psychiatry:plan", kwargs={"public_id": svpl.public_id}))
    assert f"{M} utkast till vårdplanen" in staff_svpl.content.decode()
    staff_psych_case = ward.get(
        reverse("discharge:case", kwargs={"public_id": svpl.stay.public_id})
    )
    assert f"{M} underrättelsens text" in staff_psych_case.content.decode()

    outputs: dict[str, str] = {}
    for person, number in ((a, 501), (b, 502), (c, 503), (d, 504)):
        representative = synthetic_identifier(person.birth_date.replace(year=1970), number)
        represent(
            person,
            identifier=representative,
            authority=AuthorityKind.TRUSTEE,
            portal_scope=PortalScope.FULL,
        )
        for who, client in (
            ("own", citizen_client(person.identifier)),
            ("representative", citizen_client(representative)),
        ):
            extra = []
            stay = person.stays.filter(status__in=["open", "discharged"]).first()
            if stay is not None:
                invitation = stay.messages.filter(kind="sip_invitation").first()
                if invitation is not None:  # served even where the SIP shows the meeting
                    extra.append(
                        reverse(
                            "portal:meeting_ics",
                            kwargs={
                                "person_id": person.public_id,
                                "stay_id": stay.public_id,
                                "message_id": invitation.pk,
                            },
                        )
                    )
            for url, text in everything_reachable(client, person, extra).items():
                outputs[f"{person.given_name} ({who}) {url}"] = text

    kinds = {
        "wishes on a stay": "/viktigt/" in " ".join(k for k in outputs if "Berit" in k),
        "wishes on a SIP": any("/sip/" in k and "/viktigt/" in k for k in outputs),
        "stay calendar file": any(k.endswith(".ics") and "/vard/" in k for k in outputs),
        "SIP calendar file": any(k.endswith(".ics") and "/sip/" in k for k in outputs),
        "discharge letter": any(k.endswith("brev.pdf") for k in outputs),
        "plan PDF": any("/sip/" in k and "/plan-" in k and k.endswith(".pdf") for k in outputs),
        "SVPL PDF": any("/svpl/" in k and k.endswith(".pdf") for k in outputs),
        "SVPL section": any("Din vårdplan från psykiatrin" in t for t in outputs.values()),
    }
    assert all(kinds.values()), kinds
    leaks = [name for name, text in outputs.items() if M in text]
    assert not leaks, leaks
    # What the person reads of their own words is only what was written in Min plan.
    assert "skrivet av personalen" not in " ".join(outputs.values())
