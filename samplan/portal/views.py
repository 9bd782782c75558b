"""Min plan pages. Thin: who is signed in, whose plan, then a portal selector and a template.

The SIP parts are a section of the person's page (:mod:`samplan.portal.sip`) and acts under
``/min-plan/<person>/sip/<sip>/`` (:mod:`samplan.portal.services`), behind the same
:func:`~samplan.portal.http.citizen_view` gate and :func:`~samplan.portal.access.subject_get`
with the action they need (``PortalAction.PARTICIPATE`` / ``CONSENT``). The psychiatric SVPL
likewise (:mod:`samplan.portal.svpl`, under ``/min-plan/<person>/svpl/<plan>/``).
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.db import transaction
from django.db.models import Model
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from samplan.audit.models import AccessAction, AccessPurpose
from samplan.audit.services import LogItem, log_access, log_access_many
from samplan.core.acting import DomainError
from samplan.core.forms import SamplanForm
from samplan.discharge import documents
from samplan.discharge.models import StatementKind
from samplan.discharge.rules import MEETING_PLACES
from samplan.discharge.rules.places import Audience
from samplan.people.models import Person
from samplan.portal import access, citizen, oidc, rules, selectors
from samplan.portal import services as portal_services
from samplan.portal import sip as portal_sip
from samplan.portal import svpl as portal_svpl
from samplan.portal.access import Subject
from samplan.portal.calendar import person_ics
from samplan.portal.demo import demo_citizens
from samplan.portal.http import CitizenRequest, citizen_view, portal_methods
from samplan.psychiatry import documents as svpl_documents
from samplan.sip import documents as sip_documents
from samplan.sip.models import PreparationKind

logger = logging.getLogger(__name__)

PORTAL_CALENDAR_TEXT = gettext_lazy("Möte om din samordnade individuella plan (SIP).")


def _subject(
    request: CitizenRequest,
    person_id: str,
    action: rules.PortalAction = rules.PortalAction.VIEW,
) -> access.Subject:
    return access.subject_get(
        citizen=request.citizen,
        actor=request.citizen.actor(request),
        public_id=person_id,
        today=timezone.localdate(),
        action=action,
    )


# --- Sign-in ----------------------------------------------------------------------------------


@portal_methods("GET")
def sign_in(request: HttpRequest) -> HttpResponse:
    if citizen.citizen_of(request) is not None:
        return redirect("portal:home")
    return render(
        request,
        "portal/sign_in.html",
        {"oidc_configured": oidc.OidcConfig.from_settings().is_configured},
    )


@portal_methods("GET")
def sign_in_start(request: HttpRequest) -> HttpResponse:
    """A link, not a form: the Content-Security-Policy's form-action would stop a form whose
    answer redirects to the provider's origin. The state in the session guards the flow."""
    try:
        return oidc.begin(request, request.build_absolute_uri(reverse("portal:callback")))
    except oidc.SignInFailed as error:
        logger.warning("Min plan sign-in could not start: %s", error)
        return _sign_in_failed(request)


@portal_methods("GET")
def callback(request: HttpRequest) -> HttpResponse:
    try:
        identity = oidc.finish(request)
    except oidc.SignInFailed as error:
        logger.warning("Min plan sign-in refused: %s", error)
        return _sign_in_failed(request)
    return _signed_in(request, identity, citizen.CitizenSignInMethod.OIDC)


def _signed_in(
    request: HttpRequest, identity: oidc.VerifiedIdentity, method: citizen.CitizenSignInMethod
) -> HttpResponse:
    signed_in = citizen.sign_in(request, identity, method=method)
    person = Person.objects.filter(identifier=signed_in.identifier).first()
    log_access(
        actor=signed_in.actor(request),
        person=person,
        action=AccessAction.LOOKUP,
        purpose=AccessPurpose.OWN_ACCESS,
        obj=person,
        object_type="people.Person",
        detail=f"inloggning i Min plan ({method.value})" + ("" if person else ", ingen träff"),
    )
    return redirect("portal:home")


def _sign_in_failed(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/sign_in_failed.html", status=400)


@portal_methods("POST")
def sign_out(request: HttpRequest) -> HttpResponse:
    """End the citizen's session here and, when the provider offers RP-initiated logout, at the
    provider too (it sends the browser back to the sign-in page)."""
    provider_logout = oidc.end_session_url(
        id_token=citizen.id_token_of(request),
        post_logout_redirect_uri=request.build_absolute_uri(reverse("portal:sign_in")),
    )
    citizen.sign_out(request)
    messages.success(request, _("Du är utloggad. Stäng webbläsaren om du delar dator med någon."))
    return redirect(provider_logout or reverse("portal:sign_in"))


@portal_methods("GET", "POST")
def demo_sign_in(request: HttpRequest) -> HttpResponse:
    """Demoinloggning: exists only in demo mode."""
    if not settings.DEMO_MODE:
        raise Http404
    people = demo_citizens(timezone.localdate())
    if request.method == "POST":
        chosen = next((p for p in people if p.identifier.value == request.POST.get("who")), None)
        if chosen is not None:
            identity = oidc.VerifiedIdentity(identifier=chosen.identifier, name=chosen.name)
            return _signed_in(request, identity, citizen.CitizenSignInMethod.DEMO)
    return render(request, "portal/demo_sign_in.html", {"people": people})


# --- The person's pages -----------------------------------------------------------------------


@citizen_view
def home(request: CitizenRequest) -> HttpResponse:
    """Whose plan: straight to the only one, a choice between several, or nothing to show."""
    subjects = access.subjects_for(request.citizen, timezone.localdate())
    if len(subjects) == 1:
        return redirect("portal:overview", person_id=subjects[0].person.public_id)
    actor = request.citizen.actor(request)
    for purpose in (AccessPurpose.OWN_ACCESS, AccessPurpose.REPRESENTATIVE):
        log_access_many(
            actor=actor,
            action=AccessAction.READ,
            purpose=purpose,
            items=[
                LogItem(
                    person=s.person,
                    obj=s.representative or s.person,
                    detail=f"Min plan: val av plan; {s.log_detail}".rstrip("; "),
                )
                for s in subjects
                if s.purpose == purpose
            ],
        )
    template = "portal/choose.html" if subjects else "portal/nothing.html"
    return render(request, template, {"subjects": subjects})


@dataclass(frozen=True)
class SipSection:
    """One SIP on the person's page, with its forms (bound, with errors, after a refused post)."""

    sip: portal_sip.SipView
    comment_form: CommentForm
    child_view_form: ChildViewForm


@dataclass(frozen=True)
class SvplSection:
    """One established SVPL on the person's page, with the comment form."""

    svpl: portal_svpl.CitizenSvpl
    comment_form: CommentForm


def _form_ids(sip_id: str) -> str:
    return f"sip-{sip_id}-%s"


def _svpl_form_ids(plan_id: str) -> str:
    return f"svpl-{plan_id}-%s"


def _overview_page(
    request: CitizenRequest,
    person_id: str,
    *,
    sip_id: str = "",
    svpl_id: str = "",
    bound: Form | None = None,
) -> HttpResponse:
    """The person's page; ``bound`` is a refused form of the SIP ``sip_id`` (or the SVPL
    ``svpl_id``), shown with its errors and what the person wrote."""
    today = timezone.localdate()
    subjects = access.subjects_for(request.citizen, today)
    actor = request.citizen.actor(request)
    subject = access.subject_get(
        citizen=request.citizen, actor=actor, public_id=person_id, today=today, subjects=subjects
    )
    now = timezone.now()
    sips = portal_sip.sips(actor=actor, subject=subject, now=now, viewer_name=request.citizen.name)
    page = selectors.overview(
        actor=actor,
        subject=subject,
        now=now,
        stays_with_sip={sip.origin_stay_id for sip in sips if sip.origin_stay_id},
    )
    sections = []
    for sip in sips:
        ids = _form_ids(sip.public_id)
        mine = sip.public_id == str(sip_id)
        sections.append(
            SipSection(
                sip=sip,
                comment_form=bound
                if mine and isinstance(bound, CommentForm)
                else CommentForm(auto_id=ids),
                child_view_form=bound
                if mine and isinstance(bound, ChildViewForm)
                else ChildViewForm(auto_id=ids),
            )
        )
    svpl_sections = [
        SvplSection(
            svpl=svpl,
            comment_form=bound
            if svpl.plan_id == str(svpl_id) and isinstance(bound, CommentForm)
            else CommentForm(auto_id=_svpl_form_ids(svpl.plan_id)),
        )
        for svpl in portal_svpl.svpls(actor=actor, subject=subject)
    ]
    return render(
        request,
        "portal/overview.html",
        {
            "page": page,
            "sections": sections,
            "svpl_sections": svpl_sections,
            "can_choose": len(subjects) > 1,
        },
    )


@citizen_view
@portal_methods("GET")
def overview(request: CitizenRequest, person_id: str) -> HttpResponse:
    return _overview_page(request, person_id)


@citizen_view
@portal_methods("GET")
def meeting_ics(
    request: CitizenRequest, person_id: str, stay_id: str, message_id: int
) -> HttpResponse:
    subject = _subject(request, person_id)
    message = selectors.invitation_for_portal(
        actor=request.citizen.actor(request),
        subject=subject,
        stay_id=stay_id,
        message_id=message_id,
        now=timezone.now(),
    )
    ics = person_ics(
        uid=documents.invitation_uid(message.pk),
        start=datetime.fromisoformat(message.payload["meeting_at"]),
        stamp=message.sent_at,
        place=documents.invitation_place(message, Audience.PERSON),
        summary=_("Möte om din plan (SIP)"),
        description=str(PORTAL_CALENDAR_TEXT),
    )
    response = HttpResponse(ics, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="mote-om-planen.ics"'
    return response


@citizen_view
@portal_methods("GET")
def letter(request: CitizenRequest, person_id: str, stay_id: str) -> HttpResponse:
    subject = _subject(request, person_id)
    stay = selectors.letter_stay(
        actor=request.citizen.actor(request), subject=subject, stay_id=stay_id, now=timezone.now()
    )
    response = HttpResponse(documents.render_patient_letter(stay), content_type="application/pdf")
    response["Content-Disposition"] = 'attachment; filename="brev-fran-sjukhuset.pdf"'
    return response


# --- The person's SIP -------------------------------------------------------------------------


@citizen_view
@portal_methods("GET")
def sip_plan_pdf(request: CitizenRequest, person_id: str, sip_id: str, number: int) -> HttpResponse:
    subject = _subject(request, person_id)
    process, version = portal_sip.plan_version_for(
        actor=request.citizen.actor(request), subject=subject, sip_id=sip_id, number=number
    )
    response = HttpResponse(
        sip_documents.render_plan(process, version), content_type="application/pdf"
    )
    response["Content-Disposition"] = f'attachment; filename="plan-version-{version.number}.pdf"'
    return response


@citizen_view
@portal_methods("GET")
def sip_meeting_ics(
    request: CitizenRequest, person_id: str, sip_id: str, meeting_id: int
) -> HttpResponse:
    subject = _subject(request, person_id)
    meeting = portal_sip.meeting_for(
        actor=request.citizen.actor(request), subject=subject, sip_id=sip_id, meeting_id=meeting_id
    )
    response = HttpResponse(
        portal_sip.meeting_ics(meeting), content_type="text/calendar; charset=utf-8"
    )
    response["Content-Disposition"] = 'attachment; filename="mote-om-sip.ics"'
    return response


TOO_LONG = gettext_lazy(
    "Texten är för lång. Skriv högst %(limit_value)d tecken. Nu är det %(show_value)d."
)


class WishForm(SamplanForm):
    important = forms.CharField(
        label=gettext_lazy("Vad är viktigt för dig?"),
        help_text=gettext_lazy("Skriv vad du vill ha hjälp med och vad du vill kunna göra."),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        max_length=portal_services.TEXT_MAX_LENGTH,
        error_messages={"max_length": TOO_LONG},
    )
    when = forms.CharField(
        label=gettext_lazy("När passar ett möte dig?"),
        required=False,
        max_length=300,
        error_messages={"max_length": TOO_LONG},
    )
    place_kind = forms.ChoiceField(
        label=gettext_lazy("Var vill du ha mötet?"),
        choices=[("", gettext_lazy("Det spelar ingen roll")), *MEETING_PLACES.items()],
        required=False,
    )
    who = forms.CharField(
        label=gettext_lazy("Vem vill du ha med på mötet?"),
        required=False,
        max_length=300,
        error_messages={"max_length": TOO_LONG},
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not self.errors and not any(
            data.get(name) for name in ("important", "when", "place_kind", "who")
        ):
            raise forms.ValidationError(_("Skriv något i minst en ruta."))
        return data

    def meeting_wish(self) -> str:
        """Time and who, as one text for the staff (the place is its own field)."""
        data = self.cleaned_data
        return "\n".join(
            f"{label}: {data[name]}"
            for name, label in (("when", _("Tid")), ("who", _("Vilka")))
            if data[name]
        )


class CommentForm(SamplanForm):
    comment = forms.CharField(
        label=gettext_lazy("Vill du säga något om planen?"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=portal_services.COMMENT_MAX_LENGTH,
        error_messages={"max_length": TOO_LONG},
    )

    def clean_comment(self) -> str:
        comment = str(self.cleaned_data.get("comment", ""))
        if not comment:
            raise forms.ValidationError(_("Skriv din kommentar först."))
        return comment


class ChildViewForm(SamplanForm):
    view = forms.CharField(
        label=gettext_lazy("Vad tycker du?"),
        help_text=gettext_lazy("Skriv vad du tycker om planen och om att de delar uppgifter."),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=portal_services.TEXT_MAX_LENGTH,
        error_messages={"max_length": TOO_LONG},
    )

    def clean_view(self) -> str:
        view = str(self.cleaned_data.get("view", ""))
        if not view:
            raise forms.ValidationError(_("Skriv vad du tycker först."))
        return view


def _wishes(
    request: CitizenRequest,
    subject: access.Subject,
    *,
    about: Model,
    what: str,
    write: Callable[..., object],
    kinds: tuple[str, str],
    earlier: list[selectors.Statement],
) -> HttpResponse:
    """The wishes page about ``about`` (the SIP or the stay, ``what`` in the access log, which
    showing the page writes to). On a valid answer ``write(kind=…, text=…, place_kind=…)`` for
    what matters, of the first of ``kinds``, and for the meeting wishes, of the second; then
    back to the person's page."""
    actor = request.citizen.actor(request)
    if request.method == "GET":
        selectors.wishes_read(actor=actor, subject=subject, obj=about, what=what)
    important, meeting = kinds
    form = WishForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        meeting_wish = form.meeting_wish()
        try:
            with transaction.atomic():
                if data["important"]:
                    write(kind=important, text=data["important"], place_kind="")
                if meeting_wish or data["place_kind"]:
                    write(
                        kind=meeting,
                        text=meeting_wish or _("Önskad plats"),
                        place_kind=data["place_kind"],
                    )
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Tack! Personalen ser det du skrev inför mötet."))
            return redirect("portal:overview", person_id=subject.person.public_id)
    return render(
        request, "portal/wishes.html", {"form": form, "subject": subject, "earlier": earlier}
    )


@citizen_view
@portal_methods("GET", "POST")
def sip_wishes(request: CitizenRequest, person_id: str, sip_id: str) -> HttpResponse:
    """ "Vad är viktigt för mig" and wishes for the meeting, for the staff to prepare with."""
    subject = _subject(request, person_id, rules.PortalAction.PARTICIPATE)
    process = portal_sip.process_to_write_in(subject, sip_id)
    write = functools.partial(
        portal_services.wish_add,
        citizen=request.citizen,
        actor=request.citizen.actor(request),
        subject=subject,
        process=process,
    )
    return _wishes(
        request,
        subject,
        about=process,
        what="SIP",
        write=write,
        kinds=(PreparationKind.QUESTION, PreparationKind.WISH),
        earlier=portal_sip.written_in_min_plan(process),
    )


@citizen_view
@portal_methods("GET", "POST")
def stay_wishes(request: CitizenRequest, person_id: str, stay_id: str) -> HttpResponse:
    """The same during a hospital stay that no SIP continues yet: written on the stay, seen by
    the staff on the discharge case, and taken into the SIP if one is started from the stay."""
    subject = _subject(request, person_id, rules.PortalAction.PARTICIPATE)
    stay = selectors.statement_stay(subject, stay_id, timezone.now())
    write = functools.partial(
        portal_services.stay_statement_add,
        citizen=request.citizen,
        actor=request.citizen.actor(request),
        subject=subject,
        stay=stay,
    )
    return _wishes(
        request,
        subject,
        about=stay,
        what="vårdtillfälle",
        write=write,
        kinds=(StatementKind.IMPORTANT, StatementKind.MEETING_WISH),
        earlier=selectors.stay_statements(stay),
    )


@citizen_view
@portal_methods("POST")
def sip_consent(request: CitizenRequest, person_id: str, sip_id: str) -> HttpResponse:
    """Give or withdraw consent to sharing the plan between the organisations."""
    actor = request.citizen.actor(request)
    subject = _subject(request, person_id, rules.PortalAction.CONSENT)
    process = portal_sip.process_for(subject, sip_id)
    given = request.POST.get("consent") == "give"
    try:
        portal_services.consent_set(
            citizen=request.citizen, actor=actor, subject=subject, process=process, given=given
        )
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            _("Du har sagt ja till att de som gör planen delar uppgifter med varandra.")
            if given
            else _("Du har sagt nej till att de som gör planen delar uppgifter med varandra."),
        )
    return redirect("portal:overview", person_id=subject.person.public_id)


@citizen_view
@portal_methods("POST")
def sip_child_view(request: CitizenRequest, person_id: str, sip_id: str) -> HttpResponse:
    """A child says what they think (their guardians decide on the consent)."""
    actor = request.citizen.actor(request)
    subject = _subject(request, person_id)
    process = portal_sip.process_for(subject, sip_id)
    form = ChildViewForm(request.POST, auto_id=_form_ids(str(process.public_id)))
    if not form.is_valid():
        return _overview_page(request, person_id, sip_id=str(process.public_id), bound=form)
    try:
        portal_services.child_view_add(
            citizen=request.citizen,
            actor=actor,
            subject=subject,
            process=process,
            text=form.cleaned_data["view"],
        )
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Tack! Nu vet personalen vad du tycker."))
    return redirect("portal:overview", person_id=subject.person.public_id)


@citizen_view
@portal_methods("POST")
def sip_respond(request: CitizenRequest, person_id: str, sip_id: str) -> HttpResponse:
    """Comment on the latest version of the plan (the comment form), or confirm having read it
    (the button alone)."""
    actor = request.citizen.actor(request)
    subject = _subject(request, person_id, rules.PortalAction.PARTICIPATE)
    process = portal_sip.process_for(subject, sip_id)
    return _plan_response(
        request,
        subject,
        auto_id=_form_ids(str(process.public_id)),
        bound_page=lambda form: _overview_page(
            request, person_id, sip_id=str(process.public_id), bound=form
        ),
        respond=lambda comment: portal_services.plan_respond(
            citizen=request.citizen, actor=actor, subject=subject, process=process, comment=comment
        ),
    )


def _plan_response(
    request: CitizenRequest,
    subject: Subject,
    *,
    auto_id: str,
    bound_page: Callable[[CommentForm], HttpResponse],
    respond: Callable[[str | None], object],
) -> HttpResponse:
    """A response to a plan (SIP or SVPL): the comment form's comment, or without it the read
    button's confirmation; an invalid comment comes back on the page, a refusal as a message."""
    comment: str | None = None
    if "comment" in request.POST:
        form = CommentForm(request.POST, auto_id=auto_id)
        if not form.is_valid():
            return bound_page(form)
        comment = form.cleaned_data["comment"]
    try:
        respond(comment)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            _("Tack! Personalen ser din kommentar.")
            if comment is not None
            else _("Tack! Personalen ser att du har läst planen."),
        )
    return redirect("portal:overview", person_id=subject.person.public_id)


# --- The person's SVPL ------------------------------------------------------------------------


@citizen_view
@portal_methods("GET")
def svpl_pdf(request: CitizenRequest, person_id: str, plan_id: str, number: int) -> HttpResponse:
    subject = _subject(request, person_id)
    plan, version = portal_svpl.version_for(
        actor=request.citizen.actor(request), subject=subject, plan_id=plan_id, number=number
    )
    response = HttpResponse(
        svpl_documents.render_svpl(plan, version), content_type="application/pdf"
    )
    response["Content-Disposition"] = (
        f'attachment; filename="samordnad-vardplan-version-{version.number}.pdf"'
    )
    return response


@citizen_view
@portal_methods("POST")
def svpl_respond(request: CitizenRequest, person_id: str, plan_id: str) -> HttpResponse:
    """Comment on the SVPL (the comment form), or confirm having read it (the button alone):
    as for the SIP."""
    actor = request.citizen.actor(request)
    subject = _subject(request, person_id, rules.PortalAction.PARTICIPATE)
    plan = portal_svpl.plan_for(subject, plan_id)
    return _plan_response(
        request,
        subject,
        auto_id=_svpl_form_ids(str(plan.public_id)),
        bound_page=lambda form: _overview_page(
            request, person_id, svpl_id=str(plan.public_id), bound=form
        ),
        respond=lambda comment: portal_services.svpl_respond(
            citizen=request.citizen, actor=actor, subject=subject, plan=plan, comment=comment
        ),
    )
