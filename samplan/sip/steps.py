"""What a user can do on a SIP process, as data: form, who may, which service performs it.

One view (:func:`samplan.sip.views.step`) serves them all, so every step gets the same page
shape and error handling. A step with a ``target`` acts on one thing in the process (a meeting,
a participant, an established action), named by the last part of its address.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from samplan.core.acting import Acting
from samplan.directory.models import Unit, UnitKind
from samplan.sip import access, rules, selectors, services
from samplan.sip import forms as f
from samplan.sip.models import (
    ConsentGiver,
    MeetingKind,
    PlanVersion,
    PreparationEntry,
    PreparationKind,
    SipMeeting,
    SipParticipant,
    SipProcess,
)
from samplan.sip.plan import PlanAction, PlanContent

Target = SipMeeting | SipParticipant | PlanAction | None
FormFactory = Callable[[SipProcess, Acting, Target, Any], forms.BaseForm]


@dataclass(frozen=True)
class Step:
    slug: str
    title: Promise
    success: Promise
    submit: Promise
    """The submit button's text: what pressing it does (WCAG 2.4.6)."""
    form: FormFactory
    perform: Callable[[Acting, SipProcess, Any, dict[str, Any]], object]
    allowed: Callable[[Acting, SipProcess], bool]
    section: str
    """The part of the process page to return to (its heading's id)."""
    target: Callable[[SipProcess, str], Target] | None = None
    intro: Promise | None = None


def _open(acting: Acting, process: SipProcess) -> bool:
    return process.is_open


def _child(acting: Acting, process: SipProcess) -> bool:
    return process.is_open and rules.is_child(process.person.birth_date, timezone.localdate())


def _has_version(acting: Acting, process: SipProcess) -> bool:
    return process.is_open and process.versions.exists()


def _steering(acting: Acting, process: SipProcess) -> bool:
    return process.is_open and access.may_lead_or_start(acting, process)


def active_participants(process: SipProcess) -> QuerySet[SipParticipant]:
    return process.participants.filter(removed_at__isnull=True).select_related("unit")


def participant_units(process: SipProcess) -> QuerySet[Unit]:
    """The units taking part (as a unit or through a named member of staff)."""
    ids = process.participants.filter(removed_at__isnull=True, kind__in=access.SEEING_KINDS).values(
        "unit"
    )
    return Unit.objects.filter(pk__in=ids).select_related("organisation").order_by("name", "pk")


def selectable_units() -> QuerySet[Unit]:
    return (
        Unit.objects.active()
        .exclude(kind__in=[UnitKind.ADMINISTRATION, UnitKind.HOSPITAL])
        .select_related("organisation")
        .order_by("organisation__name", "name")
    )


def latest_version(process: SipProcess) -> PlanVersion | None:
    return process.versions.order_by("-number").first()


# --- Targets ----------------------------------------------------------------------------------


def _pk(raw: str) -> int:
    if not raw.isdigit():
        raise Http404
    return int(raw)


def _meeting(process: SipProcess, raw: str) -> SipMeeting:
    meeting = process.meetings.filter(pk=_pk(raw)).first()
    if meeting is None:
        raise Http404
    return meeting


def _participant(process: SipProcess, raw: str) -> SipParticipant:
    participant = (
        process.participants.filter(pk=_pk(raw), removed_at__isnull=True)
        .select_related("unit")
        .first()
    )
    if participant is None:
        raise Http404
    return participant


def _action(process: SipProcess, raw: str) -> PlanAction:
    _version, plan = selectors.effective_plan(process.versions.all(), process.action_progress.all())
    action = plan.action(raw) if plan is not None and raw else None
    if action is None:
        raise Http404
    return action


def describe(target: Target) -> str:
    """How the page names what the step acts on."""
    if isinstance(target, SipMeeting):
        when = timezone.localtime(target.meeting_at)
        return f"{target.get_kind_display()} {when:%Y-%m-%d %H:%M}"
    if isinstance(target, SipParticipant):
        return target.display_name
    if isinstance(target, PlanAction):
        return target.what
    return ""


# --- Forms ------------------------------------------------------------------------------------


def _consent_form(process: SipProcess, acting: Acting, target: Target, data: Any) -> forms.Form:
    child = rules.is_child(process.person.birth_date, timezone.localdate())
    giver = ConsentGiver.GUARDIAN if child else ConsentGiver.PERSON
    return f.ConsentGiveForm(data, initial={"on": timezone.localdate(), "giver": giver})


def _withdraw_form(process: SipProcess, acting: Acting, target: Target, data: Any) -> forms.Form:
    return f.ConsentWithdrawForm(data, initial={"on": timezone.localdate()})


def _participant_form(process: SipProcess, acting: Acting, target: Target, data: Any) -> forms.Form:
    return f.ParticipantForm(data, units=selectable_units())


def _mandate_form(process: SipProcess, acting: Acting, target: Target, data: Any) -> forms.Form:
    assert isinstance(target, SipParticipant)
    return f.MandateForm(data, initial={"has_mandate": target.has_mandate})


def _need_form(process: SipProcess, acting: Acting, target: Target, data: Any) -> forms.Form:
    return f.NeedLevelForm(data, initial={"level": process.need_level or None})


def _meeting_form(process: SipProcess, acting: Acting, target: Target, data: Any) -> forms.Form:
    participants = active_participants(process)
    if latest_version(process) is None:
        kinds = [(MeetingKind.FIRST.value, MeetingKind.FIRST.label)]
    else:
        kinds = [
            (MeetingKind.FOLLOW_UP.value, MeetingKind.FOLLOW_UP.label),
            (MeetingKind.EVALUATION.value, MeetingKind.EVALUATION.label),
        ]
    wish = (
        PreparationEntry.objects.filter(process=process, kind=PreparationKind.WISH)
        .exclude(place_kind="")
        .order_by("-written_at", "-pk")
        .first()
    )
    initial = {
        "kind": kinds[0][0],
        "invitees": list(participants),
        "place_kind": wish.place_kind if wish else None,
    }
    return f.MeetingForm(
        data,
        participants=participants,
        kinds=kinds,
        initial=initial,
        protected_identity=process.person.protected_identity,
    )


def _minutes_form(process: SipProcess, acting: Acting, target: Target, data: Any) -> forms.Form:
    assert isinstance(target, SipMeeting)
    latest = target.minutes.order_by("-recorded_at", "-pk").first()
    if latest is not None:
        initial = {
            "attendees": list(latest.attendees.all()),
            "person_present": latest.person_present,
            "text": latest.text,
            "decisions": latest.decisions,
            "next_follow_up_on": latest.next_follow_up_on,
            "next_follow_up_by": latest.next_follow_up_by,
        }
    else:
        initial = {"attendees": list(target.invitees.all())}
    return f.MinutesForm(
        data,
        participants=active_participants(process),
        follow_up=target.kind != MeetingKind.FIRST,
        initial=initial,
    )


def _reason_form(process: SipProcess, acting: Acting, target: Target, data: Any) -> forms.Form:
    return f.ReasonForm(data)


def _progress_form(process: SipProcess, acting: Acting, target: Target, data: Any) -> forms.Form:
    assert isinstance(target, PlanAction)
    return f.ActionProgressForm(data, initial={"status": target.status.value})


def _evaluation_form(process: SipProcess, acting: Acting, target: Target, data: Any) -> forms.Form:
    version = latest_version(process)
    goals = PlanContent.model_validate(version.content).goals if version else ()
    meetings = process.meetings.filter(cancelled_at__isnull=True).order_by("meeting_at")
    return f.EvaluationForm(data, goals=goals, meetings=meetings)


def _plain(form_class: type[forms.BaseForm]) -> FormFactory:
    return lambda process, acting, target, data: form_class(data)


# --- Performing -------------------------------------------------------------------------------


def _evaluate(acting: Acting, process: SipProcess, data: dict[str, Any]) -> object:
    outcomes = {
        key.removeprefix("goal_"): value
        for key, value in data.items()
        if key.startswith("goal_") and value
    }
    return services.evaluation_record(
        acting=acting,
        process=process,
        summary=data["summary"],
        outcomes=outcomes,
        meeting=data.get("meeting"),
    )


def _preparation(kind: str | None = None) -> Callable[..., object]:
    def perform(acting: Acting, process: SipProcess, target: Target, d: dict[str, Any]) -> object:
        return services.preparation_add(
            acting=acting,
            process=process,
            kind=kind or d["kind"],
            text=d["text"],
            place_kind=d.get("place_kind", ""),
            author_kind=d.get("author_kind") or "person",
            author_name=d.get("author_name", ""),
        )

    return perform


STEPS: dict[str, Step] = {
    step.slug: step
    for step in [
        Step(
            "samtycke",
            _("Registrera samtycke"),
            _("Samtycket är registrerat."),
            _("Registrera samtycket"),
            _consent_form,
            lambda a, p, t, d: services.consent_give(acting=a, process=p, **d),
            _open,
            "samtycke",
            intro=_(
                "Personens samtycke krävs innan uppgifter delas med andra organisationer och "
                "innan planen fastställs. För ett barn samtycker vårdnadshavarna, var för sig."
            ),
        ),
        Step(
            "aterkalla-samtycke",
            _("Registrera återkallat samtycke"),
            _("Återkallelsen är registrerad. Andra organisationer ser inte längre SIP:en."),
            _("Registrera återkallelsen"),
            _withdraw_form,
            lambda a, p, t, d: services.consent_withdraw(acting=a, process=p, **d),
            _open,
            "samtycke",
            intro=_(
                "När samtycket återkallas slutar SIP:en genast att delas med enheter i andra "
                "organisationer. Inget tas bort."
            ),
        ),
        Step(
            "deltagare",
            _("Lägg till deltagare"),
            _("Deltagaren är tillagd."),
            _("Lägg till deltagaren"),
            _participant_form,
            lambda a, p, t, d: services.participant_add(acting=a, process=p, **d),
            _open,
            "deltagare",
            intro=_(
                "Deltagare utanför din organisation kan läggas till först när personen har "
                "samtyckt. Ange om deltagaren har mandat att besluta om insatser."
            ),
        ),
        Step(
            "mandat",
            _("Ändra mandat"),
            _("Mandatet är ändrat."),
            _("Spara mandatet"),
            _mandate_form,
            lambda a, p, t, d: services.participant_set_mandate(
                acting=a, process=p, participant=t, **d
            ),
            _open,
            "deltagare",
            target=_participant,
        ),
        Step(
            "ta-bort-deltagare",
            _("Ta bort deltagare"),
            _("Deltagaren är borttagen."),
            _("Ta bort deltagaren"),
            _reason_form,
            lambda a, p, t, d: services.participant_remove(acting=a, process=p, participant=t, **d),
            _open,
            "deltagare",
            target=_participant,
            intro=_("Deltagaren finns kvar i historiken med orsaken."),
        ),
        Step(
            "behovsniva",
            _("Bedöm behovsnivå"),
            _("Behovsnivån är sparad."),
            _("Spara behovsnivån"),
            _need_form,
            lambda a, p, t, d: services.need_level_set(acting=a, process=p, **d),
            _open,
            "oversikt",
        ),
        Step(
            "forberedelse",
            _("Skriv kartläggning eller fråga till mötet"),
            _("Förberedelsen är sparad."),
            _("Spara"),
            _plain(f.PreparationForm),
            _preparation(),
            _open,
            "forberedelse",
        ),
        Step(
            "onskemal",
            _("Personens önskemål om tid och plats"),
            _("Önskemålet är sparat."),
            _("Spara önskemålet"),
            _plain(f.WishForm),
            _preparation(PreparationKind.WISH),
            _open,
            "forberedelse",
        ),
        Step(
            "barnets-uppfattning",
            _("Barnets egen uppfattning"),
            _("Barnets uppfattning är dokumenterad."),
            _("Spara barnets uppfattning"),
            _plain(f.ChildViewForm),
            _preparation(PreparationKind.CHILD_VIEW),
            _child,
            "forberedelse",
        ),
        Step(
            "kallelse",
            _("Kalla till möte"),
            _("Kallelsen är skickad."),
            _("Skicka kallelsen"),
            _meeting_form,
            lambda a, p, t, d: services.meeting_invite(acting=a, process=p, **d),
            _open,
            "moten",
            intro=_(
                "Välj tid och plats som passar personen bäst: hemma, på sjukhuset, på en "
                "enhet eller som videomöte. Kallade enheter och medarbetare får e-post."
            ),
        ),
        Step(
            "protokoll",
            _("Skriv protokoll"),
            _("Protokollet är sparat."),
            _("Spara protokollet"),
            _minutes_form,
            lambda a, p, t, d: services.minutes_record(acting=a, process=p, meeting=t, **d),
            _open,
            "moten",
            target=_meeting,
            intro=_(
                "Ett rättat protokoll sparas som ett nytt; det tidigare finns kvar. Vid en "
                "uppföljning bestämmer ni här när och av vem SIP:en följs upp nästa gång."
            ),
        ),
        Step(
            "stall-in",
            _("Ställ in mötet"),
            _("Mötet är inställt."),
            _("Ställ in mötet"),
            _reason_form,
            lambda a, p, t, d: services.meeting_cancel(acting=a, process=p, meeting=t, **d),
            _open,
            "moten",
            target=_meeting,
        ),
        Step(
            "insats",
            _("Uppdatera insats"),
            _("Insatsen är uppdaterad."),
            _("Spara status"),
            _progress_form,
            lambda a, p, t, d: services.action_progress_record(
                acting=a,
                process=p,
                action_id=t.id,
                **d,
            ),
            _has_version,
            "plan",
            target=_action,
            intro=_("Den fastställda planen ändras inte; statusen sparas som en händelse."),
        ),
        Step(
            "utvardering",
            _("Utvärdera planen"),
            _("Utvärderingen är sparad."),
            _("Spara utvärderingen"),
            _evaluation_form,
            lambda a, p, t, d: _evaluate(a, p, d),
            _has_version,
            "utvardering",
        ),
        Step(
            "avsluta",
            _("Avsluta SIP:en"),
            _("SIP:en är avslutad."),
            _("Avsluta SIP:en"),
            _plain(f.CloseForm),
            lambda a, p, t, d: services.sip_close(acting=a, process=p, **d),
            _steering,
            "oversikt",
            intro=_(
                "SIP:en avslutas av enheten med det övergripande ansvaret. "
                "Allt som har skrivits finns kvar att läsa."
            ),
        ),
    ]
}

PROCESS_STEPS = [s for s in STEPS.values() if s.target is None]
"""Steps on the whole process, offered as links on the process page."""
