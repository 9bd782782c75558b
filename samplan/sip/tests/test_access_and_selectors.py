"""Who sees a SIP, what every read logs, and the work list and overview in constant queries."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from samplan.audit.models import AccessAction, AccessLogEntry
from samplan.directory.models import Role
from samplan.sip import access, selectors, services
from samplan.sip.models import MeetingKind, ParticipantKind, PreparationKind
from samplan.sip.rules import FlagCode
from samplan.testing.county import County, make_county
from samplan.testing.factories import make_staff
from samplan.testing.sip import (
    add_social_services,
    establish,
    give_consent,
    save_plan,
    start_outpatient_sip,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def county() -> County:
    return make_county()


def test_non_participant_gets_404_and_a_denied_log_entry(county: County) -> None:
    process = start_outpatient_sip(county)
    give_consent(county, process)
    outsider = county.acting(county.outsider)
    with pytest.raises(Http404):
        access.process_get(outsider, process.public_id)
    entry = AccessLogEntry.objects.filter(action=AccessAction.DENIED).get()
    assert entry.person == process.person
    assert entry.username == county.outsider.user.username
    assert entry.object_type == "sip.SipProcess"
    # A unit of the home organisation that does not take part sees nothing either.
    with pytest.raises(Http404):
        access.process_get(county.acting(county.ward_nurse), process.public_id)
    with pytest.raises(Http404):
        access.process_get(outsider, uuid.uuid4())
    assert AccessLogEntry.objects.filter(action=AccessAction.DENIED, person=None).count() == 1
    assert selectors.worklist(acting=outsider, now=timezone.now()) == []


def test_participant_unit_needs_a_care_role(county: County) -> None:
    process = start_outpatient_sip(county)
    reviewer = county.acting(make_staff(county.primary_care, Role.LOG_REVIEWER))
    with pytest.raises(Http404):
        access.process_get(reviewer, process.public_id)
    assert selectors.worklist(acting=reviewer, now=timezone.now()) == []
    colleague = county.acting(county.primary_care_head)
    assert access.process_get(colleague, process.public_id) == process


def test_named_staff_participant_brings_their_unit_in(county: County) -> None:
    process = start_outpatient_sip(county)
    give_consent(county, process)
    services.participant_add(
        acting=county.acting(county.primary_care_nurse),
        process=process,
        kind=ParticipantKind.STAFF,
        unit=county.home_health_care,
        name="Hanna Hem",
        title="Sjuksköterska",
        has_mandate=True,
    )
    assert access.process_get(county.acting(county.municipal_nurse), process.public_id)
    # Relatives and external actors have no unit and bring no one in.
    services.participant_add(
        acting=county.acting(county.primary_care_nurse),
        process=process,
        kind=ParticipantKind.EXTERNAL,
        organisation="Försäkringskassan",
        external_kind="social_insurance",
    )
    with pytest.raises(Http404):
        access.process_get(county.acting(county.outsider), process.public_id)


def test_overview_logs_the_read_and_shows_the_process(county: County) -> None:
    process = start_outpatient_sip(county)
    give_consent(county, process)
    add_social_services(county, process)
    save_plan(county, process)
    establish(county, process)
    vc = county.acting(county.primary_care_nurse)
    overview = selectors.process_overview(acting=vc, process=process, now=timezone.now())
    assert AccessLogEntry.objects.filter(
        action=AccessAction.READ, person=process.person, username=vc.user.username
    ).exists()
    assert overview.consent.is_valid
    assert [p.unit for p in overview.active_participants] == [
        county.primary_care,
        county.social_services,
    ]
    assert overview.draft.revision == 1
    assert overview.draft_changes == []  # the draft is what was established
    assert overview.versions[0].approved_by
    assert overview.is_home_unit
    assert overview.can_close
    assert overview.colour is None
    social_view = selectors.process_overview(
        acting=county.acting(county.needs_assessor), process=process, now=timezone.now()
    )
    assert not social_view.is_home_unit
    assert not social_view.can_close


def make_busy_sip(county: County, time_machine) -> None:
    """A SIP with everything the selectors read: participants, consent, preparation, a held
    meeting with minutes, two versions, progress, an evaluation."""
    start = timezone.now()
    time_machine.move_to(start, tick=True)
    process = start_outpatient_sip(county)
    vc = county.acting(county.primary_care_nurse)
    give_consent(county, process)
    social = add_social_services(county, process)
    services.participant_add(
        acting=vc, process=process, kind=ParticipantKind.RELATIVE, name="Eva", title="Dotter"
    )
    services.preparation_add(
        acting=vc, process=process, kind=PreparationKind.QUESTION, text="Vem hjälper till?"
    )
    me = process.participants.get(unit=county.primary_care)
    meeting = services.meeting_invite(
        acting=vc,
        process=process,
        kind=MeetingKind.FIRST,
        meeting_at=start + timedelta(hours=1),
        place_kind="unit",
        location="Vårdcentralen",
        invitees=[me, social],
    )
    time_machine.move_to(start + timedelta(hours=2), tick=True)
    services.minutes_record(
        acting=vc, process=process, meeting=meeting, attendees=[me, social], text="Möte."
    )
    save_plan(county, process)
    establish(county, process)
    services.action_progress_record(acting=vc, process=process, action_id="a1", status="ongoing")
    save_plan(county, process, long_term_goal="Nytt mål")
    establish(county, process)
    services.evaluation_record(acting=vc, process=process, summary="Bra.", outcomes={})
    time_machine.move_to(start, tick=True)


def test_worklist_has_a_constant_number_of_queries(county: County, time_machine) -> None:
    vc = county.acting(county.primary_care_nurse)
    make_busy_sip(county, time_machine)
    with CaptureQueriesContext(connection) as one:
        items = selectors.worklist(acting=vc, now=timezone.now())
    assert len(items) == 1
    for _ in range(3):
        make_busy_sip(county, time_machine)
    start_outpatient_sip(county)  # and one just started
    with CaptureQueriesContext(connection) as many:
        items = selectors.worklist(acting=vc, now=timezone.now())
    assert len(items) == 5
    assert len(many) == len(one)


def test_overview_has_a_constant_number_of_queries(county: County, time_machine) -> None:
    vc = county.acting(county.primary_care_nurse)
    small = start_outpatient_sip(county)
    with CaptureQueriesContext(connection) as empty:
        selectors.process_overview(acting=vc, process=small, now=timezone.now())
    make_busy_sip(county, time_machine)
    busy = access.processes_for_unit(county.primary_care).exclude(pk=small.pk).get()
    with CaptureQueriesContext(connection) as some:
        selectors.process_overview(acting=vc, process=busy, now=timezone.now())
    # More of everything: participants, meetings with minutes, versions, progress.
    start = timezone.now()
    participants = list(busy.participants.filter(has_mandate=True))
    for n in range(2):
        services.participant_add(
            acting=vc, process=busy, kind=ParticipantKind.RELATIVE, name=f"Närstående {n}"
        )
        meeting = services.follow_up_schedule(
            acting=vc,
            process=busy,
            meeting_at=start + timedelta(days=n + 1),
            place_kind="video",
            location="https://video.example",
            invitees=participants,
        )
        time_machine.move_to(start + timedelta(days=n + 1, hours=1), tick=True)
        services.minutes_record(
            acting=vc, process=busy, meeting=meeting, attendees=participants, text="Uppföljning."
        )
        save_plan(county, busy, follow_up_by=f"Uppföljare {n}")
        establish(county, busy)
        services.action_progress_record(acting=vc, process=busy, action_id="a2", status="done")
    with CaptureQueriesContext(connection) as more:
        overview = selectors.process_overview(acting=vc, process=busy, now=timezone.now())
    assert len(overview.versions) == 4
    assert len(overview.meetings) == 3
    assert len(overview.meetings[0].attendees) == 2
    assert len(more) == len(some)
    assert len(empty) <= len(some)


def test_worklist_flags_and_order(county: County, time_machine) -> None:
    start = timezone.now()
    time_machine.move_to(start, tick=True)
    vc = county.acting(county.primary_care_nurse)
    late = start_outpatient_sip(county)  # kallelse overdue after 14 days
    time_machine.move_to(start + timedelta(days=10), tick=True)
    fresh = start_outpatient_sip(county)
    give_consent(county, fresh)
    services.participant_add(
        acting=vc,
        process=fresh,
        kind=ParticipantKind.EXTERNAL,
        name="Sara Skola",
        organisation="Testby skola",
        external_kind="school",
    )
    time_machine.move_to(start + timedelta(days=16), tick=True)
    items = selectors.worklist(acting=vc, now=timezone.now())
    assert [i.process for i in items] == [late, fresh]
    assert [(f.code, f.overdue) for f in items[0].flags] == [(FlagCode.INVITATION_DUE, True)]
    assert [f.code for f in items[1].flags] == [
        FlagCode.INVITATION_DUE,
        FlagCode.PARTICIPANTS_WITHOUT_MANDATE,
    ]
    assert not items[1].overdue
    assert "Sara Skola" in items[1].flags[1].text
    services.sip_close(acting=vc, process=late, reason="no_longer_needed")
    assert [i.process for i in selectors.worklist(acting=vc, now=timezone.now())] == [fresh]
