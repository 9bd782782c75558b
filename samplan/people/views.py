"""Person pages. Thin: parse the form, call a selector or service, render."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import TYPE_CHECKING

from django.contrib import messages
from django.forms import BaseForm
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from samplan.audit.models import AccessPurpose
from samplan.audit.services import Actor
from samplan.core.acting import DomainError
from samplan.core.http import StaffRequest, staff_view
from samplan.directory.models import UnitKind
from samplan.directory.permissions import Permission
from samplan.discharge import access
from samplan.people import selectors, services
from samplan.people.forms import (
    CareContactForm,
    PersonCreateForm,
    PersonEditForm,
    PersonLookupForm,
    RelativeForm,
    RepresentativeForm,
    RepresentativeWithdrawForm,
)
from samplan.people.models import Person, Representative

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

LOOKUP_MISS_KEY = "samplan_lookup_miss"


@staff_view(Permission.PERSON_LOOKUP)
@require_http_methods(["GET", "POST"])
def lookup(request: StaffRequest) -> HttpResponse:
    form = PersonLookupForm(request.POST or None)
    not_found = None
    if request.method == "POST" and form.is_valid():
        identifier = form.cleaned_data["identifier"]
        person = selectors.person_find(actor=Actor.from_request(request), identifier=identifier)
        if person is not None:
            return redirect("people:detail", public_id=person.public_id)
        not_found = identifier.display()
        request.session[LOOKUP_MISS_KEY] = not_found
    return render(request, "people/lookup.html", {"form": form, "not_found": not_found})


@staff_view(Permission.PERSON_LOOKUP)
def detail(request: StaffRequest, public_id: str) -> HttpResponse:
    person = selectors.person_get_with_contacts(
        actor=Actor.from_request(request), public_id=public_id
    )
    unit = request.membership.unit
    stays = access.stays_for_unit(unit).filter(person=person).select_related("ward")
    return render(
        request,
        "people/detail.html",
        {
            "person": person,
            "stays": stays.order_by("-admitted_at"),
            "can_admit": unit.kind == UnitKind.INPATIENT_WARD
            and request.membership.role in access.WARD_ROLES,
        },
    )


@staff_view(Permission.PERSON_EDIT)
@require_http_methods(["GET", "POST"])
def create(request: StaffRequest) -> HttpResponse:
    initial = {"identifier": request.session.get(LOOKUP_MISS_KEY, "")}
    form = PersonCreateForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        fields = {k: v for k, v in form.cleaned_data.items() if k != "identifier"}
        person = services.person_create(
            actor=Actor.from_request(request), identifier=form.cleaned_data["identifier"], **fields
        )
        request.session.pop(LOOKUP_MISS_KEY, None)
        messages.success(request, _("Personen är registrerad."))
        return redirect("people:detail", public_id=person.public_id)
    return render(request, "people/form.html", {"form": form, "title": _("Registrera person")})


@staff_view(Permission.PERSON_EDIT)
@require_http_methods(["GET", "POST"])
def edit(request: StaffRequest, public_id: str) -> HttpResponse:
    actor = Actor.from_request(request)
    person = selectors.person_get(actor=actor, public_id=public_id, purpose=AccessPurpose.CARE)
    # The form validates into a copy so the service can still see what actually changed.
    form = PersonEditForm(request.POST or None, instance=copy.copy(person))
    if request.method == "POST" and form.is_valid():
        services.person_update(actor=actor, person=person, **form.cleaned_data)
        messages.success(request, _("Uppgifterna är sparade."))
        return redirect("people:detail", public_id=person.public_id)
    return _person_form(request, person, form, _("Ändra uppgifter"))


def _person_form(
    request: StaffRequest, person: Person, form: BaseForm, title: StrOrPromise
) -> HttpResponse:
    return render(request, "people/form.html", {"form": form, "person": person, "title": title})


def _add_view(
    form_class: type[BaseForm],
    service: Callable[..., object],
    title: StrOrPromise,
    success: StrOrPromise,
) -> Callable[..., HttpResponse]:
    @staff_view(Permission.PERSON_EDIT)
    @require_http_methods(["GET", "POST"])
    def view(request: StaffRequest, public_id: str) -> HttpResponse:
        actor = Actor.from_request(request)
        person = selectors.person_get(actor=actor, public_id=public_id, purpose=AccessPurpose.CARE)
        form = form_class(request.POST or None)
        if request.method == "POST" and form.is_valid():
            service(actor=actor, person=person, **form.cleaned_data)
            messages.success(request, success)
            return redirect("people:detail", public_id=person.public_id)
        return _person_form(request, person, form, title)

    return view


relative_add = _add_view(
    RelativeForm,
    services.relative_add,
    gettext_lazy("Lägg till närstående"),
    gettext_lazy("Närstående är tillagd."),
)
representative_add = _add_view(
    RepresentativeForm,
    services.representative_add,
    gettext_lazy("Lägg till företrädare"),
    gettext_lazy("Företrädaren är registrerad."),
)
care_contact_add = _add_view(
    CareContactForm,
    services.care_contact_add,
    gettext_lazy("Lägg till fast kontakt"),
    gettext_lazy("Den fasta kontakten är tillagd."),
)


@staff_view(Permission.PERSON_EDIT)
@require_http_methods(["GET", "POST"])
def representative_withdraw(
    request: StaffRequest, public_id: str, representative_id: int
) -> HttpResponse:
    actor = Actor.from_request(request)
    person = selectors.person_get(actor=actor, public_id=public_id, purpose=AccessPurpose.CARE)
    representative = get_object_or_404(Representative, pk=representative_id, person=person)
    form = RepresentativeWithdrawForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.representative_withdraw(
                actor=actor, representative=representative, reason=form.cleaned_data["reason"]
            )
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Behörigheten är återkallad."))
            return redirect("people:detail", public_id=person.public_id)
    title = _("Återkalla behörighet för %(name)s") % {"name": representative.name}
    return _person_form(request, person, form, title)
