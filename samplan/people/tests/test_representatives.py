"""Representatives (företrädare) as staff record and withdraw them, and what that does to the
representative's access to the person's plan in Min plan."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from samplan.audit.models import AccessAction, AccessLogEntry
from samplan.core.acting import DomainError
from samplan.directory.models import Role
from samplan.people import services
from samplan.people.identifiers import synthetic_identifier
from samplan.people.models import AuthorityKind, PortalScope, Representative
from samplan.portal.tests.conftest import citizen_client
from samplan.testing.factories import make_person, make_staff, sign_in

pytestmark = pytest.mark.django_db

GUARDIAN = synthetic_identifier(date(1985, 4, 4), 44)


@pytest.fixture
def nurse(client):
    membership = make_staff(role=Role.NURSE_COORDINATOR)
    sign_in(client, membership)
    return membership


def add_url(person) -> str:
    return reverse("people:representative_add", kwargs={"public_id": person.public_id})


def test_staff_record_a_guardian_who_may_then_open_the_childs_plan(client, nurse) -> None:
    child = make_person(birth_date=date(2016, 6, 1), given_name="Alva")
    response = client.post(
        add_url(child),
        {
            "name": "Gustav Vårdnadshavare",
            "identifier": GUARDIAN,
            "authority": AuthorityKind.GUARDIAN,
            "valid_from": "2016-06-01",
            "portal_scope": PortalScope.FULL,
        },
    )
    assert response.status_code == 302
    recorded = Representative.objects.get(person=child)
    assert recorded.identifier == GUARDIAN
    assert recorded.portal_scope == PortalScope.FULL
    assert recorded.recorded_by_id == nurse.user_id
    page = client.get(reverse("people:detail", kwargs={"public_id": child.public_id}))
    assert "Min plan: Se, delta och lämna eller återkalla samtycke" in page.content.decode()
    overview = reverse("portal:overview", kwargs={"person_id": child.public_id})
    assert citizen_client(GUARDIAN).get(overview).status_code == 200


def test_portal_access_needs_the_representatives_personnummer(client, nurse) -> None:
    person = make_person()
    data = {
        "name": "Utan Nummer",
        "authority": AuthorityKind.TRUSTEE,
        "valid_from": "2026-01-01",
        "portal_scope": PortalScope.READ,
    }
    response = client.post(add_url(person), data)
    assert "annars kan hen inte logga in i Min plan" in response.content.decode()
    assert not Representative.objects.exists()
    del data["portal_scope"]  # not chosen: nothing in Min plan, and no number needed
    assert client.post(add_url(person), data).status_code == 302
    assert Representative.objects.get().portal_scope == PortalScope.NONE


def test_withdrawal_keeps_the_record_and_ends_portal_access_at_once(client, nurse) -> None:
    person = make_person()
    authority = services.representative_add(
        actor=_actor(nurse),
        person=person,
        name="Fia Fullmakt",
        identifier=GUARDIAN,
        authority=AuthorityKind.POWER_OF_ATTORNEY,
        valid_from=timezone.localdate() - timedelta(days=10),
        portal_scope=PortalScope.READ,
    )
    representative = citizen_client(GUARDIAN)
    overview = reverse("portal:overview", kwargs={"person_id": person.public_id})
    assert representative.get(overview).status_code == 200
    url = reverse(
        "people:representative_withdraw",
        kwargs={"public_id": person.public_id, "representative_id": authority.pk},
    )
    detail = client.get(reverse("people:detail", kwargs={"public_id": person.public_id}))
    assert url in detail.content.decode()
    assert "Varför återkallas behörigheten?" in client.get(url).content.decode()
    assert client.post(url, {"reason": ""}).status_code == 200  # a reason is required
    authority.refresh_from_db()
    assert not authority.is_withdrawn

    response = client.post(url, {"reason": "Fullmakten är återkallad av huvudmannen"})
    assert response.status_code == 302
    authority.refresh_from_db()
    assert authority.is_withdrawn
    assert authority.withdrawn_by_id == nurse.user_id
    assert authority.withdrawn_reason == "Fullmakten är återkallad av huvudmannen"
    page = client.get(reverse("people:detail", kwargs={"public_id": person.public_id}))
    assert "Återkallad" in page.content.decode()
    assert "Fia Fullmakt" in page.content.decode()  # still on record
    entry = AccessLogEntry.objects.filter(object_type="people.Representative").latest("id")
    assert (entry.action, entry.person) == (AccessAction.UPDATE, person)
    assert representative.get(overview).status_code == 404
    with pytest.raises(DomainError, match="redan återkallad"):
        services.representative_withdraw(
            actor=_actor(nurse), representative=authority, reason="igen"
        )


def test_a_representative_of_another_person_cannot_be_withdrawn_through_this_person(
    client, nurse
) -> None:
    person, other = make_person(), make_person()
    authority = services.representative_add(
        actor=_actor(nurse),
        person=other,
        name="X",
        authority=AuthorityKind.TRUSTEE,
        valid_from=date(2025, 1, 1),
    )
    url = reverse(
        "people:representative_withdraw",
        kwargs={"public_id": person.public_id, "representative_id": authority.pk},
    )
    assert client.post(url, {"reason": "fel"}).status_code == 404
    authority.refresh_from_db()
    assert not authority.is_withdrawn


def _actor(membership):
    from samplan.core.acting import Acting

    return Acting(user=membership.user, membership=membership).actor
