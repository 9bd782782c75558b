"""The first meeting of a SIP continued from a discharge case is the case's kallelse till SIP.

When the FVK calls it through the SIP and the case has no kallelse yet, the case learns of it in
the same transaction, through the discharge service: one kallelse on the case's timeline, the
obligation closed, the 5:3 precondition met, the deadline judged on time or late, one calendar
UID, and Min plan shows the meeting once. Anyone else's call, a later meeting, a case with a
kallelse already, or a meeting no unit of the case is called to leaves the case as it was.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import DatabaseError
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from samplan.audit.verification import verify_chain
from samplan.discharge import selectors as discharge_selectors
from samplan.discharge import services as discharge_services
from samplan.discharge.documents import invitation_uid
from samplan.discharge.models import (
    CaseEvent,
    CaseEventKind,
    CaseParty,
    InpatientStay,
    InterruptionKind,
    Message,
    MessageKind,
)
from samplan.discharge.rules import ObligationKind
from samplan.portal.tests.conftest import citizen_client
from samplan.sip import documents, services
from samplan.sip.models import (
    MeetingInvitee,
    MeetingKind,
    ParticipantKind,
    SipEvent,
    SipEventKind,
    SipMeeting,
    SipParticipant,
    SipProcess,
)
from samplan.testing.api import ApiClient
from samplan.testing.county import (
    County,
    admit,
    make_county,
    record_conversation,
    send_admission_notice,
)
from samplan.testing.factories import sign_in
from samplan.testing.sip import give_consent, sip_continuing_a_stay

pytestmark = pytest.mark.django_db

STOCKHOLM = ZoneInfo("Europe/Stockholm")
KALLELSE = "Skicka kallelse till SIP"
NOT_CALLED = "Fast vårdkontakt har inte kallat till SIP (4 kap. 3 §)."


def at(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=STOCKHOLM)


READY = at(2026, 3, 3, 10, 0)  # Tuesday
DUE = at(2026, 3, 6, 23, 59, 59, 999999)  # the end of the third calendar day after
MEETING = at(2026, 3, 10, 13, 30)


@pytest.fixture
def county() -> County:
    return make_county()


def continued_case(county: County, time_machine) -> tuple[InpatientStay, SipProcess]:
    """A category E case, FVK appointed, utskrivningsklar at :data:`READY`, no kallelse; the
    vårdcentral continues it as a SIP (its parties become participants) with consent."""
    time_machine.move_to(at(2026, 3, 2, 9, 0), tick=False)
    stay = admit(county, admitted_at=at(2026, 3, 2, 8, 0))
    record_conversation(county, stay)
    send_admission_notice(county, stay)
    discharge_services.care_contact_appoint(
        acting=county.acting(county.primary_care_head), stay=stay, name="Fia Fast"
    )
    time_machine.move_to(READY, tick=False)
    discharge_services.ready_notice_send(
        acting=county.acting(county.physician), stay=stay, physician="Lars Läkare"
    )
    process = services.sip_start_from_stay(
        acting=county.acting(county.primary_care_nurse), stay=stay
    )
    give_consent(county, process)
    stay.refresh_from_db()
    return stay, process


def units(process: SipProcess, *wanted) -> list[SipParticipant]:
    found = {p.unit_id: p for p in process.participants.filter(kind=ParticipantKind.UNIT)}
    return [found[u.pk] for u in wanted]


def invite(
    county: County, process: SipProcess, invited: list[SipParticipant], membership=None
) -> SipMeeting:
    return services.meeting_invite(
        acting=county.acting(membership or county.primary_care_nurse),
        process=process,
        kind=MeetingKind.FIRST,
        meeting_at=MEETING,
        place_kind="unit",
        location="Vårdcentralen Centrum, rum 4",
        invitees=invited,
        message="Välkomna till SIP-mötet.",
    )


def kallelser(stay: InpatientStay) -> list[Message]:
    return list(stay.messages.filter(kind=MessageKind.SIP_INVITATION))


def case_view(county: County, stay: InpatientStay) -> discharge_selectors.CaseOverview:
    return discharge_selectors.case_overview(
        acting=county.acting(county.needs_assessor), stay=stay, now=timezone.now()
    )


def labels(overview: discharge_selectors.CaseOverview) -> list[str]:
    return [o.label for o in overview.obligations]


def test_the_fvks_first_sip_meeting_is_the_cases_kallelse(county: County, time_machine) -> None:
    stay, process = continued_case(county, time_machine)
    before = case_view(county, stay)
    assert any(label.startswith(KALLELSE) for label in labels(before))
    assert before.payment is not None
    assert NOT_CALLED in before.payment.unmet
    relative = services.participant_add(
        acting=county.acting(county.primary_care_nurse),
        process=process,
        kind=ParticipantKind.RELATIVE,
        name="Dottern Eva",
    )
    invited = [
        *units(process, county.primary_care, county.social_services, county.home_health_care),
        relative,
    ]

    sent = at(2026, 3, 4, 11, 15)
    time_machine.move_to(sent, tick=False)
    meeting = invite(county, process, invited)

    [kallelse] = kallelser(stay)
    # The same kallelse: same moment, the FVK's unit and user, the time, place and text, to the
    # case's units that were called (not the sender, not the relative).
    assert kallelse.sent_at == meeting.invitation_sent_at == sent
    assert (kallelse.sender_unit, kallelse.sender) == (
        county.primary_care,
        county.primary_care_nurse.user,
    )
    assert {r.unit for r in kallelse.recipients.all()} == {
        county.social_services,
        county.home_health_care,
    }
    assert datetime.fromisoformat(kallelse.payload["meeting_at"]) == MEETING
    assert (kallelse.payload["place_kind"], kallelse.payload["location"]) == (
        "unit",
        "Vårdcentralen Centrum, rum 4",
    )
    assert kallelse.body == "Välkomna till SIP-mötet."
    # One kallelse, one calendar event: the meeting keeps the case's kallelse and its UID.
    assert meeting.from_stay_message == kallelse
    assert documents.meeting_uid(meeting) == invitation_uid(kallelse.pk)

    # The case's timeline says who sent it, for which unit.
    event = CaseEvent.objects.get(
        stay=stay, kind=CaseEventKind.MESSAGE_SENT, data__message=kallelse.pk
    )
    assert (event.actor, event.unit, event.at) == (
        county.primary_care_nurse.user,
        county.primary_care,
        sent,
    )
    assert event.summary.startswith("Kallelse till SIP →")
    # The obligation is closed, 5:3 is met, and the deadline is judged: on time.
    after = case_view(county, stay)
    assert not any(label.startswith(KALLELSE) for label in labels(after))
    assert after.payment is not None
    assert after.payment.unmet == []
    [outcome] = [d for d in after.deadlines_met if d.kind == ObligationKind.SEND_SIP_INVITATION]
    assert (outcome.due, outcome.done_at, outcome.late) == (DUE, sent, False)
    # The written plan is now due, counted from the meeting.
    assert any(label.startswith("Ge personen den skriftliga planen") for label in labels(after))
    # The SIP's timeline says so too.
    invited_event = SipEvent.objects.get(process=process, kind=SipEventKind.MEETING_INVITED)
    assert "Även kallelse till SIP i utskrivningsärendet." in invited_event.summary
    assert invited_event.data["stay_message"] == kallelse.pk
    assert verify_chain().intact


def test_a_late_kallelse_from_the_sip_is_judged_late(county: County, time_machine) -> None:
    stay, process = continued_case(county, time_machine)
    late = at(2026, 3, 7, 8, 0)
    time_machine.move_to(late, tick=False)
    invite(county, process, units(process, county.social_services))

    [outcome] = [
        d
        for d in case_view(county, stay).deadlines_met
        if d.kind == ObligationKind.SEND_SIP_INVITATION
    ]
    assert (outcome.due, outcome.done_at, outcome.late) == (DUE, late, True)


def test_a_sip_participant_outside_the_case_does_not_become_a_party(
    county: County, time_machine
) -> None:
    stay, process = continued_case(county, time_machine)
    other = services.participant_add(
        acting=county.acting(county.primary_care_nurse),
        process=process,
        kind=ParticipantKind.UNIT,
        unit=county.foreign_social_services,
    )
    time_machine.move_to(at(2026, 3, 4, 11, 0), tick=False)
    invite(county, process, [*units(process, county.social_services), other])

    [kallelse] = kallelser(stay)
    assert {r.unit for r in kallelse.recipients.all()} == {county.social_services}
    assert not CaseParty.objects.filter(stay=stay, unit=county.foreign_social_services).exists()


def test_only_the_fvks_call_is_the_cases_kallelse(county: County, time_machine) -> None:
    stay, process = continued_case(county, time_machine)
    time_machine.move_to(at(2026, 3, 4, 11, 0), tick=False)
    meeting = invite(
        county,
        process,
        units(process, county.primary_care, county.home_health_care),
        membership=county.needs_assessor,
    )

    assert kallelser(stay) == []
    assert meeting.from_stay_message is None
    assert any(label.startswith(KALLELSE) for label in labels(case_view(county, stay)))


def test_no_unit_of_the_case_called_is_no_kallelse_for_it(county: County, time_machine) -> None:
    stay, process = continued_case(county, time_machine)
    relative = services.participant_add(
        acting=county.acting(county.primary_care_nurse),
        process=process,
        kind=ParticipantKind.RELATIVE,
        name="Dottern Eva",
    )
    time_machine.move_to(at(2026, 3, 4, 11, 0), tick=False)
    meeting = invite(county, process, [*units(process, county.primary_care), relative])

    assert kallelser(stay) == []
    assert meeting.from_stay_message is None


def test_an_interrupted_case_takes_no_kallelse(county: County, time_machine) -> None:
    stay, process = continued_case(county, time_machine)
    discharge_services.stay_interrupt(
        acting=county.acting(county.ward_nurse), stay=stay, kind=InterruptionKind.DECLINED
    )
    time_machine.move_to(at(2026, 3, 4, 11, 0), tick=False)
    meeting = invite(county, process, units(process, county.social_services))

    assert kallelser(stay) == []
    assert meeting.from_stay_message is None


def test_a_case_with_a_kallelse_gets_no_second_one(county: County) -> None:
    process = sip_continuing_a_stay(county, kallelse=True)
    stay = process.origin_stay
    assert stay is not None
    [first] = kallelser(stay)
    services.meeting_cancel(
        acting=county.acting(county.primary_care_nurse),
        process=process,
        meeting=process.meetings.get(),
        reason="Personen är sjuk.",
    )
    meeting = services.meeting_invite(
        acting=county.acting(county.primary_care_nurse),
        process=process,
        kind=MeetingKind.FIRST,
        meeting_at=timezone.now() + timedelta(days=5),
        place_kind="video",
        location="https://video.example/sip",
        invitees=units(process, county.social_services),
    )
    assert kallelser(stay) == [first]
    assert meeting.from_stay_message is None


def test_nothing_is_written_when_the_sip_meeting_fails(
    county: County, time_machine, monkeypatch
) -> None:
    stay, process = continued_case(county, time_machine)
    events = CaseEvent.objects.filter(stay=stay).count()

    def broken(*args, **kwargs):
        raise DatabaseError("disk full")

    monkeypatch.setattr(MeetingInvitee.objects, "bulk_create", broken)
    with pytest.raises(DatabaseError):
        invite(county, process, units(process, county.social_services))

    assert kallelser(stay) == []
    assert CaseEvent.objects.filter(stay=stay).count() == events
    assert not SipMeeting.objects.filter(process=process).exists()


def test_through_the_api_the_case_shows_the_kallelse_sent_in_the_sip(
    county: County, time_machine
) -> None:
    stay, process = continued_case(county, time_machine)
    [social] = units(process, county.social_services)
    sent = at(2026, 3, 5, 9, 0)
    time_machine.move_to(sent, tick=False)
    sip = ApiClient(county.primary_care_nurse).post(
        f"/sip/{process.public_id}/meetings",
        {
            "kind": "first",
            "meeting_at": MEETING.isoformat(),
            "place_kind": "hospital",
            "location": "Avdelning 12, samtalsrummet",
            "invitee_ids": [social.pk],
        },
    )
    assert len(sip["meetings"]) == 1

    case = ApiClient(county.needs_assessor).get(f"/stays/{stay.public_id}")
    [kallelse] = [m for m in case["messages"] if m["kind"] == "sip_invitation"]
    assert [r["unit_hsa_id"] for r in kallelse["recipients"]] == [county.social_services.hsa_id]
    assert kallelse["payload"]["location"] == "Avdelning 12, samtalsrummet"
    assert not any(o["label"].startswith(KALLELSE) for o in case["obligations"])
    assert case["payment"]["unmet"] == []
    [met] = [d for d in case["deadlines_met"] if d["step"] == "send_sip_invitation"]
    assert (met["late"], datetime.fromisoformat(met["done_at"])) == (False, sent)
    assert any(e["summary"].startswith("Kallelse till SIP →") for e in case["timeline"])


def test_min_plan_shows_the_meeting_once_as_one_calendar_event(
    county: County, time_machine
) -> None:
    stay, process = continued_case(county, time_machine)
    time_machine.move_to(at(2026, 3, 4, 11, 0), tick=True)
    meeting = invite(county, process, units(process, county.social_services))
    [kallelse] = kallelser(stay)
    person = stay.person

    client = citizen_client(person.identifier)
    response = client.get(reverse("portal:overview", kwargs={"person_id": person.public_id}))
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count("2026-03-10 13:30") == 1
    assert html.count("Spara mötet i kalendern") == 1
    assert "Mötet står under Din plan (SIP)" in html

    def uid(ics: bytes) -> str:
        return str(next(iter(Calendar.from_ical(ics).walk("VEVENT")))["uid"])

    person_ics = client.get(
        reverse(
            "portal:sip_meeting_ics",
            kwargs={
                "person_id": person.public_id,
                "sip_id": process.public_id,
                "meeting_id": meeting.pk,
            },
        )
    ).content
    staff = sign_in(Client(), county.primary_care_nurse)
    stay_ics = staff.get(
        reverse("discharge:ics", kwargs={"public_id": stay.public_id, "message_id": kallelse.pk})
    ).content
    sip_ics = staff.get(
        reverse(
            "sip:meeting_ics", kwargs={"public_id": process.public_id, "meeting_id": meeting.pk}
        )
    ).content
    assert uid(person_ics) == uid(stay_ics) == uid(sip_ics) == invitation_uid(kallelse.pk)
