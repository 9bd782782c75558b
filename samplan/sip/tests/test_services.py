"""The SIP process through its services: the issue's must-shows, consent gating, immutability,
concurrent edits and what each step records."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from django.db import DatabaseError, connection, transaction
from django.http import Http404
from django.utils import timezone

from samplan.audit.models import AccessAction, AccessLogEntry
from samplan.core.acting import DomainError, NotAllowed
from samplan.discharge import services as discharge_services
from samplan.discharge.models import MessageKind as DischargeMessageKind
from samplan.sip import access, selectors, services
from samplan.sip.models import (
    AppendOnlyError,
    CloseReason,
    ConsentEvent,
    ConsentForm,
    ConsentGiver,
    ExternalKind,
    MeetingKind,
    NeedLevel,
    ParticipantKind,
    PlanDraft,
    PlanDraftRevision,
    PlanVersion,
    PreparationKind,
    ProcessStatus,
    SipEventKind,
    SipProcess,
)
from samplan.sip.plan import ActionStatus, PlanContent
from samplan.testing.county import (
    County,
    admit,
    make_county,
    message_of,
    record_conversation,
    send_admission_notice,
)
from samplan.testing.sip import (
    add_social_services,
    current_content,
    establish,
    give_consent,
    plan_content,
    save_plan,
    start_outpatient_sip,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def county() -> County:
    return make_county()


def kinds(process) -> list[str]:
    return list(process.events.values_list("kind", flat=True))


def at_local(days: int, hour: int = 10) -> datetime:
    day = timezone.localdate() + timedelta(days=days)
    return timezone.make_aware(datetime(day.year, day.month, day.day, hour, 0))


# --- Must show: a SIP outside hospital from need to closure ----------------------------------


def test_sip_outside_hospital_from_need_to_closure(county: County, time_machine) -> None:
    time_machine.move_to(at_local(0, 9), tick=False)
    vc = county.acting(county.primary_care_nurse)
    social = county.acting(county.needs_assessor)
    person = county.person()

    process = services.sip_start(
        acting=vc, person=person, reason="Behov från både region och kommun.", has_mandate=True
    )
    assert process.status == ProcessStatus.PREPARING
    assert kinds(process) == [SipEventKind.STARTED, SipEventKind.PARTICIPANT_ADDED]

    # Consent first: the municipality cannot be brought in before it.
    with pytest.raises(DomainError, match="samtycke"):
        add_social_services(county, process)
    services.consent_give(
        acting=vc,
        process=process,
        giver=ConsentGiver.PERSON,
        form=ConsentForm.WRITTEN,
        scope="Vårdcentralen, socialtjänsten och skolan",
    )
    social_participant = add_social_services(county, process)
    school = services.participant_add(
        acting=vc,
        process=process,
        kind=ParticipantKind.EXTERNAL,
        name="Sara Skola",
        title="Kurator",
        organisation="Testby gymnasium",
        external_kind=ExternalKind.SCHOOL,
        has_mandate=True,
    )
    relative = services.participant_add(
        acting=vc, process=process, kind=ParticipantKind.RELATIVE, name="Eva", title="Dotter"
    )
    assert access.process_get(social, process.public_id) == process

    services.need_level_set(acting=social, process=process, level=NeedLevel.OVER_TIME)
    services.preparation_add(
        acting=social, process=process, kind=PreparationKind.MAPPING, text="Hemtjänst 2 ggr/dag."
    )
    services.preparation_add(
        acting=vc,
        process=process,
        kind=PreparationKind.WISH,
        text="Helst hemma, på förmiddagen.",
        place_kind="home",
        author_kind="person",
        author_name=person.full_name,
    )
    vc_participant = process.participants.get(unit=county.primary_care)
    meeting = services.meeting_invite(
        acting=vc,
        process=process,
        kind=MeetingKind.FIRST,
        meeting_at=at_local(3),
        place_kind="home",
        location="Hemma hos personen",
        invitees=[vc_participant, social_participant, school, relative],
    )
    assert set(meeting.invitees.all()) == {vc_participant, social_participant, school, relative}

    time_machine.move_to(at_local(3, 12), tick=False)
    services.minutes_record(
        acting=vc,
        process=process,
        meeting=meeting,
        attendees=[vc_participant, social_participant, relative],
        person_present=True,
        text="Personen berättade vad som är viktigt.",
        decisions="Hemtjänst startar, läkemedelsgenomgång.",
    )
    draft = save_plan(county, process)
    # The school had a mandate but was not at the meeting: not required to approve.
    version = services.plan_establish(
        acting=vc,
        process=process,
        base_revision=draft.revision,
        approved_by=[vc_participant, social_participant],
        person_agreed=True,
        meeting=meeting,
    )
    process.refresh_from_db()
    assert version.number == 1
    assert process.status == ProcessStatus.ESTABLISHED
    assert process.lead_unit == county.primary_care
    content = PlanContent.model_validate(version.content)
    assert content.long_term_goal.startswith("Jag vill")
    assert [a.organisation_kind for a in content.actions] == ["region", "municipality", "other"]
    assert content.actions[1].organisation == "Biståndsenheten Testby, Testby kommun"
    assert content.lead_organisation == "Vårdcentralen Centrum, Region Testlän"
    assert set(version.approvals.values_list("participant", flat=True)) == {
        vc_participant.pk,
        social_participant.pk,
    }

    services.action_progress_record(
        acting=social, process=process, action_id="a2", status=ActionStatus.DONE
    )
    follow_up = services.follow_up_schedule(
        acting=vc,
        process=process,
        meeting_at=at_local(30),
        place_kind="video",
        location="https://video.example/sip",
        invitees=[vc_participant, social_participant],
    )
    process.refresh_from_db()
    assert process.status == ProcessStatus.FOLLOW_UP

    time_machine.move_to(at_local(30, 11), tick=False)
    services.minutes_record(
        acting=vc,
        process=process,
        meeting=follow_up,
        attendees=[vc_participant, social_participant],
        text="Uppföljning: hemtjänsten fungerar.",
    )
    evaluation = services.evaluation_record(
        acting=vc, process=process, summary="Målet är nått.", outcomes={"g1": "reached"}
    )
    assert evaluation.version == version
    with pytest.raises(NotAllowed):
        services.sip_close(acting=social, process=process, reason=CloseReason.GOALS_REACHED)
    services.sip_close(acting=vc, process=process, reason=CloseReason.GOALS_REACHED)
    process.refresh_from_db()
    assert process.status == ProcessStatus.CLOSED
    # Closed is the process's state (409 in the API), not who asks (403).
    with pytest.raises(access.ProcessClosed, match="avslutad") as refusal:
        services.preparation_add(
            acting=vc, process=process, kind=PreparationKind.QUESTION, text="Fler frågor?"
        )
    assert not isinstance(refusal.value, NotAllowed)
    # Who acts is judged first: only the lead unit closes, closed or not.
    with pytest.raises(NotAllowed):
        services.sip_close(acting=social, process=process, reason=CloseReason.MOVED)
    with pytest.raises(access.ProcessClosed):
        services.sip_close(acting=vc, process=process, reason=CloseReason.MOVED)
    overview = selectors.process_overview(acting=vc, process=process, now=timezone.now())
    assert overview.current_plan is not None
    assert overview.current_plan.action("a2").status == ActionStatus.DONE
    assert PlanContent.model_validate(version.content).action("a2").status == "planned"
    assert [m.meeting.kind for m in overview.meetings] == ["first", "follow_up"]
    assert overview.flags == []
    assert kinds(process)[-1] == SipEventKind.CLOSED


# --- Must show: a SIP continued from a discharge case ----------------------------------------


def discharge_case_with_kallelse(county: County):
    stay = admit(county)
    record_conversation(county, stay)
    send_admission_notice(county, stay)
    discharge_services.care_contact_appoint(
        acting=county.acting(county.primary_care_head), stay=stay, name="Fia Fast"
    )
    discharge_services.colour_override(
        acting=county.acting(county.primary_care_nurse),
        stay=stay,
        colour="gul",
        reason="Nya insatser behövs.",
    )
    discharge_services.sip_invitation_send(
        acting=county.acting(county.primary_care_nurse),
        stay=stay,
        meeting_at=timezone.now() + timedelta(days=2),
        place_kind="hospital",
        location="Avdelning 12, samtalsrummet",
        invitees=[county.social_services, county.home_health_care],
    )
    return stay


def test_sip_continued_from_a_discharge_case(county: County, time_machine) -> None:
    time_machine.move_to(at_local(0, 9), tick=True)
    stay = discharge_case_with_kallelse(county)
    vc = county.acting(county.primary_care_nurse)
    with pytest.raises(NotAllowed):
        services.sip_start_from_stay(acting=county.acting(county.outsider), stay=stay)
    process = services.sip_start_from_stay(acting=vc, stay=stay)
    assert process.origin_stay == stay
    units = {p.unit for p in process.participants.all()}
    assert units == {
        county.primary_care,
        county.ward,
        county.social_services,
        county.home_health_care,
    }
    meeting = process.meetings.get()
    assert meeting.kind == MeetingKind.FIRST
    assert meeting.place_kind == "hospital"
    assert meeting.from_stay_message is not None
    assert {p.unit for p in meeting.invitees.all()} == {
        county.primary_care,
        county.social_services,
        county.home_health_care,
    }
    with pytest.raises(DomainError, match="redan en SIP"):
        services.sip_start_from_stay(acting=vc, stay=stay)

    overview = selectors.process_overview(acting=vc, process=process, now=timezone.now())
    assert overview.colour is not None
    assert overview.colour.code == "gul"
    assert overview.colour.guidance

    # Before consent the municipality's units do not see the SIP, though they are participants.
    social = county.acting(county.needs_assessor)
    with pytest.raises(Http404):
        access.process_get(social, process.public_id)
    assert selectors.process_of_stay(acting=social, stay=stay) is None
    assert selectors.process_of_stay(acting=county.acting(county.ward_nurse), stay=stay) == process
    give_consent(county, process)
    assert selectors.process_of_stay(acting=social, stay=stay) == process
    assert selectors.processes_of_person(acting=social, person=stay.person) == [process]
    assert (
        selectors.processes_of_person(acting=county.acting(county.outsider), person=stay.person)
        == []
    )
    assert access.process_get(county.acting(county.municipal_nurse), process.public_id)
    for participant in process.participants.filter(unit__in=[county.social_services]):
        services.participant_set_mandate(
            acting=vc, process=process, participant=participant, has_mandate=True
        )
    services.participant_set_mandate(
        acting=vc,
        process=process,
        participant=process.participants.get(unit=county.primary_care),
        has_mandate=True,
    )

    time_machine.move_to(at_local(3, 12), tick=True)
    present = list(process.participants.filter(has_mandate=True))
    services.minutes_record(
        acting=vc, process=process, meeting=meeting, attendees=present, text="SIP-möte."
    )
    draft = save_plan(county, process, lead=county.social_services)
    version = services.plan_establish(
        acting=county.acting(county.needs_assessor),
        process=process,
        base_revision=draft.revision,
        approved_by=present,
        person_agreed=True,
        meeting=meeting,
    )
    process.refresh_from_db()
    assert process.lead_unit == county.social_services
    assert PlanContent.model_validate(version.content).lead_organisation.startswith(
        "Biståndsenheten"
    )
    services.follow_up_schedule(
        acting=vc,
        process=process,
        meeting_at=at_local(20),
        place_kind="home",
        location="Hemma",
        invitees=present,
    )
    # The unit with overall responsibility closes.
    with pytest.raises(NotAllowed):
        services.sip_close(acting=vc, process=process, reason=CloseReason.MOVED)
    services.sip_close(
        acting=county.acting(county.needs_assessor),
        process=process,
        reason=CloseReason.OTHER,
        note="Personen flyttar till särskilt boende med egen plan.",
    )
    process.refresh_from_db()
    assert process.status == ProcessStatus.CLOSED
    assert process.close_note.startswith("Personen flyttar")


def test_one_open_sip_per_person(county: County) -> None:
    process = start_outpatient_sip(county)
    with pytest.raises(DomainError, match="redan en pågående SIP"):
        start_outpatient_sip(county, person=process.person)


def test_only_care_roles_start(county: County) -> None:
    from samplan.directory.models import Role
    from samplan.testing.factories import make_staff

    reviewer = make_staff(county.primary_care, Role.LOG_REVIEWER)
    with pytest.raises(NotAllowed):
        services.sip_start(acting=county.acting(reviewer), person=county.person())


# --- Must show: an established version cannot be altered; a new version shows its diff -------


def test_established_version_is_immutable(county: County) -> None:
    process = start_outpatient_sip(county)
    give_consent(county, process)
    add_social_services(county, process)
    save_plan(county, process)
    version = establish(county, process)

    version.content = {"long_term_goal": "Något annat"}
    with pytest.raises(AppendOnlyError):
        version.save()
    with pytest.raises(AppendOnlyError):
        version.delete()
    with pytest.raises(AppendOnlyError):
        PlanVersion.objects.filter(pk=version.pk).update(content={})
    with pytest.raises(AppendOnlyError):
        PlanVersion.objects.filter(pk=version.pk).delete()
    with pytest.raises(AppendOnlyError):
        version.approvals.first().delete()
    stored = PlanVersion.objects.get(pk=version.pk)
    assert stored.content["long_term_goal"].startswith("Jag vill")

    # Editing the draft and progress afterwards leaves version 1 as it was.
    save_plan(county, process, long_term_goal="Jag vill klara mig helt själv.")
    services.action_progress_record(
        acting=county.acting(county.primary_care_nurse),
        process=process,
        action_id="a1",
        status=ActionStatus.ONGOING,
    )
    assert PlanVersion.objects.get(pk=version.pk).content == stored.content


def refused_by_the_database(sql: str, params: list) -> None:
    with (
        pytest.raises(DatabaseError, match="refused"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(sql, params)


def test_the_database_refuses_changing_an_established_version(county: County) -> None:
    """Raw SQL, past the model: refused by a trigger on PostgreSQL and on SQLite alike."""
    process = start_outpatient_sip(county)
    give_consent(county, process)
    add_social_services(county, process)
    save_plan(county, process)
    version = establish(county, process)
    for sql in (
        "UPDATE sip_planversion SET content = '{}' WHERE id = %s",
        "DELETE FROM sip_planversion WHERE id = %s",
        "UPDATE sip_planapproval SET participant_id = participant_id WHERE version_id = %s",
        "DELETE FROM sip_planapproval WHERE version_id = %s",
    ):
        refused_by_the_database(sql, [version.pk])
    assert PlanVersion.objects.get(pk=version.pk).content == version.content
    assert version.approvals.count() == 2


def test_the_database_refuses_changing_any_append_only_sip_record(
    county: County, time_machine
) -> None:
    """Every append-only table – consent, preparation, minutes with their attendance, who was
    called, draft revisions, progress, evaluations, the timeline – refuses UPDATE and DELETE."""
    time_machine.move_to(at_local(0, 9), tick=False)
    process = start_outpatient_sip(county)
    vc = county.acting(county.primary_care_nurse)
    give_consent(county, process)
    social = add_social_services(county, process)
    me = process.participants.get(unit=county.primary_care)
    services.preparation_add(acting=vc, process=process, kind="mapping", text="Kartläggning.")
    meeting = services.meeting_invite(
        acting=vc,
        process=process,
        kind=MeetingKind.FIRST,
        meeting_at=at_local(1),
        place_kind="unit",
        location="Vårdcentralen",
        invitees=[me, social],
    )
    time_machine.move_to(at_local(1, 12), tick=False)
    minutes = services.minutes_record(
        acting=vc, process=process, meeting=meeting, attendees=[me, social], text="Protokoll."
    )
    save_plan(county, process)
    establish(county, process)
    services.action_progress_record(acting=vc, process=process, action_id="a1", status="done")
    services.evaluation_record(acting=vc, process=process, summary="Bra.")
    tables = {
        "sip_consentevent": ("process_id", process.pk),
        "sip_preparationentry": ("process_id", process.pk),
        "sip_meetingminutes": ("id", minutes.pk),
        "sip_meetingminutes_attendees": ("meetingminutes_id", minutes.pk),
        "sip_sipmeeting_invitees": ("sipmeeting_id", meeting.pk),
        "sip_plandraftrevision": ("process_id", process.pk),
        "sip_actionprogress": ("process_id", process.pk),
        "sip_evaluation": ("process_id", process.pk),
        "sip_sipevent": ("process_id", process.pk),
    }
    for table, (column, value) in tables.items():
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT COUNT(*) FROM {table} WHERE {column} = %s", [value])
            (before,) = cursor.fetchone()
        assert before, table
        refused_by_the_database(f"UPDATE {table} SET id = id WHERE {column} = %s", [value])
        refused_by_the_database(f"DELETE FROM {table} WHERE {column} = %s", [value])
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT COUNT(*) FROM {table} WHERE {column} = %s", [value])
            assert cursor.fetchone() == (before,), table
    # Through the models, attendance and who was called cannot be taken back either.
    for take_back in (
        lambda: minutes.attendees.remove(social),
        lambda: minutes.attendees.clear(),
        lambda: meeting.invitees.set([me]),
        lambda: social.invitations.clear(),
    ):
        with pytest.raises(AppendOnlyError), transaction.atomic():
            take_back()
    assert set(minutes.attendees.all()) == set(meeting.invitees.all()) == {me, social}


def test_new_version_shows_its_difference(county: County) -> None:
    process = start_outpatient_sip(county)
    give_consent(county, process)
    add_social_services(county, process)
    save_plan(county, process)
    establish(county, process)

    content = plan_content(county)
    content["actions"][1]["due"] = "2031-01-31"
    content["actions"].append(
        {"what": "Dagverksamhet", "organisation_kind": "municipality", "organisation": "Testby"}
    )
    content["actions"] = [a for a in content["actions"] if a.get("id") != "a3"]
    content["follow_up_on"] = "2031-03-01"
    draft = PlanDraft.objects.get(process=process)
    services.plan_draft_save(
        acting=county.acting(county.needs_assessor),
        process=process,
        content=content,
        base_revision=draft.revision,
    )
    second = establish(county, process)
    assert second.number == 2

    overview = selectors.process_overview(
        acting=county.acting(county.primary_care_nurse), process=process, now=timezone.now()
    )
    assert [v.version.number for v in overview.versions] == [1, 2]
    texts = [c.text for c in overview.versions[1].changes]
    assert any(
        "Slutdatum för ”Hemtjänst morgon och kväll”" in t and "2031-01-31" in t for t in texts
    )
    assert "Insats tillagd: ”Dagverksamhet” (Testby)." in texts
    assert "Insats borttagen: ”Följer med till affären på lördagar”." in texts
    assert any(t.startswith("Uppföljningsdatum ändrat") for t in texts)
    assert not any("Långsiktigt mål" in t for t in texts)
    # The new action got a stable id, and its diff against version 1 lists everything.
    assert all(a.id for a in overview.versions[1].content.actions)
    assert overview.versions[0].changes[0].text.startswith("Långsiktigt mål:")


# --- Must show: concurrent edits --------------------------------------------------------------


def test_second_writer_is_told_and_nothing_is_lost(county: County) -> None:
    process = start_outpatient_sip(county)
    give_consent(county, process)
    add_social_services(county, process)
    opened = save_plan(county, process).revision  # both open this revision

    anna = county.acting(county.primary_care_nurse)
    bo = county.acting(county.needs_assessor)
    theirs = plan_content(county, long_term_goal="Jag vill kunna cykla igen.")
    mine = plan_content(county, follow_up_by="Bo Bistånd")

    saved = services.plan_draft_save(
        acting=anna, process=process, content=theirs, base_revision=opened
    )
    assert saved.revision == opened + 1
    with pytest.raises(services.PlanConflict) as refused:
        services.plan_draft_save(acting=bo, process=process, content=mine, base_revision=opened)
    conflict = refused.value
    assert conflict.saved_by == county.primary_care_nurse.user
    assert conflict.saved_unit == county.primary_care
    assert conflict.current.revision == opened + 1
    assert "Fia" in conflict.message
    assert [c.text for c in conflict.their_changes] == [
        "Långsiktigt mål ändrat från ”Jag vill kunna bo kvar hemma och gå till affären själv.” "
        "till ”Jag vill kunna cykla igen.”."
    ]
    assert conflict.attempted is not None
    assert conflict.attempted.follow_up_by == "Bo Bistånd"
    assert [c.kind for c in conflict.your_changes] == ["follow_up_by"]
    # Nothing overwritten: the first writer's plan stands, no revision was added.
    assert current_content(process).long_term_goal == "Jag vill kunna cykla igen."
    assert PlanDraftRevision.objects.filter(process=process).count() == opened + 1

    # Retrying on the current revision with both changes keeps both.
    merged = conflict.current_content.model_copy(update={"follow_up_by": "Bo Bistånd"})
    services.plan_draft_save(
        acting=bo, process=process, content=merged, base_revision=conflict.current.revision
    )
    final = current_content(process)
    assert final.long_term_goal == "Jag vill kunna cykla igen."
    assert final.follow_up_by == "Bo Bistånd"
    assert PlanDraftRevision.objects.filter(process=process).count() == opened + 2


def test_establishing_a_stale_revision_is_a_conflict(county: County) -> None:
    process = start_outpatient_sip(county)
    give_consent(county, process)
    add_social_services(county, process)
    seen = save_plan(county, process).revision
    save_plan(county, process, long_term_goal="Ändrat efter mötet.")
    with pytest.raises(services.PlanConflict):
        services.plan_establish(
            acting=county.acting(county.primary_care_nurse),
            process=process,
            base_revision=seen,
            approved_by=process.participants.filter(has_mandate=True),
            person_agreed=True,
        )
    assert not process.versions.exists()


# --- Must show: withdrawn consent stops sharing immediately ------------------------------------


def test_withdrawn_consent_stops_sharing_at_once(county: County, time_machine) -> None:
    time_machine.move_to(at_local(0, 9), tick=True)
    process = start_outpatient_sip(county)
    give_consent(county, process)
    social_participant = add_social_services(county, process)
    save_plan(county, process)
    social = county.acting(county.needs_assessor)
    vc = county.acting(county.primary_care_nurse)
    assert access.process_get(social, process.public_id) == process
    assert [i.process for i in selectors.worklist(acting=social, now=timezone.now())] == [process]

    services.consent_withdraw(
        acting=vc,
        process=process,
        giver=ConsentGiver.PERSON,
        form=ConsentForm.ORAL,
        reason="Vill inte att kommunen får veta mer.",
    )
    # The very next request from the municipality's unit: 404, logged as denied.
    with pytest.raises(Http404):
        access.process_get(social, process.public_id)
    assert AccessLogEntry.objects.filter(
        action=AccessAction.DENIED, person=process.person, username=social.user.username
    ).exists()
    assert selectors.worklist(acting=social, now=timezone.now()) == []
    with pytest.raises(NotAllowed):
        services.preparation_add(
            acting=social, process=process, kind=PreparationKind.MAPPING, text="x"
        )
    # The region's own unit still sees it but can share nothing with the municipality.
    assert access.process_get(vc, process.public_id) == process
    vc_participant = process.participants.get(unit=county.primary_care)
    with pytest.raises(DomainError, match="samtycke"):
        services.meeting_invite(
            acting=vc,
            process=process,
            kind=MeetingKind.FIRST,
            meeting_at=at_local(3),
            place_kind="unit",
            location="Vårdcentralen",
            invitees=[vc_participant, social_participant],
        )
    with pytest.raises(DomainError, match="samtycke"):
        services.participant_add(
            acting=vc, process=process, kind=ParticipantKind.UNIT, unit=county.home_health_care
        )
    with pytest.raises(DomainError, match="samtycke"):
        services.participant_add(
            acting=vc, process=process, kind=ParticipantKind.RELATIVE, name="Eva"
        )
    with pytest.raises(DomainError, match="samtycke"):
        establish(county, process)
    assert not process.versions.exists()
    # An internal meeting within the region is still possible.
    internal = services.meeting_invite(
        acting=vc,
        process=process,
        kind=MeetingKind.FIRST,
        meeting_at=at_local(3),
        place_kind="unit",
        location="Vårdcentralen",
        invitees=[vc_participant],
    )
    assert list(internal.invitees.all()) == [vc_participant]

    # Consent given again: sharing resumes.
    give_consent(county, process)
    assert access.process_get(social, process.public_id) == process


def test_child_needs_guardian_consent_and_own_view(county: County) -> None:
    today = timezone.localdate()
    child = county.person(birth_date=today.replace(year=today.year - 12))
    process = start_outpatient_sip(county, person=child)
    vc = county.acting(county.primary_care_nurse)
    give_consent(county, process, ConsentGiver.PERSON)
    state = access.consent_state_of(process)
    assert state.status == "child_needs_guardian"
    with pytest.raises(DomainError, match="vårdnadshavare"):
        add_social_services(county, process)
    with pytest.raises(DomainError, match="namnet"):
        give_consent(county, process, ConsentGiver.GUARDIAN)
    give_consent(county, process, ConsentGiver.GUARDIAN, "Maria Förälder")
    give_consent(county, process, ConsentGiver.GUARDIAN, "Per Förälder")
    state = access.consent_state_of(process)
    assert state.is_valid
    assert state.advice == ("Barnets egen uppfattning är inte dokumenterad.",)
    services.preparation_add(
        acting=vc,
        process=process,
        kind=PreparationKind.CHILD_VIEW,
        text="Vill ha hjälp med läxorna, inte fler möten i skolan.",
        author_kind="person",
    )
    assert access.consent_state_of(process).advice == ()
    add_social_services(county, process)
    # One guardian withdrawing is enough to stop sharing.
    services.consent_withdraw(
        acting=vc,
        process=process,
        giver=ConsentGiver.GUARDIAN,
        giver_name="Per Förälder",
        form=ConsentForm.WRITTEN,
        reason="Vill inte längre.",
    )
    assert access.consent_state_of(process).status == "withdrawn"
    with pytest.raises(Http404):
        access.process_get(county.acting(county.needs_assessor), process.public_id)


def test_consent_events_are_append_only(county: County) -> None:
    process = start_outpatient_sip(county)
    give_consent(county, process)
    event = ConsentEvent.objects.get(process=process)
    event.given = False
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        ConsentEvent.objects.filter(process=process).delete()
    with pytest.raises(DomainError, match="framtiden"):
        services.consent_give(
            acting=county.acting(county.primary_care_nurse),
            process=process,
            giver=ConsentGiver.PERSON,
            form=ConsentForm.ORAL,
            on=timezone.localdate() + timedelta(days=1),
        )


# --- Establishing: the approval rule ----------------------------------------------------------


def test_plan_is_established_only_with_the_required_approvals(county: County) -> None:
    process = start_outpatient_sip(county)
    give_consent(county, process)
    social_participant = add_social_services(county, process)
    vc_participant = process.participants.get(unit=county.primary_care)
    vc = county.acting(county.primary_care_nurse)

    draft = PlanDraft.objects.get(process=process)
    with pytest.raises(DomainError, match="långsiktiga mål") as refused:
        services.plan_establish(
            acting=vc,
            process=process,
            base_revision=draft.revision,
            approved_by=[vc_participant, social_participant],
            person_agreed=True,
        )
    assert "inga insatser" in refused.value.message
    draft = save_plan(county, process)
    with pytest.raises(DomainError, match="Biståndsenheten Testby har inte godkänt"):
        services.plan_establish(
            acting=vc,
            process=process,
            base_revision=draft.revision,
            approved_by=[vc_participant],
            person_agreed=True,
        )
    with pytest.raises(DomainError, match="Personen"):
        services.plan_establish(
            acting=vc,
            process=process,
            base_revision=draft.revision,
            approved_by=[vc_participant, social_participant],
            person_agreed=False,
        )
    version = services.plan_establish(
        acting=vc,
        process=process,
        base_revision=draft.revision,
        approved_by=[vc_participant, social_participant],
        person_agreed=True,
    )
    assert version.person_agreed


def test_without_any_mandate_no_plan_is_established(county: County) -> None:
    process = services.sip_start(
        acting=county.acting(county.primary_care_nurse), person=county.person()
    )
    give_consent(county, process)
    services.participant_add(
        acting=county.acting(county.primary_care_nurse),
        process=process,
        kind=ParticipantKind.UNIT,
        unit=county.social_services,
    )
    draft = save_plan(county, process)
    with pytest.raises(DomainError, match="mandat"):
        services.plan_establish(
            acting=county.acting(county.primary_care_nurse),
            process=process,
            base_revision=draft.revision,
            approved_by=process.participants.all(),
            person_agreed=True,
        )


def test_plan_actions_must_point_at_participant_units(county: County) -> None:
    process = start_outpatient_sip(county)
    with pytest.raises(DomainError, match="inte deltar"):
        save_plan(county, process)  # action a2 points at social services, not yet a participant
    with pytest.raises(DomainError, match="kan inte sparas"):
        services.plan_draft_save(
            acting=county.acting(county.primary_care_nurse),
            process=process,
            content={"actions": [{"what": "", "organisation_kind": "nowhere"}]},
            base_revision=0,
        )
    assert PlanDraft.objects.get(process=process).revision == 0


def test_lead_unit_set_changes_the_draft_and_the_process(county: County) -> None:
    process = start_outpatient_sip(county)
    give_consent(county, process)
    add_social_services(county, process)
    draft = services.lead_unit_set(
        acting=county.acting(county.primary_care_nurse),
        process=process,
        unit=county.social_services,
    )
    process.refresh_from_db()
    assert process.lead_unit == county.social_services
    assert draft.content["lead_organisation"] == "Biståndsenheten Testby, Testby kommun"
    assert SipEventKind.LEAD_UNIT_SET in kinds(process)
    with pytest.raises(DomainError, match="ansvariga enheten"):
        services.lead_unit_set(
            acting=county.acting(county.primary_care_nurse),
            process=process,
            unit=county.home_health_care,
        )
    social = process.participants.get(unit=county.social_services)
    with pytest.raises(DomainError, match="övergripande ansvaret"):
        services.participant_remove(
            acting=county.acting(county.primary_care_nurse),
            process=process,
            participant=social,
            reason="Fel enhet",
        )


# --- Meetings, participants, progress ---------------------------------------------------------


def test_meeting_rules(county: County, time_machine) -> None:
    time_machine.move_to(at_local(0, 9), tick=True)
    process = start_outpatient_sip(county)
    vc = county.acting(county.primary_care_nurse)
    me = process.participants.get()
    args = {"place_kind": "video", "location": "https://video.example", "invitees": [me]}
    with pytest.raises(DomainError, match="framtiden"):
        services.meeting_invite(
            acting=vc, process=process, kind=MeetingKind.FIRST, meeting_at=at_local(-1), **args
        )
    with pytest.raises(DomainError, match="fastställd plan"):
        services.meeting_invite(
            acting=vc, process=process, kind=MeetingKind.FOLLOW_UP, meeting_at=at_local(2), **args
        )
    with pytest.raises(DomainError, match="var mötet"):
        services.meeting_invite(
            acting=vc,
            process=process,
            kind=MeetingKind.FIRST,
            meeting_at=at_local(2),
            place_kind="moon",
            location="x",
            invitees=[me],
        )
    meeting = services.meeting_invite(
        acting=vc, process=process, kind=MeetingKind.FIRST, meeting_at=at_local(2), **args
    )
    with pytest.raises(DomainError, match="börjat"):
        services.minutes_record(acting=vc, process=process, meeting=meeting, text="För tidigt")
    services.meeting_cancel(acting=vc, process=process, meeting=meeting, reason="Personen sjuk")
    meeting.refresh_from_db()
    assert meeting.is_cancelled
    time_machine.move_to(at_local(3), tick=True)
    with pytest.raises(DomainError, match="inställt"):
        services.minutes_record(acting=vc, process=process, meeting=meeting, text="x")


def test_participant_removal_is_recorded_not_deleted(county: County) -> None:
    process = start_outpatient_sip(county)
    give_consent(county, process)
    social = add_social_services(county, process)
    vc = county.acting(county.primary_care_nurse)
    with pytest.raises(DomainError, match="varför"):
        services.participant_remove(acting=vc, process=process, participant=social, reason=" ")
    services.participant_remove(
        acting=vc, process=process, participant=social, reason="Ingen insats från kommunen."
    )
    social.refresh_from_db()
    assert social.removed_reason == "Ingen insats från kommunen."
    assert process.participants.count() == 2
    with pytest.raises(Http404):
        access.process_get(county.acting(county.needs_assessor), process.public_id)
    with pytest.raises(DomainError, match="deltar redan"):
        services.participant_add(
            acting=vc, process=process, kind=ParticipantKind.UNIT, unit=county.primary_care
        )


def test_action_progress_is_keyed_by_action_id(county: County) -> None:
    process = start_outpatient_sip(county)
    give_consent(county, process)
    add_social_services(county, process)
    vc = county.acting(county.primary_care_nurse)
    with pytest.raises(DomainError, match="ingen fastställd plan"):
        services.action_progress_record(acting=vc, process=process, action_id="a1", status="done")
    save_plan(county, process)
    establish(county, process)
    with pytest.raises(DomainError, match="finns inte"):
        services.action_progress_record(acting=vc, process=process, action_id="zz", status="done")
    with pytest.raises(DomainError, match="Okänd status"):
        services.action_progress_record(acting=vc, process=process, action_id="a1", status="x")
    services.action_progress_record(acting=vc, process=process, action_id="a1", status="ongoing")
    services.action_progress_record(acting=vc, process=process, action_id="a1", status="done")
    overview = selectors.process_overview(acting=vc, process=process, now=timezone.now())
    assert overview.current_plan.action("a1").status == "done"
    assert overview.current_plan.action("a2").status == "planned"


def test_every_change_writes_an_event_and_an_access_log_entry(county: County) -> None:
    before = AccessLogEntry.objects.count()
    process = start_outpatient_sip(county)
    give_consent(county, process)
    add_social_services(county, process)
    save_plan(county, process)
    assert kinds(process) == [
        SipEventKind.STARTED,
        SipEventKind.PARTICIPANT_ADDED,
        SipEventKind.CONSENT_GIVEN,
        SipEventKind.PARTICIPANT_ADDED,
        SipEventKind.DRAFT_SAVED,
        SipEventKind.LEAD_UNIT_SET,
    ]
    events = process.events.count()
    logged = AccessLogEntry.objects.filter(person=process.person).count()
    assert logged == AccessLogEntry.objects.count() - before
    assert logged >= events


def test_a_ward_cannot_start_a_sip_outside_its_discharge_case(county: County) -> None:
    with pytest.raises(NotAllowed, match="vårdavdelning"):
        services.sip_start(acting=county.acting(county.ward_nurse), person=county.person())
    assert not SipProcess.objects.exists()


# --- Closure ----------------------------------------------------------------------------------


def test_closing_cancels_every_meeting_ahead_in_the_same_transaction(
    county: County, time_machine
) -> None:
    time_machine.move_to(at_local(0, 9), tick=False)
    process = start_outpatient_sip(county)
    give_consent(county, process)
    social = add_social_services(county, process)
    vc = county.acting(county.primary_care_nurse)
    me = process.participants.get(unit=county.primary_care)
    args = {"place_kind": "unit", "location": "Vårdcentralen", "invitees": [me, social]}
    first = services.meeting_invite(
        acting=vc, process=process, kind=MeetingKind.FIRST, meeting_at=at_local(1), **args
    )
    time_machine.move_to(at_local(1, 12), tick=False)
    services.minutes_record(
        acting=vc, process=process, meeting=first, attendees=[me, social], text="SIP-möte."
    )
    save_plan(county, process)
    establish(county, process)
    follow_up = services.follow_up_schedule(
        acting=vc, process=process, meeting_at=at_local(30), **args
    )
    evaluation = services.follow_up_schedule(
        acting=vc, process=process, meeting_at=at_local(60), evaluation=True, **args
    )
    already = services.follow_up_schedule(
        acting=vc, process=process, meeting_at=at_local(40), **args
    )
    services.meeting_cancel(acting=vc, process=process, meeting=already, reason="Dubbelbokat")

    services.sip_close(acting=vc, process=process, reason=CloseReason.GOALS_REACHED)

    for meeting in (follow_up, evaluation):
        meeting.refresh_from_db()
        assert meeting.is_cancelled
        assert meeting.cancelled_reason == "SIP:en är avslutad (Målen är uppnådda)."
    first.refresh_from_db()
    already.refresh_from_db()
    assert not first.is_cancelled  # held, with minutes: history, not cancelled
    assert already.cancelled_reason == "Dubbelbokat"  # cancelled before, left as it was
    assert kinds(process)[-3:] == [
        SipEventKind.MEETING_CANCELLED,
        SipEventKind.MEETING_CANCELLED,
        SipEventKind.CLOSED,
    ]
    cancelled = process.events.filter(kind=SipEventKind.MEETING_CANCELLED).order_by("-pk")[:2]
    assert sorted(e.data["meeting"] for e in cancelled) == sorted([follow_up.pk, evaluation.pk])
    assert not process.meetings.filter(cancelled_at__isnull=True, meeting_at__gt=timezone.now())
    overview = selectors.process_overview(acting=vc, process=process, now=timezone.now())
    assert overview.flags == []


def test_a_refused_closure_cancels_nothing(county: County, time_machine) -> None:
    time_machine.move_to(at_local(0, 9), tick=False)
    process = start_outpatient_sip(county)
    vc = county.acting(county.primary_care_nurse)
    me = process.participants.get()
    meeting = services.meeting_invite(
        acting=vc,
        process=process,
        kind=MeetingKind.FIRST,
        meeting_at=at_local(5),
        place_kind="unit",
        location="Vårdcentralen",
        invitees=[me],
    )
    with pytest.raises(DomainError, match="Beskriv"):
        services.sip_close(acting=vc, process=process, reason=CloseReason.OTHER, note=" ")
    meeting.refresh_from_db()
    assert not meeting.is_cancelled
    assert SipEventKind.MEETING_CANCELLED not in kinds(process)


# --- Continuous SIP: each follow-up sets the next check-in ------------------------------------


def test_each_follow_up_sets_the_next_check_in(county: County, time_machine) -> None:
    time_machine.move_to(at_local(0, 9), tick=False)
    process = start_outpatient_sip(county)
    give_consent(county, process)
    social = add_social_services(county, process)
    vc = county.acting(county.primary_care_nurse)
    me = process.participants.get(unit=county.primary_care)
    args = {"place_kind": "unit", "location": "Vårdcentralen", "invitees": [me, social]}
    first = services.meeting_invite(
        acting=vc, process=process, kind=MeetingKind.FIRST, meeting_at=at_local(1), **args
    )
    time_machine.move_to(at_local(1, 12), tick=False)
    with pytest.raises(DomainError, match="anges uppföljningen i planen"):
        services.minutes_record(
            acting=vc,
            process=process,
            meeting=first,
            text="SIP-möte.",
            next_follow_up_on=timezone.localdate() + timedelta(days=30),
        )
    services.minutes_record(acting=vc, process=process, meeting=first, text="SIP-möte.")
    save_plan(county, process, follow_up_on=timezone.localdate() + timedelta(days=29))
    establish(county, process)
    overview = selectors.process_overview(acting=vc, process=process, now=timezone.now())
    assert overview.check_in.on == timezone.localdate() + timedelta(days=29)
    assert overview.check_in.source == "plan"

    follow_up = services.follow_up_schedule(
        acting=vc, process=process, meeting_at=at_local(30), **args
    )
    time_machine.move_to(at_local(30, 12), tick=False)
    for wrong, message in (
        ({"next_follow_up_on": timezone.localdate()}, "efter mötet"),
        ({"next_follow_up_by": "Bo Bistånd"}, "Ange datum"),
    ):
        with pytest.raises(DomainError, match=message):
            services.minutes_record(
                acting=vc, process=process, meeting=follow_up, text="Uppföljning.", **wrong
            )
    next_on = timezone.localdate() + timedelta(days=60)
    services.minutes_record(
        acting=vc,
        process=process,
        meeting=follow_up,
        attendees=[me, social],
        text="Uppföljning: hemtjänsten fungerar.",
        next_follow_up_on=next_on,
        next_follow_up_by="Bo Bistånd, Biståndsenheten",
    )
    event = process.events.filter(kind=SipEventKind.MINUTES_RECORDED).latest("pk")
    assert f"Nästa uppföljning {next_on.isoformat()}, Bo Bistånd" in event.summary
    overview = selectors.process_overview(acting=vc, process=process, now=timezone.now())
    assert (overview.check_in.on, overview.check_in.by, overview.check_in.source) == (
        next_on,
        "Bo Bistånd, Biståndsenheten",
        "minutes",
    )
    codes = [f.code for f in overview.flags]
    assert "follow_up_due" not in codes
    assert "no_follow_up_date" not in codes

    # The date passes with nothing called: "follow-up due" is back on the work list.
    time_machine.move_to(at_local(91, 9), tick=False)
    [item] = selectors.worklist(acting=vc, now=timezone.now())
    assert item.check_in.on == next_on
    assert "follow_up_due" in [f.code for f in item.flags]
    services.follow_up_schedule(acting=vc, process=process, meeting_at=at_local(95), **args)
    [item] = selectors.worklist(acting=vc, now=timezone.now())
    assert "follow_up_due" not in [f.code for f in item.flags]
    assert item.check_in.meeting_at == at_local(95)


# --- A SIP continuing a discharge case without a kallelse: the law's deadline ----------------


def test_a_sip_from_a_discharge_case_without_kallelse_is_due_by_the_law(
    county: County, time_machine
) -> None:
    # Utskrivningsklar on a Tuesday after 12.00: 4:3 gives three calendar days, to Friday.
    time_machine.move_to(timezone.make_aware(datetime(2026, 3, 3, 9, 0)), tick=False)
    stay = admit(county)
    record_conversation(county, stay)
    send_admission_notice(county, stay)
    time_machine.move_to(timezone.make_aware(datetime(2026, 3, 3, 12, 5)), tick=False)
    discharge_services.ready_notice_send(
        acting=county.acting(county.ward_nurse), stay=stay, physician="Lars Läkare"
    )
    time_machine.move_to(timezone.make_aware(datetime(2026, 3, 4, 9, 0)), tick=False)
    vc = county.acting(county.primary_care_nurse)
    process = services.sip_start_from_stay(acting=vc, stay=stay)
    assert not process.meetings.exists()

    def invitation_flag(now: datetime):
        [item] = selectors.worklist(acting=vc, now=now)
        [flag] = [f for f in item.flags if f.code == "invitation_due"]
        overview = selectors.process_overview(acting=vc, process=process, now=now)
        assert [f for f in overview.flags if f.code == "invitation_due"] == [flag]
        return flag

    flag = invitation_flag(timezone.now())
    assert flag.due.isoformat() == "2026-03-06"  # not 14 days from the start (2026-03-18)
    assert "utskrivningsklar" in flag.text
    assert not flag.overdue
    assert invitation_flag(timezone.make_aware(datetime(2026, 3, 7, 0, 1))).overdue

    # A withdrawn notice counts as never sent: back to the agreement's rule from the start.
    discharge_services.message_withdraw(
        acting=county.acting(county.ward_nurse),
        stay=stay,
        message=message_of(stay, DischargeMessageKind.READY_FOR_DISCHARGE),
        reason="Fel patient",
    )
    assert invitation_flag(timezone.now()).due.isoformat() == "2026-03-18"


def test_recorded_at_lays_out_the_past_for_the_demo_only_inside_its_block(
    county: County, time_machine
) -> None:
    time_machine.move_to(at_local(0, 12), tick=False)
    past = at_local(-10, 9)
    with services.recorded_at(past):
        process = start_outpatient_sip(county)
    assert process.started_at == past
    assert {e.at for e in process.events.all()} == {past}
    # The access log says when it was really written.
    assert AccessLogEntry.objects.filter(person=process.person).latest("pk").at == timezone.now()
    give_consent(county, process)
    assert process.consents.get().recorded_at == timezone.now()
    for wrong in (at_local(1), datetime(2026, 1, 1, 9)):  # the future, a naive time
        with pytest.raises(ValueError, match="not in the future"), services.recorded_at(wrong):
            pass
