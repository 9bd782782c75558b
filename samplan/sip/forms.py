"""Forms of the SIP pages. They check what a user can correct field by field; the services
check the process rules (consent, who may) and their refusals are shown as form errors."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from samplan.core.forms import (
    DateField,
    RowFormSet,
    SamplanForm,
    UnitField,
    distinct_lines,
    kept_rows,
)
from samplan.directory.models import Unit
from samplan.discharge.forms import (
    DateTimeField,
    clean_meeting_location,
    location_field,
    meeting_location_for,
)
from samplan.sip.models import (
    PLACE_CHOICES,
    AuthorKind,
    CloseReason,
    ConsentForm,
    ConsentGiver,
    ExternalKind,
    GoalOutcome,
    MeetingKind,
    NeedLevel,
    ParticipantKind,
    PreparationKind,
    SipMeeting,
    SipParticipant,
)
from samplan.sip.plan import ActionStatus, Goal, OrganisationKind, PlanAction, PlanContent

ORGANISATION_KIND_CHOICES = [
    (OrganisationKind.REGION.value, _("Region")),
    (OrganisationKind.MUNICIPALITY.value, _("Kommun")),
    (OrganisationKind.OTHER.value, _("Annan aktör (skola, Försäkringskassan, närstående …)")),
]
ACTION_STATUS_CHOICES = [
    (ActionStatus.PLANNED.value, _("Planerad")),
    (ActionStatus.ONGOING.value, _("Pågår")),
    (ActionStatus.DONE.value, _("Klar")),
    (ActionStatus.CANCELLED.value, _("Avbruten")),
]


def _not_future(value: date | None) -> date | None:
    if value and value > timezone.localdate():
        raise forms.ValidationError(_("Datumet kan inte ligga i framtiden."))
    return value


class ParticipantChoiceField(forms.ModelMultipleChoiceField):
    widget = forms.CheckboxSelectMultiple

    def label_from_instance(self, obj: SipParticipant) -> str:
        label = f"{obj.display_name} ({obj.get_kind_display()})"
        if obj.kind != ParticipantKind.RELATIVE and not obj.has_mandate:
            return f"{label} – {_('utan mandat')}"
        return label


class MeetingChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: SipMeeting) -> str:
        return f"{obj.get_kind_display()} {timezone.localtime(obj.meeting_at):%Y-%m-%d %H:%M}"


# --- Start ------------------------------------------------------------------------------------


class StartForm(SamplanForm):
    reason = forms.CharField(
        label=_("Varför behövs en SIP?"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Vilka behov har personen av insatser från både vård och socialtjänst?"),
    )
    need_level = forms.ChoiceField(
        label=_("Behovsnivå"),
        choices=[("", _("Inte bedömd än")), *NeedLevel.choices],
        widget=forms.RadioSelect,
        required=False,
    )
    has_mandate = forms.BooleanField(
        label=_("Min enhet deltar med mandat att besluta om insatser"), required=False
    )


class StartFromStayForm(SamplanForm):
    reason = forms.CharField(
        label=_("Varför behövs en SIP?"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )


# --- Consent ----------------------------------------------------------------------------------


class _ConsentBase(SamplanForm):
    giver = forms.ChoiceField(
        label=_("Vem lämnar beskedet?"), choices=ConsentGiver.choices, widget=forms.RadioSelect
    )
    giver_name = forms.CharField(
        label=_("Namn på vårdnadshavare eller företrädare"),
        max_length=200,
        required=False,
        help_text=_(
            "Behövs inte när personen själv svarar. Registrera varje vårdnadshavare för sig."
        ),
    )
    form = forms.ChoiceField(
        label=_("Hur lämnades beskedet?"), choices=ConsentForm.choices, widget=forms.RadioSelect
    )
    on = DateField(label=_("Datum"), validators=[_not_future])

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        giver = cleaned.get("giver")
        if giver and giver != ConsentGiver.PERSON and not cleaned.get("giver_name", "").strip():
            self.add_error("giver_name", _("Ange namnet på vårdnadshavaren eller företrädaren."))
        return cleaned


class ConsentGiveForm(_ConsentBase):
    scope = forms.CharField(
        label=_("Omfattning"),
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Vilka verksamheter som får dela vilka uppgifter med varandra."),
    )
    note = forms.CharField(label=_("Kommentar"), max_length=500, required=False)


class ConsentWithdrawForm(_ConsentBase):
    reason = forms.CharField(
        label=_("Vad har personen sagt?"),
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Till exempel vad återkallelsen gäller."),
    )


# --- Participants, need level, preparation ----------------------------------------------------


class ParticipantForm(SamplanForm):
    kind = forms.ChoiceField(
        label=_("Vem ska delta?"), choices=ParticipantKind.choices, widget=forms.RadioSelect
    )
    unit = UnitField(
        label=_("Vilken enhet?"),
        queryset=Unit.objects.none(),
        required=False,
        help_text=_("För en enhet eller en namngiven medarbetare på en enhet."),
    )
    name = forms.CharField(
        label=_("Namn"),
        max_length=200,
        required=False,
        help_text=_("Medarbetarens, den närståendes eller kontaktpersonens namn."),
    )
    title = forms.CharField(label=_("Roll eller titel"), max_length=200, required=False)
    organisation = forms.CharField(
        label=_("Organisation"),
        max_length=200,
        required=False,
        help_text=_("För en extern aktör, t.ex. skolans namn."),
    )
    external_kind = forms.ChoiceField(
        label=_("Typ av extern aktör"),
        choices=ExternalKind.choices,
        widget=forms.RadioSelect,
        required=False,
    )
    has_mandate = forms.BooleanField(
        label=_("Har mandat att besluta om insatser för sin organisation"), required=False
    )
    phone = forms.CharField(label=_("Telefon"), max_length=30, required=False)
    email = forms.EmailField(label=_("E-post"), required=False)

    def __init__(self, *args: Any, units: QuerySet[Unit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        kind = cleaned.get("kind")
        if kind in (ParticipantKind.UNIT, ParticipantKind.STAFF) and not cleaned.get("unit"):
            self.add_error("unit", _("Välj en enhet."))
        if kind == ParticipantKind.STAFF and not cleaned.get("name", "").strip():
            self.add_error("name", _("Ange medarbetarens namn."))
        if kind == ParticipantKind.RELATIVE and not cleaned.get("name", "").strip():
            self.add_error("name", _("Ange den närståendes namn."))
        if kind == ParticipantKind.EXTERNAL:
            if not (cleaned.get("name", "").strip() or cleaned.get("organisation", "").strip()):
                self.add_error("organisation", _("Ange namn eller organisation."))
            if not cleaned.get("external_kind"):
                self.add_error("external_kind", _("Ange vilken sorts aktör det är."))
        return cleaned


class MandateForm(SamplanForm):
    has_mandate = forms.BooleanField(
        label=_("Har mandat att besluta om insatser för sin organisation"), required=False
    )


class ReasonForm(SamplanForm):
    reason = forms.CharField(label=_("Orsak"), max_length=300)


class NeedLevelForm(SamplanForm):
    level = forms.ChoiceField(
        label=_("Behovsnivå"), choices=NeedLevel.choices, widget=forms.RadioSelect
    )
    reason = forms.CharField(label=_("Motivering"), max_length=300, required=False)


AUTHOR_CHOICES = AuthorKind.choices


class PreparationForm(SamplanForm):
    kind = forms.ChoiceField(
        label=_("Typ"),
        choices=[
            (PreparationKind.MAPPING.value, _("Kartläggning")),
            (PreparationKind.QUESTION.value, _("Fråga till mötet")),
        ],
        widget=forms.RadioSelect,
    )
    text = forms.CharField(label=_("Text"), widget=forms.Textarea(attrs={"rows": 4}))
    author_kind = forms.ChoiceField(
        label=_("Vems ord är det?"),
        choices=AUTHOR_CHOICES,
        widget=forms.RadioSelect,
        initial=AuthorKind.STAFF,
    )
    author_name = forms.CharField(
        label=_("Namn"),
        max_length=200,
        required=False,
        help_text=_("Lämna tomt när det är du själv."),
    )


class WishForm(SamplanForm):
    text = forms.CharField(
        label=_("Personens önskemål om tid och plats"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Till exempel vilka tider som passar och vad som gör mötet lättare."),
    )
    place_kind = forms.ChoiceField(
        label=_("Önskad plats"),
        choices=[("", _("Inget särskilt önskemål")), *PLACE_CHOICES],
        widget=forms.RadioSelect,
        required=False,
    )
    author_kind = forms.ChoiceField(
        label=_("Vems önskemål är det?"),
        choices=[
            (AuthorKind.PERSON.value, AuthorKind.PERSON.label),
            (AuthorKind.RELATIVE.value, AuthorKind.RELATIVE.label),
        ],
        widget=forms.RadioSelect,
        initial=AuthorKind.PERSON,
    )
    author_name = forms.CharField(label=_("Namn"), max_length=200, required=False)


class ChildViewForm(SamplanForm):
    text = forms.CharField(
        label=_("Barnets egen uppfattning, med barnets egna ord"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "Barnets syn dokumenteras för sig, skild från vårdnadshavarnas samtycke, "
            "efter barnets ålder och mognad."
        ),
    )
    author_name = forms.CharField(
        label=_("Barnets namn eller vem som återger barnets ord"), max_length=200, required=False
    )


# --- Meetings ---------------------------------------------------------------------------------


class MeetingForm(SamplanForm):
    kind = forms.ChoiceField(
        label=_("Typ av möte"), choices=MeetingKind.choices, widget=forms.RadioSelect
    )
    meeting_at = DateTimeField(label=_("Tid för mötet"))
    place_kind = forms.ChoiceField(
        label=_("Plats"), choices=PLACE_CHOICES, widget=forms.RadioSelect
    )
    location = location_field()
    invitees = ParticipantChoiceField(label=_("Kallade"), queryset=SipParticipant.objects.none())
    message = forms.CharField(
        label=_("Meddelande i kallelsen"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )

    def __init__(
        self,
        *args: Any,
        participants: QuerySet[SipParticipant],
        kinds: Sequence[tuple[str, Any]] = MeetingKind.choices,
        protected_identity: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["invitees"].queryset = participants  # type: ignore[attr-defined]
        self.fields["kind"].choices = kinds  # type: ignore[attr-defined]
        self.protected_identity = protected_identity
        meeting_location_for(self, protected_identity=protected_identity)

    def clean_meeting_at(self) -> Any:
        value = self.cleaned_data["meeting_at"]
        if value and value <= timezone.now():
            raise forms.ValidationError(_("Mötet måste ligga i framtiden."))
        return value

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        clean_meeting_location(self, protected_identity=self.protected_identity)
        return data


class MinutesForm(SamplanForm):
    attendees = ParticipantChoiceField(
        label=_("Närvarande"), queryset=SipParticipant.objects.none(), required=False
    )
    person_present = forms.BooleanField(label=_("Personen deltog"), required=False)
    text = forms.CharField(
        label=_("Protokoll"),
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("Vad som sades: personens egna ord först."),
    )
    decisions = forms.CharField(
        label=_("Beslut"),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        help_text=_("Vem gör vad och när. Ett beslut per rad."),
    )
    next_follow_up_on = DateField(
        label=_("Nästa uppföljning"),
        required=False,
        help_text=_(
            "När SIP:en följs upp nästa gång. Lämna tomt bara om SIP:en ska avslutas: "
            "annars visar arbetslistan att nästa uppföljning inte är bestämd."
        ),
    )
    next_follow_up_by = forms.CharField(
        label=_("Vem följer upp nästa gång?"), max_length=300, required=False
    )

    def __init__(
        self,
        *args: Any,
        participants: QuerySet[SipParticipant],
        follow_up: bool = False,
        **kwargs: Any,
    ) -> None:
        """``follow_up``: minutes of a follow-up or evaluation meeting, which set the next
        check-in (after the first meeting the plan states it)."""
        super().__init__(*args, **kwargs)
        self.fields["attendees"].queryset = participants  # type: ignore[attr-defined]
        if not follow_up:
            del self.fields["next_follow_up_on"]
            del self.fields["next_follow_up_by"]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("next_follow_up_by", "").strip() and not cleaned.get("next_follow_up_on"):
            self.add_error("next_follow_up_on", _("Ange datum för nästa uppföljning."))
        return cleaned


class ActionProgressForm(SamplanForm):
    status = forms.ChoiceField(
        label=_("Status"), choices=ACTION_STATUS_CHOICES, widget=forms.RadioSelect
    )
    note = forms.CharField(label=_("Kommentar"), max_length=500, required=False)


class EvaluationForm(SamplanForm):
    summary = forms.CharField(
        label=_("Sammanfattning"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Hur har det gått för personen? Med personens egna ord."),
    )
    meeting = MeetingChoiceField(
        label=_("Möte"),
        queryset=SipMeeting.objects.none(),
        required=False,
        empty_label=_("Inget möte"),
    )

    def __init__(
        self,
        *args: Any,
        goals: Iterable[Goal],
        meetings: QuerySet[SipMeeting],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["meeting"].queryset = meetings  # type: ignore[attr-defined]
        self.goal_fields: list[tuple[str, str]] = []
        for goal in goals:
            name = f"goal_{goal.id}"
            self.fields[name] = forms.ChoiceField(
                label=_("Delmål: %(text)s") % {"text": goal.text},
                choices=GoalOutcome.choices,
                widget=forms.RadioSelect,
                required=False,
            )
            self.goal_fields.append((name, goal.id))

    def outcomes(self) -> dict[str, str]:
        return {
            goal_id: self.cleaned_data[name]
            for name, goal_id in self.goal_fields
            if self.cleaned_data.get(name)
        }


class CloseForm(SamplanForm):
    reason = forms.ChoiceField(
        label=_("Skäl"), choices=CloseReason.choices, widget=forms.RadioSelect
    )
    note = forms.CharField(
        label=_("Kommentar"),
        max_length=500,
        required=False,
        help_text=_("Obligatorisk vid annat skäl."),
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("reason") == CloseReason.OTHER and not cleaned.get("note", "").strip():
            self.add_error("note", _("Beskriv skälet."))
        return cleaned


# --- The plan ---------------------------------------------------------------------------------


class PlanForm(SamplanForm):
    """The plan's own fields; goals and actions are formsets (:func:`goal_formset`)."""

    base_revision = forms.IntegerField(widget=forms.HiddenInput, min_value=0)
    long_term_goal = forms.CharField(
        label=_("Personens långsiktiga mål, med personens egna ord"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=5000,
        required=False,
        help_text=_("”Vad är viktigt för dig?” Skriv det som personen säger det."),
    )
    needs = forms.CharField(
        label=_("Behov"),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        help_text=_("Ett behov per rad."),
    )
    lead_unit = UnitField(
        label=_("Övergripande ansvar för planen"),
        queryset=Unit.objects.none(),
        required=False,
        empty_label=_("Inte bestämt än"),
        help_text=_("En av de deltagande enheterna."),
    )
    follow_up_on = DateField(label=_("Datum för uppföljning"), required=False)
    follow_up_by = forms.CharField(label=_("Vem följer upp?"), max_length=300, required=False)

    def __init__(self, *args: Any, units: QuerySet[Unit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["lead_unit"].queryset = units  # type: ignore[attr-defined]

    def clean_needs(self) -> list[str]:
        return distinct_lines(
            self.cleaned_data["needs"],
            max_length=300,
            too_long=_("Ett behov får vara högst 300 tecken."),
        )


class GoalForm(SamplanForm):
    id = forms.CharField(widget=forms.HiddenInput, required=False, max_length=40)
    text = forms.CharField(
        label=_("Delmål, med personens egna ord"), max_length=5000, required=True
    )
    measure = forms.CharField(
        label=_("Hur vet vi att delmålet är nått?"), max_length=5000, required=False
    )


class ActionForm(SamplanForm):
    id = forms.CharField(widget=forms.HiddenInput, required=False, max_length=40)
    what = forms.CharField(label=_("Vad görs?"), max_length=5000)
    unit = UnitField(
        label=_("Ansvarig enhet"),
        queryset=Unit.objects.none(),
        required=False,
        empty_label=_("Ingen deltagande enhet – ange organisation nedan"),
    )
    organisation_kind = forms.ChoiceField(
        label=_("Huvudman"),
        choices=[("", _("Välj")), *ORGANISATION_KIND_CHOICES],
        required=False,
        help_text=_("Behövs när ansvaret inte ligger på en deltagande enhet."),
    )
    organisation = forms.CharField(
        label=_("Organisation"),
        max_length=300,
        required=False,
        help_text=_("T.ex. skolan, Försäkringskassan eller närstående."),
    )
    responsible = forms.CharField(label=_("Ansvarig person"), max_length=300, required=False)
    due = DateField(label=_("Klart senast"), required=False)
    status = forms.ChoiceField(
        label=_("Status"), choices=ACTION_STATUS_CHOICES, initial=ActionStatus.PLANNED.value
    )
    goal_ids = forms.MultipleChoiceField(
        label=_("Hör till delmål"),
        help_text=_("Ett nytt delmål går att välja här när planen har sparats."),
        choices=(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    def __init__(
        self,
        *args: Any,
        units: QuerySet[Unit],
        goals: Sequence[tuple[str, str]] = (),
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units  # type: ignore[attr-defined]
        if goals:
            self.fields["goal_ids"].choices = goals  # type: ignore[attr-defined]
        else:
            del self.fields["goal_ids"]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("unit") is None and not cleaned.get("organisation_kind"):
            self.add_error(
                "organisation_kind", _("Välj en ansvarig enhet eller vilken huvudman som ansvarar.")
            )
        return cleaned


class _GoalFormSet(RowFormSet):
    delete_label = _("Ta bort delmålet")


class _ActionFormSet(RowFormSet):
    delete_label = _("Ta bort insatsen")


GoalFormSet = forms.formset_factory(GoalForm, formset=_GoalFormSet, extra=1, can_delete=True)
ActionFormSet = forms.formset_factory(ActionForm, formset=_ActionFormSet, extra=1, can_delete=True)


def plan_initial(content: PlanContent) -> dict[str, Any]:
    return {
        "long_term_goal": content.long_term_goal,
        "needs": "\n".join(content.needs),
        "lead_unit": content.lead_unit_id,
        "follow_up_on": content.follow_up_on,
        "follow_up_by": content.follow_up_by,
    }


def goals_initial(content: PlanContent) -> list[dict[str, Any]]:
    return [{"id": g.id, "text": g.text, "measure": g.measure} for g in content.goals]


def actions_initial(
    content: PlanContent, statuses: dict[str, str] | None = None
) -> list[dict[str, Any]]:
    """The draft's actions as rows; ``statuses`` (action id → status) overrides their status
    with progress reported since the draft was saved."""
    statuses = statuses or {}
    return [
        {**_action_initial(a), **({"status": statuses[a.id]} if a.id in statuses else {})}
        for a in content.actions
    ]


def _action_initial(action: PlanAction) -> dict[str, Any]:
    return {
        "id": action.id,
        "what": action.what,
        "unit": action.unit_id,
        "organisation_kind": "" if action.unit_id else action.organisation_kind.value,
        "organisation": "" if action.unit_id else action.organisation,
        "responsible": action.responsible,
        "due": action.due,
        "status": action.status.value,
        "goal_ids": list(action.goal_ids),
    }


def plan_content_from(
    plan: PlanForm,
    goals: forms.BaseFormSet,
    actions: forms.BaseFormSet,
) -> dict[str, Any]:
    """The plan as the services take it, from valid forms. Links to removed goals are dropped;
    an action on a participant unit gets its organisation from the unit (in the service)."""
    kept_goals = [
        {"id": g["id"], "text": g["text"], "measure": g.get("measure", "")}
        for g in kept_rows(goals)
    ]
    goal_ids = {g["id"] for g in kept_goals if g["id"]}
    kept_actions = []
    for a in kept_rows(actions):
        unit = a.get("unit")
        kept_actions.append(
            {
                "id": a["id"],
                "what": a["what"],
                "organisation_kind": a.get("organisation_kind") or OrganisationKind.OTHER.value,
                "organisation": "" if unit else a.get("organisation", ""),
                "unit_id": unit.pk if unit else None,
                "responsible": a.get("responsible", ""),
                "due": a["due"].isoformat() if a.get("due") else None,
                "status": a["status"],
                "goal_ids": [g for g in a.get("goal_ids", []) if g in goal_ids],
            }
        )
    data = plan.cleaned_data
    lead = data.get("lead_unit")
    return {
        "long_term_goal": data.get("long_term_goal", ""),
        "goals": kept_goals,
        "needs": data.get("needs", []),
        "actions": kept_actions,
        "lead_unit_id": lead.pk if lead else None,
        "follow_up_on": data["follow_up_on"].isoformat() if data.get("follow_up_on") else None,
        "follow_up_by": data.get("follow_up_by", ""),
    }


class EstablishForm(SamplanForm):
    base_revision = forms.IntegerField(widget=forms.HiddenInput, min_value=0)
    meeting = MeetingChoiceField(
        label=_("Mötet där planen beslutades"),
        queryset=SipMeeting.objects.none(),
        required=False,
        empty_label=_("Inget möte (alla deltagare med mandat godkänner)"),
        help_text=_(
            "Med ett möte som har protokoll behöver de med mandat som var närvarande godkänna."
        ),
    )
    approved_by = ParticipantChoiceField(
        label=_("Godkänd av deltagare med mandat"), queryset=SipParticipant.objects.none()
    )
    person_agreed = forms.BooleanField(
        label=_("Personen (eller vårdnadshavaren) har godkänt planen"),
        error_messages={
            "required": _("Planen kan inte fastställas utan att personen har godkänt den.")
        },
    )

    def __init__(
        self,
        *args: Any,
        approvers: QuerySet[SipParticipant],
        meetings: QuerySet[SipMeeting],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["approved_by"].queryset = approvers  # type: ignore[attr-defined]
        self.fields["meeting"].queryset = meetings  # type: ignore[attr-defined]
