"""What a meeting's place may say, and to whom. Pure: no ORM, no HTTP.

One rule for every meeting the system shows or sends: the discharge case's kallelse to SIP and the
SIP process's meetings, on the person's own pages (Min plan), in letters and calendar files, on the
staff's pages and in what is sent from Samplan.

A meeting in the person's home has the person's address as its place, and SPEC §9 says a
protected identity's address is never shown or sent. So:

* **The person** (:attr:`Audience.PERSON`: Min plan's pages, the person's calendar file and the
  letters given to them) reads "Hemma hos dig" and never an address, protected or not: the person
  knows where they live, and nothing they download, print or forward needs to carry it.
* **Staff in Samplan** (:attr:`Audience.STAFF`: the case and SIP pages and the API, read after
  strong sign-in and the party check) see the address the inviting unit wrote, so they can get
  there; for a protected identity it is withheld and the place says so.
* **What leaves Samplan** (:attr:`Audience.SENT`: calendar files and e-mail to units) never
  carries a home address: it would tie the file to a person. It says the address is in Samplan
  (for a protected identity it is not shown there either, so it says only "I hemmet").

Other places (the hospital, a unit, a video meeting) are rooms and links, the same for everyone.
A video meeting's link is given as :attr:`MeetingPlace.video_url` when it is a web address.

What may be *stored* as a meeting's location (:func:`location_refusal`, for the kallelse and the
SIP's meetings alike): a home meeting needs none, since the person's home is known (staff read the
registered address, :attr:`Audience.STAFF`); for a protected identity no text is stored at all,
since any text there could be the address. Every other place needs its room, address or link.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from django.utils.translation import gettext as _

from samplan.discharge.rules.colour import MEETING_PLACES

__all__ = ["HOME", "VIDEO", "Audience", "MeetingPlace", "location_refusal", "meeting_place"]

HOME = "home"
VIDEO = "video"


class Audience(StrEnum):
    PERSON = "person"
    """The person (or their representative) in Min plan, and the letters the person gets."""
    STAFF = "staff"
    """Staff on Samplan's own pages and the API."""
    SENT = "sent"
    """Calendar files and e-mail that leave Samplan."""


@dataclass(frozen=True)
class MeetingPlace:
    """Where a meeting is, as one audience may read it."""

    kind: str
    label: str
    """The kind of place in words: "På en enhet", "Hemma hos dig", …"""
    location: str
    """The room, address or link this audience may read; empty when it may not."""
    video_url: str = ""
    withheld: bool = False
    """A home address exists but is not shown (protected identity, staff pages)."""

    @property
    def text(self) -> str:
        """One line: "På en enhet: Vårdcentralen Centrum, rum 4", or the label alone."""
        if self.label and self.location:
            return f"{self.label}: {self.location}"
        return self.label or self.location


def _link(location: str) -> str:
    return location if location.startswith(("https://", "http://")) else ""


def location_refusal(*, place_kind: str, location: str, protected_identity: bool) -> str:
    """Why ``location`` cannot be stored for a meeting at ``place_kind`` about a person with
    (or without) ``protected_identity``, in Swedish for the user; "" when it can."""
    location = location.strip()
    if place_kind != HOME:
        return "" if location else _("Ange adress, lokal eller länk till videomötet.")
    if location and protected_identity:
        return _(
            "Personen har skyddade personuppgifter. Skriv ingen adress eller annan plats för ett "
            "möte i hemmet: lämna fältet tomt."
        )
    return ""


def meeting_place(
    *,
    place_kind: str,
    location: str,
    protected_identity: bool,
    audience: Audience,
    home_address: str = "",
) -> MeetingPlace:
    """What the place of a meeting held at ``place_kind``/``location`` may say to ``audience``
    when the meeting is about a person with (or without) ``protected_identity``.

    ``home_address`` is the person's registered address as it may be shown (empty for a
    protected identity): staff read it for a home meeting whose location nobody wrote."""
    location = location.strip()
    label = str(MEETING_PLACES.get(place_kind, ""))
    if place_kind != HOME:
        video_url = _link(location) if place_kind == VIDEO else ""
        return MeetingPlace(place_kind, label, location, video_url)
    if audience == Audience.PERSON:
        return MeetingPlace(place_kind, _("Hemma hos dig"), "")
    if audience == Audience.STAFF:
        if protected_identity:
            withheld = _("%(place)s (adressen visas inte: skyddade personuppgifter)") % {
                "place": label
            }
            return MeetingPlace(place_kind, withheld, "", withheld=True)
        return MeetingPlace(place_kind, label, location or home_address.strip())
    if protected_identity:
        return MeetingPlace(place_kind, label, "")
    return MeetingPlace(
        place_kind, _("%(place)s (adressen finns i Samplan)") % {"place": label}, ""
    )
