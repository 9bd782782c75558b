"""SIP pages for staff: the SIP list, starting a SIP, the process page, one view serving every
step (:mod:`samplan.sip.steps`), the plan editor and establishing the plan.

Thin: find the process through :func:`samplan.sip.access.process_get` (404 and a DENIED log
entry for anyone who may not see it), validate the form, call the service, show its refusal as a
form error. The documents (kallelse, letters, plan PDF) are served by
:mod:`samplan.sip.document_views`.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from samplan.audit.models import AccessPurpose
from samplan.audit.services import ListRead
from samplan.core.acting import Acting, DomainError
from samplan.core.forms import draft_base_revision, editor_errors, focus_new_row, with_added_row
from samplan.core.http import StaffRequest, staff_view
from samplan.directory.permissions import Permission
from samplan.discharge import access as discharge_access
from samplan.people import selectors as people_selectors
from samplan.sip import access, selectors, services
from samplan.sip import forms as f
from samplan.sip.models import (
    ActionProgress,
    AuthorKind,
    MeetingMinutes,
    PlanDraft,
    PreparationEntry,
    PreparationKind,
    SipProcess,
)
from samplan.sip.plan import PlanContent, plan_diff, plan_problems
from samplan.sip.steps import (
    PROCESS_STEPS,
    STEPS,
    active_participants,
    describe,
    latest_version,
    participant_units,
)

care_view = staff_view(Permission.PERSON_LOOKUP)


def process_url(process: SipProcess, section: str = "") -> str:
    url = reverse("sip:process", kwargs={"public_id": process.public_id})
    return f"{url}#{section}" if section else url


def _after_change(request: StaffRequest, acting: Acting, process: SipProcess, section: str) -> Any:
    """Back to the process page, or to the SIP list if the unit no longer sees the process
    (it removed itself, or consent was withdrawn for another organisation's unit)."""
    process.refresh_from_db()
    if not access.is_visible(acting, process):
        messages.info(request, _("Din enhet ser inte längre den här SIP:en."))
        return redirect("sip:worklist")
    return redirect(process_url(process, section))


def _posted(request: StaffRequest) -> QueryDict | None:
    """The submitted data, also when empty (an empty form must show its errors)."""
    return request.POST if request.method == "POST" else None


# --- Work list --------------------------------------------------------------------------------


@care_view
def worklist(request: StaffRequest) -> HttpResponse:
    acting = Acting.from_request(request)
    items = selectors.worklist(acting=acting, now=timezone.now())
    shown = ListRead(actor=acting.actor, list_id="sip.worklist", title="SIP-listan")
    shown.add(item.process.person for item in items)
    shown.write()
    return render(request, "sip/worklist.html", {"sip_items": items})


# --- Start ------------------------------------------------------------------------------------


@care_view
@require_http_methods(["GET", "POST"])
def start(request: StaffRequest, person_id: str) -> HttpResponse:
    acting = Acting.from_request(request)
    person = people_selectors.person_get(
        actor=acting.actor, public_id=person_id, purpose=AccessPurpose.CARE_COORDINATION
    )
    if not access.may_start_outside_hospital(acting):
        messages.error(
            request,
            _("En SIP startas av en enhet utanför sjukhuset eller från vårdtillfällets ärende."),
        )
        return redirect("people:detail", public_id=person.public_id)
    form = f.StartForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            process = services.sip_start(acting=acting, person=person, **form.cleaned_data)
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(
                request, _("SIP:en är startad. Registrera personens samtycke som första steg.")
            )
            return redirect(process_url(process))
    return render(request, "sip/start.html", {"form": form, "person": person})


@care_view
@require_http_methods(["GET", "POST"])
def start_from_stay(request: StaffRequest, stay_id: str) -> HttpResponse:
    acting = Acting.from_request(request)
    stay = discharge_access.stay_get(acting, stay_id)
    existing = selectors.process_of_stay(acting=acting, stay=stay)
    if existing is not None:
        return redirect(process_url(existing))
    form = f.StartFromStayForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            process = services.sip_start_from_stay(acting=acting, stay=stay, **form.cleaned_data)
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(
                request,
                _("SIP:en fortsätter från vårdtillfället. Registrera personens samtycke."),
            )
            return redirect(process_url(process))
    return render(request, "sip/start.html", {"form": form, "person": stay.person, "stay": stay})


# --- The process page -------------------------------------------------------------------------


@care_view
def process(request: StaffRequest, public_id: str) -> HttpResponse:
    acting = Acting.from_request(request)
    found = access.process_get(acting, public_id)
    overview = selectors.process_overview(acting=acting, process=found, now=timezone.now())
    steps = [s for s in PROCESS_STEPS if s.allowed(acting, overview.process)]
    goal_texts = {g.id: g.text for v in overview.versions for g in v.content.goals}
    return render(
        request,
        "sip/process.html",
        {
            "process": overview.process,
            "sip": overview,
            "steps": {s.slug: s for s in steps},
            "now": timezone.now(),
            "latest": overview.versions[-1] if overview.versions else None,
            "removed": [p for p in overview.participants if not p.is_active],
            "goal_texts": goal_texts,
        },
    )


@care_view
@require_http_methods(["GET", "POST"])
def step(request: StaffRequest, public_id: str, slug: str, target: str = "") -> HttpResponse:
    acting = Acting.from_request(request)
    found = access.process_get(acting, public_id)
    action = STEPS.get(slug)
    if action is None or bool(action.target) != bool(target):
        raise Http404
    subject = action.target(found, target) if action.target else None
    if not action.allowed(acting, found):
        messages.error(request, _("Det här steget går inte att göra i SIP:en just nu."))
        return redirect(process_url(found))
    form = action.form(found, acting, subject, _posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            action.perform(acting, found, subject, form.cleaned_data)
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, str(action.success))
            return _after_change(request, acting, found, action.section)
    return render(
        request,
        "sip/step.html",
        {"process": found, "form": form, "step": action, "target": describe(subject)},
    )


# --- The plan editor --------------------------------------------------------------------------


def _editor_forms(
    process: SipProcess, draft: PlanDraft, data: QueryDict | None
) -> tuple[f.PlanForm, Any, Any]:
    content = PlanContent.model_validate(draft.content)
    units = participant_units(process)
    goal_choices = [(g.id, g.text) for g in content.goals if g.id]
    plan = f.PlanForm(
        data, units=units, initial={**f.plan_initial(content), "base_revision": draft.revision}
    )
    goals = f.GoalFormSet(
        data,
        initial=f.goals_initial(content) + _person_goals_since(process, draft, content),
        prefix="goals",
    )
    actions = f.ActionFormSet(
        data,
        initial=f.actions_initial(content, _progress_since(process, draft)),
        prefix="actions",
        form_kwargs={"units": units, "goals": goal_choices},
    )
    return plan, goals, actions


def _person_goals_since(
    process: SipProcess, draft: PlanDraft, content: PlanContent
) -> list[dict[str, Any]]:
    """What the person (or a relative for them) wrote in Min plan as "vad är viktigt för mig"
    since the draft was last saved, proposed as new sub-goals in their own words: the staff keep,
    reword or remove each row, and what they keep goes into the next established version."""
    written = PreparationEntry.objects.filter(
        process=process,
        kind=PreparationKind.QUESTION,
        author_kind__in=(AuthorKind.PERSON, AuthorKind.RELATIVE),
    )
    if draft.saved_at is not None:
        written = written.filter(written_at__gt=draft.saved_at)
    present = {g.text.strip() for g in content.goals} | {content.long_term_goal.strip()}
    proposals = []
    for entry in written.order_by("written_at", "pk"):
        text = entry.text.strip()
        if text and text not in present:
            present.add(text)
            proposals.append({"id": "", "text": text, "measure": ""})
    return proposals


def _progress_since(process: SipProcess, draft: PlanDraft) -> dict[str, str]:
    """Action statuses reported after the draft was last saved: the draft shows them, so a new
    version carries on from how the actions stand, not from the status the draft once had."""
    if draft.saved_at is None:
        return {}
    reported = ActionProgress.objects.filter(process=process, at__gt=draft.saved_at)
    return {p.action_id: p.status for p in reported.order_by("at", "pk")}


def _draft_of(process: SipProcess) -> PlanDraft:
    return PlanDraft.objects.select_related("saved_by", "saved_unit").get(process=process)


@care_view
@require_http_methods(["GET", "POST"])
def plan_edit(request: StaffRequest, public_id: str) -> HttpResponse:
    """The draft editor. Saving sends the revision the writer opened; if someone else saved
    since, nothing is written: the page shows who saved and what they changed, keeps the
    writer's input, and saving over their version needs a deliberate choice."""
    acting = Acting.from_request(request)
    found = access.process_get(acting, public_id)
    if not found.is_open:
        messages.error(request, _("SIP:en är avslutad och kan inte ändras."))
        return redirect(process_url(found))
    draft = selectors.plan_draft_read(
        acting=acting, process=found, detail="planutkast (redigering)"
    )
    data, added = with_added_row(_posted(request), ("goals", "actions"))
    plan, goals, actions = _editor_forms(found, draft, data)
    if added == "goals":
        focus_new_row(goals, "text")
    elif added == "actions":
        focus_new_row(actions, "what")
    conflict: services.PlanConflict | None = None
    if data is not None and not added:
        valid = all([plan.is_valid(), goals.is_valid(), actions.is_valid()])
        if valid:
            base = draft_base_revision(data, plan.cleaned_data["base_revision"])
            try:
                services.plan_draft_save(
                    acting=acting,
                    process=found,
                    content=f.plan_content_from(plan, goals, actions),
                    base_revision=base,
                )
            except services.PlanConflict as error:
                conflict = error
            except DomainError as error:
                plan.add_error(None, error.message)
            else:
                messages.success(request, _("Planutkastet är sparat."))
                return redirect(process_url(found, "plan"))
    context = {
        "process": found,
        "draft": draft,
        "plan_form": plan,
        "goal_formset": goals,
        "action_formset": actions,
        "added": added,
        "conflict": conflict,
        "error_list": editor_errors(plan, (goals, _("Delmål %(n)s")), (actions, _("Insats %(n)s"))),
    }
    template = "sip/plan_edit.html#plan-editor" if request.htmx and added else "sip/plan_edit.html"
    if template == "sip/plan_edit.html":
        context["history"] = selectors.draft_history(acting=acting, process=found)
    return render(request, template, context)


# --- Establishing -----------------------------------------------------------------------------


@care_view
@require_http_methods(["GET", "POST"])
def establish(request: StaffRequest, public_id: str) -> HttpResponse:
    acting = Acting.from_request(request)
    found = access.process_get(acting, public_id)
    if not found.is_open:
        messages.error(request, _("SIP:en är avslutad och kan inte ändras."))
        return redirect(process_url(found))
    draft = selectors.plan_draft_read(acting=acting, process=found, detail="planutkast (fastställ)")
    participants = active_participants(found)
    approvers = participants.filter(has_mandate=True).exclude(kind="relative")
    minuted = MeetingMinutes.objects.filter(meeting__process=found).values("meeting")
    meetings = found.meetings.filter(pk__in=minuted, cancelled_at__isnull=True).order_by(
        "-meeting_at"
    )
    form = f.EstablishForm(
        _posted(request),
        approvers=approvers,
        meetings=meetings,
        initial={"base_revision": draft.revision, "meeting": meetings.first()},
    )
    conflict: services.PlanConflict | None = None
    if request.method == "POST" and form.is_valid():
        try:
            version = services.plan_establish(acting=acting, process=found, **form.cleaned_data)
        except services.PlanConflict as error:
            conflict = error
            data = request.POST.copy()
            data["base_revision"] = str(error.current.revision)
            form = f.EstablishForm(data, approvers=approvers, meetings=meetings)
            form.is_valid()
            draft = _draft_of(found)
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(
                request,
                _("Planen är fastställd som version %(n)s.") % {"n": version.number},
            )
            return redirect(process_url(found, "versioner"))
    content = PlanContent.model_validate(draft.content)
    previous = latest_version(found)
    before = PlanContent.model_validate(previous.content) if previous else None
    return render(
        request,
        "sip/establish.html",
        {
            "process": found,
            "form": form,
            "draft": draft,
            "content": content,
            "problems": plan_problems(content),
            "advice": selectors.establishing_advice(found, content),
            "changes": plan_diff(before, content),
            "previous": previous,
            "without_mandate": [
                p for p in participants if not p.has_mandate and p.kind != "relative"
            ],
            "conflict": conflict,
        },
    )
