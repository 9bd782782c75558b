"""The SVPL in a real browser: the psychiatric ward's chefsöverläkare starts a samordnad vårdplan
from the case page (the LPT notice goes out), writes it (a row added with HTMX), the vårdcentral
and the municipality each find "SVPL att justera" on their work list and approve for their own
unit, and the plan is established. An axe-core scan (WCAG 2.1 A/AA) of every new page and
state: the case section before and after, the start form (and with errors), the plan page as a
draft, ready to approve, partly approved and established, the editor (with errors, a new row and
a conflict), the work list, a version with what changed."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Locator, Page, expect

from samplan.psychiatry.models import CoordinatedCarePlanLpt
from samplan.psychiatry.tests.helpers import (
    PsychCounty,
    approve,
    establish,
    make_psych_county,
    psych_case,
    save,
    start,
)
from samplan.testing.browser import AxeScan, run_axe_scene, sign_in_via_ui

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("transactional_db")]


@pytest.fixture
def psych() -> PsychCounty:
    return make_psych_county()


def navigate(page: Page, target: Locator) -> None:
    with page.expect_navigation():
        target.click()


def submit(page: Page, button: str, success: str) -> None:
    navigate(page, page.get_by_role("button", name=button, exact=True))
    expect(page.get_by_role("status")).to_contain_text(success)


def section(page: Page, heading: str) -> Locator:
    return page.locator("section").filter(
        has=page.get_by_role("heading", name=heading, level=2, exact=True)
    )


def test_the_ward_starts_the_units_approve_and_the_plan_is_established(
    psych: PsychCounty, new_page, live_server, time_machine
) -> None:
    time_machine.move_to(timezone.now(), tick=True)
    base = live_server.url
    c = psych.county
    stay = psych_case(psych)
    scan = AxeScan()

    def staff_page(membership) -> Page:
        page = new_page()
        sign_in_via_ui(page, base, membership)
        return page

    chief = staff_page(psych.chief)
    chief.goto(base + reverse("discharge:case", kwargs={"public_id": stay.public_id}))
    case_section = section(chief, "Samordnad vårdplan (SVPL) enligt LPT/LRV")
    expect(case_section).to_contain_text("Underrättelsen som skickas när planen påbörjas")
    scan(chief, "ärendet, ingen SVPL")
    navigate(chief, case_section.get_by_role("link", name="Påbörja samordnad vårdplan"))
    expect(chief.get_by_label("Chefsöverläkare som skriver planen")).to_have_value(
        "Cecilia Chefsöverläkare, chefsöverläkare"
    )
    scan(chief, "påbörja")
    navigate(chief, chief.get_by_role("button", name="Påbörja planen och skicka underrättelsen"))
    expect(chief.get_by_role("alert")).to_contain_text("Rättslig grund")
    scan(chief, "påbörja med fel")
    chief.get_by_label("LPT 7 a § – öppen psykiatrisk tvångsvård (ÖPT)").check()
    submit(chief, "Påbörja planen och skicka underrättelsen", "underrättelsen är skickad")
    expect(chief.get_by_role("heading", level=1)).to_contain_text("Samordnad vårdplan (SVPL)")
    expect(section(chief, "Justering")).to_contain_text("Planen är inte klar att justera")
    scan(chief, "planen, utkast")

    # The chief physician writes the plan; a second insats row is added with HTMX.
    navigate(chief, chief.get_by_role("link", name="Skriv planen"))
    navigate(chief, chief.get_by_role("button", name="Spara utkastet"))
    scan(chief, "utkast utan ändringar")  # saved once: nothing written is lost
    navigate(chief, chief.get_by_role("link", name="Skriv planen"))
    chief.get_by_label("Bedömda behov").fill("Fortsatt medicinering\nStöd i vardagen")
    first = chief.get_by_role("group", name="Insats 1")
    first.get_by_label(re.compile(r"^Insats")).fill("Depåinjektion var fjärde vecka")
    chief.get_by_role("button", name="Lägg till en insats").click()
    second = chief.get_by_role("group", name="Insats 2")
    expect(second.get_by_label(re.compile(r"^Insats"))).to_be_focused()
    scan(chief, "redigera, ny rad")
    first.get_by_label("Beslut").fill("Beslutad av chefsöverläkaren")
    first.get_by_label("Ansvarig enhet", exact=True).select_option(
        label="Vårdcentralen Centrum (Region Testlän)"
    )
    first.get_by_label("Patientens syn på insatsen").fill("Jag vill välja tid själv.")
    second.get_by_label(re.compile(r"^Insats")).fill("Boendestöd tre dagar i veckan")
    second.get_by_label("Beslut").fill("Beviljat")
    navigate(chief, chief.get_by_role("button", name="Spara utkastet"))
    expect(chief.get_by_role("alert")).to_contain_text(
        "Välj en enhet i ärendet eller skriv vilken annan enhet som ansvarar."
    )
    scan(chief, "redigera med fel")
    chief.get_by_role("group", name="Insats 2").get_by_label(
        "Ansvarig enhet", exact=True
    ).select_option(label="Biståndsenheten Testby (Testby kommun)")
    chief.get_by_label("Patientens synpunkter på planen").fill("Jag vill bo kvar hemma.")
    chief.get_by_label("Planen gäller från").fill(timezone.localdate().isoformat())
    submit(chief, "Spara utkastet", "Utkastet är sparat.")
    expect(section(chief, "Justering")).to_contain_text("Planen är klar att justera")
    expect(section(chief, "Justering")).to_contain_text("Vårdcentralen Centrum: har inte justerat")
    scan(chief, "planen, klar att justera")
    plan = CoordinatedCarePlanLpt.objects.get(stay=stay)

    # The vårdcentral finds it on its work list and approves for itself.
    vc = staff_page(c.primary_care_nurse)
    vc.goto(base + reverse("discharge:worklist"))
    svpl_work = section(vc, "Samordnad vårdplan (SVPL)")
    expect(svpl_work).to_contain_text("SVPL att justera")
    scan(vc, "att göra med SVPL")
    navigate(vc, svpl_work.get_by_role("link", name=stay.person.full_name))
    submit(vc, "Justera planen för Vårdcentralen Centrum", "Din enhet har justerat planen.")
    expect(section(vc, "Justering")).to_contain_text("Biståndsenheten Testby: har inte justerat")
    scan(vc, "planen, delvis justerad")

    # The municipality approves: every unit has, the plan is established.
    social = staff_page(c.needs_assessor)
    social.goto(base + reverse("discharge:worklist"))
    navigate(social, section(social, "Samordnad vårdplan (SVPL)").get_by_role("link"))
    submit(social, "Justera planen för Biståndsenheten Testby", "planen är fastställd")
    expect(social.get_by_role("heading", level=1)).to_be_visible()
    expect(section(social, "Fastställda versioner")).to_contain_text("Version 1, fastställd")
    scan(social, "planen, fastställd")
    navigate(social, section(social, "Fastställda versioner").get_by_role("link").first)
    expect(
        social.get_by_role("heading", level=2, name="Innehåll i första versionen")
    ).to_be_visible()
    scan(social, "version 1")
    plan.refresh_from_db()
    assert plan.established_number == 1

    # The case page now shows the established plan; the LPT notice is on the timeline.
    chief.goto(base + reverse("discharge:case", kwargs={"public_id": stay.public_id}))
    expect(section(chief, "Samordnad vårdplan (SVPL) enligt LPT/LRV")).to_contain_text("Fastställd")
    expect(section(chief, "Händelser")).to_contain_text("Underrättelse enligt 7 a § LPT")
    scan(chief, "ärendet, SVPL fastställd")
    scan.check()


def test_scans_of_the_remaining_states(psych: PsychCounty, new_page, live_server) -> None:
    """The editor with a conflict, a changed established plan, a second version's difference,
    and the work list's overdue 'SVPL ej fastställd' for the ward."""
    base = live_server.url

    def scene(pc: PsychCounty, open_as, scan, base_url: str) -> None:
        plan = start(pc, psych_case(pc))
        save(pc, plan)
        establish(pc, plan)
        save(pc, plan, patient_view="Nu vill jag ha mer stöd.")
        approve(pc, plan, pc.county.primary_care_nurse)
        page = open_as(pc.county.needs_assessor)
        page.goto(base_url + reverse("psychiatry:plan", kwargs={"public_id": plan.public_id}))
        expect(
            page.get_by_role("heading", name="Ändringar sedan den fastställda versionen")
        ).to_be_visible()
        scan(page, "fastställd, ändring väntar")
        # A conflict: the chief opens the editor, someone saves meanwhile, the chief saves.
        chief = open_as(pc.chief)
        chief.goto(base_url + reverse("psychiatry:edit", kwargs={"public_id": plan.public_id}))
        save(pc, plan, by=pc.county.needs_assessor, patient_view="Ändrat av kommunen.")
        chief.get_by_label("Patientens synpunkter på planen").fill("Min ändring")
        navigate(chief, chief.get_by_role("button", name="Spara utkastet"))
        expect(chief.get_by_role("alert")).to_contain_text("Någon annan har sparat planen")
        scan(chief, "redigera, konflikt")
        establish(pc, plan)
        chief.goto(
            base_url
            + reverse("psychiatry:version", kwargs={"public_id": plan.public_id, "number": 2})
        )
        expect(chief.get_by_role("heading", name="Ändringar sedan version 1")).to_be_visible()
        scan(chief, "version 2")
        overdue = start(pc, psych_case(pc, pc.county.person()))
        CoordinatedCarePlanLpt.objects.filter(pk=overdue.pk).update(
            started_at=timezone.now() - timezone.timedelta(days=10)
        )
        chief.goto(base_url + reverse("discharge:worklist"))
        expect(section(chief, "Samordnad vårdplan (SVPL)")).to_contain_text("SVPL ej fastställd")
        scan(chief, "avdelningens att göra, ej fastställd")

    run_axe_scene(scene, psych, new_page, base)
