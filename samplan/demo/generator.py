"""The demo county "Exempellän": a fictional region, four municipalities, staff and persons.

Two layers:

* **Pure generation** (:func:`build_county`, :func:`build_staff`, :func:`iter_persons`) returns
  plain, frozen data. It never reads the clock or the global ``random``: everything follows from
  the seed and a fixed reference date, so the same seed always gives the same identifiers, names
  and usernames.
* **Writing** (:func:`create_demo_county`) puts that data in the database with ``bulk_create`` in
  batches, one transaction per batch, so a million persons fit in bounded memory.
* **Discharge cases** (:mod:`samplan.demo.cases`) are then driven through the real services, so
  that the demo personas have work waiting when they sign in.

Seeding is not access to a person's data, so nothing here writes to the access log; the cases are
access, made as staff would make them, and are logged by the services.

Everything is fictional: names of places, municipality codes (2190–2193 are unused), postal
addresses, the ``.example`` e-mail domain (RFC 2606) and telephone numbers from the series that
PTS reserves for fiction (031-390 06 00–99 and 070-174 06 05–99).
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
import random
import re
import sys
import uuid
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import TextIO

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.db.models import Q
from django_otp.plugins.otp_totp.models import TOTPDevice
from tqdm import tqdm

from samplan.accounts.models import User
from samplan.directory.models import (
    Membership,
    Organisation,
    OrganisationKind,
    Role,
    Unit,
    UnitKind,
)
from samplan.people.identifiers import IdentifierKind, synthetic_identifier
from samplan.people.models import (
    AuthorityKind,
    CareContact,
    CareContactRole,
    Person,
    PortalScope,
    Relative,
    Representative,
)

# Shared by every demo user. Printed by the command; never use outside demo mode.
DEMO_PASSWORD = "Exempellan-demo-2026"  # noqa: S105
DEFAULT_SEED = 2026
DEFAULT_PERSONS = 300
DEFAULT_BATCH_SIZE = 5000
# Ages, contact start dates etc. are relative to this date, never to the clock.
REFERENCE_DATE = date(2026, 10, 1)
REGION_NAME = "Region Exempellän"
REGION_ORG_NUMBER = "232100-0000"
REGION_HSA_PREFIX = "SE2321000000"
TOTP_DEVICE_NAME = "Demo-app"
# Profile quotas (children, protected identity, identifier kinds) are exact per block of persons.
PROFILE_BLOCK = 1000

# Usernames of the key personas, in the order the sign-in table lists them.
PERSONA_USERNAMES = (
    "avd.sjukskoterska",
    "avd.lakare",
    "vc.chef",
    "vc.sjukskoterska",
    "kommun.handlaggare",
    "kommun.sjukskoterska",
    "region.admin",
    "kommun.admin",
    "logg.granskare",
    "analytiker",
    "multi",
)

UNIT_PHONES = tuple(f"031-390 06 {n:02d}" for n in range(100))
MOBILE_PHONES = tuple(f"070-174 06 {n:02d}" for n in range(5, 100))


# --------------------------------------------------------------------------------------------
# Plain data
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class OrganisationSpec:
    key: str
    name: str
    kind: str
    organisation_number: str
    municipality_code: str = ""


@dataclass(frozen=True, slots=True)
class UnitSpec:
    hsa_id: str
    name: str
    kind: str
    organisation_key: str
    phone: str
    email: str
    visiting_address: str
    parent_hsa_id: str | None = None
    is_psychiatric: bool = False
    # The municipality the unit serves (for a region unit: where it lies).
    area_code: str = ""


@dataclass(frozen=True, slots=True)
class MunicipalitySpec:
    code: str
    name: str
    town: str
    slug: str
    postal_prefixes: tuple[str, ...]
    streets: tuple[str, ...]
    weight: int


@dataclass(frozen=True, slots=True)
class County:
    organisations: tuple[OrganisationSpec, ...]
    units: tuple[UnitSpec, ...]
    municipalities: tuple[MunicipalitySpec, ...]

    def units_of_kind(self, kind: str, area_code: str | None = None) -> list[UnitSpec]:
        return [
            u
            for u in self.units
            if u.kind == kind and (area_code is None or u.area_code == area_code)
        ]

    def unit(self, hsa_id: str) -> UnitSpec:
        return next(u for u in self.units if u.hsa_id == hsa_id)


@dataclass(frozen=True, slots=True)
class StaffSpec:
    username: str
    first_name: str
    last_name: str
    memberships: tuple[tuple[str, str], ...]  # (unit HSA id, role)
    hsa_id: str
    phone: str

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    @property
    def email(self) -> str:
        return f"{self.username}@exempellan.example"


@dataclass(frozen=True, slots=True)
class RelativeData:
    name: str
    relation: str
    phone: str
    email: str


@dataclass(frozen=True, slots=True)
class RepresentativeData:
    name: str
    identifier: str
    authority: str
    scope: str
    valid_from: date
    phone: str
    recorded_by: str  # username


@dataclass(frozen=True, slots=True)
class ContactData:
    role: str
    name: str
    title: str
    unit_hsa_id: str
    staff_username: str | None
    phone: str
    email: str
    valid_from: date
    recorded_by: str  # username


@dataclass(frozen=True, slots=True)
class PersonData:
    public_id: uuid.UUID
    identifier: str
    identifier_kind: str
    birth_date: date
    given_name: str
    family_name: str
    street_address: str
    postal_code: str
    city: str
    municipality_code: str
    protected_identity: bool
    listed_unit_hsa_id: str | None
    phone: str
    email: str
    relatives: tuple[RelativeData, ...] = ()
    representatives: tuple[RepresentativeData, ...] = ()
    contacts: tuple[ContactData, ...] = ()


@dataclass(frozen=True, slots=True)
class SignIn:
    username: str
    name: str
    unit: str
    role: str


@dataclass(slots=True)
class CreationResult:
    created: bool
    counts: dict[str, int] = field(default_factory=dict)


# --------------------------------------------------------------------------------------------
# The county: organisations and units (fixed, no randomness)
# --------------------------------------------------------------------------------------------

MUNICIPALITIES = (
    MunicipalitySpec(
        code="2190",
        name="Exempelstads kommun",
        town="Exempelstad",
        slug="exempelstad",
        postal_prefixes=("803", "804", "805"),
        streets=(
            "Storgatan",
            "Kungsgatan",
            "Drottninggatan",
            "Södra Esplanaden",
            "Norra Stationsgatan",
            "Lingonstigen",
            "Björkvägen",
            "Ekbacken",
            "Tallåsvägen",
            "Hamngatan",
        ),
        weight=50,
    ),
    MunicipalitySpec(
        code="2191",
        name="Norrby kommun",
        town="Norrby",
        slug="norrby",
        postal_prefixes=("817",),
        streets=("Bruksgatan", "Smedjevägen", "Kvarnbacken", "Norrbyvägen", "Älvstranden"),
        weight=25,
    ),
    MunicipalitySpec(
        code="2192",
        name="Sjövik kommun",
        town="Sjövik",
        slug="sjovik",
        postal_prefixes=("818",),
        streets=("Strandvägen", "Sjöviksvägen", "Båtsmansgatan", "Vassvägen", "Fyrvägen"),
        weight=15,
    ),
    MunicipalitySpec(
        code="2193",
        name="Åsbacka kommun",
        town="Åsbacka",
        slug="asbacka",
        postal_prefixes=("819",),
        streets=("Åsvägen", "Backstugevägen", "Skolgatan", "Kyrkbacken", "Granstigen"),
        weight=10,
    ),
)

# (HSA suffix, name, hospital suffix, psychiatric, e-mail local part)
_WARDS = (
    ("S112", "Medicinavdelning 12", "S100", False, "avd12"),
    ("S114", "Kirurgavdelning 14", "S100", False, "avd14"),
    ("S116", "Ortopedavdelning 16", "S100", False, "avd16"),
    ("S121", "Geriatrisk avdelning 21", "S100", False, "avd21"),
    ("S131", "Psykiatrisk slutenvård avd 31", "S100", True, "avd31"),
    ("S203", "Medicinavdelning 3", "S200", False, "avd3.norrby"),
    ("S204", "Kirurgavdelning 4", "S200", False, "avd4.norrby"),
    ("S205", "Strokeavdelning 5", "S200", False, "avd5.norrby"),
)
# (HSA suffix, name, municipality code, street address, e-mail local part)
_PRIMARY_CARE = (
    ("V01", "Vårdcentralen Centrum", "2190", "Kungsgatan 21", "vc.centrum"),
    ("V02", "Vårdcentralen Söderhöjden", "2190", "Tallåsvägen 4", "vc.soderhojden"),
    ("V03", "Vårdcentralen Norrby", "2191", "Bruksgatan 9", "vc.norrby"),
    ("V04", "Vårdcentralen Granbacken", "2191", "Kvarnbacken 2", "vc.granbacken"),
    ("V05", "Vårdcentralen Sjövik", "2192", "Strandvägen 15", "vc.sjovik"),
    ("V06", "Vårdcentralen Åsbacka", "2193", "Skolgatan 3", "vc.asbacka"),
)


def _municipality(code: str) -> MunicipalitySpec:
    return next(m for m in MUNICIPALITIES if m.code == code)


def _address(street: str, code: str, postal: str = "") -> str:
    town = _municipality(code)
    postal = postal or f"{town.postal_prefixes[0]} 10"
    return f"{street}, {postal} {town.town}"


def build_county() -> County:
    """The fixed structure of Exempellän: one region, four municipalities and their units."""
    phones = iter(UNIT_PHONES)
    region = OrganisationSpec(
        key="region",
        name=REGION_NAME,
        kind=OrganisationKind.REGION,
        organisation_number=REGION_ORG_NUMBER,
    )
    organisations = [region]
    units: list[UnitSpec] = []

    def region_unit(
        suffix: str,
        name: str,
        kind: str,
        email: str,
        address: str,
        *,
        area_code: str,
        parent_hsa_id: str | None = None,
        is_psychiatric: bool = False,
    ) -> None:
        units.append(
            UnitSpec(
                hsa_id=_region_hsa(suffix),
                name=name,
                kind=kind,
                organisation_key="region",
                phone=next(phones),
                email=f"{email}@exempellan.example",
                visiting_address=address,
                parent_hsa_id=parent_hsa_id,
                is_psychiatric=is_psychiatric,
                area_code=area_code,
            )
        )

    region_unit(
        "ADM",
        "Regionens samverkansstöd",
        UnitKind.ADMINISTRATION,
        "samverkan",
        _address("Regionhuset, Storgatan 1", "2190", "803 20"),
        area_code="2190",
    )
    region_unit(
        "S100",
        "Länssjukhuset Exempelstad",
        UnitKind.HOSPITAL,
        "lansjukhuset",
        _address("Sjukhusvägen 1", "2190", "803 24"),
        area_code="2190",
    )
    region_unit(
        "S200",
        "Sjukhuset i Norrby",
        UnitKind.HOSPITAL,
        "sjukhuset.norrby",
        _address("Lasarettsgatan 5", "2191", "817 30"),
        area_code="2191",
    )
    for suffix, name, hospital, psychiatric, email in _WARDS:
        hospital_unit = next(u for u in units if u.hsa_id.endswith(f"-{hospital}"))
        region_unit(
            suffix,
            name,
            UnitKind.INPATIENT_WARD,
            email,
            hospital_unit.visiting_address,
            parent_hsa_id=hospital_unit.hsa_id,
            is_psychiatric=psychiatric,
            area_code=hospital_unit.area_code,
        )
    for suffix, name, code, street, email in _PRIMARY_CARE:
        region_unit(
            suffix, name, UnitKind.PRIMARY_CARE, email, _address(street, code), area_code=code
        )
    region_unit(
        "M01",
        "Geriatriska mottagningen",
        UnitKind.SPECIALIST_OUTPATIENT,
        "geriatrik",
        _address("Sjukhusvägen 1, ingång 7", "2190", "803 24"),
        parent_hsa_id=f"{REGION_HSA_PREFIX}-S100",
        area_code="2190",
    )

    for m in MUNICIPALITIES:
        org_number = f"212000-{m.code}"
        organisations.append(
            OrganisationSpec(
                key=m.code,
                name=m.name,
                kind=OrganisationKind.MUNICIPALITY,
                organisation_number=org_number,
                municipality_code=m.code,
            )
        )
        prefix = f"SE{org_number.replace('-', '')}"
        town_hall = _address(f"{m.streets[0]} 2, kommunhuset", m.code)
        for suffix, name, kind, email, address in (
            ("BIST", f"Biståndsenheten {m.town}", UnitKind.SOCIAL_SERVICES, "bistand", town_hall),
            (
                "HSJV",
                f"Hemsjukvården {m.town}",
                UnitKind.MUNICIPAL_HEALTH_CARE,
                "hemsjukvard",
                _address(f"{m.streets[1]} 14", m.code),
            ),
            (
                "ADM",
                f"Kommunens samverkansstöd {m.town}",
                UnitKind.ADMINISTRATION,
                "samverkan",
                town_hall,
            ),
        ):
            units.append(
                UnitSpec(
                    hsa_id=f"{prefix}-{suffix}",
                    name=name,
                    kind=kind,
                    organisation_key=m.code,
                    phone=next(phones),
                    email=f"{email}.{m.slug}@kommun.example",
                    visiting_address=address,
                    area_code=m.code,
                )
            )
    return County(tuple(organisations), tuple(units), MUNICIPALITIES)


def _region_hsa(suffix: str) -> str:
    return f"{REGION_HSA_PREFIX}-{suffix}"


def _municipal_hsa(code: str, suffix: str) -> str:
    return f"SE212000{code}-{suffix}"


# --------------------------------------------------------------------------------------------
# Names
# --------------------------------------------------------------------------------------------

_FEMALE_OLD = (
    "Margareta", "Elisabeth", "Ingrid", "Birgitta", "Karin", "Kerstin", "Marianne", "Gunilla",
    "Ulla", "Britt", "Inger", "Barbro", "Gun", "Anna-Lisa", "Maj-Britt", "Solveig", "Gunnel",
    "Ingegerd", "Elsa", "Astrid", "Signe", "Greta", "Märta", "Ruth", "Dagny", "Siv", "Yvonne",
)  # fmt: skip
_MALE_OLD = (
    "Lars", "Karl", "Erik", "Bengt", "Sven", "Nils", "Gunnar", "Bo", "Rolf", "Lennart", "Göran",
    "Stig", "Sten", "Kjell", "Åke", "Olle", "Bertil", "Gösta", "Ingvar", "Arne", "Hans", "Leif",
    "Rune", "Ove", "Evert", "Tage", "Sune",
)  # fmt: skip
_FEMALE_ADULT = (
    "Anna", "Maria", "Sara", "Emma", "Johanna", "Linda", "Jenny", "Sofia", "Elin", "Malin",
    "Camilla", "Therese", "Hanna", "Frida", "Lina", "Amira", "Fatima", "Ida", "Helena", "Cecilia",
)  # fmt: skip
_MALE_ADULT = (
    "Johan", "Andreas", "Daniel", "Fredrik", "Mattias", "Jonas", "Niklas", "Peter", "Mikael",
    "Magnus", "Martin", "Ali", "Mohammed", "Ahmed", "Omar", "Henrik", "Anders", "Per", "Tobias",
    "Viktor",
)  # fmt: skip
_FEMALE_CHILD = (
    "Alice", "Maja", "Elsa", "Astrid", "Wilma", "Olivia", "Ella", "Saga", "Ebba", "Alma", "Selma",
    "Stella", "Nora", "Vera", "Leah",
)  # fmt: skip
_MALE_CHILD = (
    "Noah", "William", "Hugo", "Liam", "Lucas", "Oscar", "Elias", "Adam", "Vincent", "Nils",
    "Ludvig", "Leo", "Theo", "Alfred", "Melvin",
)  # fmt: skip
_FAMILY = (
    "Andersson", "Johansson", "Karlsson", "Nilsson", "Eriksson", "Larsson", "Olsson", "Persson",
    "Svensson", "Gustafsson", "Pettersson", "Jonsson", "Jansson", "Hansson", "Bengtsson",
    "Jönsson", "Lindberg", "Jakobsson", "Magnusson", "Olofsson", "Lindström", "Lindqvist",
    "Lindgren", "Berg", "Axelsson", "Bergström", "Lundberg", "Lind", "Lundgren", "Lundqvist",
    "Mattsson", "Berglund", "Fredriksson", "Sandberg", "Henriksson", "Forsberg", "Sjöberg",
    "Wallin", "Engström", "Eklund", "Danielsson", "Lundin", "Håkansson", "Björk", "Bergman",
    "Gunnarsson", "Holm", "Wikström", "Samuelsson", "Isaksson", "Fransson", "Bergqvist",
    "Nyström", "Holmberg", "Arvidsson", "Löfgren", "Söderberg", "Nyberg", "Blomqvist",
    "Claesson", "Nordström", "Mårtensson", "Lundström", "Viklund", "Björklund", "Eliasson",
    "Hassan", "Berggren", "Sandström", "Nordin", "Ström", "Åberg", "Hermansson", "Ekström",
    "Falk", "Holmgren", "Dahlberg", "Hellström", "Hedlund", "Sundberg", "Sjögren", "Ek", "Blom",
    "Öberg", "Andreasson", "Strömberg", "Månsson", "Åkesson", "Norberg", "Sundqvist", "Ali",
    "Mohammed", "Ahmed", "Yilmaz", "Nguyen",
)  # fmt: skip
# Samordningsnummer are typically held by people who are not (yet) folkbokförda in Sweden.
_FEMALE_FOREIGN = ("Agnieszka", "Olena", "Laura", "Ieva", "Katarzyna", "Mari", "Oksana")
_MALE_FOREIGN = ("Piotr", "Tomasz", "Dmytro", "Jonas", "Andrius", "Mikko", "Marek")
_FAMILY_FOREIGN = (
    "Kowalski", "Nowak", "Shevchenko", "Kazlauskas", "Ozols", "Virtanen", "Hansen",
    "Wiśniewska", "Bondarenko", "Tamm",
)  # fmt: skip

_ASCII = str.maketrans(
    {"å": "a", "ä": "a", "ö": "o", "é": "e", "ü": "u", "ś": "s", "ł": "l", "ń": "n"}
)


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "", text.lower().translate(_ASCII))


def _given_name(rng: random.Random, age: int, female: bool) -> str:
    names: tuple[str, ...]
    if age < 18:
        names = _FEMALE_CHILD if female else _MALE_CHILD
    elif age < 60:
        names = _FEMALE_ADULT if female else _MALE_ADULT
    else:
        names = _FEMALE_OLD if female else _MALE_OLD
    return rng.choice(names)


# --------------------------------------------------------------------------------------------
# Staff (deterministic from the seed)
# --------------------------------------------------------------------------------------------

_V01 = _region_hsa("V01")
_PERSONAS: tuple[StaffSpec, ...] = (
    StaffSpec("avd.sjukskoterska", "Elin", "Berg",
              ((_region_hsa("S112"), Role.NURSE_COORDINATOR),), _region_hsa("P0001"), ""),
    StaffSpec("avd.lakare", "Johan", "Ek",
              ((_region_hsa("S112"), Role.PHYSICIAN),), _region_hsa("P0002"), ""),
    StaffSpec("vc.chef", "Karin", "Holm",
              ((_V01, Role.HEAD_OF_UNIT),), _region_hsa("P0003"), ""),
    StaffSpec("vc.sjukskoterska", "Lena", "Ström",
              ((_V01, Role.NURSE_COORDINATOR),), _region_hsa("P0004"), ""),
    StaffSpec("kommun.handlaggare", "Amir", "Haddad",
              ((_municipal_hsa("2190", "BIST"), Role.NEEDS_ASSESSOR),),
              _municipal_hsa("2190", "P0001"), ""),
    StaffSpec("kommun.sjukskoterska", "Sofia", "Nyström",
              ((_municipal_hsa("2190", "HSJV"), Role.MUNICIPAL_NURSE),),
              _municipal_hsa("2190", "P0002"), ""),
    StaffSpec("region.admin", "Per", "Lund",
              ((_region_hsa("ADM"), Role.LOCAL_ADMIN),), _region_hsa("P0005"), ""),
    StaffSpec("kommun.admin", "Eva", "Sandberg",
              ((_municipal_hsa("2190", "ADM"), Role.LOCAL_ADMIN),),
              _municipal_hsa("2190", "P0003"), ""),
    StaffSpec("logg.granskare", "Ingrid", "Sjöberg",
              ((_region_hsa("ADM"), Role.LOG_REVIEWER),), _region_hsa("P0006"), ""),
    StaffSpec("analytiker", "Mikael", "Forsberg",
              ((_region_hsa("ADM"), Role.ANALYST),), _region_hsa("P0007"), ""),
    StaffSpec("multi", "Maja", "Flerval",
              ((_region_hsa("S114"), Role.NURSE_COORDINATOR),
               (_region_hsa("V02"), Role.NURSE_COORDINATOR)),
              _region_hsa("P0008"), ""),
)  # fmt: skip

# How many staff each unit kind needs per role (personas count towards these).
_STAFFING: dict[str, tuple[tuple[str, int], ...]] = {
    UnitKind.INPATIENT_WARD: ((Role.NURSE_COORDINATOR, 2), (Role.PHYSICIAN, 1)),
    UnitKind.PRIMARY_CARE: (
        (Role.HEAD_OF_UNIT, 1),
        (Role.NURSE_COORDINATOR, 2),
        (Role.PHYSICIAN, 1),
    ),
    UnitKind.SPECIALIST_OUTPATIENT: (
        (Role.HEAD_OF_UNIT, 1),
        (Role.NURSE_COORDINATOR, 1),
        (Role.PHYSICIAN, 1),
    ),
    UnitKind.SOCIAL_SERVICES: ((Role.NEEDS_ASSESSOR, 2),),
    UnitKind.MUNICIPAL_HEALTH_CARE: ((Role.MUNICIPAL_NURSE, 2),),
    UnitKind.ADMINISTRATION: ((Role.LOCAL_ADMIN, 1), (Role.ANALYST, 1)),
}
_REGION_ONLY_STAFFING = ((Role.LOG_REVIEWER, 1),)

CONTACT_TITLES: dict[str, str] = {
    Role.NURSE_COORDINATOR: "Sjuksköterska",
    Role.PHYSICIAN: "Läkare",
    Role.HEAD_OF_UNIT: "Verksamhetschef",
    Role.MUNICIPAL_NURSE: "Sjuksköterska, hemsjukvård",
    Role.NEEDS_ASSESSOR: "Biståndshandläggare",
}


def build_staff(seed: int, county: County | None = None) -> list[StaffSpec]:
    """Every demo user: the fixed personas, then generated staff until every unit is staffed."""
    county = county or build_county()
    rng = random.Random(f"exempellan:{seed}:staff")
    mobiles = itertools.cycle(MOBILE_PHONES)
    staff: list[StaffSpec] = []
    usernames: set[str] = set()
    filled: dict[tuple[str, str], int] = {}
    hsa_serials: dict[str, int] = {}

    def next_person_hsa(organisation_key: str) -> str:
        hsa_serials[organisation_key] = hsa_serials.get(organisation_key, 10) + 1
        serial = f"P{hsa_serials[organisation_key]:04d}"
        if organisation_key == "region":
            return _region_hsa(serial)
        return _municipal_hsa(organisation_key, serial)

    for persona in _PERSONAS:
        staff.append(_with_phone(persona, next(mobiles)))
        usernames.add(persona.username)
        for unit_hsa, role in persona.memberships:
            filled[unit_hsa, role] = filled.get((unit_hsa, role), 0) + 1

    for unit in county.units:
        needs = list(_STAFFING.get(unit.kind, ()))
        if unit.kind == UnitKind.ADMINISTRATION and unit.organisation_key == "region":
            needs += list(_REGION_ONLY_STAFFING)
        for role, wanted in needs:
            while filled.get((unit.hsa_id, role), 0) < wanted:
                female = rng.random() < 0.7
                first = rng.choice(_FEMALE_ADULT if female else _MALE_ADULT)
                last = rng.choice(_FAMILY)
                base = f"{_slug(first)}.{_slug(last)}"
                username = base
                for n in itertools.count(2):
                    if username not in usernames:
                        break
                    username = f"{base}{n}"
                usernames.add(username)
                staff.append(
                    StaffSpec(
                        username=username,
                        first_name=first,
                        last_name=last,
                        memberships=((unit.hsa_id, role),),
                        hsa_id=next_person_hsa(unit.organisation_key),
                        phone=next(mobiles),
                    )
                )
                filled[unit.hsa_id, role] = filled.get((unit.hsa_id, role), 0) + 1
    return staff


def _with_phone(spec: StaffSpec, phone: str) -> StaffSpec:
    return StaffSpec(
        spec.username, spec.first_name, spec.last_name, spec.memberships, spec.hsa_id, phone
    )


def totp_key(seed: int, username: str) -> str:
    """A 20-byte TOTP key (40 hex characters), derived from the seed and the username."""
    return hmac.new(b"samplan-demo-totp", f"{seed}:{username}".encode(), hashlib.sha1).hexdigest()


# --------------------------------------------------------------------------------------------
# Persons (deterministic from the seed, generated lazily)
# --------------------------------------------------------------------------------------------


class IdentifierAllocator:
    """Hands out identifiers that are unique by construction.

    For every (birth date, kind) it keeps a start serial and how many are used; when all 999
    birth numbers of a date are used it moves to the day before. ``taken`` (identifiers already
    in the database) are skipped. Memory grows with the number of distinct birth dates, not with
    the number of persons.
    """

    def __init__(self, rng: random.Random, taken: Iterable[str] = ()) -> None:
        self._rng = rng
        self._used: dict[tuple[date, IdentifierKind], list[int]] = {}
        self._taken = frozenset(taken)

    def allocate(self, birth: date, kind: IdentifierKind) -> tuple[str, date, int]:
        """Return (identifier, birth date actually used, birth number 1–999)."""
        while True:
            slot = self._used.get((birth, kind))
            if slot is None:
                slot = self._used[birth, kind] = [self._rng.randrange(999), 0]
            while slot[1] < 999:
                index = (slot[0] + slot[1]) % 999
                slot[1] += 1
                if kind is IdentifierKind.RESERVNUMMER:
                    value = f"{birth:%Y%m%d}R{index + 1:03d}"
                else:
                    coordination = kind is IdentifierKind.SAMORDNINGSNUMMER
                    value = synthetic_identifier(birth, index, coordination=coordination)
                if value not in self._taken:
                    return value, birth, index + 1
            birth -= timedelta(days=1)


def _birth_date(rng: random.Random, reference: date, min_age: int, max_age: int) -> date:
    """A birth date giving an age in [min_age, max_age] on the reference date."""
    youngest = _years_before(reference, min_age)
    oldest = _years_before(reference, max_age + 1) + timedelta(days=1)
    return oldest + timedelta(days=rng.randrange((youngest - oldest).days + 1))


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def _age(birth: date, reference: date) -> int:
    return (
        reference.year - birth.year - ((reference.month, reference.day) < (birth.month, birth.day))
    )


def _quota(size: int, share: float) -> int:
    """round(size × share), but at least one in a block of 20 or more."""
    count = round(size * share)
    return max(count, 1) if size >= 20 and share > 0 else count


def _quota_flags(rng: random.Random, size: int, share: float) -> list[bool]:
    """Exactly :func:`_quota` true values, shuffled."""
    count = _quota(size, share)
    flags = [True] * count + [False] * (size - count)
    rng.shuffle(flags)
    return flags


def _quota_kinds(rng: random.Random, size: int) -> list[IdentifierKind]:
    coordination = _quota(size, 0.03)
    reserve = _quota(size, 0.01)
    kinds = (
        [IdentifierKind.SAMORDNINGSNUMMER] * coordination
        + [IdentifierKind.RESERVNUMMER] * reserve
        + [IdentifierKind.PERSONNUMMER] * (size - coordination - reserve)
    )
    rng.shuffle(kinds)
    return kinds


@dataclass(frozen=True, slots=True)
class _Context:
    county: County
    reference: date
    vc_by_area: dict[str, list[UnitSpec]]
    staff_by_unit_role: dict[tuple[str, str], list[str]]
    names: dict[str, str]  # username -> full name
    area_codes: tuple[str, ...]
    area_weights: tuple[int, ...]

    def staff(self, unit_hsa_id: str, role: str) -> list[str]:
        return self.staff_by_unit_role.get((unit_hsa_id, role), [])


def _context(county: County, staff: Sequence[StaffSpec], reference: date) -> _Context:
    by_role: dict[tuple[str, str], list[str]] = {}
    for spec in staff:
        for unit_hsa, role in spec.memberships:
            by_role.setdefault((unit_hsa, role), []).append(spec.username)
    return _Context(
        county=county,
        reference=reference,
        vc_by_area={
            m.code: county.units_of_kind(UnitKind.PRIMARY_CARE, m.code)
            for m in county.municipalities
        },
        staff_by_unit_role=by_role,
        names={s.username: s.full_name for s in staff},
        area_codes=tuple(m.code for m in county.municipalities),
        area_weights=tuple(m.weight for m in county.municipalities),
    )


def iter_persons(
    *,
    seed: int,
    count: int,
    reference_date: date = REFERENCE_DATE,
    county: County | None = None,
    staff: Sequence[StaffSpec] | None = None,
    taken_identifiers: Iterable[str] = (),
) -> Iterator[PersonData]:
    """Yield ``count`` synthetic persons, lazily, in a fixed order for the seed.

    Per block of :data:`PROFILE_BLOCK` persons the shares are exact: 5 % children, 3 % protected
    identity, 3 % samordningsnummer, 1 % reservnummer (at least one each in a block of 20+).
    """
    county = county or build_county()
    staff = staff if staff is not None else build_staff(seed, county)
    ctx = _context(county, staff, reference_date)
    rng = random.Random(f"exempellan:{seed}:persons")
    allocator = IdentifierAllocator(random.Random(f"exempellan:{seed}:serials"), taken_identifiers)
    produced = 0
    while produced < count:
        size = min(PROFILE_BLOCK, count - produced)
        children = _quota_flags(rng, size, 0.05)
        protected = _quota_flags(rng, size, 0.03)
        kinds = _quota_kinds(rng, size)
        for i in range(size):
            yield _person(
                rng, allocator, ctx, child=children[i], protected=protected[i], kind=kinds[i]
            )
        produced += size


def _person(
    rng: random.Random,
    allocator: IdentifierAllocator,
    ctx: _Context,
    *,
    child: bool,
    protected: bool,
    kind: IdentifierKind,
) -> PersonData:
    ref = ctx.reference
    if child:
        birth = _birth_date(rng, ref, 0, 17)
    elif rng.random() < 0.21:
        birth = _birth_date(rng, ref, 18, 64)
    else:
        elderly_age = min(100, int(rng.triangular(65, 101, 82)))
        birth = _birth_date(rng, ref, elderly_age, elderly_age)
    identifier, birth, birth_number = allocator.allocate(birth, kind)
    age = _age(birth, ref)
    # The second-to-last digit of a personnummer is odd for men; reservnummer carry no sex.
    female = (
        birth_number % 2 == 0 if kind is not IdentifierKind.RESERVNUMMER else rng.random() < 0.5
    )
    if kind is IdentifierKind.SAMORDNINGSNUMMER:
        given = rng.choice(_FEMALE_FOREIGN if female else _MALE_FOREIGN)
        family = rng.choice(_FAMILY_FOREIGN)
    else:
        given = _given_name(rng, age, female)
        family = rng.choice(_FAMILY)

    area = rng.choices(ctx.area_codes, weights=ctx.area_weights)[0]
    town = _municipality(area)
    street = f"{rng.choice(town.streets)} {rng.randint(1, 80)}"
    if rng.random() < 0.4:
        street += f" lgh {rng.randint(10, 16)}{rng.randint(1, 9):02d}"
    postal = f"{rng.choice(town.postal_prefixes)}{rng.randint(10, 99)}"
    vc = rng.choice(ctx.vc_by_area[area]) if rng.random() < 0.95 else None
    phone = rng.choice(MOBILE_PHONES) if rng.random() < 0.7 else ""
    email = f"{_slug(given)}.{_slug(family)}@post.example" if rng.random() < 0.2 else ""

    representatives: list[RepresentativeData] = []
    relatives: list[RelativeData] = []
    assessor = (ctx.staff(_municipal_hsa(area, "BIST"), Role.NEEDS_ASSESSOR) or ["region.admin"])[0]
    if child:
        for _ in range(2 if rng.random() < 0.75 else 1):
            g_birth = birth - timedelta(days=rng.randint(20 * 365, 42 * 365))
            g_id, _g_birth, g_number = allocator.allocate(g_birth, IdentifierKind.PERSONNUMMER)
            g_female = g_number % 2 == 0
            representatives.append(
                RepresentativeData(
                    name=f"{rng.choice(_FEMALE_ADULT if g_female else _MALE_ADULT)} {family}",
                    identifier=g_id,
                    authority=AuthorityKind.GUARDIAN,
                    scope="Vårdnad",
                    valid_from=birth,
                    phone=rng.choice(MOBILE_PHONES),
                    recorded_by="region.admin",
                )
            )
        if rng.random() < 0.3:
            relatives.append(
                RelativeData(
                    name=f"{rng.choice(_FEMALE_OLD + _MALE_OLD)} {rng.choice(_FAMILY)}",
                    relation=rng.choice(("mormor", "morfar", "farmor", "farfar")),
                    phone=rng.choice(MOBILE_PHONES),
                    email="",
                )
            )
    else:
        roll = rng.random()
        older = age >= 65
        authority: tuple[str, str, str] | None = None
        if roll < (0.04 if older else 0.015):
            authority = (
                AuthorityKind.TRUSTEE,
                "Bevaka rätt, förvalta egendom och sörja för person",
                assessor,
            )
        elif roll < (0.055 if older else 0.02):
            authority = (AuthorityKind.ADMINISTRATOR, "Förvalta egendom och bevaka rätt", assessor)
        elif roll < (0.09 if older else 0.03):
            authority = (
                AuthorityKind.POWER_OF_ATTORNEY,
                "Framtidsfullmakt: ekonomi och kontakter med vård och omsorg",
                "region.admin",
            )
        if authority is not None:
            r_birth = _birth_date(rng, ref, 35, 75)
            r_id, _r_birth, r_number = allocator.allocate(r_birth, IdentifierKind.PERSONNUMMER)
            r_given = rng.choice(_FEMALE_ADULT if r_number % 2 == 0 else _MALE_ADULT)
            representatives.append(
                RepresentativeData(
                    name=f"{r_given} {rng.choice(_FAMILY)}",
                    identifier=r_id,
                    authority=authority[0],
                    scope=authority[1],
                    valid_from=ref - timedelta(days=rng.randint(60, 8 * 365)),
                    phone=rng.choice(MOBILE_PHONES),
                    recorded_by=authority[2],
                )
            )
        if rng.random() < 0.7:
            relations = (
                ("dotter", "son", "make", "maka", "sambo", "barnbarn", "syster", "bror", "vän")
                if older
                else ("mor", "far", "make", "maka", "sambo", "syster", "bror", "vän")
            )
            for _ in range(rng.choice((1, 1, 2, 2, 3))):
                relation = rng.choice(relations)
                r_female = relation in {"dotter", "maka", "syster", "mor"} or (
                    relation not in {"son", "make", "bror", "far"} and rng.random() < 0.5
                )
                r_family = (
                    family if relation in {"make", "maka", "dotter", "son"} else rng.choice(_FAMILY)
                )
                r_given = rng.choice(_FEMALE_ADULT if r_female else _MALE_ADULT)
                relatives.append(
                    RelativeData(
                        name=f"{r_given} {r_family}",
                        relation=relation,
                        phone=rng.choice(MOBILE_PHONES),
                        email=f"{_slug(r_given)}.{_slug(r_family)}@post.example"
                        if rng.random() < 0.3
                        else "",
                    )
                )

    contacts = _contacts(rng, ctx, vc=vc, area=area, age=age)
    return PersonData(
        public_id=uuid.UUID(int=rng.getrandbits(128), version=4),
        identifier=identifier,
        identifier_kind=kind.value,
        birth_date=birth,
        given_name=given,
        family_name=family,
        street_address=street,
        postal_code=postal,
        city=town.town,
        municipality_code=area,
        protected_identity=protected,
        listed_unit_hsa_id=vc.hsa_id if vc else None,
        phone=phone,
        email=email,
        relatives=tuple(relatives),
        representatives=tuple(representatives),
        contacts=contacts,
    )


def _contacts(
    rng: random.Random, ctx: _Context, *, vc: UnitSpec | None, area: str, age: int
) -> tuple[ContactData, ...]:
    ref = ctx.reference
    contacts: list[ContactData] = []
    if age >= 65:
        p_fvk, p_doctor, p_care, p_lead = 0.55, 0.35, 0.3, 0.1
    elif age >= 18:
        p_fvk, p_doctor, p_care, p_lead = 0.1, 0.1, 0.02, 0.01
    else:
        p_fvk, p_doctor, p_care, p_lead = 0.05, 0.0, 0.0, 0.0

    def staff_contact(role: str, unit: UnitSpec, staff_role: str, recorded_by: str) -> None:
        username = rng.choice(ctx.staff(unit.hsa_id, staff_role))
        contacts.append(
            ContactData(
                role=role,
                name=ctx.names[username],
                title=CONTACT_TITLES[staff_role],
                unit_hsa_id=unit.hsa_id,
                staff_username=username,
                phone=unit.phone,
                email=unit.email,
                valid_from=ref - timedelta(days=rng.randint(14, 3 * 365)),
                recorded_by=recorded_by,
            )
        )

    if vc is not None:
        head = ctx.staff(vc.hsa_id, Role.HEAD_OF_UNIT)[0]
        if rng.random() < p_fvk:
            staff_contact(CareContactRole.FAST_VARDKONTAKT, vc, Role.NURSE_COORDINATOR, head)
        if rng.random() < p_doctor:
            staff_contact(CareContactRole.FAST_LAKARKONTAKT, vc, Role.PHYSICIAN, head)
    social = ctx.county.unit(_municipal_hsa(area, "BIST"))
    if rng.random() < p_care:
        female = rng.random() < 0.8
        name = f"{rng.choice(_FEMALE_ADULT if female else _MALE_ADULT)} {rng.choice(_FAMILY)}"
        contacts.append(
            ContactData(
                role=CareContactRole.FAST_OMSORGSKONTAKT,
                name=name,
                title="Undersköterska, hemtjänst",
                unit_hsa_id=social.hsa_id,
                staff_username=None,
                phone=social.phone,
                email=social.email,
                valid_from=ref - timedelta(days=rng.randint(14, 3 * 365)),
                recorded_by=ctx.staff(social.hsa_id, Role.NEEDS_ASSESSOR)[0],
            )
        )
    if rng.random() < p_lead:
        home_care = ctx.county.unit(_municipal_hsa(area, "HSJV"))
        nurse = ctx.staff(home_care.hsa_id, Role.MUNICIPAL_NURSE)[0]
        staff_contact(
            CareContactRole.SAMMANHALLANDE_FAST_KONTAKT, home_care, Role.MUNICIPAL_NURSE, nurse
        )
    return tuple(contacts)


# --------------------------------------------------------------------------------------------
# Writing to the database
# --------------------------------------------------------------------------------------------


def county_exists() -> bool:
    return Organisation.objects.filter(kind=OrganisationKind.REGION, name=REGION_NAME).exists()


CASES_KEY = "utskrivningsärenden"
SIPS_KEY = "SIP-processer"
SVPL_KEY = "samordnade vårdplaner (SVPL)"


def create_demo_county(
    *,
    seed: int = DEFAULT_SEED,
    persons: int = DEFAULT_PERSONS,
    reference_date: date = REFERENCE_DATE,
    batch_size: int = DEFAULT_BATCH_SIZE,
    progress: bool = False,
    progress_file: TextIO | None = None,
    cases: bool = True,
    now: datetime | None = None,
) -> CreationResult:
    """Create Exempellän unless it exists. Returns whether it was created, and row counts.

    With ``cases``, discharge cases in every stage follow, timed back from ``now`` (default: the
    clock), and then SIP processes in every stage (:mod:`samplan.demo.sips`). A county that exists
    but has no cases or SIPs yet (made before they were part of the demo, or with
    ``cases=False``) gets them; what it has is left alone.
    """
    # The cases and SIP modules build on this one's constants, so they are imported here.
    from samplan.demo.cases import create_demo_cases
    from samplan.demo.sips import create_demo_sips
    from samplan.demo.svpl import create_demo_svpls

    if county_exists():
        added = create_demo_cases(seed=seed, now=now) if cases else 0
        sips = create_demo_sips(seed=seed, now=now) if cases else 0
        svpls = create_demo_svpls(seed=seed, now=now) if cases else 0
        counts = {
            key: n for key, n in ((CASES_KEY, added), (SIPS_KEY, sips), (SVPL_KEY, svpls)) if n
        }
        return CreationResult(created=False, counts=counts)
    county = build_county()
    staff = build_staff(seed, county)
    with transaction.atomic():
        unit_ids = _create_structure(county)
        user_ids = _create_staff(seed, staff, unit_ids)
    counts = {"enheter": len(unit_ids), "användare": len(user_ids)}
    taken: frozenset[str] = frozenset()
    if Person.objects.exists():  # someone else's persons: do not collide with them
        taken = frozenset(Person.objects.values_list("identifier", flat=True))
    people = iter_persons(
        seed=seed,
        count=persons,
        reference_date=reference_date,
        county=county,
        staff=staff,
        taken_identifiers=taken,
    )
    totals = dict.fromkeys(("personer", "närstående", "företrädare", "fasta kontakter"), 0)
    with tqdm(
        total=persons,
        file=progress_file or sys.stderr,
        disable=not progress,
        unit=" personer",
        desc="Exempellän",
    ) as bar:
        while batch := list(itertools.islice(people, batch_size)):
            with transaction.atomic():
                written = _write_persons(batch, unit_ids, user_ids)
            for key, value in written.items():
                totals[key] += value
            bar.update(len(batch))
    counts.update(totals)
    if cases:
        counts[CASES_KEY] = create_demo_cases(seed=seed, now=now)
        counts[SIPS_KEY] = create_demo_sips(seed=seed, now=now)
        counts[SVPL_KEY] = create_demo_svpls(seed=seed, now=now)
    return CreationResult(created=True, counts=counts)


def _create_structure(county: County) -> dict[str, int]:
    organisations = {
        spec.key: Organisation.objects.create(
            name=spec.name,
            kind=spec.kind,
            organisation_number=spec.organisation_number,
            municipality_code=spec.municipality_code,
        )
        for spec in county.organisations
    }
    unit_ids: dict[str, int] = {}
    for spec in county.units:  # parents come before their children
        unit = Unit.objects.create(
            organisation=organisations[spec.organisation_key],
            parent_id=unit_ids[spec.parent_hsa_id] if spec.parent_hsa_id else None,
            name=spec.name,
            kind=spec.kind,
            hsa_id=spec.hsa_id,
            is_psychiatric=spec.is_psychiatric,
            phone=spec.phone,
            email=spec.email,
            visiting_address=spec.visiting_address,
        )
        unit_ids[spec.hsa_id] = unit.pk
    return unit_ids


def _create_staff(
    seed: int, staff: Sequence[StaffSpec], unit_ids: dict[str, int]
) -> dict[str, int]:
    # One hash for all: the password is public anyway, and hashing ~90 times would take seconds.
    password = make_password(DEMO_PASSWORD)
    users = User.objects.bulk_create(
        User(
            username=spec.username,
            first_name=spec.first_name,
            last_name=spec.last_name,
            email=spec.email,
            phone=spec.phone,
            hsa_id=spec.hsa_id,
            password=password,
        )
        for spec in staff
    )
    user_ids = _ids(users, "username", User)
    TOTPDevice.objects.bulk_create(
        TOTPDevice(
            user_id=user_ids[spec.username],
            name=TOTP_DEVICE_NAME,
            key=totp_key(seed, spec.username),
            confirmed=True,
        )
        for spec in staff
    )
    Membership.objects.bulk_create(
        Membership(user_id=user_ids[spec.username], unit_id=unit_ids[unit_hsa], role=role)
        for spec in staff
        for unit_hsa, role in spec.memberships
    )
    return user_ids


def _ids(
    objs: Sequence[User] | Sequence[Person], key: str, model: type[User] | type[Person]
) -> dict[str, int]:
    """Primary keys by ``key``; re-read them on a backend that cannot return them from inserts."""
    if all(obj.pk is not None for obj in objs):
        return {getattr(obj, key): obj.pk for obj in objs}
    values = [getattr(obj, key) for obj in objs]
    return dict(model._default_manager.filter(**{f"{key}__in": values}).values_list(key, "pk"))


def _write_persons(
    batch: Sequence[PersonData], unit_ids: dict[str, int], user_ids: dict[str, int]
) -> dict[str, int]:
    persons = Person.objects.bulk_create(
        Person(
            public_id=data.public_id,
            identifier=data.identifier,
            identifier_kind=data.identifier_kind,
            birth_date=data.birth_date,
            given_name=data.given_name,
            family_name=data.family_name,
            street_address=data.street_address,
            postal_code=data.postal_code,
            city=data.city,
            municipality_code=data.municipality_code,
            protected_identity=data.protected_identity,
            listed_unit_id=unit_ids[data.listed_unit_hsa_id] if data.listed_unit_hsa_id else None,
            phone=data.phone,
            email=data.email,
        )
        for data in batch
    )
    person_ids = _ids(persons, "identifier", Person)
    relatives: list[Relative] = []
    representatives: list[Representative] = []
    contacts: list[CareContact] = []
    for data in batch:
        person_id = person_ids[data.identifier]
        relatives.extend(
            Relative(
                person_id=person_id,
                name=r.name,
                relation=r.relation,
                phone=r.phone,
                email=r.email,
            )
            for r in data.relatives
        )
        representatives.extend(
            Representative(
                person_id=person_id,
                name=r.name,
                identifier=r.identifier,
                authority=r.authority,
                scope=r.scope,
                valid_from=r.valid_from,
                # Min plan: a guardian acts fully for the child, others may read the plan.
                portal_scope=PortalScope.FULL
                if r.authority == AuthorityKind.GUARDIAN
                else PortalScope.READ,
                phone=r.phone,
                recorded_by_id=user_ids[r.recorded_by],
            )
            for r in data.representatives
        )
        contacts.extend(
            CareContact(
                person_id=person_id,
                role=c.role,
                name=c.name,
                title=c.title,
                unit_id=unit_ids[c.unit_hsa_id],
                staff_id=user_ids[c.staff_username] if c.staff_username else None,
                phone=c.phone,
                email=c.email,
                valid_from=c.valid_from,
                recorded_by_id=user_ids[c.recorded_by],
            )
            for c in data.contacts
        )
    Relative.objects.bulk_create(relatives)
    Representative.objects.bulk_create(representatives)
    CareContact.objects.bulk_create(contacts)
    return {
        "personer": len(persons),
        "närstående": len(relatives),
        "företrädare": len(representatives),
        "fasta kontakter": len(contacts),
    }


# --------------------------------------------------------------------------------------------
# The sign-in table
# --------------------------------------------------------------------------------------------


def demo_sign_ins() -> list[SignIn]:
    """Every membership in the demo county's organisations; key personas first."""
    codes = [m.code for m in MUNICIPALITIES]
    memberships = (
        Membership.objects.filter(
            Q(
                unit__organisation__kind=OrganisationKind.REGION,
                unit__organisation__name=REGION_NAME,
            )
            | Q(unit__organisation__municipality_code__in=codes),
            is_active=True,
        )
        .select_related("user", "unit")
        .order_by("user__username", "unit__name")
    )
    order = {username: i for i, username in enumerate(PERSONA_USERNAMES)}
    rows = [
        SignIn(
            username=m.user.username,
            name=m.user.get_full_name(),
            unit=m.unit.name,
            role=str(Role(m.role).label),
        )
        for m in memberships
    ]
    rows.sort(key=lambda r: (order.get(r.username, len(order)), r.username, r.unit))
    return rows


def format_sign_ins(rows: Sequence[SignIn]) -> str:
    headers = SignIn("Användarnamn", "Namn", "Enhet", "Roll")
    personas = [r for r in rows if r.username in PERSONA_USERNAMES]
    others = [r for r in rows if r.username not in PERSONA_USERNAMES]
    widths = [max(len(getattr(r, f)) for r in [headers, *rows]) for f in SignIn.__slots__]

    def line(row: SignIn) -> str:
        cells = (row.username, row.name, row.unit, row.role)
        return "  ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)).rstrip()

    rule = "  ".join("-" * w for w in widths)
    out = [line(headers), rule, *map(line, personas)]
    if others:
        out += [rule, *map(line, others)]
    out += [
        "",
        f"Lösenord för alla demoanvändare: {DEMO_PASSWORD}",
        "(konstanten DEMO_PASSWORD i samplan/demo/generator.py).",
        "Engångskod (TOTP): i demoläge (SAMPLAN_DEMO=1) visar kodsidan den aktuella koden,",
        "så ingen autentiseringsapp behövs. Användaren 'multi' har två uppdrag och väljer enhet",
        "efter inloggningen.",
    ]
    return "\n".join(out)
