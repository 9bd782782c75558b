from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from samplan.audit.services import Actor
from samplan.core.http import StaffRequest, staff_view
from samplan.directory import selectors, services
from samplan.directory.forms import StaffCreateForm, UnitForm
from samplan.directory.models import Unit
from samplan.directory.permissions import Permission

manage = staff_view(Permission.DIRECTORY_MANAGE)


@manage
def overview(request: StaffRequest) -> HttpResponse:
    return render(
        request,
        "directory/overview.html",
        {
            "organisation": request.membership.unit.organisation,
            "units": selectors.units_of_organisation(membership=request.membership),
            "memberships": selectors.memberships_of_organisation(membership=request.membership),
        },
    )


@manage
@require_http_methods(["GET", "POST"])
def unit_edit(request: StaffRequest, unit_id: int | None = None) -> HttpResponse:
    units = selectors.units_of_organisation(membership=request.membership)
    unit = (
        selectors.unit_get_for_admin(membership=request.membership, unit_id=unit_id)
        if unit_id is not None
        else Unit(organisation=request.membership.unit.organisation)
    )
    form = UnitForm(request.POST or None, instance=unit, units=units.exclude(pk=unit.pk))
    if request.method == "POST" and form.is_valid():
        services.unit_save(
            actor=Actor.from_request(request),
            organisation=request.membership.unit.organisation,
            unit=form.save(commit=False),
        )
        messages.success(request, _("Enheten är sparad."))
        return redirect("directory:overview")
    title = _("Ändra enhet") if unit_id else _("Ny enhet")
    return render(request, "directory/form.html", {"form": form, "title": title})


@manage
@require_http_methods(["GET", "POST"])
def staff_create(request: StaffRequest) -> HttpResponse:
    units = selectors.units_of_organisation(membership=request.membership).filter(is_active=True)
    form = StaffCreateForm(request.POST or None, units=units)
    if request.method == "POST" and form.is_valid():
        services.staff_create(actor=Actor.from_request(request), **form.cleaned_data)
        messages.success(request, _("Medarbetaren är upplagd."))
        return redirect("directory:overview")
    return render(request, "directory/form.html", {"form": form, "title": _("Ny medarbetare")})


@manage
@require_POST
def membership_deactivate(request: StaffRequest, membership_id: int) -> HttpResponse:
    membership = selectors.membership_get_for_admin(
        membership=request.membership, membership_id=membership_id
    )
    services.membership_deactivate(actor=Actor.from_request(request), membership=membership)
    messages.success(request, _("Uppdraget är avslutat."))
    return redirect("directory:overview")
