"""Small factories for tests: organisations, units, staff with TOTP, synthetic persons."""

from __future__ import annotations

import itertools
from datetime import date
from typing import Any

from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from samplan.accounts.authentication import (
    ACTING_MEMBERSHIP_KEY,
    SIGN_IN_METHOD_KEY,
    SignInMethod,
)
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
from samplan.people.models import Person

PASSWORD = "korrekt-hast-batteri-43"  # only for synthetic test users
TOTP_KEY_HEX = "3132333435363738393031323334353637383930"  # RFC 6238 test key
_sequence = itertools.count(1)


def make_organisation(
    kind: str = OrganisationKind.REGION, name: str = "", municipality_code: str = ""
) -> Organisation:
    n = next(_sequence)
    if kind == OrganisationKind.MUNICIPALITY and not municipality_code:
        municipality_code = f"{9000 + n % 1000:04d}"
    return Organisation.objects.create(
        kind=kind, name=name or f"Huvudman {n}", municipality_code=municipality_code
    )


def make_unit(
    organisation: Organisation | None = None, kind: str = UnitKind.INPATIENT_WARD, **fields: Any
) -> Unit:
    n = next(_sequence)
    organisation = organisation or make_organisation()
    fields.setdefault("name", f"Enhet {n}")
    fields.setdefault("hsa_id", f"SE2321000016-T{n:04d}")
    return Unit.objects.create(organisation=organisation, kind=kind, **fields)


def make_staff(
    unit: Unit | None = None,
    role: str = Role.NURSE_COORDINATOR,
    *,
    username: str = "",
    totp_device: bool = True,
    **fields: Any,
) -> Membership:
    n = next(_sequence)
    user = User.objects.create_user(
        username=username or f"user{n}",
        password=PASSWORD,
        first_name=fields.pop("first_name", "Test"),
        last_name=fields.pop("last_name", f"Person{n}"),
        **fields,
    )
    if totp_device:
        TOTPDevice.objects.create(user=user, name="app", key=TOTP_KEY_HEX, confirmed=True)
    return Membership.objects.create(user=user, unit=unit or make_unit(), role=role)


def current_totp(user: User) -> str:
    device = TOTPDevice.objects.get(user=user, confirmed=True)
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):06d}"


def sign_in(client: Client, membership: Membership) -> Client:
    """Put the client in the state a finished password + TOTP sign-in leaves it in."""
    client.force_login(membership.user, backend="django.contrib.auth.backends.ModelBackend")
    device = TOTPDevice.objects.get(user=membership.user, confirmed=True)
    session = client.session
    session["otp_device_id"] = device.persistent_id
    session[SIGN_IN_METHOD_KEY] = SignInMethod.PASSWORD_TOTP.value
    session[ACTING_MEMBERSHIP_KEY] = membership.pk
    session.save()
    return client


def make_person(
    *, protected: bool = False, birth_date: date | None = None, **fields: Any
) -> Person:
    n = next(_sequence)
    birth_date = birth_date or date(1940 + n % 60, 1 + n % 12, 1 + n % 28)
    fields.setdefault("given_name", "Testa")
    fields.setdefault("family_name", f"Testsson{n}")
    fields.setdefault("street_address", f"Provgatan {n}")
    fields.setdefault("postal_code", "80320")
    fields.setdefault("city", "Exempelstad")
    fields.setdefault("municipality_code", "2180")
    return Person.objects.create(
        identifier=synthetic_identifier(birth_date, n),
        identifier_kind=IdentifierKind.PERSONNUMMER.value,
        birth_date=birth_date,
        protected_identity=protected,
        **fields,
    )
