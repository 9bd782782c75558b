"""The discharge case (vårdtillfälle) and everything that happens in it, as append-only records.

Current state (category, estimated discharge, status) is cached on :class:`InpatientStay` for the
work lists' indexes; it is always written by the same service, in the same transaction, as the
event that changed it. Nothing a user sent is deleted or edited: a message is withdrawn
(makulerad) with a reason, a recipient is marked wrongly addressed, an answer is superseded by a
newer answer.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from samplan.core.records import AppendOnly, TimelineEventBase


class StayStatus(models.TextChoices):
    OPEN = "open", _("Pågående")
    DISCHARGED = "discharged", _("Utskriven")
    INTERRUPTED = "interrupted", _("Avbruten")


class InpatientStay(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="stays")
    ward = models.ForeignKey(
        "directory.Unit",
        on_delete=models.PROTECT,
        related_name="stays",
        verbose_name=_("avdelning"),
    )
    agreement = models.ForeignKey(
        "agreements.AgreementVersionRecord", on_delete=models.PROTECT, related_name="stays"
    )
    admitted_at = models.DateTimeField(_("inskriven"))
    treating_physician = models.CharField(_("behandlande läkare"), max_length=200, blank=True)
    # The moment the physician judged the need for insatser after discharge (2:3), if later
    # than admission: the 24-hour deadline for the inskrivningsmeddelande runs from it.
    needs_judged_at = models.DateTimeField(_("behov bedömt"), null=True, blank=True)
    # Cached current state, maintained by services together with the event that changes it.
    status = models.CharField(max_length=20, choices=StayStatus.choices, default=StayStatus.OPEN)
    planning_category = models.CharField(_("planeringskategori"), max_length=4, blank=True)
    estimated_discharge = models.DateTimeField(_("beräknad utskrivning"), null=True, blank=True)
    ready_notice_sent_at = models.DateTimeField(null=True, blank=True)
    discharged_at = models.DateTimeField(_("utskriven"), null=True, blank=True)
    written_plan_given_at = models.DateTimeField(_("skriftlig plan lämnad"), null=True, blank=True)
    care_contact = models.ForeignKey(
        "people.CareContact",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("fast vårdkontakt"),
    )
    care_summary = models.TextField(_("sammanfattning av vården"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    version = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("vårdtillfälle")
        verbose_name_plural = _("vårdtillfällen")
        indexes = [models.Index(fields=["ward", "status"]), models.Index(fields=["status"])]

    def __str__(self) -> str:
        return f"{self.person} – {self.ward} ({self.admitted_at:%Y-%m-%d})"

    @property
    def is_open(self) -> bool:
        return self.status == StayStatus.OPEN

    @property
    def takes_follow_up(self) -> bool:
        """Open or discharged: what the law ties to the discharge day or after it (information
        transfer, the SIP kallelse, the written plan) can still be done; not when interrupted."""
        return self.status in (StayStatus.OPEN, StayStatus.DISCHARGED)


class PartyStatus(models.TextChoices):
    ACTIVE = "active", _("Berörd")
    WRONGLY_ADDRESSED = "wrongly_addressed", _("Felsänd")


class CaseParty(models.Model):
    """A unit taking part in the case (berörd enhet). Only active parties see the case."""

    stay = models.ForeignKey(InpatientStay, on_delete=models.PROTECT, related_name="parties")
    unit = models.ForeignKey("directory.Unit", on_delete=models.PROTECT, related_name="+")
    status = models.CharField(
        max_length=20, choices=PartyStatus.choices, default=PartyStatus.ACTIVE
    )
    added_at = models.DateTimeField()
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    forwarded_from = models.ForeignKey(
        "directory.Unit", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    status_reason = models.CharField(max_length=300, blank=True)

    class Meta:
        verbose_name = _("berörd enhet")
        verbose_name_plural = _("berörda enheter")
        constraints = [models.UniqueConstraint(fields=["stay", "unit"], name="unique_case_party")]
        indexes = [models.Index(fields=["unit", "status"])]

    def __str__(self) -> str:
        return f"{self.unit} i {self.stay_id}"


class ArrivalConversation(models.Model):
    """Ankomstsamtal. A correction is a new record; the latest one counts."""

    stay = models.ForeignKey(
        InpatientStay, on_delete=models.PROTECT, related_name="arrival_conversations"
    )
    held_at = models.DateTimeField(_("samtalet hölls"))
    participants = models.CharField(_("deltagare"), max_length=300)
    # Insatser known before admission.
    had_home_help = models.BooleanField(_("hemtjänst före inskrivning"), default=False)
    had_home_health_care = models.BooleanField(_("hemsjukvård före inskrivning"), default=False)
    had_special_housing = models.BooleanField(_("särskilt boende före inskrivning"), default=False)
    has_existing_sip = models.BooleanField(_("har redan en SIP"), default=False)
    # Plans the patient already has, named in the letter at discharge (patientlagen 3 kap.).
    has_care_plan = models.BooleanField(_("har en vårdplan"), default=False)
    has_implementation_plan = models.BooleanField(
        _("har en genomförandeplan från socialtjänsten"), default=False
    )
    has_existing_care_contact = models.BooleanField(_("har redan fast vårdkontakt"), default=False)
    # Expected needs after discharge: the planning category is derived from these.
    needs_regional_outpatient = models.BooleanField(_("regionens öppna vård"), default=False)
    needs_social_services = models.BooleanField(_("socialtjänst"), default=False)
    needs_municipal_health_care = models.BooleanField(
        _("kommunal hälso- och sjukvård"), default=False
    )
    needs_special_housing = models.BooleanField(
        _("socialtjänst inkl. kommunal hälso- och sjukvård (t.ex. särskilt boende)"),
        default=False,
    )
    # Category B (only regional outpatient care): the inskrivningsmeddelande is sent if the
    # physician judges it needed (SPEC §3.1); then it is due like any other.
    admission_notice_needed = models.BooleanField(
        _("läkaren bedömer att inskrivningsmeddelande behövs"), default=False
    )
    patient_wishes = models.TextField(_("patientens egna önskemål"), blank=True)
    brochure_given = models.BooleanField(_("informationsbroschyr lämnad"), default=False)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField()

    class Meta:
        verbose_name = _("ankomstsamtal")
        verbose_name_plural = _("ankomstsamtal")
        ordering = ["recorded_at", "id"]

    def __str__(self) -> str:
        return f"Ankomstsamtal {self.held_at:%Y-%m-%d}"


class MessageKind(models.TextChoices):
    ADMISSION_NOTICE = "admission_notice", _("Inskrivningsmeddelande")
    ESTIMATED_DISCHARGE_CHANGED = "estimated_discharge", _("Ändrad beräknad utskrivning")
    READY_FOR_DISCHARGE = "ready_for_discharge", _("Underrättelse om utskrivningsklar")
    SIP_INVITATION = "sip_invitation", _("Kallelse till SIP")
    DISCHARGE_NOTICE = "discharge_notice", _("Utskrivningsmeddelande")
    GENERAL = "general", _("Generellt meddelande")


class Message(models.Model):
    """A notice or message to the case's parties. Never edited; withdrawn with a reason."""

    stay = models.ForeignKey(InpatientStay, on_delete=models.PROTECT, related_name="messages")
    kind = models.CharField(max_length=30, choices=MessageKind.choices)
    sender_unit = models.ForeignKey("directory.Unit", on_delete=models.PROTECT, related_name="+")
    sender = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    sent_at = models.DateTimeField()
    body = models.TextField(blank=True)
    # Structured content per kind, e.g. estimated discharge, meeting time and place.
    payload = models.JSONField(default=dict, blank=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    withdrawn_reason = models.CharField(max_length=300, blank=True)

    class Meta:
        verbose_name = _("meddelande")
        verbose_name_plural = _("meddelanden")
        ordering = ["sent_at", "id"]
        indexes = [models.Index(fields=["stay", "kind"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.sent_at:%Y-%m-%d %H:%M}"

    @property
    def is_withdrawn(self) -> bool:
        return self.withdrawn_at is not None


class MessageRecipient(models.Model):
    """One unit's copy of a message, with its own kvittens."""

    message = models.ForeignKey(Message, on_delete=models.PROTECT, related_name="recipients")
    unit = models.ForeignKey("directory.Unit", on_delete=models.PROTECT, related_name="+")
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("mottagare")
        verbose_name_plural = _("mottagare")
        constraints = [
            models.UniqueConstraint(fields=["message", "unit"], name="unique_message_recipient")
        ]
        indexes = [models.Index(fields=["unit", "acknowledged_at"])]

    def __str__(self) -> str:
        return f"{self.unit} – {self.message}"


class PlanningAssessment(models.Model):
    """One party's answers to the agreement's planning questions; the newest per unit counts."""

    stay = models.ForeignKey(InpatientStay, on_delete=models.PROTECT, related_name="assessments")
    unit = models.ForeignKey("directory.Unit", on_delete=models.PROTECT, related_name="+")
    answers = models.JSONField()
    colour = models.CharField(max_length=20)
    answered_at = models.DateTimeField()
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("planeringsunderlag")
        verbose_name_plural = _("planeringsunderlag")
        ordering = ["answered_at", "id"]

    def __str__(self) -> str:
        return f"{self.unit}: {self.colour}"


class ColourOverride(models.Model):
    """The FVK's own judgement of the colour, which always wins over the computed one."""

    stay = models.ForeignKey(InpatientStay, on_delete=models.PROTECT, related_name="overrides")
    colour = models.CharField(max_length=20)
    reason = models.CharField(_("motivering"), max_length=500)
    decided_at = models.DateTimeField()
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    unit = models.ForeignKey("directory.Unit", on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["decided_at", "id"]

    def __str__(self) -> str:
        return self.colour


class PlanningNote(models.Model):
    """Löpande planering: a party's own running notes. Staff-internal, never in the portal."""

    stay = models.ForeignKey(InpatientStay, on_delete=models.PROTECT, related_name="notes")
    unit = models.ForeignKey("directory.Unit", on_delete=models.PROTECT, related_name="+")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    written_at = models.DateTimeField()
    text = models.TextField(_("anteckning"))

    class Meta:
        ordering = ["written_at", "id"]

    def __str__(self) -> str:
        return f"Anteckning {self.written_at:%Y-%m-%d}"


class OutpatientUnavailability(models.Model):
    """A 5:5 period: the patient cannot leave because regional outpatient insatser are missing.

    No payment liability accrues during it. Ending a period is a new fact (``ended_on``), set once.
    """

    stay = models.ForeignKey(
        InpatientStay, on_delete=models.PROTECT, related_name="unavailability_periods"
    )
    starts_on = models.DateField(_("från och med"))
    ends_on = models.DateField(_("till och med"), null=True, blank=True)
    reason = models.CharField(_("orsak"), max_length=500)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["starts_on", "id"]

    def __str__(self) -> str:
        return f"{self.starts_on}–{self.ends_on or ''}"


class ChecklistKind(models.TextChoices):
    INFORMATION_TRANSFER = "information_transfer", _("Informationsöverföring")
    HOME_READY = "home_ready", _("Hemgångsklar")


class ChecklistMark(models.Model):
    """One checked item of the information-transfer or Hemgångsklar checklist."""

    stay = models.ForeignKey(InpatientStay, on_delete=models.PROTECT, related_name="checklist")
    checklist = models.CharField(max_length=30, choices=ChecklistKind.choices)
    item = models.CharField(max_length=60)
    note = models.CharField(max_length=300, blank=True)
    checked_at = models.DateTimeField()
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["checked_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["stay", "checklist", "item"], name="unique_checklist_mark"
            )
        ]

    def __str__(self) -> str:
        return f"{self.checklist}:{self.item}"


class InterruptionKind(models.TextChoices):
    DIED = "died", _("Patienten har avlidit")
    TRANSFERRED = "transferred", _("Flyttad till annat sjukhus")
    CANCELLED = "cancelled", _("Utskrivningen är inställd")
    DECLINED = "declined", _("Patienten har avböjt insatser")


class CaseEventKind(models.TextChoices):
    ADMITTED = "admitted", _("Inskriven")
    ARRIVAL_CONVERSATION = "arrival_conversation", _("Ankomstsamtal dokumenterat")
    CATEGORY_CHANGED = "category_changed", _("Planeringskategori ändrad")
    NEEDS_JUDGED = "needs_judged", _("Läkaren har bedömt behov av insatser")
    MESSAGE_SENT = "message_sent", _("Meddelande skickat")
    MESSAGE_ACKNOWLEDGED = "message_acknowledged", _("Kvitterat")
    MESSAGE_WITHDRAWN = "message_withdrawn", _("Meddelande makulerat")
    PARTY_ADDED = "party_added", _("Enhet tillagd")
    PARTY_FORWARDED = "party_forwarded", _("Vidaresänt")
    PARTY_WRONGLY_ADDRESSED = "party_wrongly_addressed", _("Markerat som felsänt")
    PLANNING_NOTE = "planning_note", _("Löpande planering")
    ASSESSMENT_ANSWERED = "assessment_answered", _("Planeringsunderlag besvarat")
    COLOUR_OVERRIDDEN = "colour_overridden", _("Färg ändrad av fast vårdkontakt")
    ESTIMATED_DISCHARGE_CHANGED = "estimated_discharge_changed", _("Beräknad utskrivning ändrad")
    CARE_CONTACT_APPOINTED = "care_contact_appointed", _("Fast vårdkontakt utsedd")
    UNAVAILABILITY_RECORDED = "unavailability_recorded", _("Öppenvårdsinsatser saknas (5:5)")
    UNAVAILABILITY_ENDED = "unavailability_ended", _("Öppenvårdsinsatser finns igen")
    CHECKLIST_MARKED = "checklist_marked", _("Checklistpunkt klar")
    CARE_SUMMARY_WRITTEN = "care_summary_written", _("Sammanfattning till patienten skriven")
    DISCHARGED = "discharged", _("Utskriven")
    WRITTEN_PLAN_GIVEN = "written_plan_given", _("Skriftlig plan lämnad till personen")
    INTERRUPTED = "interrupted", _("Processen avbruten")
    PERSON_IMPORTANT = "person_important", _("Vad som är viktigt för personen (Min plan)")
    PERSON_MEETING_WISH = "person_meeting_wish", _("Personens önskemål om mötet (Min plan)")


class CaseEvent(TimelineEventBase):
    """The case timeline: who, for which unit, did what and when. Append-only."""

    stay = models.ForeignKey(InpatientStay, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(max_length=40, choices=CaseEventKind.choices)

    class Meta(TimelineEventBase.Meta):
        indexes = [models.Index(fields=["stay", "at"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.at:%Y-%m-%d %H:%M}"


class AgreementTrigger(models.TextChoices):
    """The event a frozen agreement version was judged in force for (message kinds keep their
    own values)."""

    ADMITTED = "admitted", _("inskrivning")
    NEEDS_JUDGED = "needs_judged", _("läkarens bedömning")
    ARRIVAL_CONVERSATION = "arrival_conversation", _("ankomstsamtal")
    ADMISSION_NOTICE = "admission_notice", _("inskrivningsmeddelande")
    ESTIMATED_DISCHARGE_CHANGED = "estimated_discharge", _("ändrad beräknad utskrivning")
    READY_FOR_DISCHARGE = "ready_for_discharge", _("underrättelse om utskrivningsklar")
    SIP_INVITATION = "sip_invitation", _("kallelse till SIP")
    SIP_MEETING = "sip_meeting", _("SIP-mötet")
    DISCHARGE_NOTICE = "discharge_notice", _("utskrivningsmeddelande")
    GENERAL = "general", _("generellt meddelande")
    ASSESSMENT = "assessment", _("planeringsunderlag")
    COLOUR_OVERRIDE = "colour_override", _("färg ändrad av fast vårdkontakt")
    DISCHARGED = "discharged", _("utskrivning")


class CaseAgreementVersion(models.Model):
    """The agreement version in force at one event of the case, frozen when the event was
    recorded (by content hash, :class:`~samplan.agreements.models.AgreementVersionRecord`).

    The rules judge each deadline by the version frozen for the event that triggers it, so a
    version published, or a file edited, later never changes what was already recorded.
    One row per event moment, written by the services and never changed by them (not an
    :class:`AppendOnly` record only because the demo county lays its cases out in the past by
    moving their timestamps, these included)."""

    stay = models.ForeignKey(
        InpatientStay, on_delete=models.PROTECT, related_name="agreement_versions"
    )
    record = models.ForeignKey(
        "agreements.AgreementVersionRecord", on_delete=models.PROTECT, related_name="+"
    )
    in_force_at = models.DateTimeField()
    trigger = models.CharField(max_length=40, choices=AgreementTrigger.choices)
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["in_force_at", "id"]
        indexes = [models.Index(fields=["stay", "in_force_at"])]

    def __str__(self) -> str:
        return f"{self.record_id} @ {self.in_force_at:%Y-%m-%d %H:%M}"


class StatementKind(models.TextChoices):
    IMPORTANT = "important", _("Vad är viktigt för mig")
    MEETING_WISH = "meeting_wish", _("Önskemål om mötet")


class StatementAuthor(models.TextChoices):
    """Who wrote it in Min plan (values as ``sip.models.AuthorKind``)."""

    PERSON = "person", _("Personen själv")
    RELATIVE = "relative", _("Företrädare")


class PersonStatement(AppendOnly):
    """What the person, or a representative for them, wrote in Min plan during the stay: what
    matters to them ("vad är viktigt för mig"), or wishes for the SIP meeting (time, place, who
    should attend). Written once, never changed or deleted; staff see it on the case page, and a
    SIP started from the stay takes it into its preparation."""

    stay = models.ForeignKey(
        InpatientStay, on_delete=models.PROTECT, related_name="person_statements"
    )
    kind = models.CharField(_("typ"), max_length=20, choices=StatementKind.choices)
    text = models.TextField(_("text"))
    place_kind = models.CharField(_("önskad plats"), max_length=20, blank=True)
    author_kind = models.CharField(_("skriven av"), max_length=20, choices=StatementAuthor.choices)
    author_name = models.CharField(_("namn"), max_length=200)
    representative = models.ForeignKey(
        "people.Representative",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("som företrädare"),
    )
    written_at = models.DateTimeField(_("skriven"))

    class Meta:
        verbose_name = _("personens egna ord")
        verbose_name_plural = _("personens egna ord")
        ordering = ["written_at", "id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.written_at:%Y-%m-%d}"
