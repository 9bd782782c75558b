"""What a meeting's place may say to whom (samplan.discharge.rules.places): every place kind,
every audience, with and without protected identity."""

from __future__ import annotations

import itertools

import pytest

from samplan.discharge.rules import MEETING_PLACES
from samplan.discharge.rules.places import Audience, meeting_place

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
