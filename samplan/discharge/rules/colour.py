"""The planning colour from the planeringsunderlag (SPEC §3.3), under the agreement's model.

The colour is support, never a rule: the FVK may override it (recorded elsewhere, with a reason).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.utils.translation import gettext_lazy

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

from samplan.agreements.schema import (
    NO,
    YES,
    AgreementVersion,
    ColourCode,
    ColourRule,
    Condition,
    PlanningModel,
    PlanningQuestion,
)

__all__ = [
    "MEETING_PLACES",
    "Answer",
    "AnswerError",
    "ColourFacts",
    "ColourView",
    "assess_colour",
    "colour_choices",
    "colour_codes",
    "colour_view",
    "current_colour",
    "effective_colour",
    "home_ready_items",
    "is_locked",
    "planning_questions",
]

Answer = str | bool
"""An option value; yes/no questions also take ``True``/``False`` for ``"yes"``/``"no"``."""

MEETING_PLACES: Mapping[str, StrOrPromise] = {
    "home": gettext_lazy("I hemmet"),
    "hospital": gettext_lazy("På sjukhuset"),
    "unit": gettext_lazy("På en enhet"),
    "video": gettext_lazy("Videomöte"),
}
"""Where a SIP meeting can be held."""


class AnswerError(ValueError):
    """Answers that are missing, unknown or not among a question's options."""


def _planning(model: PlanningModel | AgreementVersion) -> PlanningModel:
    return model.planning if isinstance(model, AgreementVersion) else model


def assess_colour(
    answers: Mapping[str, Answer], model: PlanningModel | AgreementVersion
) -> ColourCode:
    """The colour the answers give: the first matching rule, else the default colour.

    Every question must be answered with one of its options; raises :class:`AnswerError`."""
    planning = _planning(model)
    normalised = _normalise(answers, planning.questions)
    for rule in planning.rules:
        if _matches(rule, normalised):
            return rule.colour
    return planning.default_colour


def _normalise(
    answers: Mapping[str, Answer], questions: Sequence[PlanningQuestion]
) -> dict[str, str]:
    by_id = {q.id: q for q in questions}
    unknown = sorted(set(answers) - set(by_id))
    if unknown:
        raise AnswerError(f"okända frågor: {', '.join(unknown)}")
    missing = [q.id for q in questions if q.id not in answers]
    if missing:
        raise AnswerError(f"obesvarade frågor: {', '.join(missing)}")
    normalised = {}
    for question in questions:
        value = answers[question.id]
        if isinstance(value, bool):
            if question.kind != "yes_no":
                raise AnswerError(f"{question.id}: välj ett av svarsalternativen")
            value = YES if value else NO
        if value not in question.allowed_answers:
            raise AnswerError(f"{question.id}: ogiltigt svar {value!r}")
        normalised[question.id] = value
    return normalised


def _holds(condition: Condition, answers: Mapping[str, str]) -> bool:
    return answers[condition.question] in condition.answer


def _matches(rule: ColourRule, answers: Mapping[str, str]) -> bool:
    return all(_holds(c, answers) for c in rule.when_all) and (
        not rule.when_any or any(_holds(c, answers) for c in rule.when_any)
    )


def effective_colour(
    computed: ColourCode | None,
    override: ColourCode | None,
    previous: ColourCode | None,
    model: PlanningModel | AgreementVersion,
) -> ColourCode | None:
    """The colour that counts: the FVK's override if any, else the computed colour – except
    that a locked ``previous`` colour is never replaced by a lower one (or by nothing)."""
    planning = _planning(model)
    for code in (computed, override, previous):
        if code is not None and code not in planning.codes:
            raise ValueError(f"okänd färg {code!r}")
    candidate = override if override is not None else computed
    if previous is None or previous not in planning.locked_colours:
        return candidate
    if candidate is None or planning.rank(candidate) < planning.rank(previous):
        return previous
    return candidate


@dataclass(frozen=True)
class ColourFacts:
    """A case's colour history, each list oldest first: the colours computed from answered
    planeringsunderlag, and the FVK's overrides."""

    assessed: Sequence[ColourCode] = ()
    overrides: Sequence[ColourCode] = ()


def current_colour(
    facts: ColourFacts, model: PlanningModel | AgreementVersion
) -> ColourCode | None:
    """The colour now: the latest override, else the latest assessment (a newer planeringsunderlag
    supersedes an older one, and the FVK's judgement wins over any computed colour). A locked
    colour that any assessment or override reached holds against lower ones."""
    planning = _planning(model)
    computed = facts.assessed[-1] if facts.assessed else None
    override = facts.overrides[-1] if facts.overrides else None
    reached_locked = [
        c for c in (*facts.assessed, *facts.overrides) if c in planning.locked_colours
    ]
    previous = max(reached_locked, key=planning.rank, default=None)
    return effective_colour(computed, override, previous, planning)


@dataclass(frozen=True)
class ColourView:
    """What the UI shows of a colour."""

    code: ColourCode
    label: str
    hex: str
    text_colour: str
    meaning: str
    guidance: str
    meeting_timing: str
    locked: bool


def colour_view(
    facts: ColourFacts, model: PlanningModel | AgreementVersion
) -> tuple[ColourView | None, bool]:
    """The current colour for display, and whether it is the FVK's override."""
    planning = _planning(model)
    code = current_colour(facts, planning)
    if code is None:
        return None, False
    colour = planning.colour(code)
    view = ColourView(
        code=code,
        label=colour.label,
        hex=colour.hex,
        text_colour=colour.text_colour,
        meaning=colour.meaning,
        guidance=colour.sip_guidance,
        meeting_timing=colour.meeting_timing,
        locked=code in planning.locked_colours,
    )
    return view, bool(facts.overrides) and facts.overrides[-1] == code


def is_locked(code: ColourCode, model: PlanningModel | AgreementVersion) -> bool:
    return code in _planning(model).locked_colours


def colour_codes(model: PlanningModel | AgreementVersion) -> tuple[ColourCode, ...]:
    return _planning(model).codes


def colour_choices(model: PlanningModel | AgreementVersion) -> list[tuple[ColourCode, str]]:
    """(code, Swedish label) pairs, lowest colour first, for forms."""
    return [(c.code, c.label) for c in _planning(model).colours]


def planning_questions(model: PlanningModel | AgreementVersion) -> tuple[PlanningQuestion, ...]:
    return _planning(model).questions


def home_ready_items(agreement: AgreementVersion) -> dict[str, str]:
    """The Hemgångsklar checklist: item id → Swedish text, in order."""
    return {item.id: item.text for item in agreement.home_ready_checklist}
