import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection
from django.test.utils import CaptureQueriesContext

from samplan.accounts.models import User
from samplan.audit.models import AccessLogEntry
from samplan.directory.models import Membership, Organisation, OrganisationKind, Role, Unit
from samplan.testing.factories import make_organisation, make_staff, make_unit, sign_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def region():
    return make_organisation(OrganisationKind.REGION, name="Region Test")


@pytest.fixture
def admin(client, region):
    membership = make_staff(make_unit(region, kind="administration"), Role.LOCAL_ADMIN)
    sign_in(client, membership)
    return membership


def test_overview_lists_only_own_organisation(client, admin, region) -> None:
    own = make_unit(region, name="Avdelning Egen")
    foreign = make_unit(make_organisation(OrganisationKind.MUNICIPALITY), name="Kommunenhet Annan")
    make_staff(own, Role.PHYSICIAN, first_name="Egon", last_name="Egen")
    make_staff(foreign, Role.NEEDS_ASSESSOR, first_name="Frida", last_name="Främling")
    body = client.get("/katalog/").content.decode()
    assert "Avdelning Egen" in body
    assert "Egon Egen" in body
    assert "Kommunenhet Annan" not in body
    assert "Frida Främling" not in body


def test_foreign_unit_and_membership_answer_404(client, admin) -> None:
    foreign_unit = make_unit(make_organisation(OrganisationKind.MUNICIPALITY))
    foreign_membership = make_staff(foreign_unit, Role.NEEDS_ASSESSOR)
    assert client.get(f"/katalog/enheter/{foreign_unit.pk}/").status_code == 404
    response = client.post(f"/katalog/uppdrag/{foreign_membership.pk}/avsluta/")
    assert response.status_code == 404
    foreign_membership.refresh_from_db()
    assert foreign_membership.is_active


@pytest.mark.parametrize("role", [Role.NURSE_COORDINATOR, Role.LOG_REVIEWER, Role.ANALYST])
def test_other_roles_cannot_manage_the_directory(client, role) -> None:
    sign_in(client, make_staff(role=role))
    assert client.get("/katalog/").status_code == 403
    assert client.post("/katalog/enheter/ny/", {}).status_code == 403


def test_create_unit_validates_hsa_id_and_logs(client, admin, region) -> None:
    data = {
        "name": "Vårdcentralen Söder",
        "kind": "primary_care",
        "hsa_id": "SE123-fel",
        "phone": "010-123 45 67",
        "is_active": "on",
    }
    response = client.post("/katalog/enheter/ny/", data)
    assert "HSA-id ska ha formen" in response.content.decode()
    data["hsa_id"] = "SE2321000016-VCS1"
    assert client.post("/katalog/enheter/ny/", data).status_code == 302
    unit = Unit.objects.get(hsa_id="SE2321000016-VCS1")
    assert unit.organisation == region
    assert AccessLogEntry.objects.filter(
        object_type="directory.Unit", object_id=str(unit.pk), user=admin.user
    ).exists()


def test_create_staff_with_membership_in_own_unit_only(client, admin, region) -> None:
    own = make_unit(region, name="Avd 5")
    foreign = make_unit(make_organisation(OrganisationKind.MUNICIPALITY))
    data = {
        "username": "ny.person",
        "first_name": "Ny",
        "last_name": "Person",
        "unit": foreign.pk,
        "role": "physician",
        "password": "ett-langt-startlosenord-9",
    }
    response = client.post("/katalog/medarbetare/ny/", data)
    assert "Välj ett giltigt alternativ" in response.content.decode()
    assert not User.objects.filter(username="ny.person").exists()
    data["unit"] = own.pk
    assert client.post("/katalog/medarbetare/ny/", data).status_code == 302
    membership = Membership.objects.get(user__username="ny.person")
    assert (membership.unit, membership.role) == (own, Role.PHYSICIAN)


def test_weak_start_password_is_refused(client, admin, region) -> None:
    data = {
        "username": "svag",
        "first_name": "S",
        "last_name": "V",
        "unit": admin.unit.pk,
        "role": "physician",
        "password": "12345678",
    }
    response = client.post("/katalog/medarbetare/ny/", data)
    assert "Det måste innehålla minst 12 tecken." in response.content.decode()
    assert not User.objects.filter(username="svag").exists()


def test_deactivate_membership(client, admin, region) -> None:
    membership = make_staff(make_unit(region), Role.PHYSICIAN)
    assert client.post(f"/katalog/uppdrag/{membership.pk}/avsluta/").status_code == 302
    membership.refresh_from_db()
    assert not membership.is_active


def test_overview_query_count_is_constant(client, admin, region) -> None:
    def queries() -> int:
        with CaptureQueriesContext(connection) as context:
            client.get("/katalog/")
        return len(context)

    baseline = queries()
    for _ in range(5):
        make_staff(make_unit(region, parent=admin.unit), Role.PHYSICIAN)
    assert queries() == baseline


def test_municipality_needs_a_four_digit_code() -> None:
    with pytest.raises(IntegrityError):
        Organisation.objects.create(kind=OrganisationKind.MUNICIPALITY, name="Utan kod")


def test_municipality_code_format() -> None:
    organisation = Organisation(
        kind=OrganisationKind.MUNICIPALITY, name="K", municipality_code="21"
    )
    with pytest.raises(ValidationError, match="fyra siffror"):
        organisation.full_clean()
