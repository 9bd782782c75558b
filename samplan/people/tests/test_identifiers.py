from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from samplan.people.identifiers import (
    IdentifierKind,
    InvalidIdentifier,
    parse_identifier,
    synthetic_identifier,
)

TODAY = date(2026, 11, 25)


def oracle_luhn(digits: str) -> int:
    """Independent Luhn implementation (right-to-left doubling), used as the test oracle."""
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char) * (2 if position % 2 == 0 else 1)
        total += value // 10 + value % 10
    return (10 - total % 10) % 10


birth_dates = st.dates(min_value=date(TODAY.year - 124, 1, 1), max_value=TODAY)
serials = st.integers(min_value=1, max_value=999)


def build(birth: date, serial: int, day_offset: int = 0) -> str:
    nine = f"{birth:%y%m}{birth.day + day_offset:02d}{serial:03d}"
    return f"{birth.year}{nine[2:]}{oracle_luhn(nine)}"


@given(birth=birth_dates, serial=serials)
def test_every_valid_personnummer_parses_in_all_written_forms(birth: date, serial: int) -> None:
    full = build(birth, serial)
    age_100 = birth <= TODAY.replace(year=TODAY.year - 100)
    ten = f"{full[2:8]}{'+' if age_100 else '-'}{full[8:]}"
    for text in (full, f"{full[:8]}-{full[8:]}", ten, f"  {full}  "):
        parsed = parse_identifier(text, today=TODAY)
        assert parsed.value == full
        assert parsed.kind is IdentifierKind.PERSONNUMMER
        assert parsed.birth_date == birth


@given(birth=birth_dates, serial=serials, position=st.integers(0, 11), delta=st.integers(1, 9))
def test_any_single_digit_error_is_refused(
    birth: date, serial: int, position: int, delta: int
) -> None:
    full = build(birth, serial)
    wrong_digit = str((int(full[position]) + delta) % 10)
    mutated = full[:position] + wrong_digit + full[position + 1 :]
    # Luhn catches every single-digit error in YYMMDDNNNC; the century (not checksummed)
    # is caught by the future/age plausibility check.
    with pytest.raises(InvalidIdentifier):
        parse_identifier(mutated, today=TODAY)


@given(birth=birth_dates, serial=serials)
def test_samordningsnummer_has_day_plus_sixty(birth: date, serial: int) -> None:
    full = build(birth, serial, day_offset=60)
    parsed = parse_identifier(full, today=TODAY)
    assert parsed.kind is IdentifierKind.SAMORDNINGSNUMMER
    assert parsed.birth_date == birth


@given(birth=birth_dates, serial=st.integers(0, 5000), coordination=st.booleans())
def test_synthetic_identifiers_are_valid(birth: date, serial: int, coordination: bool) -> None:
    value = synthetic_identifier(birth, serial, coordination=coordination)
    parsed = parse_identifier(value, today=TODAY)
    assert parsed.value == value
    assert (parsed.kind is IdentifierKind.SAMORDNINGSNUMMER) == coordination


@pytest.mark.parametrize(
    ("text", "expected_year"),
    [
        ("121212-1212", 2012),  # under 100: the latest matching century
        ("121212+1212", 1912),  # + means 100 or older
        ("261125-0005", 2026),  # born today
    ],
)
def test_ten_digit_century(text: str, expected_year: int) -> None:
    if text.startswith("2611"):
        text = build(date(2026, 11, 25), 1)[2:8] + "-" + build(date(2026, 11, 25), 1)[8:]
    assert parse_identifier(text, today=TODAY).birth_date.year == expected_year


def test_ten_digit_birthday_later_this_year_is_last_century() -> None:
    tomorrow_last_century = build(date(1926, 11, 26), 5)
    assert parse_identifier(tomorrow_last_century[2:], today=TODAY).birth_date == date(1926, 11, 26)


@pytest.mark.parametrize(
    ("text", "message_part"),
    [
        ("", "Ange ett personnummer"),
        ("abc", "fel form"),
        ("1212121212121", "fel form"),
        ("19121212-1213", "Kontrollsiffran"),
        ("19121312-1212", "giltigt födelsedatum"),
        ("19120230-1234", "giltigt födelsedatum"),
        ("19121212+1212", "Plustecken"),
        ("19121212-0003", "000"),
        ("20301212-1212", "framtiden"),
        ("19450332R001", "Reservnumret"),
        ("18750101-0008", "inte rimligt"),
    ],
)
def test_invalid_numbers_give_a_clear_swedish_reason(text: str, message_part: str) -> None:
    with pytest.raises(InvalidIdentifier) as error:
        parse_identifier(text, today=TODAY)
    assert message_part in error.value.message


def test_future_birth_date_refused_for_twelve_digits() -> None:
    tomorrow = build(TODAY + timedelta(days=1), 17)
    with pytest.raises(InvalidIdentifier, match="framtiden"):
        parse_identifier(tomorrow, today=TODAY)


def test_reservnummer_in_region_format() -> None:
    parsed = parse_identifier("19450312-R007", today=TODAY)
    assert parsed.kind is IdentifierKind.RESERVNUMMER
    assert parsed.value == "19450312R007"
    assert parsed.display() == "19450312-R007"
    assert parsed.birth_date == date(1945, 3, 12)


def test_another_region_can_set_its_own_reserve_pattern() -> None:
    pattern = r"^99(?P<birth>\d{8})(?P<serial>\d{2})$"
    parsed = parse_identifier("991945031201", today=TODAY, reserve_pattern=pattern)
    assert parsed.kind is IdentifierKind.RESERVNUMMER
    assert parsed.birth_date == date(1945, 3, 12)


def test_display_form() -> None:
    assert parse_identifier("191212121212", today=TODAY).display() == "19121212-1212"
