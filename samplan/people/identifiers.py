"""Swedish person identifiers, parsed and normalised. Pure functions: no database, no clock.

Accepted input (spaces around it are ignored):

* **personnummer** — ``YYMMDD-NNNN``, ``YYMMDD+NNNN`` (the ``+`` means the person is 100 or older),
  ``YYMMDDNNNN``, ``YYYYMMDD-NNNN`` or ``YYYYMMDDNNNN``. The last digit is a Luhn check digit.
  A ten-digit number gets the century that makes the person younger than 100 on ``today``
  (100 or older with ``+``).
* **samordningsnummer** — as a personnummer with 60 added to the day of birth.
* **reservnummer** — region-local. Exempellän uses ``YYYYMMDDRNNN``: birth date, the letter R and
  a three-digit serial (e.g. ``19450312R007``), shown as ``19450312-R007``. Another region sets its
  own pattern with ``SAMPLAN_RESERVE_NUMBER_PATTERN`` (named groups ``birth`` = YYYYMMDD and
  ``serial``).

Everything is stored in one normalised form: twelve digits for personnummer and
samordningsnummer, and the pattern's compact form for reservnummer.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass
from datetime import date

from django.utils.translation import gettext_lazy as _
from personnummer import personnummer as _luhn_checked

DEFAULT_RESERVE_PATTERN = r"^(?P<birth>\d{8})R(?P<serial>\d{3})$"
_NUMBER = re.compile(r"^(?P<century>\d{2})?(?P<yymmdd>\d{6})(?P<sep>[-+]?)(?P<serial>\d{4})$")
COORDINATION_DAY_OFFSET = 60
# The century is not covered by the check digit; an age beyond this is a typing error.
MAX_AGE_YEARS = 125


class IdentifierKind(enum.StrEnum):
    PERSONNUMMER = "personnummer"
    SAMORDNINGSNUMMER = "samordningsnummer"
    RESERVNUMMER = "reservnummer"


class InvalidIdentifier(ValueError):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class PersonIdentifier:
    kind: IdentifierKind
    value: str
    birth_date: date

    def display(self) -> str:
        """The form staff read and write: ``YYYYMMDD-NNNN`` (reservnummer ``YYYYMMDD-RNNN``)."""
        return f"{self.value[:8]}-{self.value[8:]}"


def parse_identifier(
    raw: str, *, today: date, reserve_pattern: str = DEFAULT_RESERVE_PATTERN
) -> PersonIdentifier:
    text = raw.strip().upper()
    if not text:
        raise InvalidIdentifier(
            str(_("Ange ett personnummer, samordningsnummer eller reservnummer."))
        )
    reserve = re.match(reserve_pattern, text.replace("-", ""))
    if reserve:
        return _reserve_number(reserve, text.replace("-", ""))
    match = _NUMBER.match(text)
    if match is None:
        raise InvalidIdentifier(
            str(_("Numret har fel form. Skriv t.ex. 19121212-1212 eller 121212-1212."))
        )
    return _personal_number(match, today)


def _reserve_number(match: re.Match[str], compact: str) -> PersonIdentifier:
    birth = _date_or_none(match.group("birth"))
    if birth is None:
        raise InvalidIdentifier(str(_("Reservnumret innehåller inget giltigt födelsedatum.")))
    return PersonIdentifier(IdentifierKind.RESERVNUMMER, compact, birth)


def _personal_number(match: re.Match[str], today: date) -> PersonIdentifier:
    yymmdd, serial, sep = match.group("yymmdd"), match.group("serial"), match.group("sep")
    day = int(yymmdd[4:6])
    is_coordination = day > COORDINATION_DAY_OFFSET
    real_mmdd = f"{yymmdd[2:4]}{day - COORDINATION_DAY_OFFSET if is_coordination else day:02d}"
    if match.group("century"):
        if sep == "+":
            raise InvalidIdentifier(
                str(_("Plustecken används bara med tiosiffriga nummer (personer över 100 år)."))
            )
        year = int(match.group("century") + yymmdd[:2])
    else:
        year = _resolve_century(int(yymmdd[:2]), real_mmdd, today, centenarian=sep == "+")
    birth = _date_or_none(f"{year:04d}{real_mmdd}")
    if birth is None:
        raise InvalidIdentifier(str(_("Numret innehåller inget giltigt födelsedatum.")))
    if birth > today:
        raise InvalidIdentifier(str(_("Födelsedatumet i numret ligger i framtiden.")))
    if today.year - birth.year > MAX_AGE_YEARS:
        raise InvalidIdentifier(str(_("Födelseåret i numret är inte rimligt. Kontrollera numret.")))
    if serial.startswith("000"):
        raise InvalidIdentifier(str(_("Födelsenumret 000 används inte. Kontrollera numret.")))
    value = f"{year:04d}{yymmdd[2:]}{serial}"
    if not _luhn_checked.valid(value):
        raise InvalidIdentifier(
            str(_("Kontrollsiffran stämmer inte. Kontrollera att numret är rätt skrivet."))
        )
    kind = IdentifierKind.SAMORDNINGSNUMMER if is_coordination else IdentifierKind.PERSONNUMMER
    return PersonIdentifier(kind, value, birth)


def _resolve_century(yy: int, mmdd: str, today: date, *, centenarian: bool) -> int:
    """The latest year ending in ``yy`` whose birthday is not after today (minus 100 with +)."""
    year = today.year - (today.year - yy) % 100
    if year == today.year and mmdd > today.strftime("%m%d"):
        year -= 100
    return year - 100 if centenarian else year


def _date_or_none(yyyymmdd: str) -> date | None:
    try:
        return date(int(yyyymmdd[:4]), int(yyyymmdd[4:6]), int(yyyymmdd[6:8]))
    except ValueError:
        return None


def luhn_check_digit(nine_digits: str) -> int:
    """The check digit for ``YYMMDDNNN`` (used to synthesise valid test and demo identities)."""
    total = 0
    for index, char in enumerate(nine_digits):
        product = int(char) * (2 if index % 2 == 0 else 1)
        total += product - 9 if product > 9 else product
    return (10 - total % 10) % 10


def synthetic_identifier(birth_date: date, serial: int, *, coordination: bool = False) -> str:
    """A valid twelve-digit personnummer (or samordningsnummer) for synthetic persons."""
    day = birth_date.day + (COORDINATION_DAY_OFFSET if coordination else 0)
    nine = f"{birth_date:%y%m}{day:02d}{serial % 999 + 1:03d}"  # birth number 000 is never used
    return f"{birth_date.year:04d}{nine[2:]}{luhn_check_digit(nine)}"
