"""Every step of the discharge process: one service each, one transaction, one timeline event.

Services check the step's rules (who may, in which state) themselves, so the HTML views and the
JSON API obey exactly the same rules. Each writes the case event and an access-log entry for the
person in the same transaction.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from typing import Any

from django.db import transaction
from django.db.models import Model
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from samplan.agreements.schema import AgreementVersion, NoVersionInForce
from samplan.agreements.services import agreement_in_force, agreement_of, agreement_record_for
from samplan.audit.models import AccessAction, AccessPurpose
from samplan.audit.services import log_access
from samplan.core.acting import Acting, DomainError, NotAllowed
from samplan.directory.models import OrganisationKind, Unit, UnitKind
from samplan.discharge import access, rules
from samplan.discharge.facts import (
    checklist_agreement,
    colour_facts_of,
    latest_conversation,
    needs_of,
    timeline_of,
)
from samplan.discharge.models import (
    AgreementTrigger,
    ArrivalConversation,
    CaseAgreementVersion,
    CaseEvent,
    CaseEventKind,
    CaseParty,
    ChecklistKind,
    ChecklistMark,
    ColourOverride,
    InpatientStay,
    InterruptionKind,
    Message,
    MessageKind,
    MessageRecipient,
    OutpatientUnavailability,
    PartyStatus,
    PlanningAssessment,
    PlanningNote,
    StayStatus,
)
from samplan.discharge.rules.places import location_refusal
from samplan.people.models import CareContact, CareContactRole, Person


def _event(
    stay: InpatientStay,
    kind: CaseEventKind,
    acting: Acting,
    summary: str = "",
    *,
    at: datetime | None = None,
    obj: Model | None = None,
    **data: Any,
) -> CaseEvent:
    event = CaseEvent.objects.create(
        stay=stay,
        kind=kind,
        at=at or timezone.now(),
        actor=acting.user,
        unit=acting.unit,
        summary=summary[:500],
        data=data,
    )
    log_access(
        actor=acting.actor,
        person=stay.person,
        action=AccessAction.CREATE if obj is not None else AccessAction.UPDATE,
        purpose=AccessPurpose.CARE_COORDINATION,
        obj=obj or stay,
        detail=str(kind.label),
    )
    return event


def _bump(stay: InpatientStay, *fields: str) -> None:
    stay.version += 1
    stay.save(update_fields=[*fields, "version"])


def _active_parties(stay: InpatientStay) -> list[CaseParty]:
    return list(stay.parties.filter(status=PartyStatus.ACTIVE).select_related("unit"))


def _ensure_party(stay: InpatientStay, unit: Unit, acting: Acting, **extra: Any) -> CaseParty:
    party, created = CaseParty.objects.get_or_create(
        stay=stay,
        unit=unit,
        defaults={"added_at": timezone.now(), "added_by": acting.user, **extra},
    )
    if not created and party.status != PartyStatus.ACTIVE:
        party.status = PartyStatus.ACTIVE
        party.status_reason = ""
        party.save(update_fields=["status", "status_reason"])
    return party


def requirements_of(stay: InpatientStay) -> rules.CategoryRequirements:
    """What the case's category requires of a step taken now: under the version in force now
    (which units the inskrivningsmeddelande goes to is judged when it is sent)."""
    category = rules.PlanningCategory(stay.planning_category or rules.PlanningCategory.A)
    return rules.category_requirements(category, agreement_in_force(timezone.now()))


def _freeze(stay: InpatientStay, at: datetime, trigger: str) -> AgreementVersion:
    """Freeze the version in force at the event at ``at`` for the case (SPEC §6): the rules
    judge what that event triggers by it, whatever is published later. An event at a moment
    already frozen keeps the version frozen first."""
    link = CaseAgreementVersion.objects.filter(stay=stay, in_force_at=at).select_related("record")
    existing = link.first()
    if existing is not None:
        return agreement_of(existing.record)
    record = agreement_record_for(at)
    CaseAgreementVersion.objects.create(stay=stay, record=record, in_force_at=at, trigger=trigger)
    return agreement_of(record)


# --- Admission and arrival conversation -------------------------------------------------------


@transaction.atomic
def stay_admit(
    *, acting: Acting, person: Person, admitted_at: datetime, treating_physician: str = ""
) -> InpatientStay:
    if acting.unit.kind != UnitKind.INPATIENT_WARD or acting.role not in access.WARD_ROLES:
        raise NotAllowed(_("Bara personal på en slutenvårdsavdelning kan skriva in patienter."))
    if admitted_at > timezone.now():
        raise DomainError(_("Inskrivningstiden kan inte ligga i framtiden."))
    if InpatientStay.objects.filter(person=person, status=StayStatus.OPEN).exists():
        raise DomainError(_("Personen har redan ett pågående vårdtillfälle."))
    record = agreement_record_for(admitted_at)
    stay = InpatientStay.objects.create(
        person=person,
        ward=acting.unit,
        agreement=record,
        admitted_at=admitted_at,
        treating_physician=treating_physician,
    )
    CaseAgreementVersion.objects.create(
        stay=stay, record=record, in_force_at=admitted_at, trigger=AgreementTrigger.ADMITTED
    )
    _ensure_party(stay, acting.unit, acting)
    _event(stay, CaseEventKind.ADMITTED, acting, acting.unit.name, at=admitted_at, obj=stay)
    return stay


@transaction.atomic
def arrival_conversation_record(
    *, acting: Acting, stay: InpatientStay, needs_judged_at: datetime | None = None, **fields: Any
) -> ArrivalConversation:
    """Document the ankomstsamtal; the planning category is derived (again) from its needs."""
    access.WARD_STEP.check(acting, stay)
    earlier = latest_conversation(stay)
    conversation = ArrivalConversation.objects.create(
        stay=stay, recorded_by=acting.user, recorded_at=timezone.now(), **fields
    )
    category = rules.derive_planning_category(needs_of(conversation)).value
    changed = ["planning_category"] if category != stay.planning_category else []
    judged = needs_judged_at is not None and needs_judged_at != stay.needs_judged_at
    if judged:
        assert needs_judged_at is not None
        if needs_judged_at < stay.admitted_at:
            raise DomainError(_("Bedömningen kan inte ligga före inskrivningen."))
        if needs_judged_at > timezone.now():
            raise DomainError(_("Bedömningen kan inte ligga i framtiden."))
        stay.needs_judged_at = needs_judged_at
        changed.append("needs_judged_at")
    notice_judged = conversation.admission_notice_needed and not (
        earlier is not None and earlier.admission_notice_needed
    )
    previous = stay.planning_category
    stay.planning_category = category
    _bump(stay, *changed)
    _freeze(stay, conversation.recorded_at, AgreementTrigger.ARRIVAL_CONVERSATION)
    if judged:
        assert stay.needs_judged_at is not None
        _freeze(stay, stay.needs_judged_at, AgreementTrigger.NEEDS_JUDGED)
    _event(stay, CaseEventKind.ARRIVAL_CONVERSATION, acting, obj=conversation)
    if judged or notice_judged:
        # 2:3: the physician's judgement of the need; the notice's 24 hours may run from it.
        at = stay.needs_judged_at if judged else conversation.recorded_at
        assert at is not None
        summary = (
            _("Bedömt %(at)s") % {"at": timezone.localtime(at).strftime("%Y-%m-%d %H:%M")}
            if judged
            else ""
        )
        if conversation.admission_notice_needed:
            summary = ". ".join(s for s in (summary, _("Inskrivningsmeddelande behövs")) if s)
        _event(
            stay,
            CaseEventKind.NEEDS_JUDGED,
            acting,
            summary,
            at=at,
            judged_at=at.isoformat(),
            admission_notice_needed=conversation.admission_notice_needed,
        )
    if previous != category:
        _event(
            stay,
            CaseEventKind.CATEGORY_CHANGED,
            acting,
            (
                _("Planeringskategori %(old)s → %(new)s") % {"old": previous, "new": category}
                if previous
                else _("Planeringskategori %(new)s") % {"new": category}
            ),
            previous=previous,
            category=category,
        )
    return conversation


# --- Messages and parties ---------------------------------------------------------------------


def _send(
    *,
    acting: Acting,
    stay: InpatientStay,
    kind: MessageKind,
    recipients: Iterable[Unit],
    body: str = "",
    payload: Mapping[str, Any] | None = None,
    label: str = "",
) -> Message:
    units = [u for u in dict.fromkeys(recipients) if u.pk != acting.unit.pk]
    if not units:
        raise DomainError(_("Välj minst en mottagare."))
    message = Message.objects.create(
        stay=stay,
        kind=kind,
        sender_unit=acting.unit,
        sender=acting.user,
        sent_at=timezone.now(),
        body=body,
        payload=dict(payload or {}),
    )
    MessageRecipient.objects.bulk_create(MessageRecipient(message=message, unit=u) for u in units)
    _freeze(stay, message.sent_at, kind.value)
    for unit in units:
        _ensure_party(stay, unit, acting)
    _event(
        stay,
        CaseEventKind.MESSAGE_SENT,
        acting,
        f"{label or message.get_kind_display()} → " + ", ".join(u.name for u in units),
        obj=message,
        message=message.pk,
        message_kind=kind.value,
    )
    return message


def _party_recipients(stay: InpatientStay, acting: Acting) -> list[Unit]:
    return [p.unit for p in _active_parties(stay) if p.unit_id != acting.unit.pk]


@transaction.atomic
def admission_notice_send(
    *,
    acting: Acting,
    stay: InpatientStay,
    recipients: Iterable[Unit],
    estimated_discharge: datetime,
    body: str = "",
) -> Message:
    """Inskrivningsmeddelande (2:1–2:2) with the legal content; the address never for a
    protected identity."""
    access.WARD_STEP.check(acting, stay)
    if latest_conversation(stay) is None:
        raise DomainError(_("Dokumentera ankomstsamtalet innan inskrivningsmeddelandet skickas."))
    if stay.planning_category == rules.PlanningCategory.A.value:
        raise DomainError(
            _(
                "Kategori A: patienten behöver inga insatser efter utskrivning och omfattas "
                "inte av lagen. Inget inskrivningsmeddelande skickas."
            )
        )
    if estimated_discharge < stay.admitted_at:
        raise DomainError(_("Beräknad utskrivning kan inte vara före inskrivningen."))
    person = stay.person
    message = _send(
        acting=acting,
        stay=stay,
        kind=MessageKind.ADMISSION_NOTICE,
        recipients=recipients,
        body=body,
        payload={
            "name": person.full_name,
            "identifier": person.display_identifier,
            "address": person.visible_address(),
            "protected_identity": person.protected_identity,
            "estimated_discharge": estimated_discharge.isoformat(),
            "planning_category": stay.planning_category,
        },
    )
    stay.estimated_discharge = estimated_discharge
    _bump(stay, "estimated_discharge")
    return message


@transaction.atomic
def message_acknowledge(
    *, acting: Acting, stay: InpatientStay, message: Message
) -> MessageRecipient:
    access.require_party(acting, stay)
    recipient = (
        MessageRecipient.objects.select_for_update()
        .filter(message=message, message__stay=stay, unit=acting.unit)
        .first()
    )
    if recipient is None:
        raise NotAllowed(_("Meddelandet är inte skickat till din enhet."))
    if message.is_withdrawn:
        raise DomainError(_("Meddelandet är makulerat och kan inte kvitteras."))
    if recipient.acknowledged_at is not None:
        return recipient
    recipient.acknowledged_at = timezone.now()
    recipient.acknowledged_by = acting.user
    recipient.read_at = recipient.read_at or recipient.acknowledged_at
    recipient.save(update_fields=["acknowledged_at", "acknowledged_by", "read_at"])
    _event(
        stay,
        CaseEventKind.MESSAGE_ACKNOWLEDGED,
        acting,
        f"{message.get_kind_display()} – {acting.unit.name}",
        message=message.pk,
    )
    return recipient


@transaction.atomic
def messages_mark_read(*, acting: Acting, stay: InpatientStay) -> int:
    """The acting unit opened the case: its delivered messages not yet read are read now.

    Reading is not a step of the process, so it writes no timeline event; the read time is kept
    per recipient (set once, never moved) and the access log says who read, for which unit.
    Returns how many messages were marked."""
    access.require_party(acting, stay)
    now = timezone.now()
    marked = MessageRecipient.objects.filter(
        message__stay=stay, unit=acting.unit, read_at__isnull=True
    ).update(read_at=now)
    if marked:
        log_access(
            actor=acting.actor,
            person=stay.person,
            action=AccessAction.UPDATE,
            purpose=AccessPurpose.CARE_COORDINATION,
            obj=stay,
            detail=ngettext("%(n)d meddelande läst", "%(n)d meddelanden lästa", marked)
            % {"n": marked},
        )
    return marked


@transaction.atomic
def message_withdraw(
    *, acting: Acting, stay: InpatientStay, message: Message, reason: str
) -> Message:
    """Makulera: the message stays visible, marked withdrawn with the reason."""
    access.require_party(acting, stay)
    if message.stay_id != stay.pk or message.sender_unit_id != acting.unit.pk:
        raise NotAllowed(_("Bara enheten som skickade meddelandet kan makulera det."))
    if not reason.strip():
        raise DomainError(_("Ange varför meddelandet makuleras."))
    if message.is_withdrawn:
        raise DomainError(_("Meddelandet är redan makulerat."))
    message.withdrawn_at = timezone.now()
    message.withdrawn_by = acting.user
    message.withdrawn_reason = reason.strip()
    message.save(update_fields=["withdrawn_at", "withdrawn_by", "withdrawn_reason"])
    if message.kind == MessageKind.READY_FOR_DISCHARGE:
        stay.ready_notice_sent_at = None
        _bump(stay, "ready_notice_sent_at")
    _event(
        stay,
        CaseEventKind.MESSAGE_WITHDRAWN,
        acting,
        f"{message.get_kind_display()}: {message.withdrawn_reason}",
        message=message.pk,
    )
    return message


@transaction.atomic
def general_message_send(*, acting: Acting, stay: InpatientStay, body: str) -> Message:
    access.PARTY_STEP.check(acting, stay)
    if not body.strip():
        raise DomainError(_("Skriv ett meddelande."))
    return _send(
        acting=acting,
        stay=stay,
        kind=MessageKind.GENERAL,
        recipients=_party_recipients(stay, acting),
        body=body.strip(),
    )


@transaction.atomic
def party_add(*, acting: Acting, stay: InpatientStay, unit: Unit) -> CaseParty:
    """Lägg till part: the new unit gets every notice already sent, to acknowledge."""
    access.WARD_STEP.check(acting, stay)
    party = _ensure_party(stay, unit, acting)
    _copy_notices_to(stay, unit)
    _event(stay, CaseEventKind.PARTY_ADDED, acting, unit.name, unit_added=unit.pk)
    return party


def _copy_notices_to(stay: InpatientStay, unit: Unit) -> None:
    messages = stay.messages.filter(withdrawn_at__isnull=True).exclude(recipients__unit=unit)
    MessageRecipient.objects.bulk_create(
        MessageRecipient(message=m, unit=unit) for m in messages.exclude(sender_unit=unit)
    )


@transaction.atomic
def party_forward(
    *, acting: Acting, stay: InpatientStay, to_unit: Unit, reason: str = ""
) -> CaseParty:
    """Vidaresänd within the municipality, e.g. needs assessment → home health care."""
    access.FORWARD.check(acting, stay)
    same_municipality = (
        acting.unit.organisation.kind == OrganisationKind.MUNICIPALITY
        and to_unit.organisation_id == acting.unit.organisation_id
    )
    if not same_municipality:
        raise NotAllowed(_("Ärenden kan bara vidaresändas till en enhet i samma kommun."))
    party = _ensure_party(stay, to_unit, acting, forwarded_from=acting.unit)
    _copy_notices_to(stay, to_unit)
    _event(stay, CaseEventKind.PARTY_FORWARDED, acting, f"→ {to_unit.name}. {reason}".strip())
    return party


@transaction.atomic
def party_mark_wrongly_addressed(*, acting: Acting, stay: InpatientStay, reason: str) -> CaseParty:
    """Felsänt: the unit leaves the case and stops seeing it; the ward is told why."""
    access.WRONGLY_ADDRESSED.check(acting, stay)
    if not reason.strip():
        raise DomainError(_("Ange varför ärendet är felsänt, t.ex. vilken enhet som är rätt."))
    party = CaseParty.objects.get(stay=stay, unit=acting.unit)
    party.status = PartyStatus.WRONGLY_ADDRESSED
    party.status_reason = reason.strip()
    party.save(update_fields=["status", "status_reason"])
    _event(stay, CaseEventKind.PARTY_WRONGLY_ADDRESSED, acting, f"{acting.unit.name}: {reason}")
    return party


# --- Planning ---------------------------------------------------------------------------------


@transaction.atomic
def planning_note_add(*, acting: Acting, stay: InpatientStay, text: str) -> PlanningNote:
    access.PARTY_STEP.check(acting, stay)
    if not text.strip():
        raise DomainError(_("Skriv en anteckning."))
    note = PlanningNote.objects.create(
        stay=stay, unit=acting.unit, author=acting.user, written_at=timezone.now(), text=text
    )
    _event(stay, CaseEventKind.PLANNING_NOTE, acting, acting.unit.name, obj=note)
    return note


@transaction.atomic
def assessment_answer(
    *, acting: Acting, stay: InpatientStay, answers: Mapping[str, Any]
) -> PlanningAssessment:
    access.PARTY_STEP.check(acting, stay)
    answered_at = timezone.now()
    # The colour model of the version in force when the answers are given.
    agreement = agreement_in_force(answered_at)
    try:
        colour = rules.assess_colour(answers, agreement)
    except (KeyError, ValueError) as error:
        raise DomainError(_("Planeringsunderlaget är inte fullständigt besvarat.")) from error
    _freeze(stay, answered_at, AgreementTrigger.ASSESSMENT)
    assessment = PlanningAssessment.objects.create(
        stay=stay,
        unit=acting.unit,
        answers=dict(answers),
        colour=colour,
        answered_at=answered_at,
        answered_by=acting.user,
    )
    _event(stay, CaseEventKind.ASSESSMENT_ANSWERED, acting, colour, obj=assessment, colour=colour)
    return assessment


@transaction.atomic
def colour_override(
    *, acting: Acting, stay: InpatientStay, colour: str, reason: str
) -> ColourOverride:
    """The FVK's judgement wins over the computed colour; it is recorded with a reason."""
    access.COLOUR_OVERRIDE.check(acting, stay)
    decided_at = timezone.now()
    agreement = agreement_in_force(decided_at)
    if colour not in rules.colour_codes(agreement):
        raise DomainError(_("Okänd färg."))
    if not reason.strip():
        raise DomainError(_("Motivera varför du gör en annan bedömning."))
    codes = rules.colour_codes(agreement)
    previous = rules.current_colour(colour_facts_of(stay, codes), agreement)
    if previous and rules.is_locked(previous, agreement) and previous != colour:
        raise DomainError(
            _("Enligt överenskommelsen får färgen %(colour)s inte ändras.") % {"colour": previous}
        )
    _freeze(stay, decided_at, AgreementTrigger.COLOUR_OVERRIDE)
    override = ColourOverride.objects.create(
        stay=stay,
        colour=colour,
        reason=reason.strip(),
        decided_at=decided_at,
        decided_by=acting.user,
        unit=acting.unit,
    )
    _event(stay, CaseEventKind.COLOUR_OVERRIDDEN, acting, f"{colour}: {reason}", obj=override)
    return override


@transaction.atomic
def estimated_discharge_change(
    *, acting: Acting, stay: InpatientStay, estimated_discharge: datetime, reason: str = ""
) -> Message:
    """2:4: every change is announced to all parties; the messages are the history."""
    access.WARD_STEP.check(acting, stay)
    if estimated_discharge < stay.admitted_at:
        raise DomainError(_("Beräknad utskrivning kan inte vara före inskrivningen."))
    previous = stay.estimated_discharge
    message = _send(
        acting=acting,
        stay=stay,
        kind=MessageKind.ESTIMATED_DISCHARGE_CHANGED,
        recipients=_party_recipients(stay, acting),
        body=reason,
        payload={
            "previous": previous.isoformat() if previous else None,
            "estimated_discharge": estimated_discharge.isoformat(),
        },
    )
    stay.estimated_discharge = estimated_discharge
    _bump(stay, "estimated_discharge")
    _event(
        stay,
        CaseEventKind.ESTIMATED_DISCHARGE_CHANGED,
        acting,
        timezone.localtime(estimated_discharge).strftime("%Y-%m-%d %H:%M"),
    )
    return message


@transaction.atomic
def care_contact_appoint(
    *,
    acting: Acting,
    stay: InpatientStay,
    existing: CareContact | None = None,
    name: str = "",
    title: str = "",
    phone: str = "",
    email: str = "",
) -> CareContact:
    """2:5: the head of the outpatient unit names the FVK; an existing FVK may continue."""
    access.CARE_CONTACT.check(acting, stay)
    if existing is not None:
        if existing.person_id != stay.person_id or existing.ended_on is not None:
            raise DomainError(_("Den fasta vårdkontakten finns inte för den här personen."))
        contact = existing
    else:
        if not name.strip():
            raise DomainError(_("Ange namnet på den fasta vårdkontakten."))
        contact = CareContact.objects.create(
            person=stay.person,
            role=CareContactRole.FAST_VARDKONTAKT,
            name=name.strip(),
            title=title,
            unit=acting.unit,
            phone=phone or acting.unit.phone,
            email=email or acting.unit.email,
            valid_from=timezone.localdate(),
            recorded_by=acting.user,
        )
    stay.care_contact = contact
    _bump(stay, "care_contact")
    _event(
        stay,
        CaseEventKind.CARE_CONTACT_APPOINTED,
        acting,
        f"{contact.name}, {contact.unit.name}",
        obj=contact,
    )
    return contact


@transaction.atomic
def ready_notice_send(
    *,
    acting: Acting,
    stay: InpatientStay,
    physician: str,
    body: str = "",
    compulsory_care: str = "",
    compulsory_care_label: str = "",
) -> Message:
    """3:1: underrättelse om utskrivningsklar. Its send time (to the minute) starts the clocks.

    ``compulsory_care`` (``lpt_7a`` / ``lrv_12a``, from :mod:`samplan.psychiatry`) marks it as the
    notice under LPT 7 a § / LRV 12 a § that counts as this one; ``compulsory_care_label`` names it
    so on the case timeline."""
    access.READY_NOTICE.check(acting, stay)
    requirements = requirements_of(stay)
    if not _has_admission_notice(stay) and requirements.ready_notice != rules.StepRule.REQUIRED:
        raise DomainError(
            _(
                "Inget inskrivningsmeddelande är skickat, så ingen underrättelse "
                "om utskrivningsklar behövs."
            )
        )
    if not physician.strip():
        raise DomainError(_("Ange vilken läkare som har bedömt patienten utskrivningsklar."))
    message = _send(
        acting=acting,
        stay=stay,
        kind=MessageKind.READY_FOR_DISCHARGE,
        recipients=_party_recipients(stay, acting),
        body=body,
        payload={"physician": physician.strip()}
        | ({"compulsory_care": compulsory_care} if compulsory_care else {}),
        label=compulsory_care_label,
    )
    stay.ready_notice_sent_at = message.sent_at
    _bump(stay, "ready_notice_sent_at")
    return message


def _has_admission_notice(stay: InpatientStay) -> bool:
    return stay.messages.filter(
        kind=MessageKind.ADMISSION_NOTICE, withdrawn_at__isnull=True
    ).exists()


@transaction.atomic
def unavailability_record(
    *, acting: Acting, stay: InpatientStay, starts_on: date, reason: str
) -> OutpatientUnavailability:
    """5:5: a period when regional outpatient insatser are missing or unclear."""
    access.UNAVAILABILITY.check(acting, stay)
    if not reason.strip():
        raise DomainError(_("Ange orsaken."))
    if stay.unavailability_periods.filter(ends_on__isnull=True).exists():
        raise DomainError(_("Det finns redan en pågående period. Avsluta den först."))
    period = OutpatientUnavailability.objects.create(
        stay=stay,
        starts_on=starts_on,
        reason=reason.strip(),
        recorded_by=acting.user,
        recorded_at=timezone.now(),
    )
    _event(
        stay, CaseEventKind.UNAVAILABILITY_RECORDED, acting, f"{starts_on}: {reason}", obj=period
    )
    return period


@transaction.atomic
def unavailability_end(
    *, acting: Acting, stay: InpatientStay, period: OutpatientUnavailability, ends_on: date
) -> OutpatientUnavailability:
    """The 5:5 period ends; the same units as record it, while the case is open."""
    access.UNAVAILABILITY.check(acting, stay)
    if period.stay_id != stay.pk or period.ends_on is not None:
        raise DomainError(_("Perioden är redan avslutad."))
    if ends_on < period.starts_on:
        raise DomainError(_("Slutdatumet kan inte vara före startdatumet."))
    period.ends_on = ends_on
    period.save(update_fields=["ends_on"])
    _event(stay, CaseEventKind.UNAVAILABILITY_ENDED, acting, str(ends_on))
    return period


# --- SIP invitation, discharge ----------------------------------------------------------------


@transaction.atomic
def sip_invitation_send(
    *,
    acting: Acting,
    stay: InpatientStay,
    meeting_at: datetime,
    place_kind: str,
    location: str,
    invitees: Iterable[Unit],
    body: str = "",
) -> Message:
    """4:1/4:3: kallelse till SIP by the FVK, within the agreement's days of the ready notice.

    The SIP meeting is often held after discharge (4:1), so the kallelse may follow it."""
    access.SIP_INVITATION.check(acting, stay)
    requirements = requirements_of(stay)
    if not requirements.sip_required:
        raise DomainError(_("Kategori %(c)s kräver ingen SIP.") % {"c": stay.planning_category})
    if place_kind not in rules.MEETING_PLACES:
        raise DomainError(_("Välj var mötet hålls."))
    refusal = location_refusal(
        place_kind=place_kind, location=location, protected_identity=stay.person.protected_identity
    )
    if refusal:
        raise DomainError(refusal)
    message = _send(
        acting=acting,
        stay=stay,
        kind=MessageKind.SIP_INVITATION,
        recipients=invitees,
        body=body,
        payload={
            "meeting_at": meeting_at.isoformat(),
            "place_kind": place_kind,
            "location": location.strip(),
        },
    )
    # The written plan is due counted from the meeting, under the version in force then.
    # No version published yet for the meeting's date: the kallelse's version judges it.
    with contextlib.suppress(NoVersionInForce):
        _freeze(stay, meeting_at, AgreementTrigger.SIP_MEETING)
    return message


def sip_invitation_owed(*, acting: Acting, stay: InpatientStay) -> bool:
    """Whether the case still waits for its kallelse till SIP and ``acting`` would send it now:
    the FVK's unit, a case open or discharged whose category requires a SIP, and no kallelse
    sent yet (a withdrawn one does not count). A SIP continuing the case calls its first meeting
    through :func:`sip_invitation_send` then (:func:`samplan.sip.services.meeting_invite`)."""
    return (
        access.SIP_INVITATION.allows(acting, stay)
        and requirements_of(stay).sip_required
        and not stay.messages.filter(
            kind=MessageKind.SIP_INVITATION, withdrawn_at__isnull=True
        ).exists()
    )


@transaction.atomic
def checklist_mark(
    *, acting: Acting, stay: InpatientStay, checklist: ChecklistKind, item: str, note: str = ""
) -> ChecklistMark:
    # Information still owed at discharge must be sendable, and recorded, after it.
    if checklist == ChecklistKind.INFORMATION_TRANSFER:
        access.WARD_FOLLOW_UP.check(acting, stay)
    else:
        access.WARD_STEP.check(acting, stay)
    if item not in checklist_items(stay, checklist):
        raise DomainError(_("Okänd punkt i checklistan."))
    question = note_question(stay, checklist, item)
    if question and not note.strip():
        raise DomainError(_("Svara på frågan: %(question)s") % {"question": question})
    mark, created = ChecklistMark.objects.get_or_create(
        stay=stay,
        checklist=checklist,
        item=item,
        defaults={
            "note": note.strip()[:300],
            "checked_at": timezone.now(),
            "checked_by": acting.user,
        },
    )
    if created:
        label = checklist_items(stay, checklist)[item]
        _event(stay, CaseEventKind.CHECKLIST_MARKED, acting, str(label), obj=mark, item=item)
    return mark


def note_question(stay: InpatientStay, checklist: ChecklistKind, item: str) -> str:
    """The question the agreement asks with an information-transfer item ("" for none)."""
    if checklist != ChecklistKind.INFORMATION_TRANSFER:
        return ""
    agreement = checklist_agreement(stay, timeline_of(stay))
    return next((i.note_label for i in agreement.information_transfer if i.id == item), "")


def checklist_items(stay: InpatientStay, checklist: ChecklistKind) -> dict[str, str]:
    """Item id → text of a checklist, as the agreement version the case follows for it
    defines it."""
    agreement = checklist_agreement(stay, timeline_of(stay))
    if checklist == ChecklistKind.INFORMATION_TRANSFER:
        return {item.id: item.text for item in agreement.information_transfer}
    return rules.home_ready_items(agreement)


@transaction.atomic
def written_plan_given_record(
    *, acting: Acting, stay: InpatientStay, given_at: datetime
) -> InpatientStay:
    """The FVK records when the person got the written plan from the SIP meeting (4:3)."""
    access.WRITTEN_PLAN.check(acting, stay)
    if given_at > timezone.now():
        raise DomainError(_("Tidpunkten kan inte ligga i framtiden."))
    stay.written_plan_given_at = given_at
    _bump(stay, "written_plan_given_at")
    _event(stay, CaseEventKind.WRITTEN_PLAN_GIVEN, acting, given_at=given_at.isoformat())
    return stay


@transaction.atomic
def care_summary_write(*, acting: Acting, stay: InpatientStay, text: str) -> InpatientStay:
    """The plain-language summary for the patient's discharge letter; each version is an event."""
    access.WARD_STEP.check(acting, stay)
    stay.care_summary = text.strip()
    _bump(stay, "care_summary")
    _event(stay, CaseEventKind.CARE_SUMMARY_WRITTEN, acting, text=stay.care_summary)
    return stay


@transaction.atomic
def discharge_notice_send(
    *, acting: Acting, stay: InpatientStay, discharged_at: datetime, body: str = ""
) -> Message:
    """Utskrivningsmeddelande the same day the patient leaves; closes the case."""
    access.WARD_STEP.check(acting, stay)
    if discharged_at < stay.admitted_at or discharged_at > timezone.now():
        raise DomainError(_("Utskrivningstiden måste ligga mellan inskrivningen och nu."))
    message = _send(
        acting=acting,
        stay=stay,
        kind=MessageKind.DISCHARGE_NOTICE,
        recipients=_party_recipients(stay, acting),
        body=body,
        payload={"discharged_at": discharged_at.isoformat()},
    )
    stay.status = StayStatus.DISCHARGED
    stay.discharged_at = discharged_at
    _bump(stay, "status", "discharged_at")
    agreement = _freeze(stay, discharged_at, AgreementTrigger.DISCHARGED)
    # The discharge may be recorded afterwards; the notice keeps the time it was really sent.
    late = message.sent_at > rules.discharge_notice_due(discharged_at, agreement)
    summary = (
        _("Utskrivningsmeddelandet skickades %(sent)s, efter utskrivningsdagen.")
        % {"sent": timezone.localtime(message.sent_at).strftime("%Y-%m-%d %H:%M")}
        if late
        else ""
    )
    _event(stay, CaseEventKind.DISCHARGED, acting, summary, at=discharged_at, notice_late=late)
    return message


@transaction.atomic
def stay_interrupt(
    *, acting: Acting, stay: InpatientStay, kind: InterruptionKind, reason: str = ""
) -> InpatientStay:
    """Avbrott: the process ends (death, transfer, cancelled, declined); parties are told."""
    access.WARD_STEP.check(acting, stay)
    recipients = _party_recipients(stay, acting)
    if recipients:
        _send(
            acting=acting,
            stay=stay,
            kind=MessageKind.GENERAL,
            recipients=recipients,
            body=f"{_('Processen är avbruten')}: {kind.label}. {reason}".strip(),
            payload={"interruption": kind.value},
        )
    stay.status = StayStatus.INTERRUPTED
    _bump(stay, "status")
    _event(
        stay,
        CaseEventKind.INTERRUPTED,
        acting,
        f"{kind.label}. {reason}".strip(),
        interruption=kind.value,
    )
    return stay
