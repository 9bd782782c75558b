"""The person's samordnad vårdplan (SVPL, LPT 7 a § / LRV 12 a §) in Min plan: the established
version in plain Swedish with its PDF, for the person and a representative who may see it;
never a draft; comments and read confirmations reach the staff's SVPL page; constant queries."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from samplan.audit.models import AccessAction, AccessLogEntry, AccessPurpose
from samplan.people.models import AuthorityKind, Person, PortalScope
from samplan.portal.readability import PATIENT_TEXT_MAX_LIX, lix_of, text_segments
from samplan.portal.tests.conftest import citizen_client
from samplan.portal.tests.test_pages import GUARDIAN_NUMBER, overview_url, page, pdf_text, represent
from samplan.psychiatry.models import CoordinatedCarePlanLpt, SvplEvent, SvplEventKind
from samplan.psychiatry.tests.helpers import (
    PsychCounty,
    establish,
    make_psych_county,
    psych_case,
    save,
    start,
)
from samplan.testing.county import County
from samplan.testing.factories import sign_in

pytestmark = pytest.mark.django_db

HEADING = "Din vårdplan från psykiatrin"


@pytest.fixture
def pc(county: County) -> PsychCounty:
    return make_psych_county(county)


def established_svpl(
    pc: PsychCounty, person: Person | None = None, **fields
) -> CoordinatedCarePlanLpt:
    plan = start(pc, psych_case(pc, person), basis="lrv_12a")
    save(pc, plan, **fields)
    return establish(pc, plan)


def pdf_url(plan: CoordinatedCarePlanLpt, number: int, person: Person | None = None) -> str:
    return reverse(
        "portal:svpl_pdf",
        kwargs={
            "person_id": (person or plan.stay.person).public_id,
            "plan_id": plan.public_id,
            "number": number,
        },
    )


def respond_url(plan: CoordinatedCarePlanLpt) -> str:
    return reverse(
        "portal:svpl_respond",
        kwargs={"person_id": plan.stay.person.public_id, "plan_id": plan.public_id},
    )


def staff_plan_page(pc: PsychCounty, plan: CoordinatedCarePlanLpt) -> str:
    return page(
        sign_in(Client(), pc.chief),
        reverse("psychiatry:plan", kwargs={"public_id": plan.public_id}),
    )


def test_the_person_sees_their_established_plan_in_plain_swedish_and_gets_the_pdf(
    pc: PsychCounty, tmp_path
) -> None:
    plan = established_svpl(pc)
    person = plan.stay.person
    client = citizen_client(person.identifier)
    html = page(client, overview_url(person))
    shown = html.split(HEADING)[1].split("</section>")[0]

    assert "Version 1." in shown
    assert "öppen rättspsykiatrisk vård (ÖRV)" in shown
    assert "Jag vill bo kvar i min lägenhet och klara mig själv." in shown  # their own view
    assert shown.index("Jag vill bo kvar") < shown.index("Depåinjektion var fjärde vecka")
    for text in (
        "Stöd i vardagen och med boendet",  # a need
        "Boendestöd tre dagar i veckan",  # an insats, who gives it, and what the person thinks
        pc.county.social_services.name,
        "Bra, men inte tidigt på morgonen.",
        "Psykiatriska öppenvårdsmottagningen Norr",  # an outside unit
        "God man: Hjälper till med räkningarna",  # done by others
        "Cecilia Chefsöverläkare, chefsöverläkare",
        "010-100 31 00",  # the ward's phone
        "12 a § lagen (1991:1129) om rättspsykiatrisk vård (LRV)",
    ):
        assert text in shown, text
    assert pc.county.primary_care.name in shown.split("sagt ja till planen")[1]
    assert "Jag har läst planen" in shown
    lix = lix_of(text_segments(html)).value
    assert lix < PATIENT_TEXT_MAX_LIX, f"LIX {lix:.1f}"

    response = client.get(pdf_url(plan, 1))
    assert response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content, tmp_path)
    assert "Din samordnade vårdplan" in text
    assert "Boendestöd" in text  # a table cell (the layout wraps its words)
    page(client, pdf_url(plan, 2), status=404)

    logged = AccessLogEntry.objects.filter(person_id=person.pk, purpose=AccessPurpose.OWN_ACCESS)
    read = logged.filter(action=AccessAction.READ, detail__contains="samordnad vårdplan").get()
    assert read.object_type == "psychiatry.CoordinatedCarePlanLpt"
    assert logged.filter(
        action=AccessAction.EXPORT, detail__contains="samordnad vårdplan version 1 (PDF)"
    ).exists()


def test_a_draft_is_never_shown_and_a_change_under_way_says_the_version_still_applies(
    pc: PsychCounty,
) -> None:
    draft_only = start(pc, psych_case(pc))
    save(pc, draft_only, patient_view="Utkast som inte är fastställt")
    person = draft_only.stay.person
    client = citizen_client(person.identifier)
    assert HEADING not in page(client, overview_url(person))
    page(client, pdf_url(draft_only, 1), status=404)
    assert client.post(respond_url(draft_only), {}).status_code == 404

    plan = established_svpl(pc)
    save(pc, plan, patient_view="Ny text som inte är justerad")
    client = citizen_client(plan.stay.person.identifier)
    html = page(client, overview_url(plan.stay.person))
    assert "Planen håller på att ändras. Den här versionen gäller tills den nya är klar." in html
    assert "Jag vill bo kvar i min lägenhet" in html
    assert "Ny text som inte är justerad" not in html


def test_another_persons_plan_is_404(pc: PsychCounty) -> None:
    plan = established_svpl(pc)
    other = pc.county.person()
    client = citizen_client(other.identifier)
    assert HEADING not in page(client, overview_url(other))
    for url in (pdf_url(plan, 1), pdf_url(plan, 1, person=other)):
        page(client, url, status=404)
    foreign = reverse(
        "portal:svpl_respond", kwargs={"person_id": other.public_id, "plan_id": plan.public_id}
    )
    assert client.post(foreign, {}).status_code == 404
    assert not SvplEvent.objects.filter(plan=plan, data__via="min_plan").exists()


def test_a_representative_sees_it_and_takes_part_only_if_allowed(pc: PsychCounty) -> None:
    plan = established_svpl(pc)
    person = plan.stay.person
    authority = represent(person, authority=AuthorityKind.TRUSTEE, portal_scope=PortalScope.READ)
    client = citizen_client(GUARDIAN_NUMBER, "Greta Förälder")
    html = page(client, overview_url(person))
    assert "Boendestöd tre dagar i veckan" in html
    assert "Jag har läst planen" not in html
    assert client.get(pdf_url(plan, 1))["Content-Type"] == "application/pdf"
    assert client.post(respond_url(plan), {"comment": "Får inte sparas"}).status_code == 404
    entry = AccessLogEntry.objects.filter(
        person_id=person.pk, action=AccessAction.READ, detail__contains="samordnad vårdplan"
    ).get()
    assert entry.purpose == AccessPurpose.REPRESENTATIVE
    assert f"företrädare #{authority.pk}" in entry.detail

    authority.portal_scope = PortalScope.PARTICIPATE
    authority.save()
    client.post(respond_url(plan), {"comment": "Han vill ha boendestödet efter lunch."})
    assert "Greta Förälder (god man) om version 1: Han vill ha boendestödet efter lunch." in (
        staff_plan_page(pc, plan)
    )
    assert "Får inte sparas" not in staff_plan_page(pc, plan)


def test_comments_and_read_confirmations_reach_the_staffs_svpl_page(pc: PsychCounty) -> None:
    plan = established_svpl(pc)
    person = plan.stay.person
    client = citizen_client(person.identifier, "Pia Patient")

    refused = client.post(respond_url(plan), {"comment": "  "})
    assert refused.status_code == 200
    assert "Skriv din kommentar först." in refused.content.decode()
    assert not SvplEvent.objects.filter(plan=plan, data__via="min_plan").exists()

    done = client.post(respond_url(plan), {"comment": "Jag vill träffa samma läkare."}, follow=True)
    assert "Tack! Personalen ser din kommentar." in done.content.decode()
    done = client.post(respond_url(plan), {}, follow=True)
    assert "Tack! Personalen ser att du har läst planen." in done.content.decode()

    events = list(SvplEvent.objects.filter(plan=plan, data__via="min_plan").order_by("pk"))
    assert [(e.kind, e.actor_id, e.unit_id) for e in events] == [
        (SvplEventKind.PLAN_COMMENTED, None, None),
        (SvplEventKind.PLAN_READ_CONFIRMED, None, None),
    ]
    staff = staff_plan_page(pc, plan)
    assert "Kommentar till planen från Min plan" in staff
    assert "Pia Patient om version 1: Jag vill träffa samma läkare." in staff
    assert "Pia Patient har läst version 1" in staff
    assert "personen i Min plan" in staff
    created = AccessLogEntry.objects.filter(
        person_id=person.pk, action=AccessAction.CREATE, purpose=AccessPurpose.OWN_ACCESS
    )
    assert created.filter(object_type="psychiatry.SvplVersion").count() == 2


def test_the_page_costs_the_same_queries_for_one_version_as_for_many(pc: PsychCounty) -> None:
    def queries(plan: CoordinatedCarePlanLpt) -> int:
        client = citizen_client(plan.stay.person.identifier)
        with CaptureQueriesContext(connection) as captured:
            assert HEADING in page(client, overview_url(plan.stay.person))
        return len(captured)

    one = established_svpl(pc)
    many = established_svpl(pc)
    for n in range(2):
        save(pc, many, patient_view=f"Min syn, gång {n}")
        establish(pc, many)
    many.refresh_from_db()
    assert many.established_number == 3
    assert queries(one) == queries(many)


def test_the_demo_sign_in_lists_a_person_with_an_established_plan(
    pc: PsychCounty, settings
) -> None:
    settings.DEMO_MODE = True
    person = pc.county.person(
        given_name="Sven", family_name="Psykplan", birth_date=date(1980, 1, 2)
    )
    established_svpl(pc, person)
    client = Client()
    html = page(client, reverse("portal:demo"))
    assert "Sven Psykplan" in html
    assert "Har en plan från psykiatrin." in html
    response = client.post(reverse("portal:demo"), {"who": person.identifier}, follow=True)
    assert HEADING in response.content.decode()
