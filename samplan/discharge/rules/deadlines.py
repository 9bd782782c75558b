"""When each step of SPEC §3.2 is due, under a given agreement version. All inputs are aware
datetimes; results are in Europe/Stockholm."""

from __future__ import annotations

from datetime import date, datetime

from samplan.agreements.schema import STOCKHOLM, AgreementVersion, InformationItem, to_local
from samplan.discharge.rules.clock import add_duration, end_of_day, instant, local_date

__all__ = [
    "acknowledgement_due",
    "admission_notice_due",
    "discharge_notice_due",
    "information_transfer_due",
    "planning_assessment_due",
    "sip_invitation_due",
    "written_plan_due",
]


def admission_notice_due(
    admitted_at: datetime, needs_judged_at: datetime | None, agreement: AgreementVersion
) -> datetime:
    """Inskrivningsmeddelande (2:3): counted from admission, or from the physician's later
    judgement of the need; a judgement recorded before admission counts from admission."""
    start = to_local(admitted_at)
    if needs_judged_at is not None:
        start = max(start, to_local(needs_judged_at), key=instant)
    return add_duration(start, agreement.deadlines.admission_notice)


def acknowledgement_due(sent_at: datetime, agreement: AgreementVersion) -> datetime:
    """Kvittens by each receiving unit (2:6), counted from when the notice was sent."""
    return add_duration(sent_at, agreement.deadlines.acknowledgement)


def planning_assessment_due(
    notice_sent_at: datetime, agreement: AgreementVersion
) -> datetime | None:
    """Planeringsunderlag answered by a notified unit; ``None`` if the agreement sets no
    deadline ("as soon as possible")."""
    duration = agreement.deadlines.planning_assessment
    return None if duration is None else add_duration(notice_sent_at, duration)


def sip_invitation_due(ready_notice_sent_at: datetime, agreement: AgreementVersion) -> datetime:
    """Kallelse till SIP (4:3), counted from the utskrivningsklar notice."""
    return add_duration(ready_notice_sent_at, agreement.deadlines.sip_invitation)


def written_plan_due(meeting_at: datetime, agreement: AgreementVersion) -> datetime:
    """The person gets the written plan, counted from the SIP meeting."""
    return add_duration(meeting_at, agreement.deadlines.written_plan)


def discharge_notice_due(discharged_at: datetime, agreement: AgreementVersion) -> datetime:
    """Utskrivningsmeddelande, counted from discharge (practice: the same day)."""
    return add_duration(discharged_at, agreement.deadlines.discharge_notice)


def information_transfer_due(
    ready_notice_sent_at: datetime | None,
    discharged_on: date | datetime | None,
    agreement: AgreementVersion,
    item: str | None = None,
) -> datetime | None:
    """Informationsöverföring (3:2) of ``item``, or of the earliest-due item when ``None``.

    The law bound – the end of the discharge day – always applies; the agreement may set an
    earlier deadline from the utskrivningsklar notice (Gävleborg: the same day). A date for
    ``discharged_on`` stands for the start of that local day. ``None`` while nothing the
    deadline counts from has happened yet.
    """
    items = agreement.information_transfer
    if item is not None:
        items = tuple(i for i in items if i.id == item)
        if not items:
            known = ", ".join(i.id for i in agreement.information_transfer)
            raise KeyError(f"okänd informationspunkt {item!r} (finns: {known})")
    dues = [
        due
        for i in items
        if (due := _item_due(i, ready_notice_sent_at, discharged_on, agreement)) is not None
    ]
    return min(dues, key=instant, default=None)


def _item_due(
    item: InformationItem,
    ready_notice_sent_at: datetime | None,
    discharged_on: date | datetime | None,
    agreement: AgreementVersion,
) -> datetime | None:
    candidates: list[datetime] = []
    discharge_start: datetime | None = None
    if discharged_on is not None:
        if isinstance(discharged_on, datetime):
            discharge_start = to_local(discharged_on)
        else:
            discharge_start = datetime.combine(discharged_on, datetime.min.time(), STOCKHOLM)
        candidates.append(end_of_day(local_date(discharge_start)))
    anchor = ready_notice_sent_at if item.due_from == "ready_notice" else discharge_start
    if anchor is not None:
        candidates.append(add_duration(anchor, item.within))
    return min(candidates, key=instant, default=None)
