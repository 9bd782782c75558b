"""The municipality's payment liability (kommunens betalningsansvar, 5 kap.; SPEC §5)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.utils.translation import gettext as _

from samplan.agreements.schema import AgreementVersion, PaymentAmountMissing, to_local
from samplan.agreements.timeline import AgreementTimeline, as_timeline
from samplan.discharge.rules.category import category_requirements
from samplan.discharge.rules.clock import local_date
from samplan.discharge.rules.facts import CaseFacts

__all__ = [
    "ExcludedPeriod",
    "LiableDay",
    "payment_liability_days",
    "payment_liability_start",
    "payment_preconditions",
    "sent_after_cutoff",
]

ExcludedPeriod = tuple[date, date | None]
"""A 5:5 period (first day, last day), both inclusive; ``None`` as last day: still ongoing."""


@dataclass(frozen=True, order=True)
class LiableDay:
    day: date
    amount_sek: int


def sent_after_cutoff(ready_notice_sent_at: datetime, agreement: AgreementVersion) -> bool:
    """Strictly after the cutoff in local time: 12:00:00.000000 is not after 12.00,
    12:00:00.000001 is."""
    return to_local(ready_notice_sent_at).time() > agreement.payment.cutoff


def payment_liability_start(ready_notice_sent_at: datetime, agreement: AgreementVersion) -> date:
    """The first day the municipality can be liable for (5:4 or the agreement's rule)."""
    rule = agreement.payment
    days = (
        rule.start_days_after_cutoff
        if sent_after_cutoff(ready_notice_sent_at, agreement)
        else rule.start_days_before_cutoff
    )
    if rule.counting == "calendar_days_including_day_zero":
        days -= 1  # the send date itself is the first of the days
    return to_local(ready_notice_sent_at).date() + timedelta(days=days)


def payment_liability_days(
    ready_notice_sent_at: datetime,
    discharged_on: date | datetime | None,
    preconditions_met: bool,
    excluded_periods: Sequence[ExcludedPeriod],
    agreement: AgreementVersion,
    *,
    until: date | None = None,
) -> list[LiableDay]:
    """Each liable day with its amount, in date order.

    Counted up to the discharge (whether the discharge date itself is liable depends on the
    agreement's counting, see :class:`~samplan.agreements.schema.PaymentRule`) and, when given,
    up to and including ``until`` (e.g. the last day of an invoicing month, or today for a
    patient still in hospital). No days when the 5:3 preconditions are not met; none inside
    excluded (5:5) periods. Raises :class:`PaymentAmountMissing` for a year without amount.
    """
    if discharged_on is None and until is None:
        raise ValueError("ange utskrivningsdatum eller till och med vilket datum som ska räknas")
    if not preconditions_met:
        return []
    start = payment_liability_start(ready_notice_sent_at, agreement)
    rule = agreement.payment
    ends: list[date] = []
    if discharged_on is not None:
        discharge_day = local_date(discharged_on)
        includes_discharge_day = rule.counting == "calendar_days_including_day_zero"
        ends.append(discharge_day if includes_discharge_day else discharge_day - timedelta(days=1))
    if until is not None:
        ends.append(local_date(until))
    last = min(ends)
    days = []
    day = start
    while day <= last:
        if not any(_within(day, period) for period in excluded_periods):
            amount = rule.amounts_sek.get(day.year)
            if amount is None:
                raise PaymentAmountMissing(
                    _("%(version)s: inget belopp per dag för år %(year)d (payment.amounts_sek)")
                    % {"version": agreement.version_id, "year": day.year}
                )
            days.append(LiableDay(day, amount))
        day += timedelta(days=1)
    return days


def _within(day: date, period: ExcludedPeriod) -> bool:
    first, last = period
    return first <= day and (last is None or day <= last)


def payment_preconditions(
    facts: CaseFacts, agreement: AgreementVersion | AgreementTimeline
) -> list[str]:
    """Unmet 5:3 preconditions, in Swedish; empty when liability is possible.

    Checks that the messages were sent (and not withdrawn), not whether they were on time."""
    category = facts.category
    if category is None:
        return [_("Ankomstsamtalet är inte dokumenterat, så planeringskategorin är okänd.")]
    requirements = category_requirements(
        category, as_timeline(agreement).version_at(facts.admitted_at)
    )
    if not requirements.payment_liability_possible:
        return [
            _("Kategori %(category)s ger inget betalningsansvar.") % {"category": category.value}
        ]
    unmet = []
    if facts.admission_notice_sent_at is None:
        unmet.append(_("Inget inskrivningsmeddelande har skickats (2 kap. 1–3 §§)."))
    if facts.ready_notice_sent_at is None:
        unmet.append(_("Ingen underrättelse om utskrivningsklar har skickats (3 kap. 1 §)."))
    sip_invitation_needed = requirements.sip_required and not facts.svpl_instead_of_sip
    if sip_invitation_needed and facts.sip_invitation_sent_at is None:
        unmet.append(_("Fast vårdkontakt har inte kallat till SIP (4 kap. 3 §)."))
    return unmet
