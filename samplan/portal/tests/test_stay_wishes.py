"""What a person in hospital, with only a discharge case, can do in Min plan: write what matters
to them and wishes for the meeting on the stay. Staff see it on the case page and in its
timeline; a SIP started from the stay takes it into its preparation, as written by the person,
and the plan editor proposes it as a sub-goal. What the person then does in that SIP shows on
the discharge case too."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, connection, transaction
from django.test import Client
from django.urls import reverse

from samplan.audit.models import AccessAction, AccessLogEntry, AccessPurpose
from samplan.core.records import AppendOnlyError
from samplan.discharge.models import (
    CaseEventKind,
    InpatientStay,
    PersonStatement,
)
from samplan.people.models import AuthorityKind, PortalScope
from samplan.portal.tests.conftest import citizen_client
from samplan.portal.tests.scenes import full_case
from samplan.portal.tests.test_pages import GUARDIAN_NUMBER, overview_url, page, represent
from samplan.sip import services as sip_services
from samplan.sip.models import AuthorKind, PreparationKind, SipEventKind, SipProcess
from samplan.testing.county import County
from samplan.testing.factories import sign_in
from samplan.testing.sip import give_consent

pytestmark = pytest.mark.django_db

IMPORTANT = "Jag vill kunna laga mat själv och träffa mina barnbarn."


def wishes_url(stay: InpatientStay) -> str:
    return reverse(
        "portal:stay_wishes",
        kwargs={"person_id": stay.person.public_id, "stay_id": stay.public_id},
    )


def case_url(stay: InpatientStay) -> str:
    return reverse("discharge:case", kwargs={"public_id": stay.public_id})


def write(client: Client, stay: InpatientStay, **data: str) -> None:
    response = client.post(wishes_url(stay), data)
    assert response.status_code == 302, response.content.decode()[:3000]


def test_a_person_in_hospital_writes_what_matters_and_the_staff_see_it(county: County) -> None:
    person = county.person(given_name="Maj")
    stay = full_case(county, person).stay
    client = citizen_client(person.identifier, "Maj Mottagare")
    assert wishes_url(stay) in page(client, overview_url(person))

    reads = AccessLogEntry.objects.filter(action=AccessAction.READ, person_id=person.pk)
    before = reads.count()
    assert "Vad är viktigt för dig?" in page(client, wishes_url(stay))
    entry = reads.latest("pk")
    assert reads.count() == before + 1  # opening the page is a read like any other
    assert (entry.object_type, entry.object_id) == ("discharge.InpatientStay", str(stay.pk))
    assert entry.purpose == AccessPurpose.OWN_ACCESS

    write(
        client,
        stay,
        important=IMPORTANT,
        when="Förmiddag, inte måndagar",
        place_kind="home",
        who="Min son Per",
    )
    statements = list(stay.person_statements.order_by("pk"))
    assert [(s.kind, s.author_kind, s.author_name) for s in statements] == [
        ("important", "person", "Maj Mottagare"),
        ("meeting_wish", "person", "Maj Mottagare"),
    ]
    assert statements[1].place_kind == "home"
    assert "Min son Per" in statements[1].text
    assert [e.kind for e in stay.events.filter(data__via="min_plan").order_by("pk")] == [
        CaseEventKind.PERSON_IMPORTANT,
        CaseEventKind.PERSON_MEETING_WISH,
    ]
    created = AccessLogEntry.objects.filter(action=AccessAction.CREATE, person_id=person.pk)
    assert created.filter(object_type="discharge.PersonStatement").count() == 2

    # The person sees what they wrote; the staff see it on the case page and in its timeline.
    assert IMPORTANT in page(client, wishes_url(stay))
    staff = page(sign_in(Client(), county.needs_assessor), case_url(stay))
    section = staff.split("Personens egna ord i Min plan")[1].split("</section>")[0]
    assert IMPORTANT in section
    assert "Min son Per" in section
    assert "I hemmet" in section
    timeline = staff.split('id="timeline-heading"')[1]
    assert "Vad som är viktigt för personen (Min plan)" in timeline
    assert "Personens önskemål om mötet (Min plan)</strong>: Maj Mottagare" in timeline


def test_what_the_person_wrote_is_never_changed(county: County) -> None:
    person = county.person()
    stay = full_case(county, person).stay
    write(citizen_client(person.identifier), stay, important=IMPORTANT)
    statement = PersonStatement.objects.get()
    statement.text = "Något annat"
    with pytest.raises(AppendOnlyError):
        statement.save()
    with pytest.raises(AppendOnlyError):
        statement.delete()
    for sql in (
        "UPDATE discharge_personstatement SET text = 'x'",
        "DELETE FROM discharge_personstatement",
    ):
        with (
            pytest.raises(DatabaseError, match="refused"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(sql)
    assert PersonStatement.objects.get().text == IMPORTANT


def test_empty_or_too_long_texts_are_refused_in_swedish(county: County) -> None:
    person = county.person()
    stay = full_case(county, person).stay
    client = citizen_client(person.identifier)
    blank = client.post(wishes_url(stay), {"important": "   ", "who": " "}).content.decode()
    assert "Skriv något i minst en ruta." in blank
    long = client.post(wishes_url(stay), {"important": "a" * 3001}).content.decode()
    assert "Texten är för lång. Skriv högst 3000 tecken. Nu är det 3001." in long
    assert "a" * 3001 in long  # nothing the person wrote is lost
    assert not PersonStatement.objects.exists()


def test_only_a_representative_allowed_to_take_part_writes_on_the_stay(county: County) -> None:
    person = county.person()
    stay = full_case(county, person).stay
    authority = represent(person, authority=AuthorityKind.TRUSTEE, portal_scope=PortalScope.READ)
    client = citizen_client(GUARDIAN_NUMBER, "Greta Förälder")
    assert wishes_url(stay) not in page(client, overview_url(person))
    page(client, wishes_url(stay), status=404)
    client.post(wishes_url(stay), {"important": "Får inte sparas"})
    assert not PersonStatement.objects.exists()

    authority.portal_scope = PortalScope.PARTICIPATE
    authority.save()
    write(client, stay, important="Hon vill bo kvar hemma.")
    statement = PersonStatement.objects.get()
    assert (statement.author_kind, statement.author_name, statement.representative) == (
        "relative",
        "Greta Förälder (god man)",
        authority,
    )
    entry = AccessLogEntry.objects.filter(object_type="discharge.PersonStatement").get()
    assert entry.purpose == AccessPurpose.REPRESENTATIVE
    assert f"företrädare #{authority.pk}" in entry.detail


def test_another_persons_stay_takes_nothing(county: County) -> None:
    person, other = county.person(), county.person()
    stay = full_case(county, other).stay
    client = citizen_client(person.identifier)
    page(client, wishes_url(stay), status=404)
    mixed = reverse(
        "portal:stay_wishes", kwargs={"person_id": person.public_id, "stay_id": stay.public_id}
    )
    page(client, mixed, status=404)
    client.post(mixed, {"important": "Får inte sparas"})
    assert not PersonStatement.objects.exists()


def test_a_sip_from_the_stay_takes_the_persons_words_into_its_preparation(
    county: County,
) -> None:
    from samplan.sip.tests.test_views import editor_post_of, editor_url

    person = county.person(given_name="Maj")
    stay = full_case(county, person).stay
    client = citizen_client(person.identifier, "Maj Mottagare")
    write(client, stay, important=IMPORTANT, place_kind="video", when="Eftermiddag")

    process = sip_services.sip_start_from_stay(
        acting=county.acting(county.primary_care_nurse), stay=stay
    )
    entries = list(process.preparation.order_by("pk"))
    assert [(e.kind, e.author_kind, e.author_name, e.recorded_by) for e in entries] == [
        (PreparationKind.QUESTION, AuthorKind.PERSON, "Maj Mottagare", None),
        (PreparationKind.WISH, AuthorKind.PERSON, "Maj Mottagare", None),
    ]
    assert entries[1].place_kind == "video"
    assert process.events.filter(
        kind=SipEventKind.PREPARATION_ADDED, summary__contains="2 texter"
    ).exists()

    staff = sign_in(Client(), county.primary_care_nurse)
    sip_page = page(staff, reverse("sip:process", kwargs={"public_id": process.public_id}))
    preparation = sip_page.split('id="forberedelse"')[1].split("</section>")[0]
    assert IMPORTANT in preparation
    assert "Maj Mottagare" in preparation
    assert "Videomöte" in preparation
    proposed = editor_post_of(page(staff, editor_url(process)))
    assert IMPORTANT in proposed.values(), "the person's words are proposed as a sub-goal"

    # From now on the person writes in the SIP, not on the stay.
    overview = page(client, overview_url(person))
    assert wishes_url(stay) not in overview
    assert (
        reverse(
            "portal:sip_wishes", kwargs={"person_id": person.public_id, "sip_id": process.public_id}
        )
        in overview
    )
    page(client, wishes_url(stay), status=404)
    assert client.post(wishes_url(stay), {"important": "Sent"}).status_code == 404
    assert stay.person_statements.count() == 2


def test_what_the_person_does_in_the_sip_shows_on_the_discharge_case(county: County) -> None:
    person = county.person(given_name="Maj")
    stay = full_case(county, person).stay
    process = sip_services.sip_start_from_stay(
        acting=county.acting(county.primary_care_nurse), stay=stay
    )
    give_consent(county, process)
    client = citizen_client(person.identifier, "Maj Mottagare")
    sip_wishes = reverse(
        "portal:sip_wishes", kwargs={"person_id": person.public_id, "sip_id": process.public_id}
    )
    assert client.post(sip_wishes, {"important": IMPORTANT}).status_code == 302
    consent = reverse(
        "portal:sip_consent", kwargs={"person_id": person.public_id, "sip_id": process.public_id}
    )
    client.post(consent, {"consent": "withdraw"})

    # The vårdcentral (home organisation: sees the SIP without consent) sees the acts on the case.
    centre = page(sign_in(Client(), county.primary_care_nurse), case_url(stay))
    section = centre.split("Personen i Min plan, i SIP:en")[1].split("</section>")[0]
    assert "Fråga till mötet – Maj Mottagare (Min plan)" in section
    assert "Samtycke återkallat" in section
    # The municipality no longer sees the SIP (consent withdrawn), nor its events on the case.
    municipality = page(sign_in(Client(), county.needs_assessor), case_url(stay))
    assert "Personen i Min plan, i SIP:en" not in municipality
    assert SipProcess.objects.get(pk=process.pk).events.filter(data__via="min_plan").count() == 2
