"""Discharge pages: the work list, the case page, and one view that serves every step."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from samplan.audit.models import AccessPurpose
from samplan.audit.services import ListRead
from samplan.core.acting import Acting, DomainError
from samplan.core.http import StaffRequest, staff_view
from samplan.directory.permissions import Permission
from samplan.discharge import access, documents, selectors, services
from samplan.discharge.forms import AdmitForm, ReasonForm, UnavailabilityEndForm
from samplan.discharge.models import (
    ChecklistKind,
    InpatientStay,
    Message,
    MessageKind,
    OutpatientUnavailability,
)
from samplan.discharge.steps import STEPS
from samplan.people import selectors as people_selectors
from samplan.sip import selectors as sip_selectors

care_view = staff_view(Permission.PERSON_LOOKUP)


@care_view
def worklist(request: StaffRequest) -> HttpResponse:
    acting = Acting.from_request(request)
    now = timezone.now()
    work = selectors.worklist(acting=acting, now=now)
    sip_work = [item for item in sip_selectors.worklist(acting=acting, now=now) if item.flags]
    # Everyone the page shows is a read of their data: one access-log batch for the whole page.
    # The SVPL section ({% svpl_worklist %}) adds its persons while the page is rendered.
    shown = ListRead(actor=acting.actor, list_id="discharge.worklist", title="Att göra")
    shown.add((item.stay.person for item in work.items), "ärenden")
    shown.add((stay.person for stay in work.ready_waiting), "utskrivningsklara som väntar")
    shown.add((item.process.person for item in sip_work), "SIP")
    response = render(
        request,
        "discharge/worklist.html",
        {"work": work, "sip_work": sip_work, "list_read": shown},
    )
    shown.write()
    return response


@care_view
@require_http_methods(["GET", "POST"])
def admit(request: StaffRequest, person_id: str) -> HttpResponse:
    acting = Acting.from_request(request)
    person = people_selectors.person_get(
        actor=acting.actor, public_id=person_id, purpose=AccessPurpose.CARE_COORDINATION
    )
    form = AdmitForm(request.POST or None, initial={"admitted_at": timezone.localtime()})
    if request.method == "POST" and form.is_valid():
        try:
            stay = services.stay_admit(acting=acting, person=person, **form.cleaned_data)
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Patienten är inskriven. Dokumentera ankomstsamtalet."))
            return redirect("discharge:case", public_id=stay.public_id)
    return render(request, "discharge/admit.html", {"form": form, "person": person})


@care_view
def case(request: StaffRequest, public_id: str) -> HttpResponse:
    acting = Acting.from_request(request)
    stay = access.stay_get(acting, public_id)
    services.messages_mark_read(acting=acting, stay=stay)
    overview = selectors.case_overview(acting=acting, stay=stay, now=timezone.now())
    return render(request, "discharge/case.html", {"stay": stay, "case": overview})


@care_view
@require_http_methods(["GET", "POST"])
def step(request: StaffRequest, public_id: str, slug: str) -> HttpResponse:
    acting = Acting.from_request(request)
    stay = access.stay_get(acting, public_id)
    action = STEPS.get(slug)
    if action is None:
        raise Http404
    if not action.allowed(acting, stay):
        messages.error(request, _("Din enhet kan inte göra det här steget i ärendet."))
        return redirect("discharge:case", public_id=stay.public_id)
    form = action.form(stay, acting, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            action.perform(acting, stay, form.cleaned_data)
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, str(action.success))
            if not access.stays_for_unit(acting.unit).filter(pk=stay.pk).exists():
                return redirect("discharge:worklist")
            return redirect("discharge:case", public_id=stay.public_id)
    template = "discharge/step.html#step-form" if request.htmx else "discharge/step.html"
    return render(request, template, {"stay": stay, "form": form, "step": action})


def _message_of(stay_pk: int, message_id: int) -> Message:
    return get_object_or_404(Message, pk=message_id, stay_id=stay_pk)


@care_view
@require_POST
def acknowledge(request: StaffRequest, public_id: str, message_id: int) -> HttpResponse:
    acting = Acting.from_request(request)
    stay = access.stay_get(acting, public_id)
    try:
        services.message_acknowledge(
            acting=acting, stay=stay, message=_message_of(stay.pk, message_id)
        )
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Meddelandet är kvitterat."))
    return redirect("discharge:case", public_id=stay.public_id)


@care_view
@require_http_methods(["GET", "POST"])
def withdraw(request: StaffRequest, public_id: str, message_id: int) -> HttpResponse:
    acting = Acting.from_request(request)
    stay = access.stay_get(acting, public_id)
    message = _message_of(stay.pk, message_id)
    form = ReasonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.message_withdraw(
                acting=acting, stay=stay, message=message, reason=form.cleaned_data["reason"]
            )
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Meddelandet är makulerat."))
            return redirect("discharge:case", public_id=stay.public_id)
    return render(
        request, "discharge/withdraw.html", {"stay": stay, "form": form, "message": message}
    )


@care_view
@require_POST
def checklist(request: StaffRequest, public_id: str, kind: str, item: str) -> HttpResponse:
    acting = Acting.from_request(request)
    stay = access.stay_get(acting, public_id)
    if kind not in ChecklistKind.values:
        raise Http404
    try:
        services.checklist_mark(
            acting=acting,
            stay=stay,
            checklist=ChecklistKind(kind),
            item=item,
            note=request.POST.get("note", ""),
        )
    except DomainError as error:
        messages.error(request, error.message)
    return redirect(f"{stay_url(stay)}#checklistor")


@care_view
@require_http_methods(["GET", "POST"])
def unavailability_end(request: StaffRequest, public_id: str, period_id: int) -> HttpResponse:
    acting = Acting.from_request(request)
    stay = access.stay_get(acting, public_id)
    period = get_object_or_404(OutpatientUnavailability, pk=period_id, stay=stay)
    if not access.UNAVAILABILITY.allows(acting, stay):
        messages.error(request, _("Din enhet kan inte göra det här steget i ärendet."))
        return redirect("discharge:case", public_id=stay.public_id)
    form = UnavailabilityEndForm(request.POST or None, initial={"ends_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            services.unavailability_end(
                acting=acting, stay=stay, period=period, ends_on=form.cleaned_data["ends_on"]
            )
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Perioden är avslutad."))
            return redirect("discharge:case", public_id=stay.public_id)
    return render(
        request,
        "discharge/step.html",
        {
            "stay": stay,
            "form": form,
            "step": {
                "title": _("Avsluta period utan öppenvårdsinsatser"),
                "submit": _("Avsluta perioden"),
            },
        },
    )


@care_view
def invitation_ics(request: StaffRequest, public_id: str, message_id: int) -> HttpResponse:
    acting = Acting.from_request(request)
    stay = access.stay_get(acting, public_id)
    message = get_object_or_404(
        Message, pk=message_id, stay_id=stay.pk, kind=MessageKind.SIP_INVITATION
    )
    ics = selectors.invitation_export(acting=acting, stay=stay, message=message)
    response = HttpResponse(ics, content_type="text/calendar")
    response["Content-Disposition"] = 'attachment; filename="kallelse-sip.ics"'
    return response


@care_view
def patient_letter(request: StaffRequest, public_id: str) -> HttpResponse:
    acting = Acting.from_request(request)
    stay = access.stay_get(acting, public_id)
    pdf = documents.patient_letter_pdf(acting=acting, stay=stay)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = 'inline; filename="information-vid-utskrivning.pdf"'
    return response


def stay_url(stay: InpatientStay) -> str:
    return reverse("discharge:case", kwargs={"public_id": stay.public_id})
