"""What a meeting's place may say to whom (samplan.discharge.rules.places): every place kind,
every audience, with and without protected identity."""

from __future__ import annotations

import itertools

import pytest

from samplan.discharge.rules import MEETING_PLACES
from samplan.discharge.rules.places import Audience, location_refusal, meeting_place

HOME_ADDRESS = "Hemliga vägen 1, 123 45 Gömby"


@pytest.mark.parametrize(
    ("audience", "protected"), list(itertools.product(Audience, [False, True]))
)
def test_a_home_address_reaches_only_staff_pages_and_never_for_a_protected_identity(
    audience: Audience, protected: bool
) -> None:
    place = meeting_place(
        place_kind="home", location=HOME_ADDRESS, protected_identity=protected, audience=audience
    )
    shown = audience == Audience.STAFF and not protected
    assert (HOME_ADDRESS in place.text) is shown
    assert (place.location == HOME_ADDRESS) is shown
    assert place.video_url == ""
    assert place.withheld is (audience == Audience.STAFF and protected)


def test_how_each_audience_reads_a_home_meeting() -> None:
    def text(audience: Audience, protected: bool) -> str:
        return meeting_place(
            place_kind="home",
            location=HOME_ADDRESS,
            protected_identity=protected,
            audience=audience,
        ).text

    assert text(Audience.PERSON, False) == text(Audience.PERSON, True) == "Hemma hos dig"
    assert text(Audience.STAFF, False) == f"I hemmet: {HOME_ADDRESS}"
    assert text(Audience.STAFF, True) == (
        "I hemmet (adressen visas inte: skyddade personuppgifter)"
    )
    assert text(Audience.SENT, False) == "I hemmet (adressen finns i Samplan)"
    assert text(Audience.SENT, True) == "I hemmet"  # Samplan does not show it either


@pytest.mark.parametrize(
    ("kind", "audience", "protected"),
    list(itertools.product(["hospital", "unit", "video"], Audience, [False, True])),
)
def test_other_places_read_the_same_for_everyone(
    kind: str, audience: Audience, protected: bool
) -> None:
    location = "https://video.example/m1" if kind == "video" else "Vårdcentralen Centrum, rum 4"
    place = meeting_place(
        place_kind=kind, location=f" {location} ", protected_identity=protected, audience=audience
    )
    assert place.label == MEETING_PLACES[kind]
    assert place.location == location
    assert place.text == f"{MEETING_PLACES[kind]}: {location}"
    assert place.video_url == (location if kind == "video" else "")


def test_a_video_meeting_without_a_web_address_has_no_link() -> None:
    place = meeting_place(
        place_kind="video",
        location="Teams, se kallelsen",
        protected_identity=False,
        audience=Audience.PERSON,
    )
    assert place.video_url == ""
    assert place.location == "Teams, se kallelsen"


# --- What may be stored as the location --------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "location", "protected"),
    list(itertools.product(MEETING_PLACES, ["", "  ", HOME_ADDRESS, "Portkod 12"], [False, True])),
)
def test_what_location_may_be_stored(kind: str, location: str, protected: bool) -> None:
    refusal = location_refusal(place_kind=kind, location=location, protected_identity=protected)
    written = bool(location.strip())
    if kind != "home":
        # A room, address or link is needed, protected identity or not.
        assert (refusal == "Ange adress, lokal eller länk till videomötet.") is not written
        assert (refusal == "") is written
    elif protected and written:
        # Any text at a protected person's home could be the address: none is stored.
        assert refusal.startswith("Personen har skyddade personuppgifter.")
    else:
        assert refusal == ""  # the person's home is known: the location may be left out


@pytest.mark.parametrize(
    ("audience", "protected"), list(itertools.product(Audience, [False, True]))
)
def test_a_home_meeting_with_no_location_shows_staff_the_registered_address(
    audience: Audience, protected: bool
) -> None:
    place = meeting_place(
        place_kind="home",
        location="",
        protected_identity=protected,
        audience=audience,
        home_address=HOME_ADDRESS,  # callers pass none for a protected identity; still withheld
    )
    assert (place.location == HOME_ADDRESS) is (audience == Audience.STAFF and not protected)
    assert (HOME_ADDRESS in place.text) is (audience == Audience.STAFF and not protected)


def test_what_the_inviting_unit_wrote_comes_before_the_registered_address() -> None:
    place = meeting_place(
        place_kind="home",
        location="Sommarstugan, Sjövägen 2",
        protected_identity=False,
        audience=Audience.STAFF,
        home_address=HOME_ADDRESS,
    )
    assert place.location == "Sommarstugan, Sjövägen 2"
    other = meeting_place(
        place_kind="unit",
        location="Rum 4",
        protected_identity=False,
        audience=Audience.STAFF,
        home_address=HOME_ADDRESS,
    )
    assert HOME_ADDRESS not in other.text
