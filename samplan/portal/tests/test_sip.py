"""The person's SIP in Min plan: the established plan (own goals first, who does what, overall
responsibility, follow-up), earlier versions with what changed, the plan as PDF, the next meeting
with its calendar file; never anything staff wrote for staff."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from samplan.audit.models import AccessAction, AccessLogEntry, AccessPurpose
from samplan.people.models import AuthorityKind, PortalScope
from samplan.portal.tests.conftest import citizen_client
from samplan.portal.tests.scenes import INTERNAL
from samplan.portal.tests.test_pages import GUARDIAN_NUMBER, overview_url, page, pdf_text, represent
from samplan.sip import services
from samplan.sip.models import MeetingKind, PreparationKind, SipMeeting, SipProcess
from samplan.testing.county import County
from samplan.testing.factories import sign_in
from samplan.testing.sip import (
    add_social_services,
    establish,
    give_consent,
    save_plan,
    start_outpatient_sip,
)

pytestmark = pytest.mark.django_db

STOCKHOLM = ZoneInfo("Europe/Stockholm")


def pdf_url(process: SipProcess, number: int) -> str:
    return reverse(
        "portal:sip_plan_pdf",
        kwargs={
            "person_id": process.person.public_id,
            "sip_id": process.public_id,
            "number": number,
        },
    )


def ics_url(process: SipProcess, meeting: SipMeeting) -> str:
    return reverse(
        "portal:sip_meeting_ics",
        kwargs={
            "person_id": process.person.public_id,
            "sip_id": process.public_id,
            "meeting_id": meeting.pk,
        },
    )


def established_sip(
    county: County, time_machine, *, internal: bool = False
) -> tuple[SipProcess, SipMeeting]:
    """A SIP with two established versions (the second moves the follow-up and adds a goal)
    and a follow-up meeting by video. With ``internal``, staff text carrying :data:`INTERNAL`
    is written wherever staff can write it."""
    real_now = timezone.now()
    time_machine.move_to(real_now - timedelta(days=1), tick=True)
    vc = county.acting(county.primary_care_nurse)
    process = start_outpatient_sip(county, county.person(given_name="Sigrid"))
    give_consent(county, process)
    add_social_services(county, process)
    if internal:
        services.preparation_add(
            acting=vc, process=process, kind=PreparationKind.MAPPING, text=f"{INTERNAL} kartlagt"
        )
        services.preparation_add(
            acting=vc, process=process, kind=PreparationKind.QUESTION, text=f"{INTERNAL} fråga"
        )
    first = services.meeting_invite(
        acting=vc,
        process=process,
        kind=MeetingKind.FIRST,
        meeting_at=timezone.now() + timedelta(hours=1),
        place_kind="unit",
        location="Vårdcentralen Centrum, rum 4",
        invitees=list(process.participants.all()),
        message=f"{INTERNAL} meddelande i kallelsen" if internal else "",
    )
    time_machine.move_to(real_now - timedelta(hours=20), tick=True)
    if internal:
        services.minutes_record(
            acting=vc, process=process, meeting=first, text=f"{INTERNAL} protokoll"
        )
    save_plan(county, process)
    establish(county, process)
    save_plan(
        county,
        process,
        follow_up_on=timezone.localdate() + timedelta(days=30),
        goals=[
            {"id": "g1", "text": "Gå till affären med rollator", "measure": "Två gånger i veckan"},
            {"id": "g2", "text": "Laga frukost själv", "measure": ""},
        ],
    )
    establish(county, process)
    time_machine.move_to(real_now, tick=True)
    if internal:
        save_plan(county, process, long_term_goal=f"{INTERNAL} utkast som inte är fastställt")
    follow_up = services.follow_up_schedule(
        acting=vc,
        process=process,
        meeting_at=timezone.now() + timedelta(days=20),
        place_kind="video",
        location="https://video.example/sip-uppfoljning",
        invitees=list(process.participants.all()),
        message=f"{INTERNAL} uppföljningens meddelande" if internal else "",
    )
    process.refresh_from_db()
    return process, follow_up


def test_the_person_sees_the_established_plan_goals_first_and_the_next_meeting(
    county: County, tmp_path, time_machine
) -> None:
    process, meeting = established_sip(county, time_machine)
    person = process.person
    client = citizen_client(person.identifier)
    shown = page(client, overview_url(person))

    goal = shown.index("Jag vill kunna bo kvar hemma och gå till affären själv.")
    assert goal < shown.index("Läkemedelsgenomgång") < shown.index("Hemtjänst morgon och kväll")
    assert "Version 2" in shown
    assert "Laga frukost själv" in shown
    assert "Dottern Eva" in shown  # another party's action
    assert "Ska göras" in shown  # the status in the person's words (not "Planerad")
    # Dates as the latest version recorded them (planned "yesterday", whatever the hour now).
    latest = process.versions.order_by("-number").first().content
    home_help = next(action for action in latest["actions"] if action["id"] == "a2")
    assert home_help["due"] in shown
    assert latest["follow_up_on"] in shown
    assert county.primary_care.name in shown  # overall responsibility
    # The earlier version, with what the newer one changed.
    assert "Version 1 från" in shown
    assert "Laga frukost själv" in shown.split("Det här är nytt")[1].split("Vem gör vad?")[0]
    # The next meeting: the follow-up by video, not the first meeting (it has been).
    assert "https://video.example/sip-uppfoljning" in shown
    assert timezone.localtime(meeting.meeting_at).strftime("%Y-%m-%d %H:%M") in shown
    assert "rum 4" not in shown

    pdf = client.get(pdf_url(process, 2))
    assert pdf["Content-Type"] == "application/pdf"
    assert "Laga frukost själv" in pdf_text(pdf.content, tmp_path)
    assert "Laga frukost själv" not in pdf_text(client.get(pdf_url(process, 1)).content, tmp_path)
    page(client, pdf_url(process, 3), status=404)

    calendar = Calendar.from_ical(client.get(ics_url(process, meeting)).content)
    event = next(iter(calendar.walk("VEVENT")))
    assert event.decoded("dtstart") == timezone.localtime(meeting.meeting_at).replace(microsecond=0)
    assert str(event["url"]) == "https://video.example/sip-uppfoljning"

    logged = AccessLogEntry.objects.filter(person_id=person.pk, purpose=AccessPurpose.OWN_ACCESS)
    assert logged.filter(action=AccessAction.READ, detail__contains="SIP").count() == 1
    assert logged.filter(action=AccessAction.EXPORT, detail__contains="SIP version 2").exists()
    assert logged.filter(action=AccessAction.EXPORT, detail__contains="kalenderfil").exists()


def check_in_of(html: str) -> str:
    """The "Nästa uppföljning" part of the SIP section's facts."""
    return html.split("Nästa uppföljning</dt>")[1].split("</dl>")[0]


def test_the_person_sees_the_next_check_in_the_follow_up_minutes_set(
    county: County, time_machine
) -> None:
    time_machine.move_to(datetime(2026, 3, 10, 9, 0, tzinfo=STOCKHOLM), tick=False)
    process, follow_up = established_sip(county, time_machine)
    time_machine.move_to(timezone.now(), tick=False)
    person = process.person
    client = citizen_client(person.identifier)
    plan = process.versions.order_by("-number").first().content
    called = timezone.localtime(follow_up.meeting_at).strftime("%Y-%m-%d %H:%M")

    # Until a follow-up is held: the plan's date and who, and that a meeting is called for it.
    shown = check_in_of(page(client, overview_url(person)))
    assert plan["follow_up_on"] in shown
    assert f"Ett möte är bokat {called}." in shown
    assert plan["follow_up_by"] in shown

    # The follow-up is held: its minutes set the next check-in and who follows up.
    time_machine.move_to(follow_up.meeting_at + timedelta(hours=2), tick=False)
    next_on = timezone.localdate() + timedelta(days=60)
    services.minutes_record(
        acting=county.acting(county.primary_care_nurse),
        process=process,
        meeting=follow_up,
        text=f"{INTERNAL} protokoll från uppföljningen",
        decisions=f"{INTERNAL} beslut",
        next_follow_up_on=next_on,
        next_follow_up_by="Bo Bistånd, Biståndsenheten",
    )
    html = page(citizen_client(person.identifier), overview_url(person))  # signed in anew
    shown = check_in_of(html)
    assert next_on.isoformat() in shown
    assert "Bo Bistånd, Biståndsenheten" in shown
    assert plan["follow_up_on"] not in shown
    assert plan["follow_up_by"] not in shown
    assert "Ett möte är bokat" not in shown
    assert INTERNAL not in html  # of the minutes, only the date and the name


def test_a_follow_up_held_without_a_next_date_says_it_is_not_set(
    county: County, time_machine
) -> None:
    time_machine.move_to(datetime(2026, 3, 10, 23, 30, tzinfo=STOCKHOLM), tick=False)
    process, follow_up = established_sip(county, time_machine)
    time_machine.move_to(follow_up.meeting_at + timedelta(hours=1), tick=False)
    services.minutes_record(
        acting=county.acting(county.primary_care_nurse),
        process=process,
        meeting=follow_up,
        text="Uppföljning.",
    )
    shown = check_in_of(
        page(citizen_client(process.person.identifier), overview_url(process.person))
    )
    assert "Inte bestämd än" in shown
    assert "Vem följer upp" not in shown


def test_no_staff_sip_text_reaches_the_portal(county: County, tmp_path, time_machine) -> None:
    """Kartläggning, questions, kallelse messages, minutes and the unestablished draft carry a
    marker; the staff's SIP page shows it, no portal page, PDF or calendar file does."""
    process, meeting = established_sip(county, time_machine, internal=True)
    person = process.person
    represent(person, authority=AuthorityKind.TRUSTEE, portal_scope=PortalScope.FULL)
    staff_page = page(
        sign_in(Client(), county.primary_care_nurse),
        reverse("sip:process", kwargs={"public_id": process.public_id}),
    )
    assert INTERNAL in staff_page, "the marker must be on the staff's page, or this proves nothing"
    for client in (citizen_client(person.identifier), citizen_client(GUARDIAN_NUMBER)):
        outputs = [
            page(client, overview_url(person)),
            pdf_text(client.get(pdf_url(process, 2)).content, tmp_path),
            pdf_text(client.get(pdf_url(process, 1)).content, tmp_path),
            client.get(ics_url(process, meeting)).content.decode(),
        ]
        assert "Laga frukost själv" in outputs[0]
        for output in outputs:
            assert INTERNAL not in output


def test_a_sip_before_any_plan_says_so_and_a_home_meeting_has_no_address(county: County) -> None:
    vc = county.acting(county.primary_care_nurse)
    process = start_outpatient_sip(county, county.person(street_address="Hemliga vägen 3"))
    services.meeting_invite(
        acting=vc,
        process=process,
        kind=MeetingKind.FIRST,
        meeting_at=timezone.now() + timedelta(days=2),
        place_kind="home",
        location="Hemliga vägen 3",
        invitees=list(process.participants.all()),
    )
    shown = page(citizen_client(process.person.identifier), overview_url(process.person))
    assert "Planen är inte klar än" in shown
    assert "Spara mötet i kalendern" in shown
    assert "Hemliga vägen" not in shown
    page(citizen_client(process.person.identifier), pdf_url(process, 1), status=404)


def test_another_persons_sip_documents_are_404(county: County, time_machine) -> None:
    process, meeting = established_sip(county, time_machine)
    other = county.person()
    client = citizen_client(other.identifier)
    for url in (
        pdf_url(process, 1),
        ics_url(process, meeting),
        reverse(
            "portal:sip_plan_pdf",
            kwargs={"person_id": other.public_id, "sip_id": process.public_id, "number": 1},
        ),
    ):
        page(client, url, status=404)
    assert "Din plan (SIP)" not in page(client, overview_url(other))


def wishes_url(process: SipProcess) -> str:
    return reverse(
        "portal:sip_wishes",
        kwargs={"person_id": process.person.public_id, "sip_id": process.public_id},
    )


def test_what_matters_to_the_person_reaches_the_staff_sip_page(county: County) -> None:
    process = start_outpatient_sip(county, county.person(given_name="Vera"))
    person = process.person
    client = citizen_client(person.identifier, "Vera Testsson")
    assert "Skriv vad som är viktigt för dig" in page(client, overview_url(person))
    assert "Skriv något i minst en ruta" in client.post(wishes_url(process), {}).content.decode()
    response = client.post(
        wishes_url(process),
        {
            "important": "Jag vill kunna gå till affären själv.",
            "when": "Förmiddag",
            "place_kind": "video",
            "who": "Min dotter Eva",
        },
    )
    assert response.status_code == 302
    entries = list(process.preparation.order_by("pk"))
    assert [(e.kind, e.author_kind, e.author_name) for e in entries] == [
        (PreparationKind.QUESTION, "person", "Vera Testsson"),
        (PreparationKind.WISH, "person", "Vera Testsson"),
    ]
    assert entries[1].place_kind == "video"
    staff = page(
        sign_in(Client(), county.primary_care_nurse),
        reverse("sip:process", kwargs={"public_id": process.public_id}),
    )
    assert "Jag vill kunna gå till affären själv." in staff
    assert "Min dotter Eva" in staff
    assert "Vera Testsson (Min plan)" in staff  # the timeline event
    assert AccessLogEntry.objects.filter(
        person_id=person.pk, action=AccessAction.CREATE, purpose=AccessPurpose.OWN_ACCESS
    ).exists()


def test_only_a_representative_allowed_to_take_part_may_write(county: County) -> None:
    process = start_outpatient_sip(county, county.person())
    person = process.person
    reader = represent(person, authority=AuthorityKind.TRUSTEE, portal_scope=PortalScope.READ)
    client = citizen_client(GUARDIAN_NUMBER, "Greta Förälder")
    assert "Skriv vad som är viktigt för dig" not in page(client, overview_url(person))
    page(client, wishes_url(process), status=404)
    client.post(wishes_url(process), {"important": "Får inte sparas"})
    assert not process.preparation.exists()

    reader.portal_scope = PortalScope.PARTICIPATE
    reader.save()
    client.post(wishes_url(process), {"important": "Hon vill bo kvar hemma."})
    entry = process.preparation.get()
    assert (entry.author_kind, entry.author_name) == ("relative", "Greta Förälder (god man)")


def consent_url(process: SipProcess) -> str:
    return reverse(
        "portal:sip_consent",
        kwargs={"person_id": process.person.public_id, "sip_id": process.public_id},
    )


def test_withdrawing_consent_in_min_plan_stops_other_organisations_at_once(
    county: County,
) -> None:
    process = start_outpatient_sip(county, county.person())
    give_consent(county, process)
    add_social_services(county, process)
    municipality = sign_in(Client(), county.needs_assessor)
    sip_page = reverse("sip:process", kwargs={"public_id": process.public_id})
    page(municipality, sip_page)

    person = process.person
    reader = represent(person, authority=AuthorityKind.TRUSTEE, portal_scope=PortalScope.FULL)
    reader.portal_scope = PortalScope.PARTICIPATE
    reader.save()
    representative = citizen_client(GUARDIAN_NUMBER, "Greta Förälder")
    assert "Ta tillbaka samtycket" not in page(representative, overview_url(person))
    representative.post(consent_url(process), {"consent": "withdraw"})
    page(municipality, sip_page)  # not allowed to withdraw: nothing changed

    own = citizen_client(person.identifier)
    assert "Ta tillbaka samtycket" in page(own, overview_url(person))
    own.post(consent_url(process), {"consent": "withdraw"})
    page(municipality, sip_page, status=404)
    centre = page(sign_in(Client(), county.primary_care_nurse), sip_page)  # the home unit
    assert "i Min plan" in centre
    assert "Ge samtycke" in page(own, overview_url(person))

    own.post(consent_url(process), {"consent": "give"})
    page(municipality, sip_page)
    assert [(e.given, e.recorded_by_id) for e in process.consents.order_by("pk")][1:] == [
        (False, None),
        (True, None),
    ]


def test_comments_and_read_confirmations_reach_the_staff_timeline(
    county: County, time_machine
) -> None:
    process, _meeting = established_sip(county, time_machine)
    person = process.person
    respond = reverse(
        "portal:sip_respond",
        kwargs={"person_id": person.public_id, "sip_id": process.public_id},
    )
    reader = represent(person, authority=AuthorityKind.TRUSTEE, portal_scope=PortalScope.READ)
    watcher = citizen_client(GUARDIAN_NUMBER, "Greta Förälder")
    assert "Jag har läst planen" not in page(watcher, overview_url(person))
    page(watcher, overview_url(person))
    assert watcher.post(respond, {"comment": "Får inte sparas"}).status_code == 404
    reader.portal_scope = PortalScope.PARTICIPATE
    reader.save()
    watcher.post(respond, {"comment": "Hon vill ha hemtjänst senare på morgonen."})

    own = citizen_client(person.identifier, "Sigrid Testsson")
    assert "Jag har läst planen" in page(own, overview_url(person))
    own.post(respond, {})
    staff = page(
        sign_in(Client(), county.primary_care_nurse),
        reverse("sip:process", kwargs={"public_id": process.public_id}),
    )
    assert "Greta Förälder (god man) om version 2: Hon vill ha hemtjänst senare" in staff
    assert "Sigrid Testsson har läst version 2" in staff
    assert "Får inte sparas" not in staff


def test_what_matters_to_the_person_becomes_a_goal_in_the_next_version(county: County) -> None:
    from samplan.sip.tests.test_views import editor_post_of, editor_url

    process = start_outpatient_sip(county, county.person(given_name="Vera"))
    give_consent(county, process)
    add_social_services(county, process)
    save_plan(county, process)
    establish(county, process)
    words = "Jag vill kunna gå till affären själv."
    citizen = citizen_client(process.person.identifier, "Vera Testsson")
    assert citizen.post(wishes_url(process), {"important": words}).status_code == 302

    staff = sign_in(Client(), county.primary_care_nurse)
    data = editor_post_of(staff.get(editor_url(process)).content.decode())
    proposed = [k for k, v in data.items() if k.startswith("goals-") and v == words]
    assert proposed, "the person's words are proposed as a sub-goal in the editor"
    assert staff.post(editor_url(process), data).status_code == 302
    establish(county, process)

    latest = process.versions.order_by("-number").first()
    assert [g["text"] for g in latest.content["goals"]][-1] == words
    # Once in the plan, it is not proposed again.
    again = editor_post_of(staff.get(editor_url(process)).content.decode())
    assert list(again.values()).count(words) == 1


def test_the_sip_section_costs_the_same_queries_for_one_version_as_for_many(
    county: County,
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries(process: SipProcess) -> int:
        client = citizen_client(process.person.identifier)
        with CaptureQueriesContext(connection) as captured:
            page(client, overview_url(process.person))
        return len(captured)

    def sip_with_versions(versions: int) -> SipProcess:
        process = start_outpatient_sip(county, county.person())
        give_consent(county, process)
        add_social_services(county, process)
        for n in range(versions):
            save_plan(county, process, follow_up_by=f"Uppföljare {n}")
            establish(county, process)
        return process

    one, many = sip_with_versions(1), sip_with_versions(4)
    assert many.versions.count() == 4
    assert queries(one) == queries(many)


def test_opening_the_wishes_page_is_logged_like_every_portal_read(county: County) -> None:
    process = start_outpatient_sip(county, county.person())
    person = process.person
    reads = AccessLogEntry.objects.filter(person_id=person.pk, action=AccessAction.READ)
    before = reads.count()
    page(citizen_client(person.identifier), wishes_url(process))
    assert reads.count() == before + 1
    entry = reads.latest("pk")
    assert (entry.object_type, entry.object_id) == ("sip.SipProcess", str(process.pk))
    assert entry.purpose == AccessPurpose.OWN_ACCESS
    assert "vad är viktigt för mig" in entry.detail
