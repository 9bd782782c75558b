"""SVPL pages for staff: start from a psychiatric discharge case, the plan page (status, who has
approved, what is missing, versions), the draft editor with conflict handling, approving, an
established version with what changed, and its PDF.

Thin: the case or plan through the same access check as the API (404 and a DENIED log entry for
a unit that is not a party), then the same selectors and services.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.forms.utils import ErrorDict, ErrorList
from django.http import Http404, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from samplan.core.acting import Acting, DomainError
from samplan.core.forms import (
    draft_base_revision,
    editor_errors,
    focus_new_row,
    whole_number,
    with_added_row,
)
from samplan.core.http import StaffRequest, staff_view
from samplan.directory.permissions import Permission
from samplan.discharge import access as discharge_access
from samplan.psychiatry import access, documents, selectors, services
from samplan.psychiatry import forms as f
from samplan.psychiatry.models import CoordinatedCarePlanLpt, SvplDraftRevision
from samplan.psychiatry.plan import SvplContent

care_view = staff_view(Permission.PERSON_LOOKUP)


def plan_url(plan: CoordinatedCarePlanLpt, anchor: str = "") -> str:
    url = reverse("psychiatry:plan", kwargs={"public_id": plan.public_id})
    return f"{url}#{anchor}" if anchor else url


@care_view
@require_http_methods(["GET", "POST"])
def start(request: StaffRequest, stay_id: str) -> HttpResponse:
    acting = Acting.from_request(request)
    stay = discharge_access.stay_get(acting, stay_id)
    existing = CoordinatedCarePlanLpt.objects.filter(stay=stay).first()
    if existing is not None:
        return redirect(plan_url(existing))
    form = f.StartForm(
        request.POST or None,
        initial={"physician": f"{acting.user.get_full_name()}, {_('chefsöverläkare')}"},
    )
    if request.method == "POST" and form.is_valid():
        try:
            plan = services.svpl_start(acting=acting, stay=stay, **form.cleaned_data)
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(
                request,
                _(
                    "Den samordnade vårdplanen är påbörjad och underrättelsen är skickad till "
                    "enheterna. Den räknas som underrättelse om utskrivningsklar."
                ),
            )
            return redirect(plan_url(plan))
    return render(request, "psychiatry/start.html", {"stay": stay, "form": form})


@care_view
def plan(request: StaffRequest, public_id: str) -> HttpResponse:
    acting = Acting.from_request(request)
    found = access.plan_get(acting, public_id)
    overview = selectors.svpl_overview(acting=acting, plan=found, now=timezone.now())
    return render(request, "psychiatry/plan.html", {"svpl": overview, "stay": overview.stay})


@care_view
@require_http_methods(["GET", "POST"])
def edit(request: StaffRequest, public_id: str) -> HttpResponse:
    """The draft editor. Saving sends the revision the writer opened; if someone else saved
    since, nothing is written: the page shows who saved and what they changed, keeps the
    writer's input, and saving over their version needs a deliberate choice."""
    acting = Acting.from_request(request)
    found = access.plan_get(acting, public_id)
    stay = found.stay
    parties = list(stay.parties.select_related("unit__organisation"))
    if not (stay.takes_follow_up and access.may_write(acting, stay, parties)):
        messages.error(request, _("Din enhet eller roll kan inte ändra planen."))
        return redirect(plan_url(found))
    content = SvplContent.model_validate(found.draft_content)
    units = access.active_party_units(parties)
    data: QueryDict | None = request.POST if request.method == "POST" else None
    if data is not None:
        # Rows are compared with what the writer opened, not with what someone saved since.
        opened = SvplDraftRevision.objects.filter(
            plan=found, revision=whole_number(data.get("base_revision"), found.draft_revision)
        ).first()
        if opened is not None:
            content = SvplContent.model_validate(opened.content)
    data, added = with_added_row(data, ("insatser", "others"))
    plan_form = f.PlanForm(data, initial=f.plan_initial(content, found.draft_revision))
    insatser = f.InsatsFormSet(
        data,
        prefix="insatser",
        initial=f.insatser_initial(content),
        form_kwargs={"units": units},
    )
    others = f.OtherFormSet(data, prefix="others", initial=f.others_initial(content))
    if added == "insatser":
        focus_new_row(insatser, "what")
    elif added == "others":
        focus_new_row(others, "who")
    if added:
        _unchecked(plan_form, insatser, others)
    conflict: services.SvplConflict | None = None
    valid = data is not None and not added
    if valid and all([plan_form.is_valid(), insatser.is_valid(), others.is_valid()]):
        assert data is not None
        base = draft_base_revision(data, plan_form.cleaned_data["base_revision"])
        try:
            services.svpl_draft_save(
                acting=acting,
                plan=found,
                content=f.content_from(plan_form, insatser, others, content),
                base_revision=base,
            )
        except services.SvplConflict as error:
            conflict = error
        except DomainError as error:
            plan_form.add_error(None, error.message)
        else:
            messages.success(
                request,
                _("Utkastet är sparat. Enheterna behöver justera den nya versionen."),
            )
            return redirect(plan_url(found, "justering"))
    context = {
        "plan": found,
        "stay": stay,
        "plan_form": plan_form,
        "insats_formset": insatser,
        "other_formset": others,
        "conflict": conflict,
        "error_list": editor_errors(
            plan_form, (insatser, _("Insats %(n)s")), (others, _("Åtgärd %(n)s"))
        ),
    }
    template = "psychiatry/edit.html#editor" if request.htmx and added else "psychiatry/edit.html"
    return render(request, template, context)


def _unchecked(plan: forms.Form, *formsets: Any) -> None:
    """Adding a row is not saving: the half-filled rows are shown again without errors. (The
    SIP's editor does not do this yet: there a half-filled row shows its errors on adding.)"""
    plan._errors = ErrorDict()  # type: ignore[attr-defined]
    for formset in formsets:
        formset._errors = []
        formset._non_form_errors = ErrorList()
        for form in formset.forms:
            form._errors = ErrorDict()


@care_view
@require_POST
def approve(request: StaffRequest, public_id: str) -> HttpResponse:
    acting = Acting.from_request(request)
    found = access.plan_get(acting, public_id)
    try:
        services.svpl_approve(
            acting=acting,
            plan=found,
            base_revision=whole_number(request.POST.get("base_revision"), -1),
        )
    except DomainError as error:
        messages.error(request, error.message)
    else:
        found.refresh_from_db()
        if found.established_revision == found.draft_revision:
            messages.success(
                request,
                _(
                    "Din enhet har justerat planen. Alla enheter har justerat: planen är "
                    "fastställd."
                ),
            )
        else:
            messages.success(request, _("Din enhet har justerat planen."))
    return redirect(plan_url(found, "justering"))


@care_view
def version(request: StaffRequest, public_id: str, number: int) -> HttpResponse:
    acting = Acting.from_request(request)
    found = access.plan_get(acting, public_id)
    view = selectors.version_view(acting=acting, plan=found, number=number)
    if view is None:
        raise Http404
    return render(
        request, "psychiatry/version.html", {"plan": found, "stay": found.stay, "v": view}
    )


@care_view
def version_pdf(request: StaffRequest, public_id: str, number: int) -> HttpResponse:
    acting = Acting.from_request(request)
    found = access.plan_get(acting, public_id)
    pdf = documents.svpl_pdf(acting=acting, plan=found, number=number)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="samordnad-vardplan-version-{number}.pdf"'
    return response
