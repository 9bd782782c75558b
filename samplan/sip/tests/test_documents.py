"""What a SIP kallelse and plan look like outside Samplan: the e-mail and calendar file staff get
(the least that brings them to the meeting, nothing about the person), the letter to the person
and the plan for the person as PDF (read back with pdftotext), and the EXPORT log entries."""

from __future__ import annotations

import re
import subprocess
from collections.abc import Callable
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from samplan.audit.models import AccessAction, AccessLogEntry
from samplan.core.acting import DomainError
from samplan.people.models import Person
from samplan.sip import documents, services
from samplan.sip.models import (
    ExternalKind,
    MeetingKind,
    ParticipantKind,
    SipMeeting,
    SipParticipant,
    SipProcess,
)
from samplan.sip.plan import ActionStatus
from samplan.testing.county import County, make_county
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
STAFF_EMAIL = "bo.bistand@testby.example"


@pytest.fixture
def county() -> County:
    return make_county()


def at_local(days: int, hour: int = 10) -> datetime:
    day = timezone.localdate() + timedelta(days=days)
    return timezone.make_aware(datetime(day.year, day.month, day.day, hour, 0))


def pdf_text(pdf: bytes) -> str:
    """The PDF's text as a reader sees it, whitespace collapsed."""
    assert pdf.startswith(b"%PDF")
    out = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", "-", "-"], input=pdf, capture_output=True, check=True
    ).stdout.decode()
    return " ".join(out.split())


def pdf_lines(pdf: bytes) -> list[str]:
    """The PDF's lines with the page layout kept: a table row stays on one line."""
    out = subprocess.run(
        ["pdftotext", "-layout", "-enc", "UTF-8", "-", "-"],
        input=pdf,
        capture_output=True,
        check=True,
    ).stdout.decode()
    return [line.strip() for line in out.splitlines()]


def identifier_forms(person: Person) -> list[str]:
    """The personnummer as it could be written: 12 or 10 digits, with or without a dash."""
    digits = re.sub(r"\D", "", person.identifier)
    return [digits, digits[2:], f"{digits[:8]}-{digits[8:]}", f"{digits[2:8]}-{digits[8:]}"]


class Scene:
    """A SIP with consent, the vårdcentral, the municipality (unit without e-mail, and a named
    needs assessor with one), a relative and a school counsellor with an e-mail address."""

    def __init__(self, county: County, person: Person) -> None:
        self.county = county
        self.vc = county.acting(county.primary_care_nurse)
        self.process = start_outpatient_sip(county, person)
        give_consent(county, self.process)
        self.social_unit = add_social_services(county, self.process)
        self.social_staff = services.participant_add(
            acting=self.vc,
            process=self.process,
            kind=ParticipantKind.STAFF,
            unit=county.social_services,
            name="Bo Bistånd",
            title="Biståndshandläggare",
            has_mandate=True,
            email=STAFF_EMAIL,
        )
        self.relative = services.participant_add(
            acting=self.vc,
            process=self.process,
            kind=ParticipantKind.RELATIVE,
            name="Eva Dotter",
            title="Dotter",
            email="eva@privat.example",
        )
        self.school = services.participant_add(
            acting=self.vc,
            process=self.process,
            kind=ParticipantKind.EXTERNAL,
            name="Sara Skola",
            title="Kurator",
            organisation="Testby gymnasium",
            external_kind=ExternalKind.SCHOOL,
            email="sara@skola.example",
        )
        self.vc_participant = self.process.participants.get(
            kind=ParticipantKind.UNIT, unit=county.primary_care
        )

    @property
    def everyone(self) -> list[SipParticipant]:
        return [
            self.vc_participant,
            self.social_unit,
            self.social_staff,
            self.relative,
            self.school,
        ]

    def invite(self, capture: Callable, **fields) -> SipMeeting:
        fields.setdefault("kind", MeetingKind.FIRST)
        fields.setdefault("meeting_at", at_local(3))
        fields.setdefault("place_kind", "unit")
        fields.setdefault("location", "Vårdcentralen Centrum, rum 4")
        fields.setdefault("invitees", self.everyone)
        with capture(execute=True):
            return services.meeting_invite(acting=self.vc, process=self.process, **fields)


@pytest.fixture
def person(county: County) -> Person:
    return county.person(given_name="Greta", family_name="Gömd", street_address="Lindvägen 7")


@pytest.fixture
def scene(county: County, person: Person, time_machine) -> Scene:
    time_machine.move_to(at_local(0, 9), tick=True)
    return Scene(county, person)


def exports(process: SipProcess) -> list[str]:
    return list(
        AccessLogEntry.objects.filter(
            person_id=process.person_id, action=AccessAction.EXPORT
        ).values_list("detail", flat=True)
    )


# --- E-mail and iCalendar ------------------------------------------------------------------------


def test_a_kallelse_emails_invited_staff_with_the_calendar_file_and_nothing_about_the_person(
    scene: Scene, person: Person, django_capture_on_commit_callbacks
) -> None:
    meeting = scene.invite(django_capture_on_commit_callbacks, message="Ta med läkemedelslistan.")

    # Units and staff with an address; the municipality unit has none; relatives and external
    # actors are told by the inviting unit, not by mail from Samplan.
    assert sorted(m.to[0] for m in mail.outbox) == sorted(["vc@region.example", STAFF_EMAIL])
    assert all(len(m.to) == 1 for m in mail.outbox)
    message = mail.outbox[0]
    when = f"{timezone.localtime(meeting.meeting_at):%Y-%m-%d} 10:00"
    assert message.subject == f"Kallelse: SIP-möte {when}"
    body = message.body
    assert (
        "Vårdcentralen Centrum kallar dig till ett SIP-möte (samordnad individuell plan)." in body
    )
    assert f"Tid: {when}–11:00" in body
    assert "Plats: På en enhet: Vårdcentralen Centrum, rum 4" in body
    assert f"http://localhost:8000/sip/{scene.process.public_id}/" in body
    assert "Kallad av: Fia Fast, Vårdcentralen Centrum, 010-100 20 00" in body
    assert "Bo Bistånd, Biståndsenheten Testby" in body
    assert message.reply_to == ["vc@region.example"]

    name, content, mimetype = message.attachments[0]
    assert (name, mimetype) == ("kallelse-sip.ics", "text/calendar")
    event = Calendar.from_ical(content).walk("VEVENT")[0]
    assert str(event["summary"]) == "SIP-möte"
    assert event.decoded("dtstart") == meeting.meeting_at
    assert event.decoded("dtstart").tzinfo.key == "Europe/Stockholm"
    assert event.decoded("dtend") - event.decoded("dtstart") == timedelta(hours=1)
    assert str(event["organizer"]) == "mailto:vc@region.example"
    attendees = sorted(str(a) for a in event["attendee"])
    assert attendees == [
        f"mailto:{STAFF_EMAIL}",
        "mailto:noreply@samplan.invalid",  # the municipality unit, no address
        "mailto:vc@region.example",
    ]
    assert str(scene.process.public_id) in str(event["description"])

    everything = body + message.subject + content
    for secret in [
        person.full_name,
        "Greta",
        "Gömd",
        "Lindvägen",
        "Eva Dotter",
        "Sara Skola",
        "läkemedelslistan",  # free text of the kallelse stays in Samplan
        *identifier_forms(person),
    ]:
        assert secret not in everything, secret

    [logged] = [d for d in exports(scene.process) if "e-post" in d]
    assert "2 mottagare" in logged


def test_a_home_meeting_never_sends_the_address(
    scene: Scene, django_capture_on_commit_callbacks
) -> None:
    scene.invite(
        django_capture_on_commit_callbacks,
        place_kind="home",
        location="Lindvägen 7, 803 20 Exempelstad",
    )
    assert mail.outbox
    for message in mail.outbox:
        text = message.body + message.attachments[0][1]
        assert "Lindvägen" not in text
        assert "I hemmet (adressen finns i Samplan)" in message.body


def test_a_video_meeting_carries_its_link(scene: Scene, django_capture_on_commit_callbacks) -> None:
    scene.invite(
        django_capture_on_commit_callbacks, place_kind="video", location="https://video.example/m1"
    )
    event = Calendar.from_ical(mail.outbox[0].attachments[0][1]).walk("VEVENT")[0]
    assert str(event["url"]) == "https://video.example/m1"
    assert "https://video.example/m1" in mail.outbox[0].body


def test_a_refused_kallelse_sends_nothing(
    scene: Scene, county: County, django_capture_on_commit_callbacks
) -> None:
    with pytest.raises(DomainError, match="framtiden"):
        scene.invite(django_capture_on_commit_callbacks, meeting_at=at_local(-1))
    assert mail.outbox == []
    assert not exports(scene.process)


def test_no_mail_while_suppressed(scene: Scene, django_capture_on_commit_callbacks) -> None:
    with documents.emails_suppressed():
        scene.invite(django_capture_on_commit_callbacks)
    assert mail.outbox == []
    scene.invite(django_capture_on_commit_callbacks, meeting_at=at_local(4))
    assert len(mail.outbox) == 2


def test_a_cancelled_meeting_is_cancelled_in_the_calendars(
    scene: Scene, django_capture_on_commit_callbacks
) -> None:
    meeting = scene.invite(django_capture_on_commit_callbacks)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.meeting_cancel(
            acting=scene.vc, process=scene.process, meeting=meeting, reason="Personen är sjuk"
        )
    assert sorted(m.to[0] for m in mail.outbox) == sorted(["vc@region.example", STAFF_EMAIL])
    message = mail.outbox[0]
    assert message.subject.startswith("Inställt: SIP-möte ")
    assert "sjuk" not in message.body
    calendar = Calendar.from_ical(message.attachments[0][1])
    assert str(calendar["method"]) == "CANCEL"
    event = calendar.walk("VEVENT")[0]
    assert str(event["status"]) == "CANCELLED"
    assert str(event["uid"]) == f"sip-meeting-{meeting.pk}@samplan"
    assert event["sequence"] == 1


def test_closing_the_sip_cancels_its_meetings_in_the_calendars(
    scene: Scene, django_capture_on_commit_callbacks
) -> None:
    meeting = scene.invite(django_capture_on_commit_callbacks)
    # The municipality holds the overall responsibility, so it closes the SIP.
    services.lead_unit_set(
        acting=scene.vc, process=scene.process, unit=scene.county.social_services
    )
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.sip_close(
            acting=scene.county.acting(scene.county.needs_assessor),
            process=scene.process,
            reason="no_longer_needed",
        )
    assert sorted(m.to[0] for m in mail.outbox) == sorted(["vc@region.example", STAFF_EMAIL])
    message = mail.outbox[0]
    assert message.subject.startswith("Inställt: SIP-möte ")
    assert "Biståndsenheten Testby har ställt in ett SIP-möte" in message.body
    event = Calendar.from_ical(message.attachments[0][1]).walk("VEVENT")[0]
    assert str(event["status"]) == "CANCELLED"
    assert str(event["uid"]) == f"sip-meeting-{meeting.pk}@samplan"
    assert any("inställt möte per e-post" in d for d in exports(scene.process))

    # The letter calling the person to it is no longer given out.
    client = sign_in(Client(), scene.county.primary_care_nurse)
    url = reverse(
        "sip:meeting_letter",
        kwargs={"public_id": scene.process.public_id, "meeting_id": meeting.pk},
    )
    assert client.get(url).status_code == 404


def test_a_cancellation_after_withdrawn_consent_tells_the_other_organisation_nothing_personal(
    scene: Scene, person: Person, django_capture_on_commit_callbacks
) -> None:
    meeting = scene.invite(django_capture_on_commit_callbacks, message="Ta med läkemedelslistan.")
    services.consent_withdraw(
        acting=scene.vc,
        process=scene.process,
        giver="person",
        form="oral",
        reason="Vill inte att kommunen får veta om hjärtsvikten",
    )
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.meeting_cancel(
            acting=scene.vc,
            process=scene.process,
            meeting=meeting,
            reason="Samtycket återkallat, hjärtsvikten",
        )
    # The municipality's staff member still learns the meeting is off (it is in their calendar)
    [to_municipality] = [m for m in mail.outbox if m.to == [STAFF_EMAIL]]
    everything = to_municipality.subject + to_municipality.body + to_municipality.attachments[0][1]
    assert "har ställt in ett SIP-möte" in to_municipality.body
    for secret in [
        person.full_name,
        "Greta",
        "Gömd",
        "Lindvägen",
        "Eva Dotter",
        "Sara Skola",
        "läkemedelslistan",
        "hjärtsvikt",
        "Samtycket",
        "samtycke",
        *identifier_forms(person),
    ]:
        assert secret not in everything, secret


def test_downloading_the_calendar_file_is_logged(
    scene: Scene, django_capture_on_commit_callbacks
) -> None:
    meeting = scene.invite(django_capture_on_commit_callbacks)
    social = scene.county.acting(scene.county.needs_assessor)
    ics = documents.meeting_ics_export(acting=social, process=scene.process, meeting=meeting)
    assert Calendar.from_ical(ics).walk("VEVENT")[0]["uid"] == f"sip-meeting-{meeting.pk}@samplan"
    entry = AccessLogEntry.objects.filter(action=AccessAction.EXPORT).latest("pk")
    assert entry.user_id == scene.county.needs_assessor.user_id
    assert entry.object_type == "sip.SipMeeting"
    assert entry.object_id == str(meeting.pk)


# --- The letter to the person --------------------------------------------------------------------


@pytest.mark.parametrize("protected", [False, True], ids=["open", "protected"])
def test_the_kallelse_letter_says_when_where_who_why_and_whom_to_ask(
    county: County, time_machine, django_capture_on_commit_callbacks, protected: bool
) -> None:
    time_machine.move_to(at_local(0, 9), tick=True)
    person = county.person(
        given_name="Greta",
        family_name="Gömd",
        street_address="Lindvägen 7",
        city="Gömstad",
        protected=protected,
    )
    scene = Scene(county, person)
    meeting = scene.invite(
        django_capture_on_commit_callbacks,
        place_kind="home",
        location="" if protected else "Lindvägen 7, Gömstad",  # none may be stored if protected
        message="Ta med läkemedelslistan.",
    )
    text = pdf_text(
        documents.invitation_letter_pdf(acting=scene.vc, process=scene.process, meeting=meeting)
    )
    start = timezone.localtime(meeting.meeting_at, STOCKHOLM)
    assert "Kallelse till möte om din plan" in text
    assert "Greta Gömd" in text
    assert f"{start:%Y-%m-%d} klockan 10:00–11:00" in text
    assert "Hemma hos dig" in text
    assert "gör vi en plan tillsammans med dig" in text
    assert "Ta med läkemedelslistan." in text
    for invitee in ("Vårdcentralen Centrum", "Bo Bistånd", "Eva Dotter", "Sara Skola"):
        assert invitee in text
    assert "Kontakta Fia Fast på Vårdcentralen Centrum. Telefon: 010-100 20 00." in text
    # Protected identity: no address anywhere in the letter, not even as the meeting place.
    assert ("Lindvägen" in text) is not protected
    assert ("Gömstad" in text) is not protected
    for form in identifier_forms(person):
        assert form not in text
    assert "kallelse till SIP-möte, brev till personen (PDF)" in exports(scene.process)


def test_a_video_follow_up_letter_gives_the_link(
    scene: Scene, django_capture_on_commit_callbacks, time_machine
) -> None:
    meeting = scene.invite(django_capture_on_commit_callbacks)
    time_machine.move_to(at_local(3, 12), tick=True)
    services.minutes_record(
        acting=scene.vc,
        process=scene.process,
        meeting=meeting,
        attendees=[scene.vc_participant, scene.social_staff],
        person_present=True,
        text="Planen gjordes.",
    )
    save_plan(scene.county, scene.process)
    establish(scene.county, scene.process)
    follow_up = scene.invite(
        django_capture_on_commit_callbacks,
        kind=MeetingKind.FOLLOW_UP,
        meeting_at=at_local(30),
        place_kind="video",
        location="https://video.example/uppfoljning",
        invitees=[scene.vc_participant, scene.social_staff],
    )
    text = pdf_text(
        documents.invitation_letter_pdf(acting=scene.vc, process=scene.process, meeting=follow_up)
    )
    assert "Kallelse till uppföljning av din plan" in text
    assert "Mötet är ett videomöte" in text
    assert "https://video.example/uppfoljning" in text
    assert "går vi igenom din plan" in text


# --- The plan for the person ---------------------------------------------------------------------


def test_the_plan_pdf_puts_the_persons_goals_first_and_says_who_does_what_when(
    scene: Scene, django_capture_on_commit_callbacks
) -> None:
    county, process = scene.county, scene.process
    save_plan(county, process)
    first = establish(county, process)
    social = county.acting(county.needs_assessor)
    services.action_progress_record(
        acting=social, process=process, action_id="a2", status=ActionStatus.DONE
    )

    text = pdf_text(documents.plan_pdf(acting=scene.vc, process=process, version=first))
    order = [
        "Din samordnade individuella plan",
        "Ditt mål",
        "Jag vill kunna bo kvar hemma och gå till affären själv.",
        "Dina delmål",
        "Gå till affären med rollator",
        "Så vet vi att delmålet är nått: Två gånger i veckan",
        "Det här behöver du hjälp med",
        "Hjälp med dusch",
        "Vem gör vad och när",
        "Läkemedelsgenomgång",
        "Det här gör andra än regionen och kommunen",
        "Följer med till affären på lördagar",
        "Vem har huvudansvaret för planen?",
        "Uppföljning",
        "Planen är godkänd av",
    ]
    position = 0
    for part in order:  # each after the one before
        found = text.find(part, position)
        assert found >= 0, f"{part!r} not after position {position}: {text}"
        position = found + len(part)
    assert "version 1" in text
    due = (timezone.localdate() + timedelta(days=7)).isoformat()
    # Who (organisation and person), what, by when, status – the recorded progress applied.
    pdf = documents.plan_pdf(acting=scene.vc, process=process, version=first)
    [row] = [line for line in pdf_lines(pdf) if "Hemtjänst morgon och kväll" in line]
    assert re.search(rf"Hemtjänst morgon och kväll +Biståndsenheten Testby.* +{due} +Klar$", row)
    assert "Bo Bistånd" in text
    assert "Dottern Eva" in text
    assert (
        "Vårdcentralen Centrum, Region Testlän har det övergripande ansvaret för din plan." in text
    )
    follow_up = (timezone.localdate() + timedelta(days=60)).isoformat()
    assert f"Planen följs upp senast {follow_up}." in text
    assert "Den som följer upp: Fia Fast, Vårdcentralen Centrum." in text
    assert "Dig" in text
    assert "Lindvägen" not in text
    assert "fastställd SIP version 1 (PDF)" in exports(process)

    # A newer version: the old one says it no longer applies.
    save_plan(county, process, long_term_goal="Jag vill klara mig själv hemma.")
    establish(county, process)
    old = pdf_text(documents.plan_pdf(acting=scene.vc, process=process, version=first))
    assert "Det finns en nyare version av planen." in old
    assert "Jag vill kunna bo kvar hemma" in old
    latest = process.versions.get(number=2)
    new = pdf_text(documents.plan_pdf(acting=scene.vc, process=process, version=latest))
    assert "Jag vill klara mig själv hemma." in new
    assert "nyare version" not in new


# --- Downloads ----------------------------------------------------------------------------------


def test_participants_download_the_documents_and_outsiders_get_404(
    scene: Scene, client, django_capture_on_commit_callbacks
) -> None:
    county, process = scene.county, scene.process
    meeting = scene.invite(django_capture_on_commit_callbacks)
    save_plan(county, process)
    establish(county, process)
    keys = {"public_id": process.public_id}
    urls = {
        reverse("sip:meeting_ics", kwargs={**keys, "meeting_id": meeting.pk}): "text/calendar",
        reverse("sip:meeting_letter", kwargs={**keys, "meeting_id": meeting.pk}): (
            "application/pdf"
        ),
        reverse("sip:plan_pdf", kwargs={**keys, "number": 1}): "application/pdf",
    }

    sign_in(client, county.needs_assessor)
    page = client.get(reverse("sip:process", kwargs=keys)).content.decode()
    for url in urls:  # the process page links to each document
        assert f'href="{url}"' in page, url
    before = len(exports(process))
    for url, content_type in urls.items():
        response = client.get(url)
        assert response.status_code == 200, url
        assert response["Content-Type"].startswith(content_type)
    assert len(exports(process)) == before + 3
    assert client.get(reverse("sip:plan_pdf", kwargs={**keys, "number": 2})).status_code == 404

    outsider = Client()
    sign_in(outsider, county.outsider)
    for url in urls:
        assert outsider.get(url).status_code == 404
    denied = AccessLogEntry.objects.filter(
        action=AccessAction.DENIED, user=county.outsider.user, person_id=process.person_id
    )
    assert denied.count() == 3
    assert len(exports(process)) == before + 3


def test_a_meeting_of_another_process_is_not_found(
    scene: Scene, county: County, client, django_capture_on_commit_callbacks
) -> None:
    meeting = scene.invite(django_capture_on_commit_callbacks)
    other = start_outpatient_sip(county)
    sign_in(client, county.primary_care_nurse)
    url = reverse(
        "sip:meeting_letter", kwargs={"public_id": other.public_id, "meeting_id": meeting.pk}
    )
    assert client.get(url).status_code == 404
