"""Downloads of a SIP's documents for staff: the kallelse as iCalendar, the kallelse letter to the
person (none for a cancelled meeting) and an established plan version, both as PDF.

Thin, like the pages: the process through :func:`samplan.sip.access.process_get` (404 and a
DENIED log entry for a unit that may not see it), the meeting or version of that process or 404,
then :mod:`samplan.sip.documents`, which writes the EXPORT access-log entry.
"""

from __future__ import annotations

from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404

from samplan.core.acting import Acting
from samplan.core.http import StaffRequest, staff_view
from samplan.directory.permissions import Permission
from samplan.sip import access, documents
from samplan.sip.models import PlanVersion, SipMeeting

care_view = staff_view(Permission.PERSON_LOOKUP)


def _meeting(request: StaffRequest, public_id: str, meeting_id: int) -> tuple[Acting, SipMeeting]:
    acting = Acting.from_request(request)
    process = access.process_get(acting, public_id)
    meeting = get_object_or_404(
        SipMeeting.objects.select_related("invited_by", "invited_by_unit"),
        pk=meeting_id,
        process=process,
    )
    meeting.process = process
    return acting, meeting


@care_view
def meeting_ics(request: StaffRequest, public_id: str, meeting_id: int) -> HttpResponse:
    acting, meeting = _meeting(request, public_id, meeting_id)
    ics = documents.meeting_ics_export(acting=acting, process=meeting.process, meeting=meeting)
    response = HttpResponse(ics, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="kallelse-sip.ics"'
    return response


@care_view
def meeting_letter(request: StaffRequest, public_id: str, meeting_id: int) -> HttpResponse:
    acting, meeting = _meeting(request, public_id, meeting_id)
    if meeting.is_cancelled:
        # No letter calls the person to a meeting that will not take place.
        raise Http404
    pdf = documents.invitation_letter_pdf(acting=acting, process=meeting.process, meeting=meeting)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = 'inline; filename="kallelse-sip.pdf"'
    return response


@care_view
def plan_pdf(request: StaffRequest, public_id: str, number: int) -> HttpResponse:
    acting = Acting.from_request(request)
    process = access.process_get(acting, public_id)
    version = get_object_or_404(PlanVersion, process=process, number=number)
    pdf = documents.plan_pdf(acting=acting, process=process, version=version)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="sip-plan-version-{number}.pdf"'
    return response
