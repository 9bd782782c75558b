import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from samplan.audit.models import AccessAction, AccessLogEntry, AccessPurpose
from samplan.audit.services import Actor, log_access
from samplan.directory.models import Role
from samplan.testing.factories import make_person, make_staff, sign_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def reviewer(client):
    membership = make_staff(role=Role.LOG_REVIEWER)
    sign_in(client, membership)
    return membership


def read(membership, person) -> None:
    actor = Actor(
        membership.user_id,
        membership.user.username,
        membership.unit_id,
        membership.unit.hsa_id,
        "10.0.0.1",
    )
    log_access(
        actor=actor, person=person, action=AccessAction.READ, purpose=AccessPurpose.CARE, obj=person
    )


def test_viewing_a_person_is_found_by_the_reviewer(client) -> None:
    nurse = make_staff(role=Role.NURSE_COORDINATOR, username="sjukskoterska.sara")
    person = make_person()
    sign_in(client, nurse)
    client.get(f"/personer/{person.public_id}/")
    sign_in(client, make_staff(role=Role.LOG_REVIEWER))
    body = client.get("/logg/", {"identifier": person.display_identifier}).content.decode()
    assert "1 post" in body
    assert "sjukskoterska.sara" in body
    assert nurse.unit.name in body
    assert "Läsning" in body
    assert "Vård och behandling" in body


def test_filters_by_user_unit_and_period(client, reviewer) -> None:
    alice, bob = make_staff(username="alice"), make_staff(username="bob")
    person = make_person()
    read(alice, person)
    read(bob, person)
    body = client.get("/logg/", {"username": "alice"}).content.decode()
    assert "alice" in body
    assert ">bob<" not in body
    body = client.get("/logg/", {"unit": bob.unit_id}).content.decode()
    assert ">bob<" in body
    assert ">alice<" not in body
    body = client.get(
        "/logg/", {"username": "alice", "date_from": "2000-01-01", "date_to": "2000-12-31"}
    ).content.decode()
    assert "Inga poster matchar sökningen." in body


def test_protected_identity_accesses_are_highlighted_and_filterable(client, reviewer) -> None:
    nurse = make_staff()
    ordinary, protected = make_person(), make_person(protected=True)
    read(nurse, ordinary)
    read(nurse, protected)
    body = client.get("/logg/", {"username": nurse.user.username}).content.decode()
    assert body.count('class="flagged"') == 1
    assert "Skyddad identitet" in body
    body = client.get("/logg/", {"username": nurse.user.username, "protected_only": "on"})
    text = body.content.decode()
    assert protected.full_name in text
    assert ordinary.full_name not in text


def test_the_review_itself_is_logged(client, reviewer) -> None:
    person = make_person()
    client.get("/logg/", {"identifier": person.identifier})
    entry = AccessLogEntry.objects.get(action=AccessAction.LOG_REVIEW)
    assert (entry.person, entry.user_id, entry.purpose) == (person, reviewer.user_id, "log_review")


def test_htmx_request_gets_only_the_results(client, reviewer) -> None:
    response = client.get("/logg/", {"username": "x"}, headers={"HX-Request": "true"})
    body = response.content.decode()
    assert body.lstrip().startswith('<section id="results"')
    assert "<html" not in body


def test_invalid_period_is_explained(client, reviewer) -> None:
    body = client.get("/logg/", {"date_from": "2026-02-01", "date_to": "2026-01-01"})
    assert "Slutdatumet kan inte vara före startdatumet." in body.content.decode()


@pytest.mark.parametrize("role", [Role.NURSE_COORDINATOR, Role.LOCAL_ADMIN, Role.ANALYST])
def test_only_log_reviewers_may_review(client, role) -> None:
    sign_in(client, make_staff(role=role))
    assert client.get("/logg/").status_code == 403


def test_query_count_is_constant_over_page_length(client, reviewer) -> None:
    nurse = make_staff(username="olle")

    def queries() -> int:
        with CaptureQueriesContext(connection) as context:
            assert client.get("/logg/", {"username": "olle"}).status_code == 200
        return len(context)

    read(nurse, make_person())
    baseline = queries()
    for _ in range(30):
        read(make_staff(username=f"olle-{_}") if _ % 10 == 0 else nurse, make_person())
    assert queries() == baseline
