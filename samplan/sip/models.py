"""The SIP process (samordnad individuell planering) and its plan, as append-only records.

What was said and decided is never edited or deleted: consent is given and withdrawn by new
events, a participant leaves by a recorded removal with a reason, minutes are corrected by newer
minutes, an action's progress is a new event, and an established plan version is immutable.
:class:`AppendOnly` models refuse ``save`` of an existing row, ``delete`` and queryset
``update``/``delete``; their tables – and who was called to a meeting and who attended it,
kept as explicit append-only rows (:class:`MeetingInvitee`, :class:`MeetingAttendee`) – refuse
raw SQL ``UPDATE`` and ``DELETE`` too, by triggers on PostgreSQL and SQLite alike
(:mod:`samplan.core.append_only`). Only the working draft changes, under optimistic
versioning, and every saved revision of it is kept.

Current state (status, need level, lead unit) is cached on :class:`SipProcess`, always written by
the service that records the event changing it, in the same transaction.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# The append-only base lives in core (shared with the psychiatric SVPL); re-exported here.
from samplan.core.records import (  # noqa: F401
    AppendOnly,
    AppendOnlyError,
    AppendOnlyQuerySet,
    DraftRevisionBase,
    EstablishedVersionBase,
    TimelineEventBase,
)
from samplan.discharge.rules import MEETING_PLACES


class NeedLevel(models.TextChoices):
    """Behovsstyrd SIP (SPEC §4). Values as :class:`samplan.sip.rules.NeedLevel`."""

    NONE = "none", _("Ingen SIP behövs")
    INTERNAL = "internal", _("Intern samordning inom en organisation")
    SHORT = "short", _("Kortvarig SIP mellan två parter")
    OVER_TIME = "over_time", _("SIP som process över tid")


class ProcessStatus(models.TextChoices):
    PREPARING = "preparing", _("Förberedelse")
    ESTABLISHED = "established", _("Plan fastställd")
    FOLLOW_UP = "follow_up", _("Uppföljning")
    CLOSED = "closed", _("Avslutad")


class CloseReason(models.TextChoices):
    GOALS_REACHED = "goals_reached", _("Målen är uppnådda")
    NO_LONGER_NEEDED = "no_longer_needed", _("Samordning behövs inte längre")
    DECLINED = "declined", _("Personen vill inte längre ha en SIP")
    MOVED = "moved", _("Personen har flyttat")
    DIED = "died", _("Personen har avlidit")
    OTHER = "other", _("Annat skäl")


class SipProcess(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="sips")
    started_by_unit = models.ForeignKey(
        "directory.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("startad av")
    )
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    started_at = models.DateTimeField(_("startad"))
    origin_stay = models.ForeignKey(
        "discharge.InpatientStay",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="sips",
        verbose_name=_("från vårdtillfälle"),
    )
    agreement = models.ForeignKey(
        "agreements.AgreementVersionRecord", on_delete=models.PROTECT, related_name="sips"
    )
    reason = models.TextField(_("varför en SIP behövs"), blank=True)
    # Cached current state, maintained by services together with the event that changes it.
    need_level = models.CharField(
        _("behovsnivå"), max_length=20, choices=NeedLevel.choices, blank=True
    )
    lead_unit = models.ForeignKey(
        "directory.Unit",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("övergripande ansvar"),
    )
    status = models.CharField(
        _("status"), max_length=20, choices=ProcessStatus.choices, default=ProcessStatus.PREPARING
    )
    closed_at = models.DateTimeField(_("avslutad"), null=True, blank=True)
    close_reason = models.CharField(
        _("skäl för avslut"), max_length=30, choices=CloseReason.choices, blank=True
    )
    close_note = models.CharField(_("kommentar till avslut"), max_length=500, blank=True)
    version = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("SIP-process")
        verbose_name_plural = _("SIP-processer")
        indexes = [models.Index(fields=["status"]), models.Index(fields=["person", "status"])]

    def __str__(self) -> str:
        return f"SIP {self.person} ({self.started_at:%Y-%m-%d})"

    @property
    def is_open(self) -> bool:
        return self.status != ProcessStatus.CLOSED


class ParticipantKind(models.TextChoices):
    UNIT = "unit", _("Enhet")
    STAFF = "staff", _("Namngiven medarbetare")
    RELATIVE = "relative", _("Närstående")
    EXTERNAL = "external", _("Extern aktör")


class ExternalKind(models.TextChoices):
    SCHOOL = "school", _("Skola")
    SOCIAL_INSURANCE = "social_insurance", _("Försäkringskassan")
    EMPLOYMENT_SERVICE = "employment_service", _("Arbetsförmedlingen")
    OTHER = "other", _("Annan")


class SipParticipant(models.Model):
    """Someone taking part: a unit, a named staff member of a unit (with or without mandate to
    decide on insatser), a relative, or an external actor entered as free text.

    A participant is never deleted; leaving is recorded (``removed_*``) with a reason. Units of
    active ``unit`` and ``staff`` participants see the process (consent permitting)."""

    process = models.ForeignKey(SipProcess, on_delete=models.PROTECT, related_name="participants")
    kind = models.CharField(_("typ"), max_length=20, choices=ParticipantKind.choices)
    unit = models.ForeignKey(
        "directory.Unit", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    name = models.CharField(_("namn"), max_length=200, blank=True)
    title = models.CharField(_("roll/titel"), max_length=200, blank=True)
    organisation = models.CharField(_("organisation"), max_length=200, blank=True)
    external_kind = models.CharField(
        _("typ av aktör"), max_length=30, choices=ExternalKind.choices, blank=True
    )
    has_mandate = models.BooleanField(_("har mandat att besluta om insatser"), default=False)
    phone = models.CharField(_("telefon"), max_length=30, blank=True)
    email = models.EmailField(_("e-post"), blank=True)
    added_at = models.DateTimeField()
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    removed_at = models.DateTimeField(null=True, blank=True)
    removed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    removed_reason = models.CharField(max_length=300, blank=True)

    class Meta:
        verbose_name = _("deltagare")
        verbose_name_plural = _("deltagare")
        ordering = ["added_at", "id"]
        indexes = [models.Index(fields=["unit", "removed_at"])]

    def __str__(self) -> str:
        return self.display_name

    @property
    def is_active(self) -> bool:
        return self.removed_at is None

    @property
    def display_name(self) -> str:
        if self.kind == ParticipantKind.UNIT and self.unit is not None:
            return self.name or self.unit.name
        parts = [self.name or "", self.title]
        where = self.unit.name if self.unit is not None else self.organisation
        text = ", ".join(p for p in parts if p)
        return f"{text} ({where})" if where and text else text or where


class ConsentGiver(models.TextChoices):
    PERSON = "person", _("Personen själv")
    GUARDIAN = "guardian", _("Vårdnadshavare")
    REPRESENTATIVE = "representative", _("Företrädare (god man, förvaltare, fullmakt)")


class ConsentForm(models.TextChoices):
    ORAL = "oral", _("Muntligt")
    WRITTEN = "written", _("Skriftligt")


class ConsentEvent(AppendOnly):
    """Samtycke given or withdrawn. Never changed: a withdrawal is a new event."""

    process = models.ForeignKey(SipProcess, on_delete=models.PROTECT, related_name="consents")
    given = models.BooleanField(_("lämnat"), help_text=_("Falskt: samtycket återkallas."))
    giver = models.CharField(_("lämnat av"), max_length=20, choices=ConsentGiver.choices)
    giver_name = models.CharField(_("namn"), max_length=200, blank=True)
    form = models.CharField(_("form"), max_length=10, choices=ConsentForm.choices)
    scope = models.TextField(_("omfattning"), blank=True)
    on = models.DateField(_("datum"))
    note = models.CharField(_("kommentar"), max_length=500, blank=True)
    # Empty when the person or their representative gave or withdrew it themselves in Min plan.
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    recorded_unit = models.ForeignKey(
        "directory.Unit", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    recorded_at = models.DateTimeField()

    class Meta:
        verbose_name = _("samtycke")
        verbose_name_plural = _("samtycken")
        ordering = ["on", "recorded_at", "id"]

    def __str__(self) -> str:
        return f"{'Samtycke' if self.given else 'Återkallat'} {self.on:%Y-%m-%d}"


class AuthorKind(models.TextChoices):
    STAFF = "staff", _("Personal")
    PERSON = "person", _("Personen själv")
    RELATIVE = "relative", _("Närstående")


class PreparationKind(models.TextChoices):
    MAPPING = "mapping", _("Kartläggning")
    QUESTION = "question", _("Fråga till mötet")
    WISH = "wish", _("Önskemål om tid och plats")
    CHILD_VIEW = "child_view", _("Barnets egen uppfattning")


PLACE_CHOICES = list(MEETING_PLACES.items())


class PreparationEntry(AppendOnly):
    """Preparation before a meeting: kartläggning, questions, the person's wishes for time and
    place, a child's own view. Written by staff (also what the person or a relative said), or
    in Min plan by the person or a representative themselves, with no staff recorder:
    ``author_kind`` says whose words they are."""

    process = models.ForeignKey(SipProcess, on_delete=models.PROTECT, related_name="preparation")
    kind = models.CharField(_("typ"), max_length=20, choices=PreparationKind.choices)
    text = models.TextField(_("text"))
    place_kind = models.CharField(
        _("önskad plats"), max_length=20, choices=PLACE_CHOICES, blank=True
    )
    author_kind = models.CharField(
        _("skriven av"), max_length=20, choices=AuthorKind.choices, default=AuthorKind.STAFF
    )
    author_name = models.CharField(_("namn"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    unit = models.ForeignKey(
        "directory.Unit", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    written_at = models.DateTimeField()

    class Meta:
        verbose_name = _("förberedelse")
        verbose_name_plural = _("förberedelser")
        ordering = ["written_at", "id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.written_at:%Y-%m-%d}"


class MeetingKind(models.TextChoices):
    FIRST = "first", _("SIP-möte")
    FOLLOW_UP = "follow_up", _("Uppföljningsmöte")
    EVALUATION = "evaluation", _("Utvärderingsmöte")


class SipMeeting(models.Model):
    """A called meeting (kallelse): time, place, invitees. Cancelling is recorded, not deleted."""

    process = models.ForeignKey(SipProcess, on_delete=models.PROTECT, related_name="meetings")
    kind = models.CharField(_("typ av möte"), max_length=20, choices=MeetingKind.choices)
    meeting_at = models.DateTimeField(_("tid"))
    place_kind = models.CharField(_("plats"), max_length=20, choices=PLACE_CHOICES)
    location = models.CharField(_("adress, lokal eller länk"), max_length=300)
    message = models.TextField(_("meddelande i kallelsen"), blank=True)
    invitees: models.ManyToManyField[SipParticipant, MeetingInvitee] = models.ManyToManyField(
        SipParticipant, through="MeetingInvitee", related_name="invitations", blank=True
    )
    invitation_sent_at = models.DateTimeField()
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    invited_by_unit = models.ForeignKey(
        "directory.Unit", on_delete=models.PROTECT, related_name="+"
    )
    from_stay_message = models.ForeignKey(
        "discharge.Message", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancelled_reason = models.CharField(max_length=300, blank=True)

    class Meta:
        verbose_name = _("SIP-möte")
        verbose_name_plural = _("SIP-möten")
        ordering = ["meeting_at", "id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {timezone.localtime(self.meeting_at):%Y-%m-%d %H:%M}"

    @property
    def is_cancelled(self) -> bool:
        return self.cancelled_at is not None


class MeetingMinutes(AppendOnly):
    """Protokoll: who attended, what was said, what was decided. A correction is new minutes;
    the latest for a meeting counts."""

    meeting = models.ForeignKey(SipMeeting, on_delete=models.PROTECT, related_name="minutes")
    attendees: models.ManyToManyField[SipParticipant, MeetingAttendee] = models.ManyToManyField(
        SipParticipant, through="MeetingAttendee", related_name="+", blank=True
    )
    person_present = models.BooleanField(_("personen deltog"), default=False)
    text = models.TextField(_("protokoll"))
    decisions = models.TextField(_("beslut"), blank=True)
    # The next check-in, set at a follow-up (continuous SIP): the latest one recorded – in
    # these minutes or in a newer plan version – is when the SIP is next followed up.
    next_follow_up_on = models.DateField(_("nästa uppföljning"), null=True, blank=True)
    next_follow_up_by = models.CharField(_("vem följer upp"), max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_unit = models.ForeignKey("directory.Unit", on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField()

    class Meta:
        verbose_name = _("protokoll")
        verbose_name_plural = _("protokoll")
        ordering = ["recorded_at", "id"]

    def __str__(self) -> str:
        return f"Protokoll {self.recorded_at:%Y-%m-%d}"


class MeetingInvitee(AppendOnly):
    """One participant a kallelse went to, written with the meeting and never changed: who was
    called stays as it was sent (the table Django made for ``SipMeeting.invitees``)."""

    id = models.AutoField(primary_key=True)  # as Django made the table
    meeting = models.ForeignKey(
        SipMeeting, on_delete=models.PROTECT, db_column="sipmeeting_id", related_name="+"
    )
    participant = models.ForeignKey(
        SipParticipant, on_delete=models.PROTECT, db_column="sipparticipant_id", related_name="+"
    )

    class Meta:
        db_table = "sip_sipmeeting_invitees"
        unique_together = [("meeting", "participant")]

    def __str__(self) -> str:
        return f"Kallad {self.participant_id} till {self.meeting_id}"


class MeetingAttendee(AppendOnly):
    """One participant present according to minutes, written with them and never changed: a
    correction is new minutes with their own attendance (the table Django made for
    ``MeetingMinutes.attendees``)."""

    id = models.AutoField(primary_key=True)  # as Django made the table
    minutes = models.ForeignKey(
        MeetingMinutes, on_delete=models.PROTECT, db_column="meetingminutes_id", related_name="+"
    )
    participant = models.ForeignKey(
        SipParticipant, on_delete=models.PROTECT, db_column="sipparticipant_id", related_name="+"
    )

    class Meta:
        db_table = "sip_meetingminutes_attendees"
        unique_together = [("minutes", "participant")]

    def __str__(self) -> str:
        return f"Närvarande {self.participant_id} enligt {self.minutes_id}"


class PlanDraft(models.Model):
    """The working draft, one per process. ``revision`` increases by one on every save; a save
    based on an older revision is refused (optimistic versioning)."""

    process = models.OneToOneField(SipProcess, on_delete=models.PROTECT, related_name="draft")
    content = models.JSONField(default=dict)
    revision = models.PositiveIntegerField(default=0)
    saved_at = models.DateTimeField(null=True, blank=True)
    saved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    saved_unit = models.ForeignKey(
        "directory.Unit", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("planutkast")
        verbose_name_plural = _("planutkast")

    def __str__(self) -> str:
        return f"Utkast rev. {self.revision}"


class PlanDraftRevision(DraftRevisionBase):
    """Every saved revision of the draft, so nothing a writer saved is ever lost."""

    process = models.ForeignKey(
        SipProcess, on_delete=models.PROTECT, related_name="draft_revisions"
    )

    class Meta(DraftRevisionBase.Meta):
        constraints = [
            models.UniqueConstraint(
                fields=["process", "revision"], name="unique_sip_draft_revision"
            )
        ]


class PlanVersion(EstablishedVersionBase):
    """An established plan version: immutable. A newer version supersedes it; it stays. A SIP
    version is established at a meeting by one unit for all, with the person's agreement
    (the approvals are :class:`PlanApproval`)."""

    process = models.ForeignKey(SipProcess, on_delete=models.PROTECT, related_name="versions")
    meeting = models.ForeignKey(
        SipMeeting, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    person_agreed = models.BooleanField(_("personen har godkänt planen"))
    established_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    established_unit = models.ForeignKey(
        "directory.Unit", on_delete=models.PROTECT, related_name="+"
    )

    class Meta(EstablishedVersionBase.Meta):
        verbose_name = _("fastställd plan")
        verbose_name_plural = _("fastställda planer")
        constraints = [
            models.UniqueConstraint(fields=["process", "number"], name="unique_sip_plan_version")
        ]


class PlanApproval(AppendOnly):
    """A participant's approval of an established version, recorded as it was established."""

    version = models.ForeignKey(PlanVersion, on_delete=models.PROTECT, related_name="approvals")
    participant = models.ForeignKey(SipParticipant, on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["version", "participant"], name="unique_sip_plan_approval"
            )
        ]

    def __str__(self) -> str:
        return f"Godkänt av {self.participant_id}"


class ActionProgress(AppendOnly):
    """A change of an established action's status, keyed by the action's stable id."""

    process = models.ForeignKey(
        SipProcess, on_delete=models.PROTECT, related_name="action_progress"
    )
    version = models.ForeignKey(PlanVersion, on_delete=models.PROTECT, related_name="+")
    action_id = models.CharField(max_length=40)
    status = models.CharField(max_length=20)
    note = models.CharField(_("kommentar"), max_length=500, blank=True)
    at = models.DateTimeField()
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    unit = models.ForeignKey("directory.Unit", on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.action_id}: {self.status}"


class GoalOutcome(models.TextChoices):
    REACHED = "reached", _("Uppnått")
    PARTLY = "partly", _("Delvis uppnått")
    NOT_REACHED = "not_reached", _("Inte uppnått")


class Evaluation(AppendOnly):
    """Utvärdering of the established plan: how each goal went, in a summary."""

    process = models.ForeignKey(SipProcess, on_delete=models.PROTECT, related_name="evaluations")
    version = models.ForeignKey(PlanVersion, on_delete=models.PROTECT, related_name="+")
    meeting = models.ForeignKey(
        SipMeeting, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    summary = models.TextField(_("sammanfattning"))
    outcomes = models.JSONField(default=dict, blank=True)
    """Goal id → :class:`GoalOutcome` value."""
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    unit = models.ForeignKey("directory.Unit", on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["recorded_at", "id"]

    def __str__(self) -> str:
        return f"Utvärdering {self.recorded_at:%Y-%m-%d}"


class SipEventKind(models.TextChoices):
    STARTED = "started", _("SIP-processen startad")
    STARTED_FROM_STAY = "started_from_stay", _("SIP-processen startad från utskrivning")
    CONSENT_GIVEN = "consent_given", _("Samtycke lämnat")
    CONSENT_WITHDRAWN = "consent_withdrawn", _("Samtycke återkallat")
    PARTICIPANT_ADDED = "participant_added", _("Deltagare tillagd")
    PARTICIPANT_REMOVED = "participant_removed", _("Deltagare borttagen")
    MANDATE_CHANGED = "mandate_changed", _("Mandat ändrat")
    NEED_LEVEL_SET = "need_level_set", _("Behovsnivå bedömd")
    LEAD_UNIT_SET = "lead_unit_set", _("Övergripande ansvar bestämt")
    PREPARATION_ADDED = "preparation_added", _("Förberedelse")
    MEETING_INVITED = "meeting_invited", _("Kallelse skickad")
    MEETING_CANCELLED = "meeting_cancelled", _("Möte inställt")
    MINUTES_RECORDED = "minutes_recorded", _("Protokoll fört")
    DRAFT_SAVED = "draft_saved", _("Planutkast sparat")
    PLAN_ESTABLISHED = "plan_established", _("Plan fastställd")
    ACTION_PROGRESS = "action_progress", _("Insats uppdaterad")
    EVALUATED = "evaluated", _("Planen utvärderad")
    CLOSED = "closed", _("SIP avslutad")
    PLAN_COMMENTED = "plan_commented", _("Kommentar till planen från Min plan")
    PLAN_READ_CONFIRMED = "plan_read_confirmed", _("Planen läst i Min plan")


class SipEvent(AppendOnly, TimelineEventBase):
    """The process timeline: who, for which unit, did what and when."""

    process = models.ForeignKey(SipProcess, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(max_length=30, choices=SipEventKind.choices)

    class Meta(TimelineEventBase.Meta):
        indexes = [models.Index(fields=["process", "at"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.at:%Y-%m-%d %H:%M}"
