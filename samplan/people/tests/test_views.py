import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from samplan.audit.models import AccessAction, AccessLogEntry
from samplan.directory.models import Role, UnitKind
from samplan.people.models import CareContact, Person, Relative, Representative
from samplan.testing.factories import make_person, make_staff, make_unit, sign_in

pytestmark = pytest.mark.django_db

CARE_ROLES = [
    Role.NURSE_COORDINATOR,
    Role.PHYSICIAN,
    Role.HEAD_OF_UNIT,
    Role.NEEDS_ASSESSOR,
    Role.MUNICIPAL_NURSE,
]
NON_CARE_ROLES = [Role.LOCAL_ADMIN, Role.LOG_REVIEWER, Role.ANALYST]


@pytest.fixture
def nurse(client):
    membership = make_staff(role=Role.NURSE_COORDINATOR)
    sign_in(client, membership)
    return membership


def entries_for(person: Person) -> list[AccessLogEntry]:
    return list(AccessLogEntry.objects.filter(person=person).order_by("id"))


@pytest.mark.parametrize("role", CARE_ROLES)
def test_care_roles_find_a_person_by_exact_identifier(client, role) -> None:
    sign_in(client, make_staff(role=role))
    person = make_person()
    response = client.post("/personer/", {"identifier": person.display_identifier}, follow=True)
    assert response.status_code == 200
    assert person.full_name in response.content.decode()


@pytest.mark.parametrize("role", NON_CARE_ROLES)
def test_roles_without_care_relationship_cannot_reach_persons(client, role) -> None:
    sign_in(client, make_staff(role=role))
    person = make_person()
    assert client.get("/personer/").status_code == 403
    assert client.post("/personer/", {"identifier": person.identifier}).status_code == 403
    assert client.get(f"/personer/{person.public_id}/").status_code == 403
    assert entries_for(person) == []


def test_anonymous_is_sent_to_sign_in(client) -> None:
    person = make_person()
    response = client.get(f"/personer/{person.public_id}/")
    assert response.status_code == 302
    assert response["Location"].startswith("/logga-in/")
    assert entries_for(person) == []


def test_partial_identifier_does_not_browse_the_registry(client, nurse) -> None:
    person = make_person()
    response = client.post("/personer/", {"identifier": person.identifier[:8]})
    body = response.content.decode()
    assert "Numret har fel form" in body
    assert person.full_name not in body


def test_invalid_number_gives_swedish_error_in_summary(client, nurse) -> None:
    response = client.post("/personer/", {"identifier": "19121212-1213"})
    body = response.content.decode()
    assert 'class="error-summary"' in body
    assert "Kontrollsiffran stämmer inte" in body
    assert 'aria-invalid="true"' in body


def test_unknown_person_is_reported_and_the_search_logged(client, nurse) -> None:
    response = client.post("/personer/", {"identifier": "19121212-1212"})
    assert "Ingen person med numret 19121212-1212 finns i registret." in response.content.decode()
    entry = AccessLogEntry.objects.get(action=AccessAction.LOOKUP)
    assert entry.person is None
    assert entry.user_id == nurse.user_id


def test_viewing_a_person_writes_lookup_and_read_entries(client, nurse) -> None:
    person = make_person()
    client.post("/personer/", {"identifier": person.identifier}, follow=True)
    actions = [(e.action, e.user_id, e.unit_id, e.purpose) for e in entries_for(person)]
    assert actions == [
        (AccessAction.LOOKUP, nurse.user_id, nurse.unit_id, "care"),
        (AccessAction.READ, nurse.user_id, nurse.unit_id, "care"),
    ]


def test_unknown_person_page_is_404(client, nurse) -> None:
    assert client.get("/personer/00000000-0000-0000-0000-000000000000/").status_code == 404


def test_register_person_then_every_write_is_logged(client, nurse) -> None:
    unit = make_unit(kind=UnitKind.PRIMARY_CARE, name="Vårdcentralen Test")
    response = client.post(
        "/personer/ny/",
        {
            "identifier": "19121212-1212",
            "given_name": "Tolvan",
            "family_name": "Tolvansson",
            "street_address": "Storgatan 1",
            "postal_code": "80320",
            "city": "Gävle",
            "municipality_code": "2180",
        },
    )
    person = Person.objects.get(identifier="191212121212")
    assert response.status_code == 302
    base = f"/personer/{person.public_id}"
    client.post(
        f"{base}/andra/",
        {
            "given_name": "Tolvan",
            "family_name": "Tolvansson",
            "street_address": "Storgatan 2",
            "postal_code": "80320",
            "city": "Gävle",
            "municipality_code": "2180",
            "phone": "070-123 45 67",
        },
    )
    client.post(f"{base}/narstaende/", {"name": "Elva Tolvansson", "relation": "dotter"})
    client.post(
        f"{base}/foretradare/",
        {"name": "Gode Mannen", "authority": "trustee", "valid_from": "2026-01-01"},
    )
    client.post(
        f"{base}/fast-kontakt/",
        {
            "role": "fast_vardkontakt",
            "name": "Vera Vård",
            "unit": unit.pk,
            "valid_from": "2026-01-01",
        },
    )
    person.refresh_from_db()
    assert person.street_address == "Storgatan 2"
    assert Relative.objects.filter(person=person).count() == 1
    assert Representative.objects.get(person=person).recorded_by_id == nurse.user_id
    assert CareContact.objects.get(person=person).unit == unit
    writes = [
        e for e in entries_for(person) if e.action in (AccessAction.CREATE, AccessAction.UPDATE)
    ]
    assert [e.object_type for e in writes] == [
        "people.Person",
        "people.Person",
        "people.Relative",
        "people.Representative",
        "people.CareContact",
    ]
    assert "street_address" in writes[1].detail
    page = client.get(f"{base}/").content.decode()
    for text in ("Elva Tolvansson", "Gode Mannen", "God man", "Vera Vård", "Fast vårdkontakt"):
        assert text in page


def test_duplicate_registration_is_refused(client, nurse) -> None:
    person = make_person()
    response = client.post(
        "/personer/ny/", {"identifier": person.identifier, "given_name": "A", "family_name": "B"}
    )
    assert "Det finns redan en person med det numret." in response.content.decode()


def test_representative_end_before_start_is_refused(client, nurse) -> None:
    person = make_person()
    response = client.post(
        f"/personer/{person.public_id}/foretradare/",
        {
            "name": "X",
            "authority": "guardian",
            "valid_from": "2026-02-01",
            "valid_until": "2026-01-01",
        },
    )
    assert "Slutdatumet kan inte vara före startdatumet." in response.content.decode()
    assert not Representative.objects.exists()


def test_protected_address_never_in_any_response(client, nurse) -> None:
    person = make_person(
        protected=True, street_address="Hemliga vägen 13", postal_code="99999", city="Dolda byn"
    )
    secrets = ("Hemliga vägen", "99999", "Dolda byn")
    base = f"/personer/{person.public_id}"
    responses = [
        client.post("/personer/", {"identifier": person.identifier}, follow=True),
        client.get(f"{base}/"),
        client.get(f"{base}/andra/"),
        client.post(f"{base}/andra/", {"given_name": "", "family_name": ""}),
        client.get(f"{base}/narstaende/"),
        client.get(f"{base}/foretradare/"),
        client.get(f"{base}/fast-kontakt/"),
    ]
    reviewer = make_staff(role=Role.LOG_REVIEWER)
    sign_in(client, reviewer)
    responses.append(client.get("/logg/", {"identifier": person.identifier}))
    for response in responses:
        assert response.status_code == 200
        body = response.content.decode()
        assert person.full_name in body
        for secret in secrets:
            assert secret not in body
    assert all(e.protected_identity for e in entries_for(person))


def test_protected_address_cannot_be_changed_through_the_form(client, nurse) -> None:
    person = make_person(protected=True, street_address="Hemliga vägen 13")
    client.post(
        f"/personer/{person.public_id}/andra/",
        {
            "given_name": person.given_name,
            "family_name": person.family_name,
            "street_address": "Avslöjad gata 1",
            "municipality_code": "2180",
        },
    )
    person.refresh_from_db()
    assert person.street_address == "Hemliga vägen 13"


def test_person_page_query_count_does_not_grow_with_contacts(client, nurse) -> None:
    person = make_person()
    unit = make_unit(kind=UnitKind.PRIMARY_CARE)

    def queries() -> int:
        with CaptureQueriesContext(connection) as context:
            assert client.get(f"/personer/{person.public_id}/").status_code == 200
        return len(context)

    queries()  # warm-up: the first access-log write creates the chain head
    baseline = queries()
    for n in range(6):
        Relative.objects.create(person=person, name=f"R{n}", relation="barn")
        CareContact.objects.create(
            person=person,
            role="fast_vardkontakt",
            name=f"K{n}",
            unit=make_unit(kind=UnitKind.PRIMARY_CARE) if n % 2 else unit,
            valid_from="2026-01-01",
            recorded_by=nurse.user,
        )
        Representative.objects.create(
            person=person,
            name=f"F{n}",
            authority="trustee",
            valid_from="2026-01-01",
            recorded_by=nurse.user,
        )
    assert queries() == baseline
