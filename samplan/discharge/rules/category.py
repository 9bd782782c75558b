"""Planning category A–E from the recorded needs, and which steps of the law it requires
(SPEC §3.1)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from samplan.agreements.schema import (
    LAW_NOTICE_RECIPIENTS,
    AgreementVersion,
    Duration,
    PlanningCategory,
    UnitKind,
)

__all__ = [
    "NOTIFIED_GROUP_LABELS",
    "CategoryRequirements",
    "Needs",
    "StepRule",
    "category_requirements",
    "derive_planning_category",
    "describe_duration",
    "notified_group",
]

LAW_ADMISSION_NOTICE = Duration(amount=24, unit="hours")
"""2 kap. 3 §, when no agreement is given."""


def describe_duration(duration: Duration) -> str:
    """A deadline length in Swedish, as the reasons of a category say it: "inom 24 timmar"."""
    n = duration.amount
    if duration.unit == "hours":
        return ngettext("inom %(n)d timme", "inom %(n)d timmar", n) % {"n": n}
    if duration.unit == "calendar_days":
        if n == 0:
            return _("samma dag")
        return ngettext("inom %(n)d dag", "inom %(n)d dagar", n) % {"n": n}
    if n == 0:
        return _("samma arbetsdag")
    return ngettext("inom %(n)d arbetsdag", "inom %(n)d arbetsdagar", n) % {"n": n}


def notified_group(kind: UnitKind) -> str:
    """The part of the care chain a unit kind stands for when a category names who is told:
    a vårdcentral and a specialist clinic are both "regional outpatient care" (SPEC §3.1)."""
    if kind in (UnitKind.PRIMARY_CARE, UnitKind.SPECIALIST_OUTPATIENT):
        return "regional_outpatient"
    return kind.value


NOTIFIED_GROUP_LABELS = {
    "regional_outpatient": gettext_lazy("regionens öppna vård"),
    UnitKind.SOCIAL_SERVICES.value: gettext_lazy("socialtjänsten"),
    UnitKind.MUNICIPAL_HEALTH_CARE.value: gettext_lazy("kommunal hälso- och sjukvård"),
    UnitKind.INPATIENT_WARD.value: gettext_lazy("slutenvården"),
}


@dataclass(frozen=True)
class Needs:
    """Insatser the patient is expected to need after discharge (from the ankomstsamtal)."""

    regional_outpatient: bool = False
    """Vårdcentral or specialist clinic (regionfinansierad öppen vård)."""
    social_services: bool = False
    """Socialtjänst, e.g. hemtjänst, without municipal health care."""
    municipal_health_care: bool = False
    """Kommunal hemsjukvård."""
    special_housing_or_health_care_in_social_services: bool = False
    """Social services including municipal health care, e.g. särskilt boende (category E)."""


def derive_planning_category(needs: Needs) -> PlanningCategory:
    """The category of SPEC §3.1.

    E wins over everything (it includes social services and municipal health care). Municipal
    health care always involves regional outpatient care (2:1), so regional outpatient + municipal
    health care is D, and all three together are C+D.
    """
    if needs.special_housing_or_health_care_in_social_services:
        return PlanningCategory.E
    social, home_health = needs.social_services, needs.municipal_health_care
    if social and home_health:
        return PlanningCategory.C_D
    if home_health:
        return PlanningCategory.D
    if social:
        return PlanningCategory.B_C if needs.regional_outpatient else PlanningCategory.C
    if needs.regional_outpatient:
        return PlanningCategory.B
    return PlanningCategory.A


class StepRule(StrEnum):
    """Whether a message is mandatory for a category."""

    REQUIRED = "required"
    PHYSICIAN_DECIDES = "physician_decides"
    """Sent if the treating physician judges it needed (category B's inskrivningsmeddelande)."""
    IF_ADMISSION_NOTICE_SENT = "if_admission_notice_sent"
    """Required only when an inskrivningsmeddelande was sent (category B's utskrivningsklar)."""
    NOT_REQUIRED = "not_required"


@dataclass(frozen=True)
class CategoryRequirements:
    """What the law requires for a category, with a Swedish reason for each mandatory step."""

    category: PlanningCategory
    admission_notice: StepRule
    notified_unit_kinds: tuple[UnitKind, ...]
    appoint_fvk: bool
    sip_required: bool
    ready_notice: StepRule
    payment_liability_possible: bool
    reasons: tuple[str, ...]


_NEEDS_TEXT = {
    PlanningCategory.A: gettext_lazy("patienten behöver inga insatser efter utskrivningen"),
    PlanningCategory.B: gettext_lazy("patienten behöver bara insatser från regionens öppna vård"),
    PlanningCategory.C: gettext_lazy("patienten behöver bara insatser från socialtjänsten"),
    PlanningCategory.D: gettext_lazy("patienten behöver kommunal hemsjukvård"),
    PlanningCategory.B_C: gettext_lazy(
        "patienten behöver insatser från regionens öppna vård och socialtjänsten"
    ),
    PlanningCategory.C_D: gettext_lazy(
        "patienten behöver insatser från socialtjänsten och kommunal hemsjukvård"
    ),
    PlanningCategory.E: gettext_lazy(
        "patienten behöver insatser från socialtjänsten inklusive kommunal hälso- och sjukvård "
        "(t.ex. särskilt boende)"
    ),
}

# SPEC §3.1, column by column.
_R, _P, _I, _N = (
    StepRule.REQUIRED,
    StepRule.PHYSICIAN_DECIDES,
    StepRule.IF_ADMISSION_NOTICE_SENT,
    StepRule.NOT_REQUIRED,
)
# fmt: off
_TABLE: dict[PlanningCategory, tuple[StepRule, bool, bool, StepRule, bool]] = {
    #                    admission notice, appoint FVK, SIP, ready notice, payment possible
    PlanningCategory.A:   (_N, False, False, _N, False),
    PlanningCategory.B:   (_P, False, False, _I, False),
    PlanningCategory.C:   (_R, False, False, _R, True),
    PlanningCategory.D:   (_R, True,  True,  _R, True),
    PlanningCategory.B_C: (_R, True,  True,  _R, True),
    PlanningCategory.C_D: (_R, True,  True,  _R, True),
    PlanningCategory.E:   (_R, True,  True,  _R, True),
}
# fmt: on


def category_requirements(
    category: PlanningCategory, agreement: AgreementVersion | None = None
) -> CategoryRequirements:
    """The steps the law requires for ``category``. The notified unit kinds come from the
    agreement when given (it decides them), otherwise from the SPEC §3.1 table."""
    admission, fvk, sip, ready, payment = _TABLE[category]
    kinds = (
        agreement.notice_recipients[category]
        if agreement is not None
        else LAW_NOTICE_RECIPIENTS[category]
    )
    return CategoryRequirements(
        category=category,
        admission_notice=admission,
        notified_unit_kinds=kinds,
        appoint_fvk=fvk,
        sip_required=sip,
        ready_notice=ready,
        payment_liability_possible=payment,
        reasons=_reasons(
            category,
            admission,
            fvk,
            sip,
            ready,
            payment,
            agreement.deadlines.admission_notice if agreement is not None else LAW_ADMISSION_NOTICE,
        ),
    )


def _reasons(
    category: PlanningCategory,
    admission: StepRule,
    fvk: bool,
    sip: bool,
    ready: StepRule,
    payment: bool,
    notice_within: Duration,
) -> tuple[str, ...]:
    c = {"category": category.value}
    prefix = {**c, "needs": _NEEDS_TEXT[category]}
    if category is PlanningCategory.A:
        return (
            _(
                "Kategori %(category)s: %(needs)s och omfattas inte av lagen (1 kap. 1 §) – inga "
                "meddelanden skickas."
            )
            % prefix,
        )
    reasons = []
    if admission is StepRule.REQUIRED:
        reasons.append(
            _(
                "Kategori %(category)s: %(needs)s – inskrivningsmeddelande ska skickas %(within)s "
                "(2 kap. 1–3 §§)."
            )
            % {**prefix, "within": describe_duration(notice_within)}
        )
    else:
        reasons.append(
            _(
                "Kategori %(category)s: %(needs)s – inskrivningsmeddelande skickas om läkaren "
                "bedömer att det behövs (2 kap. 1 §)."
            )
            % prefix
        )
    if fvk:
        reasons.append(
            _(
                "Kategori %(category)s: fast vårdkontakt ska utses i regionens öppna vård innan "
                "patienten skrivs ut (2 kap. 5 §)."
            )
            % c
        )
    if sip:
        reasons.append(
            _(
                "Kategori %(category)s: patienten behöver insatser från både region och kommun – "
                "SIP ska upprättas (4 kap. 1 §)."
            )
            % c
        )
    if ready is StepRule.REQUIRED:
        reasons.append(
            _(
                "Kategori %(category)s: underrättelse om utskrivningsklar ska skickas när läkaren "
                "bedömt patienten utskrivningsklar (3 kap. 1 §)."
            )
            % c
        )
    else:
        reasons.append(
            _(
                "Kategori %(category)s: underrättelse om utskrivningsklar ska skickas om ett "
                "inskrivningsmeddelande har skickats (3 kap. 1 §)."
            )
            % c
        )
    if payment:
        reasons.append(
            _(
                "Kategori %(category)s: kommunen kan få betalningsansvar om patienten blir kvar "
                "när hen är utskrivningsklar (5 kap.)."
            )
            % c
        )
    return tuple(reasons)
