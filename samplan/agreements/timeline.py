"""The agreement versions one case was judged under, as a plain value for the pure rules.

A case is judged by the version in force when each of its events happened (SPEC §6): the
inskrivningsmeddelande's deadline by the version at admission (or at the physician's later
judgement), a message's kvittens by the version when it was sent, the kallelse deadline and the
payment rule by the version when the utskrivningsklar notice was sent, and so on. Every service
that records such an event freezes the version in force at that moment; the case's frozen versions
make an :class:`AgreementTimeline`, and a rule asks it for the version at the event that triggers
it. Publishing a new version, or editing a file, therefore changes only events recorded later.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from samplan.agreements.schema import AgreementVersion, to_local

__all__ = ["AgreementTimeline", "as_timeline"]

_BEGINNING = datetime.min.replace(tzinfo=UTC)


@dataclass(frozen=True)
class AgreementTimeline:
    """The case's frozen versions, each with the moment of the event it was frozen for, in
    time order (ties keep the order given)."""

    entries: tuple[tuple[datetime, AgreementVersion], ...]

    def __post_init__(self) -> None:
        if not self.entries:
            raise ValueError("en tidslinje behöver minst en version")
        for moment, _version in self.entries:
            to_local(moment)  # raises NaiveDatetimeError
        ordered = tuple(
            sorted(self.entries, key=lambda entry: entry[0].astimezone(UTC))
        )  # stable: equal moments keep their order
        object.__setattr__(self, "entries", ordered)

    @classmethod
    def single(cls, version: AgreementVersion) -> AgreementTimeline:
        """Every moment judged by ``version`` (a case with one version, and the pure tests)."""
        return cls(((_BEGINNING, version),))

    @classmethod
    def of(cls, entries: Iterable[tuple[datetime, AgreementVersion]]) -> AgreementTimeline:
        return cls(tuple(entries))

    def version_at(self, moment: datetime | None) -> AgreementVersion:
        """The version frozen for the event at ``moment``.

        A moment no event froze (there should be none among the rules' triggers) takes the
        version of the latest event before it, and one before every event the earliest version.
        ``None`` (the trigger has not happened) is the earliest version, the admission's."""
        if moment is None:
            return self.entries[0][1]
        target = to_local(moment).astimezone(UTC)
        found = self.entries[0][1]
        for at, version in self.entries:
            if at.astimezone(UTC) > target:
                break
            found = version
        return found

    @property
    def versions(self) -> Sequence[AgreementVersion]:
        """Each distinct version once, in the order first used."""
        seen: dict[int, AgreementVersion] = {}
        for _at, version in self.entries:
            seen.setdefault(id(version), version)
        return tuple(seen.values())


def as_timeline(agreement: AgreementVersion | AgreementTimeline) -> AgreementTimeline:
    """A timeline as given, or one version standing for every moment."""
    if isinstance(agreement, AgreementTimeline):
        return agreement
    return AgreementTimeline.single(agreement)
