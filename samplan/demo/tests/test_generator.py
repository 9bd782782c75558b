import io
import re
from datetime import date

import pytest
from django.core.management import CommandError, call_command
from django_otp.plugins.otp_totp.models import TOTPDevice

from samplan.accounts.models import User
from samplan.demo import generator
from samplan.demo.cases import CATALOGUE
from samplan.demo.generator import (
    DEMO_PASSWORD,
    PERSONA_USERNAMES,
    REFERENCE_DATE,
    IdentifierAllocator,
    build_staff,
    create_demo_county,
    iter_persons,
    totp_key,
)
from samplan.directory.models import Membership, Organisation, Role, Unit, UnitKind
from samplan.discharge.models import CaseEvent, InpatientStay
from samplan.people.identifiers import IdentifierKind, parse_identifier
from samplan.people.models import AuthorityKind, CareContact, Person, Representative
from samplan.testing.factories import current_totp

pytestmark = pytest.mark.django_db

SEED = 7


@pytest.fixture
def county():
    # The structure, staff and persons; the discharge cases are tested in test_cases.py.
    result = create_demo_county(seed=SEED, persons=40, cases=False)
    assert result.created
    return result


def age_on(birth: date, day: date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def test_structure_of_the_county(county) -> None:
    region = Organisation.objects.get(name="Region Exempellän", kind="region")
    assert region.organisation_number == "232100-0000"
    units = Unit.objects.all()
    for unit in units:
        unit.full_clean()  # HSA id format among others
        assert unit.phone
        assert unit.visiting_address
        assert unit.email.endswith(".example")
    hospitals = units.filter(kind=UnitKind.HOSPITAL)
    assert sorted(h.name for h in hospitals) == ["Länssjukhuset Exempelstad", "Sjukhuset i Norrby"]
    wards = units.filter(kind=UnitKind.INPATIENT_WARD)
    assert wards.count() == 8
    assert all(w.parent in hospitals for w in wards)
    assert wards.filter(is_psychiatric=True).count() == 1
    assert units.filter(kind=UnitKind.PRIMARY_CARE, organisation=region).count() == 6
    assert units.filter(kind=UnitKind.SPECIALIST_OUTPATIENT).count() == 1
    assert units.filter(kind=UnitKind.ADMINISTRATION, organisation=region).count() == 1

    municipalities = Organisation.objects.filter(kind="municipality")
    codes = sorted(m.municipality_code for m in municipalities)
    assert codes == ["2190", "2191", "2192", "2193"]
    for municipality in municipalities:
        municipality.full_clean()
        kinds = set(municipality.units.values_list("kind", flat=True))
        assert kinds == {
            UnitKind.SOCIAL_SERVICES,
            UnitKind.MUNICIPAL_HEALTH_CARE,
            UnitKind.ADMINISTRATION,
        }


def test_staff_cover_every_role_and_multi_has_two_units(county) -> None:
    roles = set(Membership.objects.values_list("role", flat=True))
    assert roles == set(Role.values)
    for ward in Unit.objects.filter(kind=UnitKind.INPATIENT_WARD):
        ward_roles = set(ward.memberships.values_list("role", flat=True))
        assert {Role.NURSE_COORDINATOR, Role.PHYSICIAN} <= ward_roles
    for vc in Unit.objects.filter(kind=UnitKind.PRIMARY_CARE):
        assert {Role.HEAD_OF_UNIT, Role.NURSE_COORDINATOR} <= set(
            vc.memberships.values_list("role", flat=True)
        )
    for municipality in Organisation.objects.filter(kind="municipality"):
        assert Membership.objects.filter(
            unit__organisation=municipality, role=Role.LOCAL_ADMIN
        ).exists()

    assert set(PERSONA_USERNAMES) <= set(User.objects.values_list("username", flat=True))
    multi = Membership.objects.active().filter(user__username="multi")
    assert multi.count() == 2
    assert {m.unit.kind for m in multi} == {UnitKind.INPATIENT_WARD, UnitKind.PRIMARY_CARE}
    nurse = Membership.objects.get(user__username="avd.sjukskoterska")
    assert (nurse.unit.name, nurse.role) == ("Medicinavdelning 12", Role.NURSE_COORDINATOR)

    for user in User.objects.all():
        assert user.check_password(DEMO_PASSWORD)
        device = TOTPDevice.objects.get(user=user, confirmed=True)
        assert device.key == totp_key(SEED, user.username)
        assert re.fullmatch(r"[0-9a-f]{40}", device.key)


@pytest.mark.parametrize(
    ("username", "landing"), [("avd.sjukskoterska", "/"), ("multi", "/valj-enhet/")]
)
def test_printed_sign_ins_work(county, client, username, landing) -> None:
    client.post("/logga-in/", {"username": username, "password": DEMO_PASSWORD})
    user = User.objects.get(username=username)
    response = client.post("/logga-in/kod/", {"code": current_totp(user)})
    assert response["Location"].startswith(landing)


def test_persons_are_valid_and_varied(county) -> None:
    persons = list(Person.objects.all())
    assert len(persons) == 40
    kinds = set()
    for person in persons:
        parsed = parse_identifier(person.identifier, today=REFERENCE_DATE)
        assert parsed.kind.value == person.identifier_kind
        assert parsed.birth_date == person.birth_date
        assert person.municipality_code in {"2190", "2191", "2192", "2193"}
        person.full_clean()
        kinds.add(person.identifier_kind)
    assert kinds == {k.value for k in IdentifierKind}
    assert any(p.protected_identity for p in persons)
    assert any(p.listed_unit and p.listed_unit.kind == UnitKind.PRIMARY_CARE for p in persons)

    children = [p for p in persons if age_on(p.birth_date, REFERENCE_DATE) < 18]
    assert children
    for child in children:
        guardians = child.representatives.filter(authority=AuthorityKind.GUARDIAN)
        assert 1 <= guardians.count() <= 2
        for guardian in guardians:
            assert guardian.valid_from == child.birth_date
            parsed = parse_identifier(guardian.identifier, today=REFERENCE_DATE)
            assert parsed.kind is IdentifierKind.PERSONNUMMER
            assert age_on(parsed.birth_date, REFERENCE_DATE) >= 18
    assert all(r.recorded_by_id for r in Representative.objects.all())  # the FK is required anyway
    fvk = CareContact.objects.filter(role="fast_vardkontakt").select_related("unit", "staff")
    assert fvk.exists()
    for contact in fvk:
        assert contact.unit.kind == UnitKind.PRIMARY_CARE
        assert contact.staff is not None
        assert contact.name == contact.staff.get_full_name()


def test_same_seed_same_data_and_another_seed_differs() -> None:
    def snapshot(seed: int) -> list[tuple[str, str, str]]:
        return [
            (p.identifier, p.given_name, p.family_name) for p in iter_persons(seed=seed, count=300)
        ]

    assert snapshot(SEED) == snapshot(SEED)
    assert snapshot(SEED) != snapshot(SEED + 1)
    usernames = [s.username for s in build_staff(SEED)]
    assert usernames == [s.username for s in build_staff(SEED)]
    assert usernames != [s.username for s in build_staff(SEED + 1)]
    assert len(usernames) == len(set(usernames))


def test_identifiers_are_unique_at_scale_with_exact_shares() -> None:
    persons = list(iter_persons(seed=SEED, count=3000))
    identifiers = [p.identifier for p in persons]
    guardians = [r.identifier for p in persons for r in p.representatives]
    assert len(set(identifiers + guardians)) == len(identifiers) + len(guardians)
    assert sum(p.protected_identity for p in persons) == 90
    assert sum(p.identifier_kind == "samordningsnummer" for p in persons) == 90
    assert sum(p.identifier_kind == "reservnummer" for p in persons) == 30
    assert sum(age_on(p.birth_date, REFERENCE_DATE) < 18 for p in persons) == 150


def test_allocator_skips_taken_identifiers_and_moves_on_when_a_day_is_full() -> None:
    import random

    birth = date(1940, 5, 17)
    first = IdentifierAllocator(random.Random(1)).allocate(birth, IdentifierKind.PERSONNUMMER)[0]
    allocator = IdentifierAllocator(random.Random(1), taken={first})
    values = [allocator.allocate(birth, IdentifierKind.PERSONNUMMER) for _ in range(1000)]
    assert first not in {v for v, _b, _n in values}
    assert len({v for v, _b, _n in values}) == 1000
    assert values[-1][1] == date(1940, 5, 16)


def test_command_is_idempotent(settings) -> None:
    settings.DEMO_MODE = True
    out = io.StringIO()
    call_command("demo_county", "--seed", "3", "--persons", "25", "--no-progress", stdout=out)
    first = out.getvalue()
    assert "Region Exempellän är skapad" in first
    assert DEMO_PASSWORD in first
    for username in PERSONA_USERNAMES:
        assert username in first
    counts = (Unit.objects.count(), User.objects.count(), Person.objects.count())

    out = io.StringIO()
    call_command("demo_county", "--seed", "3", "--persons", "25", "--no-progress", stdout=out)
    assert "finns redan" in out.getvalue()
    assert "avd.sjukskoterska" in out.getvalue()
    assert (Unit.objects.count(), User.objects.count(), Person.objects.count()) == counts
    assert Organisation.objects.filter(name=generator.REGION_NAME).count() == 1


def test_command_refuses_outside_demo_mode(settings) -> None:
    settings.DEMO_MODE = False
    with pytest.raises(CommandError, match="demoläge"):
        call_command("demo_county", "--persons", "5", "--no-progress", stdout=io.StringIO())
    assert not Organisation.objects.exists()
    call_command("demo_county", "--persons", "5", "--no-progress", "--force", stdout=io.StringIO())
    assert Person.objects.count() == 5


def test_cases_are_added_once_to_a_county_that_has_none(settings) -> None:
    settings.DEMO_MODE = True
    args = ["demo_county", "--persons", "60", "--no-progress"]
    out = io.StringIO()
    call_command(*args, "--no-cases", stdout=out)
    assert "utskrivningsärenden" not in out.getvalue().splitlines()[0]
    assert not InpatientStay.objects.exists()

    out = io.StringIO()
    call_command(*args, stdout=out)
    assert f"finns redan; {len(CATALOGUE)} utskrivningsärenden har lagts till" in out.getvalue()
    counts = (InpatientStay.objects.count(), CaseEvent.objects.count())
    assert InpatientStay.objects.filter(svpl__isnull=True).count() == len(CATALOGUE)

    out = io.StringIO()
    call_command(*args, stdout=out)
    assert "finns redan; ingenting har skapats" in out.getvalue()
    assert (InpatientStay.objects.count(), CaseEvent.objects.count()) == counts
