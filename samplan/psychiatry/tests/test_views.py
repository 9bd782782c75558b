"""The SVPL pages: the case page's section, starting, the plan page, the editor (with a conflict),
approving, versions and the PDF; every page refused to a unit outside the case (404 and a
DENIED log entry); the work-list items; constant query counts."""

from __future__ import annotations

import subprocess
import tempfile
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from samplan.audit.models import AccessAction, AccessLogEntry
from samplan.portal.readability import PATIENT_TEXT_MAX_LIX, lix_of
from samplan.portal.tests.test_readability import translatable_texts
from samplan.psychiatry.models import CoordinatedCarePlanLpt
from samplan.psychiatry.tests.helpers import (
    PsychCounty,
    approve,
    establish,
    psych_case,
    save,
    start,
)
from samplan.testing.county import admit, record_conversation, send_admission_notice
from samplan.testing.factories import sign_in

pytestmark = pytest.mark.django_db
STOCKHOLM = ZoneInfo("Europe/Stockholm")


def client(membership) -> Client:
    return sign_in(Client(), membership)


def case_url(stay) -> str:
    return reverse("discharge:case", kwargs={"public_id": stay.public_id})


def plan_url(plan: CoordinatedCarePlanLpt, name: str = "plan", **kw) -> str:
    return reverse(f"psychiatry:{name}", kwargs={"public_id": plan.public_id, **kw})


def text(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


# --- The case page and starting ---------------------------------------------------------------


def test_the_psychiatric_ward_starts_a_plan_from_the_case_page(pc: PsychCounty) -> None:
    stay = psych_case(pc)
    chief = client(pc.chief)
    page = text(chief.get(case_url(stay)))
    start_url = reverse("psychiatry:start", kwargs={"stay_id": stay.public_id})
    assert "Påbörja samordnad vårdplan" in page
    assert start_url in page
    assert "Påbörja samordnad vårdplan" not in text(client(pc.nurse).get(case_url(stay)))
    form = text(chief.get(start_url))
    assert "Cecilia Chefsöverläkare, chefsöverläkare" in form
    response = chief.post(start_url, {"legal_basis": "", "physician": ""})
    assert "Det finns fel i formuläret" in text(response)
    response = chief.post(start_url, {"legal_basis": "lpt_7a", "physician": "Cecilia C"})
    plan = CoordinatedCarePlanLpt.objects.get(stay=stay)
    assert response.status_code == 302
    assert response.url == plan_url(plan)
    page = text(chief.get(case_url(stay)))
    assert "Underrättelse enligt 7 a § LPT inför öppen psykiatrisk tvångsvård (ÖPT)." in page
    assert "Underrättelse enligt 7 a § LPT (räknas som utskrivningsklar)" in page  # timeline
    assert "Planen är inte klar att justera" in page
    # Starting again leads to the plan.
    assert chief.get(start_url).url == plan_url(plan)


def test_a_refusal_from_the_service_is_shown_on_the_form(pc: PsychCounty) -> None:
    stay = psych_case(pc)
    start_url = reverse("psychiatry:start", kwargs={"stay_id": stay.public_id})
    response = client(pc.nurse).post(start_url, {"legal_basis": "lpt_7a", "physician": "X"})
    assert "chefsöverläkaren" in text(response)
    assert not CoordinatedCarePlanLpt.objects.exists()


def test_a_somatic_case_has_no_svpl_section(pc: PsychCounty) -> None:
    c = pc.county
    stay = admit(c)
    record_conversation(c, stay)
    send_admission_notice(c, stay)
    assert "Samordnad vårdplan" not in text(client(c.physician).get(case_url(stay)))


def test_the_case_section_shows_who_has_approved_and_what_is_missing(pc: PsychCounty) -> None:
    c = pc.county
    plan = start(pc, psych_case(pc))
    save(pc, plan)
    approve(pc, plan, c.primary_care_nurse)
    page = text(client(c.needs_assessor).get(case_url(plan.stay)))
    assert "Vårdcentralen Centrum</strong>: justerad" in page
    assert "Biståndsenheten Testby</strong>: har inte justerat" in page
    assert "Läs och justera planen" in page


# --- The plan page, approving, versions -------------------------------------------------------


def test_each_unit_approves_on_the_plan_page_and_the_plan_is_established(pc: PsychCounty) -> None:
    c = pc.county
    plan = start(pc, psych_case(pc))
    save(pc, plan)
    plan.refresh_from_db()
    vc = client(c.primary_care_nurse)
    page = text(vc.get(plan_url(plan)))
    assert "Justera planen för Vårdcentralen Centrum" in page
    assert "Justera planen" not in text(client(pc.chief).get(plan_url(plan)))
    response = vc.post(plan_url(plan, "approve"), {"base_revision": plan.draft_revision})
    assert response.status_code == 302
    page = text(vc.get(plan_url(plan)))
    assert "Din enhet har justerat planen." in page
    assert "Justera planen för" not in page
    social = client(c.needs_assessor)
    social.post(plan_url(plan, "approve"), {"base_revision": plan.draft_revision})
    page = text(social.get(plan_url(plan)))
    assert "Alla enheter har justerat: planen är fastställd." in page
    assert "Version 1, fastställd" in page
    version = text(social.get(plan_url(plan, "version", number=1)))
    assert "Innehåll i första versionen" in version
    assert "Insats tillagd: ”Depåinjektion var fjärde vecka”" in version


def test_a_stale_approval_is_refused_with_a_message(pc: PsychCounty) -> None:
    c = pc.county
    plan = start(pc, psych_case(pc))
    save(pc, plan)
    plan.refresh_from_db()
    stale = plan.draft_revision
    save(pc, plan, patient_view="Ändrat.")
    vc = client(c.primary_care_nurse)
    vc.post(plan_url(plan, "approve"), {"base_revision": stale})
    assert "Din justering är inte sparad" in text(vc.get(plan_url(plan)))
    assert not plan.approvals.exists()


def test_a_second_version_shows_what_changed(pc: PsychCounty) -> None:
    plan = start(pc, psych_case(pc))
    save(pc, plan)
    establish(pc, plan)
    save(pc, plan, patient_view="Jag vill ha mer stöd.")
    page = text(client(pc.chief).get(plan_url(plan)))
    assert "Fastställd, ändringar väntar på justering" in page
    assert "Ändringar sedan den fastställda versionen" in page
    establish(pc, plan)
    version = text(client(pc.chief).get(plan_url(plan, "version", number=2)))
    assert "Ändringar sedan version 1" in version
    assert "Patientens synpunkter på planen ändrade" in version
    old = text(client(pc.chief).get(plan_url(plan, "version", number=1)))
    assert "Den här versionen gäller inte längre" in old
    assert client(pc.chief).get(plan_url(plan, "version", number=3)).status_code == 404


# --- The editor -------------------------------------------------------------------------------


def editor_post(plan: CoordinatedCarePlanLpt, revision: int, **extra: str) -> dict[str, str]:
    data = {
        "base_revision": str(revision),
        "needs": "Fortsatt medicinering\nStöd i vardagen",
        "patient_view": "Jag vill bo hemma.",
        "chief_physician": "Cecilia C",
        "applies_from": "2026-03-10",
        "insatser-TOTAL_FORMS": "1",
        "insatser-INITIAL_FORMS": "0",
        "insatser-0-what": "Boendestöd",
        "insatser-0-decision": "Beviljat",
        "insatser-0-unit": str(plan.stay.parties.get(unit__name="Biståndsenheten Testby").unit_id),
        "insatser-0-responsible_person": "Bo",
        "insatser-0-patient_view": "Bra",
        "others-TOTAL_FORMS": "1",
        "others-INITIAL_FORMS": "0",
        "others-0-who": "",
        "others-0-what": "",
        "save": "1",
    }
    data.update(extra)
    return data


def test_the_editor_saves_and_shows_errors(pc: PsychCounty) -> None:
    plan = start(pc, psych_case(pc))
    chief = client(pc.chief)
    assert "Skriv den samordnade vårdplanen" in text(chief.get(plan_url(plan, "edit")))
    bad = editor_post(plan, 0, **{"insatser-0-unit": "", "insatser-0-responsible_unit": ""})
    page = text(chief.post(plan_url(plan, "edit"), bad))
    assert "Välj en enhet i ärendet eller skriv vilken annan enhet som ansvarar." in page
    response = chief.post(plan_url(plan, "edit"), editor_post(plan, 0))
    assert response.status_code == 302
    plan.refresh_from_db()
    assert plan.draft_revision == 1
    assert [n["text"] for n in plan.draft_content["needs"]] == [
        "Fortsatt medicinering",
        "Stöd i vardagen",
    ]
    assert plan.draft_content["insatser"][0]["responsible_unit"] == "Biståndsenheten Testby"
    # Adding a row keeps what was typed and saves nothing.
    page = text(chief.post(plan_url(plan, "edit"), editor_post(plan, 1, add_insatser="1")))
    assert 'name="insatser-1-what"' in page
    plan.refresh_from_db()
    assert plan.draft_revision == 1


def test_the_editor_shows_a_conflict_and_keeps_the_writers_input(pc: PsychCounty) -> None:
    plan = start(pc, psych_case(pc))
    save(pc, plan, by=pc.county.needs_assessor)  # someone saves revision 1 meanwhile
    chief = client(pc.chief)
    mine = editor_post(plan, 0, patient_view="Min egen text")
    page = text(chief.post(plan_url(plan, "edit"), mine))
    assert "Någon annan har sparat planen medan du skrev" in page
    assert "Bo Bistånd (Biståndsenheten Testby)" in page
    assert "Min egen text" in page
    assert 'name="over_revision" value="1"' in page
    plan.refresh_from_db()
    assert plan.draft_revision == 1
    mine.pop("save")
    response = chief.post(plan_url(plan, "edit"), {**mine, "save_over": "1", "over_revision": "1"})
    assert response.status_code == 302
    plan.refresh_from_db()
    assert (plan.draft_revision, plan.draft_content["patient_view"]) == (2, "Min egen text")


def test_units_and_roles_that_may_not_write_are_sent_back(pc: PsychCounty) -> None:
    plan = start(pc, psych_case(pc))
    response = client(pc.nurse).get(plan_url(plan, "edit"))
    assert response.status_code == 302
    assert response.url == plan_url(plan)


# --- Outsiders --------------------------------------------------------------------------------


def test_every_page_is_404_and_logged_for_a_unit_outside_the_case(pc: PsychCounty) -> None:
    plan = start(pc, psych_case(pc))
    save(pc, plan)
    establish(pc, plan)
    outsider = client(pc.county.outsider)
    urls = [
        reverse("psychiatry:start", kwargs={"stay_id": plan.stay.public_id}),
        plan_url(plan),
        plan_url(plan, "edit"),
        plan_url(plan, "version", number=1),
        plan_url(plan, "version_pdf", number=1),
    ]
    for url in urls:
        before = AccessLogEntry.objects.filter(action=AccessAction.DENIED).count()
        assert outsider.get(url).status_code == 404, url
        assert AccessLogEntry.objects.filter(action=AccessAction.DENIED).count() == before + 1
    before = plan.approvals.count()
    assert outsider.post(plan_url(plan, "approve"), {"base_revision": 1}).status_code == 404
    assert plan.approvals.count() == before


# --- The PDF ----------------------------------------------------------------------------------


def pdf_text(content: bytes) -> str:
    with tempfile.NamedTemporaryFile(suffix=".pdf") as handle:
        handle.write(content)
        handle.flush()
        return subprocess.run(
            ["pdftotext", "-layout", handle.name, "-"], capture_output=True, text=True, check=True
        ).stdout


PLAIN = {
    "needs": [{"id": "n1", "text": "Ta dina mediciner"}, {"id": "n2", "text": "Hjälp hemma"}],
    "insatser": [
        {
            "id": "i1",
            "what": "Spruta en gång i månaden",
            "decision": "Ja",
            "responsible_unit": "Mottagningen",
            "responsible_person": "Ali",
            "patient_view": "Det är bra.",
        },
        {
            "id": "i2",
            "what": "Stöd hemma två dagar i veckan",
            "decision": "Ja",
            "responsible_unit": "Kommunen",
            "patient_view": "Gärna sent på dagen.",
        },
    ],
    "patient_view": "Jag vill bo kvar hemma.",
    "other_actions": [{"id": "o1", "who": "God man", "what": "Betalar räkningar"}],
}


def test_the_pdf_for_the_patient_is_plain_swedish_and_logged(pc: PsychCounty, time_machine) -> None:
    time_machine.move_to(datetime(2026, 3, 2, 10, 0, tzinfo=STOCKHOLM), tick=False)
    person = pc.county.person(
        given_name="Pia", family_name="Plan", protected=True, street_address="Hemliga vägen 9"
    )
    plan = start(pc, psych_case(pc, person))
    save(pc, plan, **PLAIN, chief_physician="Cecilia C", applies_from="2026-03-05")
    establish(pc, plan)
    chief = client(pc.chief)
    before = AccessLogEntry.objects.filter(action=AccessAction.EXPORT).count()
    response = chief.get(plan_url(plan, "version_pdf", number=1))
    assert response["Content-Type"] == "application/pdf"
    export = AccessLogEntry.objects.filter(action=AccessAction.EXPORT).latest("pk")
    assert AccessLogEntry.objects.filter(action=AccessAction.EXPORT).count() == before + 1
    assert (export.person_id, export.protected_identity) == (person.pk, True)
    assert export.detail == "fastställd samordnad vårdplan version 1 (PDF)"
    body = pdf_text(response.content)
    for expected in (
        "Din samordnade vårdplan",
        "Pia Plan",
        "öppen psykiatrisk tvångsvård (ÖPT)",
        "Planen gäller från 2026-03-05.",
        "”Jag vill bo kvar hemma.”",
        "Spruta en gång i månaden",
        "Mottagningen",
        "God man: Betalar räkningar",
        "Cecilia C på Psykiatrisk avdelning 31 har skrivit planen med dig.",
        "Biståndsenheten Testby",
    ):
        assert expected in body, expected
    assert "Hemliga vägen" not in body
    assert person.street_address not in body
    paragraphs = [" ".join(p.split()) for p in body.split("\n\n") if p.strip()]
    assert lix_of(paragraphs).value < PATIENT_TEXT_MAX_LIX


def test_the_pdf_template_text_is_easy_to_read() -> None:
    from django.conf import settings

    source = (settings.BASE_DIR / "samplan/templates/psychiatry/documents/svpl.html").read_text()
    texts = translatable_texts(source)
    assert texts
    assert lix_of(texts).value < PATIENT_TEXT_MAX_LIX


# --- The work list and query counts -----------------------------------------------------------


def plans_in_every_state(pc: PsychCounty, n: int) -> None:
    """``n`` plans each: just started, ready to approve (one approval), established, changed."""
    for i in range(n):
        born = date(1970 + i, 1 + i % 12, 1 + i)
        plans = [
            start(pc, psych_case(pc, pc.county.person(birth_date=born + timedelta(days=k))))
            for k in range(4)
        ]
        save(pc, plans[1])
        approve(pc, plans[1], pc.county.primary_care_nurse)
        for plan in plans[2:]:
            save(pc, plan)
            establish(pc, plan)
        save(pc, plans[3], patient_view=f"Ändring {i}")


def queries(c: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert c.get(url).status_code == 200
    return len(captured)


def test_the_work_lists_show_items_in_constant_queries(pc: PsychCounty, time_machine) -> None:
    time_machine.move_to(datetime(2026, 3, 2, 10, 0, tzinfo=STOCKHOLM), tick=False)
    plans_in_every_state(pc, 1)
    worklist = reverse("discharge:worklist")
    vc, social, chief = (
        client(m) for m in (pc.county.primary_care_nurse, pc.county.needs_assessor, pc.chief)
    )
    # One round: started, ready with the vårdcentral's approval, established, changed.
    assert text(vc.get(worklist)).count("SVPL att justera") == 1  # the changed one
    assert text(social.get(worklist)).count("SVPL att justera") == 2  # the ready and the changed
    assert "SVPL ej fastställd" not in text(chief.get(worklist))
    members = {"vc": pc.county.primary_care_nurse, "social": pc.county.needs_assessor}
    members["ward"] = pc.chief
    counts = {name: queries(client(m), worklist) for name, m in members.items()}
    plans_in_every_state(pc, 3)
    # A week later (signed in again): the ward sees the two never established per round.
    time_machine.move_to(datetime(2026, 3, 9, 10, 0, tzinfo=STOCKHOLM), tick=False)
    ward_page = text(client(pc.chief).get(worklist))
    assert ward_page.count("SVPL ej fastställd") == 8
    assert text(client(pc.county.primary_care_nurse).get(worklist)).count("SVPL att justera") == 4
    assert text(client(pc.county.needs_assessor).get(worklist)).count("SVPL att justera") == 8
    assert {name: queries(client(m), worklist) for name, m in members.items()} == counts


def test_the_plan_page_and_case_section_cost_constant_queries(pc: PsychCounty) -> None:
    plan = start(pc, psych_case(pc))
    save(pc, plan)
    establish(pc, plan)
    chief = client(pc.chief)
    page_q = queries(chief, plan_url(plan))
    case_q = queries(chief, case_url(plan.stay))
    for i in range(3):
        save(pc, plan, patient_view=f"Ändring {i}")
        establish(pc, plan)
    assert queries(chief, plan_url(plan)) == page_q
    assert queries(chief, case_url(plan.stay)) == case_q
