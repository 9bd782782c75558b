from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render

from samplan.audit.forms import AccessLogFilterForm
from samplan.audit.models import AccessAction, AccessPurpose
from samplan.audit.selectors import ReviewRow, access_log_search, review_rows
from samplan.audit.services import Actor, log_access
from samplan.core.http import StaffRequest, staff_view
from samplan.directory.permissions import Permission
from samplan.people.models import Person

PAGE_SIZE = 50


@staff_view(Permission.ACCESS_LOG_REVIEW)
def review(request: StaffRequest) -> HttpResponse:
    """Logguppföljning: search the access log; accesses to protected identities stand out."""
    form = AccessLogFilterForm(request.GET or None)
    page = None
    rows: list[ReviewRow] = []
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        identifier = data["identifier"]
        entries = access_log_search(
            person_identifier=identifier.value if identifier else None,
            username=data["username"].strip(),
            unit_id=data["unit"].pk if data["unit"] else None,
            date_from=data["date_from"],
            date_to=data["date_to"],
            flagged_only=data["protected_only"],
        )
        page = Paginator(entries, PAGE_SIZE).get_page(request.GET.get("sida"))
        # Evaluate the page now, so the review's own log entry below cannot slip into it.
        page.object_list = list(page.object_list)
        rows = review_rows(page.object_list)
        # Reviewing who read a person's data is itself an access to that person's data.
        person = Person.objects.filter(identifier=identifier.value).first() if identifier else None
        log_access(
            actor=Actor.from_request(request),
            person=person,
            action=AccessAction.LOG_REVIEW,
            purpose=AccessPurpose.LOG_REVIEW,
            object_type="audit.AccessLogEntry",
            detail=_describe_filter(request.GET),
        )
    query = request.GET.copy()
    query.pop("sida", None)
    context = {"form": form, "page": page, "rows": rows, "query": query.urlencode()}
    template = "audit/review.html#results" if request.htmx else "audit/review.html"
    return render(request, template, context)


def _describe_filter(params: object) -> str:
    keys = ("username", "unit", "date_from", "date_to", "protected_only")
    return ", ".join(f"{k}={params.get(k)}" for k in keys if params.get(k))  # type: ignore[attr-defined]
