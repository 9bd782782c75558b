"""The SIP pages in a real browser.

One flow: a vårdcentral nurse, a municipal needs assessor and a home health care nurse, each in
their own browser, go from a discovered need to an established plan – start outside hospital,
consent, participants, kallelse, minutes, a draft plan with goals, actions and the overall
responsibility, establishing – then call a follow-up, while a unit outside the SIP gets 404,
hold it and set the next check-in in its minutes, call that one, and close the SIP, which
cancels the meeting ahead.

One axe-core scan (WCAG 2.1 A/AA) per group of pages, on processes built with the services: the
lists, the person and discharge pages' SIP parts, the start pages, the process page in every
state, every step form (also with its validation errors, and a follow-up's minutes with the next
check-in), the plan editor (with errors, with a new row added, with a conflict, with its
history) and the establish page (with errors, with good-practice warnings).
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Locator, Page, expect

from samplan.audit.models import AccessAction, AccessLogEntry
from samplan.directory.models import Membership
from samplan.sip import services
from samplan.sip.models import (
    ConsentGiver,
    ParticipantKind,
    PlanDraft,
    PlanVersion,
    PreparationKind,
    ProcessStatus,
    SipMeeting,
    SipProcess,
)
from samplan.sip.steps import STEPS
from samplan.sip.tests.test_views import discharge_case_with_kallelse
from samplan.testing.browser import AxeScan, run_axe_scene, sign_in_via_ui
from samplan.testing.county import County, make_county
from samplan.testing.sip import (
    add_social_services,
    establish,
    give_consent,
    save_plan,
    start_outpatient_sip,
)

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("transactional_db")]


@pytest.fixture
def county() -> County:
    return make_county()


# --- Helpers ---------------------------------------------------------------------------------


def local_input(moment: datetime) -> str:
    """What a person types into a datetime-local field."""
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


def navigate(page: Page, target: Locator) -> None:
    """Click a link or submit button and wait for the next page."""
    with page.expect_navigation():
        target.click()


def submit(page: Page, button: str, success: str) -> None:
    navigate(page, page.get_by_role("button", name=button, exact=True))
    expect(page.get_by_role("status")).to_contain_text(success)


def submit_with_errors(page: Page, button: str, text: str) -> None:
    navigate(page, page.get_by_role("button", name=button, exact=True))
    expect(page.get_by_role("alert")).to_contain_text(text)


def link(page: Page, name: str) -> None:
    navigate(page, page.get_by_role("link", name=name, exact=True).first)
    expect(page.locator("main h1")).to_be_visible()


def open_sip_list(page: Page) -> None:
    nav = page.get_by_role("navigation", name="Huvudmeny")
    navigate(page, nav.get_by_role("link", name="SIP", exact=True))
    expect(page.get_by_role("heading", level=1)).to_contain_text("SIP")


def open_from_sip_list(page: Page, name: str) -> None:
    open_sip_list(page)
    navigate(page, page.get_by_role("link", name=name, exact=True))
    expect(page.get_by_role("heading", level=1)).to_contain_text(name)


def section(page: Page, heading: str) -> Locator:
    return page.locator("section").filter(
        has=page.get_by_role("heading", name=heading, level=2, exact=True)
    )


# --- The flow --------------------------------------------------------------------------------


def test_three_units_go_from_need_to_an_established_plan_a_follow_up_and_closure(
    county, new_page, live_server, time_machine
) -> None:
    time_machine.move_to(timezone.now(), tick=True)
    base = live_server.url
    person = county.person(given_name="Siri", family_name="Samordning")
    name = person.full_name

    def staff_page(membership: Membership) -> Page:
        page = new_page()
        sign_in_via_ui(page, base, membership)
        return page

    vc = staff_page(county.primary_care_nurse)
    social = staff_page(county.needs_assessor)
    home = staff_page(county.municipal_nurse)

    # The vårdcentral discovers the need and starts a SIP from the person page.
    vc.goto(base + reverse("people:detail", kwargs={"public_id": person.public_id}))
    link(vc, "Starta SIP")
    submit_with_errors(vc, "Starta SIP:en", "Varför behövs en SIP?")
    vc.get_by_label("Varför behövs en SIP?").fill(
        "Diabetes och minnessvikt; behöver hemtjänst och hemsjukvård."
    )
    vc.get_by_role("group", name="Behovsnivå").get_by_label("SIP som process över tid").check()
    vc.get_by_label("Min enhet deltar med mandat att besluta om insatser").check()
    submit(vc, "Starta SIP:en", "SIP:en är startad.")
    expect(vc.get_by_role("heading", level=1)).to_contain_text(name)
    expect(section(vc, "Samtycke")).to_contain_text("Personens samtycke saknas.")
    process = SipProcess.objects.get(person=person)

    # Consent first; then the municipality's units as participants.
    link(vc, "Registrera samtycke")
    expect(vc.get_by_label("Personen själv")).to_be_checked()
    vc.get_by_label("Skriftligt").check()
    vc.get_by_label("Omfattning").fill("Vårdcentralen, biståndsenheten och hemsjukvården")
    submit(vc, "Registrera samtycket", "Samtycket är registrerat.")
    expect(section(vc, "Samtycke")).to_contain_text("Samtycket är giltigt")

    link(vc, "Lägg till deltagare")
    vc.get_by_role("group", name="Vem ska delta?").get_by_label("Enhet", exact=True).check()
    vc.get_by_label("Vilken enhet?").select_option(label=unit_label(county, "social"))
    vc.get_by_label("Har mandat att besluta om insatser för sin organisation").check()
    submit(vc, "Lägg till deltagaren", "Deltagaren är tillagd.")
    link(vc, "Lägg till deltagare")
    vc.get_by_label("Namngiven medarbetare").check()
    vc.get_by_label("Vilken enhet?").select_option(label=unit_label(county, "home"))
    vc.get_by_label("Namn", exact=True).fill("Hanna Hem")
    vc.get_by_label("Roll eller titel").fill("Distriktssköterska")
    submit(vc, "Lägg till deltagaren", "Deltagaren är tillagd.")
    participants = section(vc, "Deltagare")
    expect(participants.get_by_role("row").filter(has_text="Hanna Hem")).to_contain_text(
        "Utan mandat"
    )
    expect(section(vc, "Att göra i SIP:en")).to_contain_text("Deltagare utan mandat: Hanna Hem")

    # The home health care nurse finds the SIP on her unit's list.
    open_from_sip_list(home, name)
    expect(section(home, "Deltagare")).to_contain_text("Biståndsenheten Testby")

    # Kallelse to a video meeting a few minutes from now, everyone invited.
    link(vc, "Kalla till möte")
    meeting_at = timezone.now() + timedelta(minutes=5)
    vc.get_by_label("Tid för mötet").fill(local_input(meeting_at))
    vc.get_by_label("Videomöte", exact=True).check()
    vc.get_by_label("Adress, lokal eller länk till videomötet").fill("https://video.example/sip")
    invited = vc.get_by_role("group", name="Kallade")
    expect(invited.get_by_role("checkbox")).to_have_count(3)
    for box in invited.get_by_role("checkbox").all():
        expect(box).to_be_checked()
    submit(vc, "Skicka kallelsen", "Kallelsen är skickad.")
    expect(section(vc, "Möten")).to_contain_text("Videomöte: https://video.example/sip")

    # The meeting is held; the needs assessor writes the minutes.
    time_machine.shift(timedelta(minutes=10))
    open_from_sip_list(social, name)
    navigate(social, social.get_by_role("link", name=re.compile(r"^Skriv protokoll\W+SIP-möte")))
    social.get_by_label("Personen deltog").check()
    social.get_by_label("Protokoll (obligatoriskt)").fill(
        "Siri vill klara morgnarna själv och fortsätta gå till kören."
    )
    social.get_by_label("Beslut").fill("Hemtjänst morgon.\nLäkemedelsgenomgång.")
    submit(social, "Spara protokollet", "Protokollet är sparat.")
    expect(section(social, "Möten")).to_contain_text("fortsätta gå till kören")

    # The plan: the person's goal first, then actions by two organisations, the lead.
    link(social, "Skriv planen")
    social.get_by_label("Personens långsiktiga mål, med personens egna ord").fill(
        "Jag vill bo kvar hemma och sjunga i kören."
    )
    goal = social.get_by_role("group", name="Delmål 1")
    goal.get_by_label("Delmål, med personens egna ord").fill("Klara morgonen själv")
    goal.get_by_label("Hur vet vi att delmålet är nått?").fill("Fem morgnar av sju")
    social.get_by_label("Behov", exact=True).fill("Stöd på morgonen\nLäkemedelsgenomgång")
    first = social.get_by_role("group", name="Insats 1")
    first.get_by_label("Vad görs?").fill("Hemtjänst på morgonen")
    first.get_by_label("Ansvarig enhet").select_option(label=unit_label(county, "social"))
    first.get_by_label("Ansvarig person").fill("Bo Bistånd")
    due = timezone.localdate() + timedelta(days=14)
    first.get_by_label("Klart senast").fill(due.isoformat())
    social.get_by_role("button", name="Lägg till en insats").click()  # HTMX, no reload
    second = social.get_by_role("group", name="Insats 2")
    expect(second.get_by_label("Vad görs?")).to_be_focused()
    expect(first.get_by_label("Vad görs?")).to_have_value("Hemtjänst på morgonen")
    second.get_by_label("Vad görs?").fill("Läkemedelsgenomgång")
    second.get_by_label("Ansvarig enhet").select_option(label=unit_label(county, "vc"))
    social.get_by_label("Övergripande ansvar för planen").select_option(
        label=unit_label(county, "vc")
    )
    follow_up = timezone.localdate() + timedelta(days=45)
    social.get_by_label("Datum för uppföljning").fill(follow_up.isoformat())
    social.get_by_label("Vem följer upp?").fill("Fia Fast, Vårdcentralen Centrum")
    submit(social, "Spara utkastet", "Planutkastet är sparat.")
    draft = section(social, "Planen")
    expect(draft).to_contain_text("Senast sparat av Bo Bistånd")

    # The vårdcentral establishes it: approved by those with mandate who were there.
    vc.reload()
    link(vc, "Fastställ planen")
    expect(vc.locator("p.goal")).to_contain_text("Jag vill bo kvar hemma och sjunga i kören.")
    approvals = vc.get_by_role("group", name="Godkänd av deltagare med mandat")
    expect(approvals.get_by_role("checkbox")).to_have_count(2)
    for box in approvals.get_by_role("checkbox").all():
        box.check()
    vc.get_by_label("Personen (eller vårdnadshavaren) har godkänt planen").check()
    submit(vc, "Fastställ planen", "Planen är fastställd som version 1.")
    expect(vc.get_by_role("heading", name=re.compile("Version 1, fastställd"))).to_be_visible()
    expect(section(vc, "Planen")).to_contain_text("Vårdcentralen Centrum, Region Testlän")
    expect(section(vc, "Fastställda versioner")).to_contain_text(
        "Långsiktigt mål: ”Jag vill bo kvar hemma och sjunga i kören.”"
    )

    # The municipality reports progress; the vårdcentral calls the follow-up.
    social.reload()
    navigate(
        social, social.get_by_role("link", name=re.compile(r"^Uppdatera\W+Hemtjänst på morgonen"))
    )
    social.get_by_label("Pågår").check()
    submit(social, "Spara status", "Insatsen är uppdaterad.")
    expect(
        section(social, "Planen").get_by_role("row").filter(has_text="Hemtjänst på morgonen")
    ).to_contain_text("Pågår")
    link(vc, "Kalla till uppföljning eller utvärdering")
    expect(vc.get_by_label("Uppföljningsmöte")).to_be_checked()
    vc.get_by_label("Tid för mötet").fill(local_input(timezone.now() + timedelta(days=45, hours=1)))
    vc.get_by_label("I hemmet", exact=True).check()
    vc.get_by_label("Adress, lokal eller länk till videomötet").fill("Hemma hos Siri")
    submit(vc, "Skicka kallelsen", "Kallelsen är skickad.")
    expect(vc.get_by_role("heading", level=1)).to_contain_text("Uppföljning")
    process.refresh_from_db()
    assert process.status == ProcessStatus.FOLLOW_UP
    assert PlanVersion.objects.filter(process=process).count() == 1

    # The home health care nurse sees the established plan; a unit outside gets nothing.
    open_from_sip_list(home, name)
    expect(section(home, "Planen")).to_contain_text("Läkemedelsgenomgång")
    outsider = staff_page(county.outsider)
    response = outsider.goto(home.url)
    assert response is not None
    assert response.status == 404
    expect(outsider.get_by_text(name)).to_have_count(0)
    assert AccessLogEntry.objects.filter(
        action=AccessAction.DENIED, person=person, user=county.outsider.user
    ).exists()

    # Weeks later the follow-up is held; its minutes set the next check-in (continuous SIP).
    time_machine.shift(timedelta(days=45, hours=2))
    vc = staff_page(county.primary_care_nurse)  # signed in again: the old session has ended
    open_from_sip_list(vc, name)
    navigate(vc, vc.get_by_role("link", name=re.compile(r"^Skriv protokoll\W+Uppföljningsmöte")))
    vc.get_by_label("Protokoll (obligatoriskt)").fill("Morgnarna går bra; Siri sjunger i kören.")
    next_check_in = timezone.localdate() + timedelta(days=90)
    vc.get_by_label("Nästa uppföljning").fill(next_check_in.isoformat())
    vc.get_by_label("Vem följer upp nästa gång?").fill("Bo Bistånd, Biståndsenheten")
    submit(vc, "Spara protokollet", "Protokollet är sparat.")
    check_in = section(vc, "Uppföljning och utvärdering")
    expect(check_in).to_contain_text(
        f"Nästa uppföljning: {next_check_in.isoformat()}, Bo Bistånd, Biståndsenheten"
    )
    expect(check_in).to_contain_text("bestämd vid uppföljningen")
    link(vc, "Kalla till uppföljning eller utvärdering")
    vc.get_by_label("Tid för mötet").fill(local_input(timezone.now() + timedelta(days=90, hours=1)))
    vc.get_by_label("På en enhet", exact=True).check()
    vc.get_by_label("Adress, lokal eller länk till videomötet").fill("Vårdcentralen Centrum")
    submit(vc, "Skicka kallelsen", "Kallelsen är skickad.")

    # Siri no longer needs coordination: the lead unit closes the SIP; the meeting ahead goes.
    link(vc, "Avsluta SIP:en")
    submit_with_errors(vc, "Avsluta SIP:en", "Skäl")
    vc.get_by_label("Samordning behövs inte längre").check()
    submit(vc, "Avsluta SIP:en", "SIP:en är avslutad.")
    expect(vc.get_by_role("heading", level=1)).to_contain_text("Avslutad")
    meetings = section(vc, "Möten")
    expect(meetings.get_by_role("heading", name=re.compile("INSTÄLLT"))).to_have_count(1)
    expect(meetings).to_contain_text("SIP:en är avslutad (Samordning behövs inte längre).")
    expect(vc.get_by_role("link", name="Skriv planen")).to_have_count(0)
    process.refresh_from_db()
    assert process.status == ProcessStatus.CLOSED
    assert not process.meetings.filter(cancelled_at__isnull=True, meeting_at__gt=timezone.now())
    home = staff_page(county.municipal_nurse)
    open_sip_list(home)
    expect(home.get_by_role("link", name=name, exact=True)).to_have_count(0)


def unit_label(county: County, which: str) -> str:
    unit = {
        "social": county.social_services,
        "home": county.home_health_care,
        "vc": county.primary_care,
    }[which]
    return f"{unit.name} ({unit.organisation.name})"


# --- The axe scans ---------------------------------------------------------------------------


def submit_empty(page: Page, form: str = "form[method=post]:not(.inline-form)") -> None:
    """Submit the page's form with its text fields emptied, to show its validation errors."""
    fields = "input[type=text], input[type=email], input[type=date], input[type=datetime-local]"
    target = page.locator("main").locator(form).last
    for field in target.locator(f"{fields}, textarea").all():
        field.fill("")
    with page.expect_navigation():
        target.locator("button[type=submit]").last.click()


def full_process(county: County) -> SipProcess:
    """A SIP with something in every part of the process page: participants of every kind (one
    removed, one without mandate), preparation, a held meeting with corrected minutes, two
    established versions, progress, an evaluation and a follow-up meeting."""
    vc = county.acting(county.primary_care_nurse)
    process = start_outpatient_sip(county, county.person(given_name="Greta", family_name="Full"))
    give_consent(county, process)
    add_social_services(county, process)
    for kind, fields in (
        (ParticipantKind.STAFF, {"unit": county.home_health_care, "name": "Hanna Hem"}),
        (ParticipantKind.RELATIVE, {"name": "Eva Dotter", "phone": "070-000 00 00"}),
        (
            ParticipantKind.EXTERNAL,
            {"organisation": "Försäkringskassan", "external_kind": "social_insurance"},
        ),
    ):
        services.participant_add(acting=vc, process=process, kind=kind, **fields)
    school = services.participant_add(
        acting=vc,
        process=process,
        kind=ParticipantKind.EXTERNAL,
        organisation="Testby skola",
        external_kind="school",
    )
    services.participant_remove(acting=vc, process=process, participant=school, reason="Fel skola")
    for kind, text, place in (
        (PreparationKind.MAPPING, "Hemtjänst i dag: morgon.", ""),
        (PreparationKind.QUESTION, "Behövs trygghetslarm?", ""),
        (PreparationKind.WISH, "Förmiddag, hemma.", "home"),
    ):
        services.preparation_add(acting=vc, process=process, kind=kind, text=text, place_kind=place)
    participants = list(process.participants.filter(removed_at__isnull=True))
    meeting = services.meeting_invite(
        acting=vc,
        process=process,
        kind="first",
        meeting_at=timezone.now() + timedelta(hours=1),
        place_kind="home",
        location="Hemma",
        invitees=participants,
    )
    SipMeeting.objects.filter(pk=meeting.pk).update(meeting_at=timezone.now() - timedelta(days=3))
    meeting.refresh_from_db()
    for text in ("Första versionen.", "Rättat: Greta vill gå till affären."):
        services.minutes_record(
            acting=vc,
            process=process,
            meeting=meeting,
            text=text,
            attendees=participants,
            person_present=True,
            decisions="Hemtjänst utökas.",
        )
    save_plan(county, process)
    establish(county, process)
    goals = [
        {"id": "g1", "text": "Gå till affären med rollator", "measure": "Två gånger i veckan"},
        {"id": "g2", "text": "Träffa vännerna"},  # no measure: shown as missing
    ]
    save_plan(county, process, follow_up_by="Bo Bistånd", goals=goals)
    establish(county, process)
    services.action_progress_record(acting=vc, process=process, action_id="a1", status="done")
    services.evaluation_record(
        acting=vc, process=process, summary="Går bra.", outcomes={"g1": "partly"}
    )
    services.follow_up_schedule(
        acting=vc,
        process=process,
        meeting_at=timezone.now() + timedelta(days=20),
        place_kind="video",
        location="https://video.example/uppfoljning",
        invitees=participants[:2],
    )
    process.refresh_from_db()
    return process


def child_process(county: County) -> SipProcess:
    today = timezone.localdate()
    child = county.person(
        given_name="Kim", family_name="Barnsson", birth_date=today.replace(year=today.year - 10)
    )
    process = start_outpatient_sip(county, child)
    give_consent(county, process, ConsentGiver.GUARDIAN, "Anna Förälder")
    services.preparation_add(
        acting=county.acting(county.primary_care_nurse),
        process=process,
        kind=PreparationKind.CHILD_VIEW,
        text="Jag vill vara med i fotbollslaget.",
        author_kind="person",
    )
    return process


def process_url(base: str, process: SipProcess) -> str:
    return base + reverse("sip:process", kwargs={"public_id": process.public_id})


def scan_lists_and_start(county: County, open_as: Any, scan: AxeScan, base: str) -> None:
    page = open_as(county.needs_assessor)
    page.goto(base + reverse("sip:worklist"))
    expect(page.get_by_text("Ingen pågående SIP.")).to_be_visible()
    scan(page, "SIP list, empty")
    person = county.person()
    vc = open_as(county.primary_care_nurse)
    vc.goto(base + reverse("people:detail", kwargs={"public_id": person.public_id}))
    scan(vc, "person page, no SIP")
    link(vc, "Starta SIP")
    scan(vc, "start")
    submit_empty(vc)
    expect(vc.locator(".error-summary")).to_be_visible()
    scan(vc, "start, errors")

    process = start_outpatient_sip(county, person)
    give_consent(county, process)
    add_social_services(county, process)
    SipProcess.objects.filter(pk=process.pk).update(started_at=timezone.now() - timedelta(days=40))
    full_process(county)
    for path, what in (
        (reverse("sip:worklist"), "SIP list, filled"),
        (reverse("discharge:worklist"), "Att göra with SIP flags"),
    ):
        page.goto(base + path)
        scan(page, what)
    vc.goto(base + reverse("people:detail", kwargs={"public_id": person.public_id}))
    scan(vc, "person page with a SIP")

    stay = discharge_case_with_kallelse(county)
    centre = open_as(county.primary_care_head)
    centre.goto(base + reverse("discharge:case", kwargs={"public_id": stay.public_id}))
    scan(centre, "discharge case, continue to SIP")
    link(centre, "Fortsätt till SIP")
    scan(centre, "start from stay")
    submit(centre, "Fortsätt till SIP", "SIP:en fortsätter från vårdtillfället.")
    scan(centre, "process continued from a discharge case, colour guidance")
    centre.goto(base + reverse("discharge:case", kwargs={"public_id": stay.public_id}))
    scan(centre, "discharge case with its SIP")


def scan_process_pages(county: County, open_as: Any, scan: AxeScan, base: str) -> None:
    new = start_outpatient_sip(county)
    vc = open_as(county.primary_care_nurse)
    vc.goto(process_url(base, new))
    scan(vc, "process, just started")
    process = full_process(county)
    for who in (county.primary_care_nurse, county.needs_assessor):
        page = open_as(who)
        page.goto(process_url(base, process))
        page.locator("details").evaluate_all("nodes => nodes.forEach(n => n.open = true)")
        scan(page, f"process, everything ({who.unit.name})")
    child = child_process(county)
    vc.goto(process_url(base, child))
    scan(vc, "process of a child")
    services.sip_close(
        acting=county.acting(county.primary_care_nurse), process=process, reason="goals_reached"
    )
    vc.goto(process_url(base, process))
    scan(vc, "process, closed")


def scan_step_forms(county: County, open_as: Any, scan: AxeScan, base: str) -> None:
    process = full_process(county)
    child = child_process(county)
    meeting = process.meetings.order_by("meeting_at").first()
    participant = process.participants.filter(removed_at__isnull=True).last()
    targets = {"mandat": participant.pk, "ta-bort-deltagare": participant.pk}
    targets |= {"protokoll": meeting.pk, "stall-in": meeting.pk, "insats": "a2"}
    page = open_as(county.primary_care_nurse)
    for slug, step in STEPS.items():
        subject = child if slug == "barnets-uppfattning" else process
        kwargs = {"public_id": subject.public_id, "slug": slug}
        if step.target is not None:
            kwargs["target"] = str(targets[slug])
        page.goto(base + reverse("sip:target_step" if step.target else "sip:step", kwargs=kwargs))
        expect(page.get_by_role("heading", level=1)).to_contain_text(str(step.title))
        scan(page, f"step {slug}")
        submit_empty(page, "#step-form")
        if page.locator(".error-summary").count():
            scan(page, f"step {slug} with errors")
    # A follow-up's minutes also set the next check-in.
    follow_up = process.meetings.filter(kind="follow_up").get()
    SipMeeting.objects.filter(pk=follow_up.pk).update(
        meeting_at=timezone.now() - timedelta(hours=1)
    )
    kwargs = {"public_id": process.public_id, "slug": "protokoll", "target": str(follow_up.pk)}
    page.goto(base + reverse("sip:target_step", kwargs=kwargs))
    expect(page.get_by_label("Nästa uppföljning")).to_be_visible()
    scan(page, "step protokoll, follow-up with the next check-in")
    page.get_by_label("Protokoll (obligatoriskt)").fill("Uppföljning.")
    page.get_by_label("Vem följer upp nästa gång?").fill("Bo Bistånd")
    submit_with_errors(page, "Spara protokollet", "Ange datum för nästa uppföljning.")
    scan(page, "step protokoll, follow-up, errors")


def scan_plan_and_establish(county: County, open_as: Any, scan: AxeScan, base: str) -> None:
    process = start_outpatient_sip(county)
    give_consent(county, process)
    add_social_services(county, process)
    vc = open_as(county.primary_care_nurse)
    editor = base + reverse("sip:plan_edit", kwargs={"public_id": process.public_id})
    vc.goto(editor)
    scan(vc, "plan editor, empty")
    vc.get_by_role("group", name="Insats 1").get_by_label("Vad görs?").fill("Hemtjänst")
    vc.get_by_role("group", name="Delmål 1").get_by_label("Hur vet vi att delmålet är nått?").fill(
        "Varje dag"
    )
    submit_with_errors(vc, "Spara utkastet", "Det finns fel i formuläret")
    scan(vc, "plan editor, errors")
    vc.get_by_role("button", name="Lägg till ett delmål").click()
    expect(vc.get_by_role("group", name="Delmål 2")).to_be_visible()
    scan(vc, "plan editor, row added")

    save_plan(county, process)
    save_plan(county, process, follow_up_by="Bo Bistånd")
    vc.goto(editor)
    expect(vc.get_by_role("heading", name="Utkastets historik")).to_be_visible()
    vc.locator("details").evaluate_all("nodes => nodes.forEach(n => n.open = true)")
    scan(vc, "plan editor, filled, with its history")
    vc.get_by_label("Vem följer upp?").fill("Fia")
    save_plan(county, process, follow_up_by="Någon annan")  # someone else saves meanwhile
    submit_with_errors(vc, "Spara utkastet", "Någon annan har sparat planen")
    vc.locator("details").evaluate_all("nodes => nodes.forEach(n => n.open = true)")
    scan(vc, "plan editor, conflict")

    establish_url = base + reverse("sip:establish", kwargs={"public_id": process.public_id})
    vc.goto(establish_url)
    expect(
        vc.get_by_role("heading", name="Bra att se över innan planen fastställs")
    ).to_be_visible()
    scan(vc, "establish, with good-practice warnings")
    submit_with_errors(vc, "Fastställ planen", "Det finns fel i formuläret")
    scan(vc, "establish, errors")
    draft = PlanDraft.objects.get(process=process)
    for box in (
        vc.get_by_role("group", name="Godkänd av deltagare med mandat")
        .get_by_role("checkbox")
        .all()
    ):
        box.check()
    vc.get_by_label("Personen (eller vårdnadshavaren) har godkänt planen").check()
    save_plan(county, process, follow_up_by="En tredje")
    assert PlanDraft.objects.get(process=process).revision == draft.revision + 1
    submit_with_errors(vc, "Fastställ planen", "Planen har ändrats sedan du öppnade sidan")
    scan(vc, "establish, conflict")
    empty = start_outpatient_sip(county)
    vc.goto(base + reverse("sip:establish", kwargs={"public_id": empty.public_id}))
    expect(vc.get_by_text("Det här saknas innan planen kan fastställas")).to_be_visible()
    scan(vc, "establish, plan incomplete")


SCANS = {
    "lists-and-start": scan_lists_and_start,
    "process-pages": scan_process_pages,
    "step-forms": scan_step_forms,
    "plan-and-establish": scan_plan_and_establish,
}


@pytest.mark.parametrize("scene", list(SCANS))
def test_sip_pages_have_no_axe_violations(scene, county, new_page, live_server) -> None:
    run_axe_scene(SCANS[scene], county, new_page, live_server.url)
