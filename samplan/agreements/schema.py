"""The regional agreement (överenskommelse) as typed, frozen data (SPEC §6).

Everything that differs between counties' agreements is a field here, never code: deadlines, which
unit kinds get the inskrivningsmeddelande, the planning questions and colour model, the Hemgångsklar
checklist, the information to transfer, and the payment-liability rule. The files in ``data/`` are
validated into these models by :mod:`samplan.agreements.loader`.

Models are frozen and reject unknown keys. An :class:`AgreementVersion` round-trips through
``model_dump(mode="json")`` / ``model_validate_json`` unchanged, so the exact version a case was
judged by can be stored in the database.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, time
from enum import StrEnum
from itertools import pairwise
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo

from django.utils.translation import gettext
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    StrictInt,
    StringConstraints,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

__all__ = [
    "STOCKHOLM",
    "Agreement",
    "AgreementError",
    "AgreementVersion",
    "ChecklistItem",
    "Colour",
    "ColourCode",
    "ColourRule",
    "Condition",
    "Deadlines",
    "Duration",
    "InformationItem",
    "NaiveDatetimeError",
    "NoVersionInForce",
    "PaymentAmountMissing",
    "PaymentRule",
    "PlanningCategory",
    "PlanningModel",
    "PlanningQuestion",
    "QuestionOption",
    "SipRules",
    "UnitKind",
    "contrast_ratio",
    "to_local",
]


STOCKHOLM = ZoneInfo("Europe/Stockholm")
"""Agreements speak Swedish local time: validity dates, cutoffs and "days" are Stockholm's."""


class NaiveDatetimeError(ValueError):
    """A datetime without a time zone was given where a moment in time is needed."""


def to_local(moment: datetime) -> datetime:
    """``moment`` in Europe/Stockholm; raises :class:`NaiveDatetimeError` for naive input."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise NaiveDatetimeError(f"tidpunkten {moment.isoformat()} saknar tidszon")
    return moment.astimezone(STOCKHOLM)


class AgreementError(ValueError):
    """An agreement file is invalid, or an agreement does not decide what was asked of it."""


class NoVersionInForce(AgreementError):
    """No version of a county's agreement was in force at the given moment."""


class PaymentAmountMissing(AgreementError):
    """The agreement version has no daily amount for a year with liable days."""


class UnitKind(StrEnum):
    """Kinds of care unit that take part in a discharge (values as ``directory.UnitKind``)."""

    INPATIENT_WARD = "inpatient_ward"
    PRIMARY_CARE = "primary_care"
    SPECIALIST_OUTPATIENT = "specialist_outpatient"
    SOCIAL_SERVICES = "social_services"
    MUNICIPAL_HEALTH_CARE = "municipal_health_care"


class PlanningCategory(StrEnum):
    """Planeringskategori (SPEC §3.1): which steps of the law a case requires."""

    A = "A"
    B = "B"
    C = "C"
    D = "D"
    B_C = "B+C"
    C_D = "C+D"
    E = "E"


Identifier = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*$", max_length=60)]
ColourCode = str
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
HexColour = Annotated[str, StringConstraints(pattern=r"^#[0-9a-fA-F]{6}$")]

YES, NO = "yes", "no"


def agreement_error(path: str, detail: str) -> PydanticCustomError:
    """An error inside a model whose position below the model is ``path`` (e.g. ``rules[1]``).

    The loader joins ``path`` onto the model's own location, so messages name the exact field.
    """
    return PydanticCustomError("agreement", "{path}: {detail}", {"path": path, "detail": detail})


class _Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


# --- Deadlines --------------------------------------------------------------------------------


class Duration(_Frozen):
    """A deadline length. ``at_end_of_day`` (day units only): due at 23:59:59.999999 local time
    of the last day, so "within 3 days" means "by the end of the 3rd day after the start date".
    Amount 0 is allowed only with ``at_end_of_day`` and means "the same day"."""

    amount: StrictInt
    unit: Literal["hours", "calendar_days", "working_days"]
    at_end_of_day: StrictBool = False

    @field_validator("amount")
    @classmethod
    def _non_negative(cls, value: int) -> int:
        if value < 0:
            raise PydanticCustomError("positive_int", "måste vara ett positivt heltal")
        return value

    @model_validator(mode="after")
    def _consistent(self) -> Duration:
        if self.at_end_of_day and self.unit == "hours":
            raise agreement_error("at_end_of_day", "kan bara användas med dagar, inte timmar")
        if self.amount == 0 and not self.at_end_of_day:
            raise agreement_error(
                "amount",
                "måste vara ett positivt heltal (0 betyder samma dag och kräver "
                "at_end_of_day = true)",
            )
        return self


class Deadlines(_Frozen):
    """Deadlines of the process steps (SPEC §3.2), each counted from the step's trigger."""

    admission_notice: Duration
    """From admission, or from the physician's later judgement of the need (2:3). Law: 24 h."""
    acknowledgement: Duration
    """From when a notice was sent, for each receiving unit to acknowledge it (2:6)."""
    planning_assessment: Duration | None = None
    """From the inskrivningsmeddelande, for each notified unit to answer; ``None``: no deadline."""
    sip_invitation: Duration
    """From the utskrivningsklar notice, for the FVK's kallelse (4:3). Law: within 3 days."""
    written_plan: Duration
    """From the SIP meeting, for the person to get the written plan."""
    discharge_notice: Duration
    """From discharge, for the utskrivningsmeddelande. Practice: the same day."""


class InformationItem(_Frozen):
    """One piece of informationsöverföring (3:2). The law bound, the day of discharge, always
    applies; ``due_from``/``within`` may set an earlier deadline (Gävleborg: epikris and
    medication list the same day as the utskrivningsklar notice)."""

    id: Identifier
    text: Text
    due_from: Literal["ready_notice", "discharge"] = "discharge"
    within: Duration = Duration(amount=0, unit="calendar_days", at_end_of_day=True)
    note_label: str = ""
    """A question the ward answers when the item is sent (e.g. who holds the medical
    responsibility after discharge); the answer is required and goes into the patient's letter."""


# --- Planning questions and colour model ------------------------------------------------------


class QuestionOption(_Frozen):
    value: Identifier
    label: Text


class PlanningQuestion(_Frozen):
    """A question of the planeringsunderlag; yes/no answers are ``"yes"``/``"no"``."""

    id: Identifier
    text: Text
    kind: Literal["yes_no", "choice"]
    options: tuple[QuestionOption, ...] = ()
    help: str = ""

    @model_validator(mode="after")
    def _options_fit_kind(self) -> PlanningQuestion:
        if self.kind == "yes_no" and self.options:
            raise agreement_error("options", "ja/nej-frågor har fasta svar och inga options")
        if self.kind == "choice":
            if len(self.options) < 2:
                raise agreement_error("options", "en flervalsfråga behöver minst två svar")
            _require_unique("options", (o.value for o in self.options))
        return self

    @property
    def choices(self) -> list[tuple[str, str]]:
        """(value, Swedish label) pairs, in order, for forms."""
        if self.kind == "yes_no":
            return [(YES, gettext("Ja")), (NO, gettext("Nej"))]
        return [(o.value, o.label) for o in self.options]

    @property
    def allowed_answers(self) -> frozenset[str]:
        return frozenset(value for value, _label in self.choices)


def _relative_luminance(hex_colour: str) -> float:
    channels = [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast_ratio(foreground: str, background: str) -> float:
    """WCAG 2.1 contrast ratio of two ``#rrggbb`` colours (1–21)."""
    lighter, darker = sorted(
        (_relative_luminance(foreground), _relative_luminance(background)), reverse=True
    )
    return (lighter + 0.05) / (darker + 0.05)


WCAG_AA_NORMAL_TEXT = 4.5


class Colour(_Frozen):
    """One colour (or track) of the model; ``text_colour`` on ``hex`` must meet WCAG AA 4.5:1."""

    code: Identifier
    label: Text
    hex: HexColour
    text_colour: HexColour
    meaning: Text
    sip_guidance: Text
    meeting_timing: Text

    @model_validator(mode="after")
    def _readable(self) -> Colour:
        ratio = contrast_ratio(self.text_colour, self.hex)
        if ratio < WCAG_AA_NORMAL_TEXT:
            raise agreement_error(
                "text_colour",
                f"kontrasten mot {self.hex} är {ratio:.2f}:1, WCAG AA kräver minst 4.5:1",
            )
        return self


class Condition(_Frozen):
    """True when the answer to ``question`` is one of ``answer`` (one value or a list)."""

    question: Identifier
    answer: tuple[Identifier, ...] = Field(min_length=1)

    @field_validator("answer", mode="before")
    @classmethod
    def _one_or_many(cls, value: Any) -> Any:
        return (value,) if isinstance(value, str) else value


class ColourRule(_Frozen):
    """Gives ``colour`` when every ``when_all`` and at least one ``when_any`` condition holds
    (an empty list imposes nothing). Rules are tried in order; the first match wins."""

    colour: Identifier
    when_all: tuple[Condition, ...] = ()
    when_any: tuple[Condition, ...] = ()

    @model_validator(mode="after")
    def _has_conditions(self) -> ColourRule:
        if not self.when_all and not self.when_any:
            raise agreement_error("when_all", "en regel behöver when_all eller when_any")
        return self


class PlanningModel(_Frozen):
    """Planeringsunderlag: questions, colours (lowest first), rules and locked colours.

    A locked colour (Halland: "red may not be changed") is never replaced by a lower colour once
    an assessment or override reached it."""

    questions: tuple[PlanningQuestion, ...] = Field(min_length=1)
    colours: tuple[Colour, ...] = Field(min_length=2)
    rules: tuple[ColourRule, ...] = ()
    default_colour: Identifier
    locked_colours: tuple[Identifier, ...] = ()

    @model_validator(mode="after")
    def _references(self) -> PlanningModel:
        _require_unique("questions", (q.id for q in self.questions))
        _require_unique("colours", (c.code for c in self.colours))
        codes = self.codes
        questions = {q.id: q for q in self.questions}
        for r, rule in enumerate(self.rules):
            if rule.colour not in codes:
                raise agreement_error(
                    f"rules[{r}].colour", _unknown("okänd färg", rule.colour, codes)
                )
            for group in ("when_all", "when_any"):
                for c, condition in enumerate(getattr(rule, group)):
                    path = f"rules[{r}].{group}[{c}]"
                    question = questions.get(condition.question)
                    if question is None:
                        raise agreement_error(
                            f"{path}.question",
                            _unknown("okänd fråga", condition.question, tuple(questions)),
                        )
                    for answer in condition.answer:
                        if answer not in question.allowed_answers:
                            raise agreement_error(
                                f"{path}.answer",
                                _unknown(
                                    "okänt svar", answer, tuple(sorted(question.allowed_answers))
                                ),
                            )
        if self.default_colour not in codes:
            raise agreement_error(
                "default_colour", _unknown("okänd färg", self.default_colour, codes)
            )
        for i, code in enumerate(self.locked_colours):
            if code not in codes:
                raise agreement_error(f"locked_colours[{i}]", _unknown("okänd färg", code, codes))
        return self

    @property
    def codes(self) -> tuple[ColourCode, ...]:
        return tuple(c.code for c in self.colours)

    def colour(self, code: ColourCode) -> Colour:
        for colour in self.colours:
            if colour.code == code:
                return colour
        raise KeyError(code)

    def rank(self, code: ColourCode) -> int:
        """Position in the ordered colours: higher is more extensive."""
        return self.codes.index(code)


class ChecklistItem(_Frozen):
    id: Identifier
    text: Text


# --- Payment liability ------------------------------------------------------------------------


class PaymentRule(_Frozen):
    """When the municipality's payment liability starts and what a day costs (SPEC §5).

    ``counting``:

    * ``days_after_notice`` (5:4): the send date is day 0; the first liable day is day
      ``start_days_*``; liable up to the day before the discharge date (the discharge day is
      not a day in hospital).
    * ``calendar_days_including_day_zero``: the send date counts as the first of the
      ``start_days_*`` days, so the first liable day is day ``start_days_* - 1``; every calendar
      day in hospital is liable, the discharge date included.

    A notice is "sent after ``cutoff``" when its local send time is strictly later than the
    cutoff: 12:00:00.000000 is before, 12:00:00.000001 is after.
    """

    cutoff: time = time(12, 0)
    start_days_before_cutoff: StrictInt = Field(default=3, ge=0)
    start_days_after_cutoff: StrictInt = Field(default=4, ge=0)
    counting: Literal["days_after_notice", "calendar_days_including_day_zero"] = "days_after_notice"
    amounts_sek: dict[Annotated[int, Field(ge=2000, le=2100)], Annotated[StrictInt, Field(gt=0)]]
    """Daily amount per calendar year. Without agreement: Socialstyrelsen's national average."""

    @model_validator(mode="after")
    def _consistent(self) -> PaymentRule:
        if self.cutoff.tzinfo is not None:
            raise agreement_error("cutoff", "anges som lokal tid utan tidszon, t.ex. 12:00:00")
        if self.start_days_after_cutoff < self.start_days_before_cutoff:
            raise agreement_error(
                "start_days_after_cutoff", "får inte vara mindre än start_days_before_cutoff"
            )
        if (
            self.counting == "calendar_days_including_day_zero"
            and self.start_days_before_cutoff < 1
        ):
            raise agreement_error(
                "start_days_before_cutoff",
                "måste vara minst 1 när dag 0 räknas (calendar_days_including_day_zero)",
            )
        return self


# --- SIP (samordnad individuell plan) --------------------------------------------------------


class SipRules(_Frozen):
    """What the work lists hold a SIP process to (SPEC §4), in calendar days (Stockholm dates).

    The law sets no such times outside the discharge process; these are the county's own
    expectations, and the defaults apply to an agreement file without a ``sip`` section."""

    invitation_within_days: StrictInt = Field(default=14, ge=0)
    """From the start of a SIP process, for the kallelse to the first meeting."""
    plan_within_days_after_meeting: StrictInt = Field(default=14, ge=0)
    """From the first meeting, for the plan to be established."""
    inactivity_days: StrictInt = Field(default=60, ge=1)
    """Days after the last meeting with nothing recorded before "ingen aktivitet" is shown."""


# --- Psychiatry: samordnad vårdplan (SVPL) under LPT 7 a § / LRV 12 a § ----------------------


class PsychiatryRules(_Frozen):
    """What the work lists hold a samordnad vårdplan (SVPL) to, for patients going to öppen
    psykiatrisk tvångsvård (ÖPT) or öppen rättspsykiatrisk vård (ÖRV).

    The law sets no time for the units' justering; the LPT/LRV notice counts as the
    underrättelse om utskrivningsklar (3:1), so the default is the same three days after it that
    the kallelse (4:3) and the payment liability (5:4) run on: the plan should be established
    before the municipality starts to pay for a bed the patient no longer needs."""

    svpl_established: Duration = Duration(amount=3, unit="calendar_days", at_end_of_day=True)
    """From the LPT/LRV notice, for the SVPL to be established (every unit has approved it)."""


# --- A version and the whole agreement --------------------------------------------------------

LAW_NOTICE_RECIPIENTS: dict[PlanningCategory, tuple[UnitKind, ...]] = {
    PlanningCategory.A: (),
    PlanningCategory.B: (UnitKind.PRIMARY_CARE, UnitKind.SPECIALIST_OUTPATIENT),
    PlanningCategory.C: (UnitKind.SOCIAL_SERVICES,),
    PlanningCategory.D: (
        UnitKind.PRIMARY_CARE,
        UnitKind.SPECIALIST_OUTPATIENT,
        UnitKind.MUNICIPAL_HEALTH_CARE,
    ),
    PlanningCategory.B_C: (
        UnitKind.PRIMARY_CARE,
        UnitKind.SPECIALIST_OUTPATIENT,
        UnitKind.SOCIAL_SERVICES,
    ),
    PlanningCategory.C_D: (
        UnitKind.PRIMARY_CARE,
        UnitKind.SPECIALIST_OUTPATIENT,
        UnitKind.SOCIAL_SERVICES,
        UnitKind.MUNICIPAL_HEALTH_CARE,
    ),
    PlanningCategory.E: (
        UnitKind.PRIMARY_CARE,
        UnitKind.SPECIALIST_OUTPATIENT,
        UnitKind.SOCIAL_SERVICES,
        UnitKind.MUNICIPAL_HEALTH_CARE,
    ),
}
"""SPEC §3.1: "regional outpatient care" is a vårdcentral or a specialist clinic."""


class AgreementVersion(_Frozen):
    """One version of a county's agreement, in force from ``valid_from`` to ``valid_to``
    (inclusive; open-ended when ``None``), as local (Europe/Stockholm) dates.

    ``version_id`` (``"<county_key>@<valid_from>"``) is stable: the database stores it on cases so
    decided cases keep being judged by their version."""

    county_key: Identifier
    county: Text
    version_id: str
    valid_from: date
    valid_to: date | None = None
    deadlines: Deadlines
    notice_recipients: dict[PlanningCategory, tuple[UnitKind, ...]] = Field(
        default_factory=lambda: dict(LAW_NOTICE_RECIPIENTS)
    )
    information_transfer: tuple[InformationItem, ...] = Field(min_length=1)
    planning: PlanningModel
    home_ready_checklist: tuple[ChecklistItem, ...] = Field(min_length=1)
    payment: PaymentRule
    sip: SipRules = SipRules()
    psychiatry: PsychiatryRules = PsychiatryRules()

    @model_validator(mode="before")
    @classmethod
    def _identify(cls, data: Any) -> Any:
        if isinstance(data, dict) and isinstance(data.get("valid_from"), date | str):
            valid_from = data["valid_from"]
            expected = f"{data.get('county_key')}@{_iso(valid_from)}"
            if "version_id" not in data:
                return {**data, "version_id": expected}
            if data["version_id"] != expected:
                raise agreement_error("version_id", f"ska vara {expected!r}")
        return data

    @model_validator(mode="after")
    def _consistent(self) -> AgreementVersion:
        if self.valid_to is not None and self.valid_to < self.valid_from:
            raise agreement_error("valid_to", "kan inte vara före valid_from")
        missing = [c.value for c in PlanningCategory if c not in self.notice_recipients]
        if missing:
            raise agreement_error("notice_recipients", f"saknar kategori {', '.join(missing)}")
        if self.notice_recipients[PlanningCategory.A]:
            raise agreement_error(
                "notice_recipients.A", "kategori A omfattas inte av lagen och får inga mottagare"
            )
        _require_unique("information_transfer", (i.id for i in self.information_transfer))
        _require_unique("home_ready_checklist", (i.id for i in self.home_ready_checklist))
        return self

    def in_force_on(self, day: date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)


class Agreement(_Frozen):
    """All versions of one county's agreement, sorted by ``valid_from``, never overlapping."""

    county_key: Identifier
    county: Text
    based_on: str = ""
    versions: tuple[AgreementVersion, ...] = Field(min_length=1)

    @model_validator(mode="before")
    @classmethod
    def _versions_know_their_county(cls, data: Any) -> Any:
        if not isinstance(data, dict) or not isinstance(data.get("versions"), list | tuple):
            return data
        # Only what the file gives: a missing or wrong county is reported once, at the top.
        identity = {key: data[key] for key in ("county_key", "county") if key in data}
        versions = [{**identity, **v} if isinstance(v, dict) else v for v in data["versions"]]
        return {**data, "versions": versions}

    @model_validator(mode="after")
    def _ordered_and_not_overlapping(self) -> Agreement:
        for i, (earlier, later) in enumerate(pairwise(self.versions), start=1):
            if later.valid_from <= earlier.valid_from:
                raise agreement_error(
                    f"versions[{i}].valid_from",
                    f"versionerna ska stå i datumordning: {later.valid_from} kommer efter "
                    f"{earlier.valid_from}",
                )
            if earlier.valid_to is None or earlier.valid_to >= later.valid_from:
                raise agreement_error(
                    f"versions[{i}].valid_from",
                    f"versionen från {later.valid_from} överlappar versionen från "
                    f"{earlier.valid_from} (som måste ha valid_to före {later.valid_from})",
                )
        for i, version in enumerate(self.versions):
            if version.county_key != self.county_key or version.county != self.county:
                raise agreement_error(
                    f"versions[{i}]", f"{version.version_id} hör till ett annat län"
                )
        return self


def _iso(value: date | str) -> str:
    return value.isoformat() if isinstance(value, date) else value


def _unknown(what: str, value: str, known: Iterable[str]) -> str:
    """``what`` carries its own adjective, since Swedish inflects it by gender: "okänd färg",
    "okänt svar"."""
    return f"{what} {value!r} (finns: {', '.join(known)})"


def _require_unique(path: str, ids: Iterable[str]) -> None:
    seen: set[str] = set()
    for i, value in enumerate(ids):
        if value in seen:
            raise agreement_error(f"{path}[{i}]", f"id {value!r} förekommer flera gånger")
        seen.add(value)
