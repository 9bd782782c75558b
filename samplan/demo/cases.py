"""Discharge cases in every stage for the demo county, driven through the real services.

A newcomer signing in as a demo persona should find a living system: patients just admitted,
notices waiting for kvittens, colours assessed, FVK appointed, SIP invitations due and sent,
patients discharged and processes interrupted, with the persona's unit a party to many of them and
some deadlines already passed.

Two layers, like :mod:`samplan.demo.generator`:

* **Planning** (:func:`plan_cases`) is pure. From the seed, the candidate persons and an anchor
  time ``now`` it chooses a person for each entry of :data:`CATALOGUE` and lays out every step
  with its exact time. Same seed, persons and ``now`` give the same plan.
* **Driving** (:func:`create_demo_cases`) takes each plan through the services in
  :mod:`samplan.discharge.services`, as staff would: the acting persona or unit member, the same
  rule checks, events, access-log entries and the agreement version in force at admission.

How the past is made. The services stamp most rows with ``timezone.now()``. Faking the clock
(``time_machine`` is a dev dependency only, and a patched clock in a running command is global)
would also backdate the access log, which must truthfully say when each entry was written. So the
services run at the real time, one step after the other, and when a case is done every stamp its
steps wrote on the case's own rows – events, messages, kvittenser, parties, assessments,
checklist marks, the appointed contact – is moved to the planned time of the step that wrote it,
by ``queryset.update`` (:func:`_backdate`). The access log is append-only
and hash-chained and is never touched: its entries show the seeding moment, by the acting demo
user, with no IP address. Times the services take as arguments (admission, discharge, estimated
discharge, SIP meeting) are simply passed.

The anchor is the moment the command runs, not :data:`~samplan.demo.generator.REFERENCE_DATE`:
deadlines on the work list are judged against the real clock, and a county anchored at a fixed
date would be all overdue a few weeks later.

Cases use only the first :data:`CASE_POOL` persons of the county, so the million-person path
creates the same fixed number of cases as the 300-person one.
"""

from __future__ import annotations

import bisect
import dataclasses
import itertools
import random
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from enum import IntEnum, StrEnum
from typing import Any

from django.db import transaction
from django.db.models import Model
from django.utils import timezone

from samplan.agreements.schema import NO, YES
from samplan.agreements.services import agreement_in_force
from samplan.core.acting import Acting
from samplan.demo.generator import (
    MUNICIPALITIES,
    PERSONA_USERNAMES,
    REGION_HSA_PREFIX,
    County,
    build_county,
)
from samplan.directory.models import Membership, Role, Unit, UnitKind
from samplan.discharge import rules, services
from samplan.discharge.facts import checklist_agreement, timeline_of
from samplan.discharge.models import (
    ArrivalConversation,
    CaseAgreementVersion,
    CaseEvent,
    CaseParty,
    ChecklistKind,
    ChecklistMark,
    ColourOverride,
    InpatientStay,
    InterruptionKind,
    Message,
    MessageKind,
    MessageRecipient,
    OutpatientUnavailability,
    PartyStatus,
    PlanningAssessment,
    PlanningNote,
)
from samplan.discharge.steps import proposed_recipients
from samplan.people.models import CareContact, CareContactRole, Person

# Persons considered for cases: the first this many of the county, whatever its size.
CASE_POOL = 1000
# Each case's times move earlier by up to this many minutes (from the seed). The catalogue keeps
# every deadline it means to be met at least an hour away, so this never tips one over.
MAX_SHIFT_MINUTES = 40
# Estimated discharge is given as a time of day, as wards do.
ESTIMATE_TIME = time(11, 0)

Category = rules.PlanningCategory


class Stage(IntEnum):
    """How far a case has come; each stage's step happens at its entry in ``hours_ago``."""

    ADMITTED = 0
    CONVERSATION = 1
    NOTICE = 2
    ASSESSED = 3
    FVK = 4
    READY = 5
    SIP = 6
    DISCHARGED = 7


# Which units answer a message or a question, by kind. "ALL" in a spec means every one.
WARD, VC, SOCIAL, HOME_CARE = "ward", "vc", "bist", "hsjv"
ALL = frozenset({WARD, VC, SOCIAL, HOME_CARE})
NONE: frozenset[str] = frozenset()
_KEY_OF_KIND = {
    UnitKind.INPATIENT_WARD: WARD,
    UnitKind.PRIMARY_CARE: VC,
    UnitKind.SPECIALIST_OUTPATIENT: VC,
    UnitKind.SOCIAL_SERVICES: SOCIAL,
    UnitKind.MUNICIPAL_HEALTH_CARE: HOME_CARE,
}
# The role that acts for a unit in the case (kvittens, planeringsunderlag, notes, kallelse).
_CARE_ROLE = {
    UnitKind.INPATIENT_WARD: Role.NURSE_COORDINATOR,
    UnitKind.PRIMARY_CARE: Role.NURSE_COORDINATOR,
    UnitKind.SPECIALIST_OUTPATIENT: Role.NURSE_COORDINATOR,
    UnitKind.SOCIAL_SERVICES: Role.NEEDS_ASSESSOR,
    UnitKind.MUNICIPAL_HEALTH_CARE: Role.MUNICIPAL_NURSE,
}

_NEEDS: dict[Category, tuple[str, ...]] = {
    Category.A: (),
    Category.B: ("needs_regional_outpatient",),
    Category.C: ("needs_social_services",),
    Category.D: ("needs_regional_outpatient", "needs_municipal_health_care"),
    Category.B_C: ("needs_regional_outpatient", "needs_social_services"),
    Category.C_D: (
        "needs_regional_outpatient",
        "needs_social_services",
        "needs_municipal_health_care",
    ),
    Category.E: (
        "needs_regional_outpatient",
        "needs_social_services",
        "needs_municipal_health_care",
        "needs_special_housing",
    ),
}
_OUTPATIENT = (UnitKind.PRIMARY_CARE, UnitKind.SPECIALIST_OUTPATIENT)
_NEED_FIELDS = tuple(dict.fromkeys(f for needs in _NEEDS.values() for f in needs))


# --------------------------------------------------------------------------------------------
# The catalogue: what the demo county shows
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CaseSpec:
    """One demo case: where, for whom, and how far it has come.

    ``hours_ago`` gives, for each stage up to ``stage``, how many hours before the anchor its
    step happened (entries for stages the category skips, e.g. FVK for C, are ignored).
    ``acked`` are the units that have acknowledged the messages of the last stage; messages of
    earlier stages are acknowledged by all.
    """

    label: str
    ward: str  # HSA suffix of the ward
    vc: str  # HSA suffix of the vårdcentral the person should be listed at
    category: Category
    stage: Stage
    hours_ago: tuple[float, ...]
    acked: frozenset[str] = NONE
    colour: str = "gul"
    transfer: bool = True  # epikris and medication list sent with the ready notice
    judged_hours_ago: float | None = None  # the physician judged the needs later (2:3)
    estimated_in_days: int | None = None  # from the anchor's date; None: 2–5 days, from the seed
    change_estimate_hours_ago: float | None = None
    override: str | None = None  # the FVK's own colour
    meeting_after_hours: float = 48  # SIP meeting, counted from the invitation
    meeting_place: str = "hospital"
    interrupt: tuple[InterruptionKind, float] | None = None
    protected: bool = False  # choose a person with protected identity
    younger: bool = False  # an adult under 65 (psychiatry)
    # Hours ago a 5:5 period started and ended (None: still going on), recorded by outpatient care.
    unavailable: tuple[float, float | None] | None = None
    forward_after_hours: float | None = None  # social services forward to home health care
    wrong_vc_after_hours: float | None = None  # the vårdcentral is felsänd; the ward adds another
    withdrawn_message: bool = False  # the ward sends a general message and withdraws it
    written_plan_after_hours: float | None = None  # the FVK gives the plan, after the meeting


def _region(suffix: str) -> str:
    return f"{REGION_HSA_PREFIX}-{suffix}"


C = Category
S = Stage
CATALOGUE: tuple[CaseSpec, ...] = (
    # Just admitted.
    CaseSpec("Inskriven, ankomstsamtalet är inte dokumenterat", "S112", "V01", C.E, S.ADMITTED,
             (3,)),
    CaseSpec("Inskriven för ett dygn sedan, 24-timmarsfristen har passerat", "S112", "V01", C.D,
             S.ADMITTED, (27,)),
    CaseSpec("Inskriven", "S114", "V02", C.C_D, S.ADMITTED, (5,)),
    CaseSpec("Ankomstsamtal dokumenterat, inskrivningsmeddelandet ska skickas", "S205", "V03",
             C.C_D, S.CONVERSATION, (20, 18)),
    CaseSpec("Läkaren bedömde behovet senare; fristen räknas därifrån (2 kap. 3 §)", "S112", "V01",
             C.D, S.CONVERSATION, (40, 38), judged_hours_ago=10),
    # Inskrivningsmeddelande sent.
    CaseSpec("Inskrivningsmeddelande skickat, ingen har kvitterat; ett meddelande makulerat",
             "S112", "V01", C.E, S.NOTICE, (30, 28, 27), withdrawn_message=True),
    CaseSpec("Inskrivningsmeddelande skickat i dag, skyddade personuppgifter", "S121", "V01",
             C.C_D, S.NOTICE, (9, 8, 4), acked=frozenset({HOME_CARE}), protected=True),
    CaseSpec("Kvitterat, vårdcentralen felsänd och en annan tillagd, planeringsunderlaget ska "
             "besvaras", "S112", "V01", C.D, S.NOTICE, (52, 50, 46), acked=ALL,
             wrong_vc_after_hours=4),
    CaseSpec("Kvitterat, planeringsunderlaget är försenat", "S116", "V01", C.B_C, S.NOTICE,
             (75, 72, 62), acked=ALL),
    # Planning.
    CaseSpec("Färg bedömd, fast vårdkontakt ska utses", "S112", "V01", C.C_D, S.ASSESSED,
             (96, 94, 90, 70), colour="rod"),
    CaseSpec("Färg bedömd, beräknad utskrivning har passerat", "S203", "V03", C.E, S.ASSESSED,
             (170, 168, 165, 140), colour="rod", estimated_in_days=-2),
    CaseSpec("Fast vårdkontakt utsedd, färgen ändrad av den fasta vårdkontakten", "S112", "V01",
             C.E, S.FVK, (120, 118, 116, 100, 70), override="rod", change_estimate_hours_ago=60),
    CaseSpec("Psykiatri: färg bedömd, fast vårdkontakt ska utses", "S131", "V01", C.B_C,
             S.ASSESSED, (60, 56, 50, 30), colour="gron", younger=True),
    # Utskrivningsklar.
    CaseSpec("Utskrivningsklar, kallelse till SIP ska skickas", "S112", "V01", C.C_D, S.READY,
             (100, 98, 96, 80, 60, 20), acked=frozenset({SOCIAL})),
    CaseSpec("Utskrivningsklar sedan fem dagar, ingen kallelse till SIP; en avslutad period utan "
             "öppenvårdsinsatser (5 kap. 5 §)", "S121", "V01", C.E, S.READY,
             (220, 218, 216, 190, 170, 130), acked=ALL, transfer=False, unavailable=(110, 70)),
    CaseSpec("Utskrivningsklar, kallelse och informationsöverföring försenade", "S114", "V02",
             C.D, S.READY, (200, 198, 196, 170, 150, 130), acked=ALL, transfer=False),
    CaseSpec("Utskrivningsklar, öppenvårdsinsatser saknas just nu (5 kap. 5 §)", "S204", "V05",
             C.D, S.READY, (110, 108, 100, 80, 60, 30), acked=ALL, unavailable=(20, None)),
    # Kallelse till SIP.
    CaseSpec("Kallelse till SIP skickad, möte på sjukhuset i morgon", "S112", "V01", C.E, S.SIP,
             (170, 168, 166, 140, 120, 48, 30), acked=frozenset({WARD, SOCIAL}),
             meeting_after_hours=50),
    CaseSpec("Kallelse till SIP skickad, videomöte", "S116", "V06", C.C_D, S.SIP,
             (150, 148, 146, 120, 100, 40, 20), acked=ALL, meeting_after_hours=50,
             meeting_place="video"),
    # Discharged.
    CaseSpec("Utskriven efter SIP-möte på sjukhuset, skriftlig plan lämnad", "S112", "V01", C.E,
             S.DISCHARGED, (260, 258, 256, 230, 210, 150, 130, 60), acked=ALL,
             meeting_after_hours=40, written_plan_after_hours=20),
    CaseSpec("Utskriven i dag, utskrivningsmeddelandet är inte kvitterat", "S112", "V01", C.D,
             S.DISCHARGED, (140, 138, 136, 110, 90, 40, 30, 5), meeting_after_hours=20),
    CaseSpec("Utskriven i går, kvittens försenad", "S203", "V04", C.C, S.DISCHARGED,
             (120, 118, 116, 96, 96, 60, 60, 30)),
    # Interrupted.
    CaseSpec("Avbrutet: patienten har avlidit", "S121", "V01", C.E, S.ASSESSED,
             (100, 98, 96, 70), interrupt=(InterruptionKind.DIED, 10)),
    CaseSpec("Avbrutet: flyttad till annat sjukhus", "S205", "V03", C.D, S.NOTICE, (40, 38, 36),
             acked=ALL, interrupt=(InterruptionKind.TRANSFERRED, 20)),
    CaseSpec("Avbrutet: utskrivningen är inställd", "S114", "V02", C.C_D, S.ASSESSED,
             (90, 88, 86, 60), interrupt=(InterruptionKind.CANCELLED, 12)),
    CaseSpec("Avbrutet: patienten har avböjt insatser", "S116", "V06", C.C, S.NOTICE,
             (50, 48, 46), acked=ALL, interrupt=(InterruptionKind.DECLINED, 30)),
    # One of each small category.
    CaseSpec("Kategori A: inga insatser behövs efter utskrivningen", "S116", "V02", C.A,
             S.CONVERSATION, (30, 28)),
    CaseSpec("Kategori B: bara vårdcentralen, utskrivningsklar", "S112", "V01", C.B, S.READY,
             (80, 78, 76, 60, 60, 3)),
    CaseSpec("Kategori C: vidaresänt till hemsjukvården, utskrivningsklar, kvittens och "
             "informationsöverföring försenade", "S114", "V02", C.C, S.READY,
             (100, 98, 96, 70, 70, 30), transfer=False, forward_after_hours=3),
)  # fmt: skip
del C, S


# --------------------------------------------------------------------------------------------
# Plain data: candidates and plans
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Candidate:
    person_id: int
    birth_date: date
    municipality_code: str
    listed_unit_hsa_id: str
    protected_identity: bool


class Action(StrEnum):
    ADMIT = "admit"
    CONVERSATION = "conversation"
    NEEDS_JUDGED = "needs_judged"
    NOTICE = "notice"
    ACKNOWLEDGE = "acknowledge"
    ASSESS = "assess"
    NOTE = "note"
    APPOINT_FVK = "appoint_fvk"
    OVERRIDE = "override"
    CHANGE_ESTIMATE = "change_estimate"
    READY = "ready"
    TRANSFER = "transfer"
    SIP_INVITATION = "sip_invitation"
    PREPARE_DISCHARGE = "prepare_discharge"
    DISCHARGE = "discharge"
    INTERRUPT = "interrupt"
    UNAVAILABLE = "unavailable"
    UNAVAILABLE_END = "unavailable_end"
    FORWARD = "forward"
    WRONGLY_ADDRESSED = "wrongly_addressed"
    ADD_PARTY = "add_party"
    GENERAL = "general"
    WITHDRAW = "withdraw"
    WRITTEN_PLAN = "written_plan"


_SENDS = {
    Action.NOTICE: MessageKind.ADMISSION_NOTICE,
    Action.CHANGE_ESTIMATE: MessageKind.ESTIMATED_DISCHARGE_CHANGED,
    Action.READY: MessageKind.READY_FOR_DISCHARGE,
    Action.SIP_INVITATION: MessageKind.SIP_INVITATION,
    Action.DISCHARGE: MessageKind.DISCHARGE_NOTICE,
}
_STAGE_ACTION = {
    Stage.ADMITTED: Action.ADMIT,
    Stage.CONVERSATION: Action.CONVERSATION,
    Stage.NOTICE: Action.NOTICE,
    Stage.ASSESSED: Action.ASSESS,
    Stage.FVK: Action.APPOINT_FVK,
    Stage.READY: Action.READY,
    Stage.SIP: Action.SIP_INVITATION,
    Stage.DISCHARGED: Action.DISCHARGE,
}


@dataclass(frozen=True, slots=True)
class Step:
    at: datetime
    action: Action
    unit: str = ""  # unit key (WARD, VC, …) for acknowledgements, answers and notes
    message: str = ""  # the message kind acknowledged
    when: datetime | None = None  # an estimated discharge or a meeting time
    text: str = ""


@dataclass(frozen=True, slots=True)
class CasePlan:
    spec: CaseSpec
    person_id: int
    ward_hsa_id: str
    steps: tuple[Step, ...]
    conversation: Mapping[str, Any] = field(default_factory=dict)
    answers: Mapping[str, str] = field(default_factory=dict)


# --------------------------------------------------------------------------------------------
# Planning (pure)
# --------------------------------------------------------------------------------------------

_PARTICIPANTS = (
    "Patienten",
    "Patienten och dottern",
    "Patienten och maken",
    "Patienten och maka, sonen via telefon",
    "Patienten och kontaktperson från hemtjänsten",
)
_WISHES = (
    "Vill komma hem så snart som möjligt.",
    "Vill bo kvar hemma med mer hjälp.",
    "Önskar korttidsplats en period innan hemgång.",
    "Vill att dottern är med vid planeringen.",
    "",
)
_NOTES = {
    SOCIAL: (
        "Biståndsbeslut om utökad hemtjänst med kvällsbesök är fattat.",
        "Trygghetslarm beställt, installeras före hemgång.",
        "Ansökan om korttidsplats är mottagen och handläggs.",
    ),
    HOME_CARE: (
        "Hemsjukvården planerar läkemedelsgenomgång första veckan efter hemgång.",
        "Såromläggning varannan dag kan tas över av hemsjukvården.",
        "Arbetsterapeut gör hembesök för bedömning av hjälpmedel.",
    ),
}
_ESTIMATE_REASONS = (
    "Infektion, behöver intravenös antibiotika två dygn till.",
    "Avvaktar bedömning av fysioterapeut.",
    "Fått ett fall på avdelningen, ny röntgen planeras.",
)
_OVERRIDE_REASONS = (
    "Flera nya insatser och anhörig som själv behöver stöd; samordningsbehovet är större än "
    "underlaget visar.",
    "Nytt särskilt boende planeras; SIP-mötet bör hållas redan på sjukhuset.",
)
_SUMMARIES = (
    "Du har vårdats för lunginflammation och fått antibiotika. Du har också fått hjälp att "
    "komma igång med att gå. Hemtjänsten och hemsjukvården vet att du kommer hem.",
    "Du har vårdats efter ett fall där du bröt höften. Höften är opererad och du tränar med "
    "fysioterapeut. Du får hjälp hemma enligt planen från SIP-mötet.",
    "Du har vårdats för hjärtsvikt och fått vätskedrivande läkemedel. Läkemedelslistan är "
    "uppdaterad och hemsjukvården följer upp din vikt.",
)
_INTERRUPT_REASONS = {
    InterruptionKind.DIED: "",
    InterruptionKind.TRANSFERRED: "Överflyttad till universitetssjukhuset för fortsatt vård.",
    InterruptionKind.CANCELLED: "Ny infektion; patienten behöver vårdas vidare innan ny planering.",
    InterruptionKind.DECLINED: "Vill inte ha hemtjänst, dottern hjälper till hemma.",
}
_UNAVAILABLE_REASON = "Ingen läkare på vårdcentralen kan ta över läkemedelsordinationen ännu."
_FORWARD_REASON = "Behöver såromläggning hemma; hemsjukvården planerar."
_WRONG_VC_REASON = "Patienten är listad på en annan vårdcentral."
_WITHDRAWN = ("Patienten flyttas till sal 4.", "Fel patient: meddelandet gällde någon annan.")
_LOCATIONS = {
    "hospital": "{ward}, {address}",
    "video": "Videomöte, länk skickas av den fasta vårdkontakten",
    "home": "",  # the person's home is known; for a protected identity nothing may be stored
    "unit": "{ward}, {address}",
}


def plan_cases(
    *,
    seed: int,
    candidates: Sequence[Candidate],
    now: datetime,
    catalogue: Sequence[CaseSpec] = CATALOGUE,
) -> list[CasePlan]:
    """A plan for every catalogue entry there is a person for, in catalogue order.

    Persons are chosen by the seed; a person with protected identity is as likely as anyone
    else, and entries marked ``protected`` take one first. With few candidates, entries fall back
    to persons listed elsewhere, and are left out when no one is left.
    """
    rng = random.Random(f"exempellan:{seed}:cases")
    anchor = now.replace(second=0, microsecond=0)
    county = build_county()
    pool = list(candidates)
    rng.shuffle(pool)
    used: set[int] = set()
    order = sorted(range(len(catalogue)), key=lambda i: not catalogue[i].protected)
    chosen: dict[int, Candidate] = {}
    for i in order:
        person = _choose(catalogue[i], county, pool, used, timezone.localdate(anchor))
        if person is not None:
            used.add(person.person_id)
            chosen[i] = person
    plans = []
    for i, spec in enumerate(catalogue):
        case_rng = random.Random(f"exempellan:{seed}:case:{i}")
        if i in chosen:
            plans.append(_plan(spec, chosen[i], anchor, case_rng))
    return plans


def _age(birth: date, on: date) -> int:
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))


def _choose(
    spec: CaseSpec, county: County, pool: Sequence[Candidate], used: set[int], today: date
) -> Candidate | None:
    vc = _region(spec.vc)
    area = county.unit(vc).area_code

    def fitting_age(c: Candidate) -> bool:
        age = _age(c.birth_date, today)
        return 18 <= age < 65 if spec.younger else age >= 65

    tiers: list[Callable[[Candidate], bool]] = [
        lambda c: c.listed_unit_hsa_id == vc and fitting_age(c),
        lambda c: c.listed_unit_hsa_id == vc,
        lambda c: c.municipality_code == area and fitting_age(c),
        fitting_age,
        lambda c: True,
    ]
    free = [
        c
        for c in pool
        if c.person_id not in used
        and _age(c.birth_date, today) >= 18
        and (c.protected_identity or not spec.protected)
    ]
    if spec.protected and not free:  # no protected identity among the candidates
        return _choose(dataclasses.replace(spec, protected=False), county, pool, used, today)
    for fits in tiers:
        for candidate in free:
            if fits(candidate):
                return candidate
    return None


def _applies(stage: Stage, requirements: rules.CategoryRequirements) -> bool:
    notice = requirements.category != Category.A
    if stage in (Stage.ADMITTED, Stage.CONVERSATION):
        return True
    if stage == Stage.FVK:
        return notice and requirements.appoint_fvk
    if stage == Stage.SIP:
        return notice and requirements.sip_required
    return notice


def _estimate(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, ESTIMATE_TIME))


def _plan(spec: CaseSpec, person: Candidate, anchor: datetime, rng: random.Random) -> CasePlan:
    if len(spec.hours_ago) != spec.stage + 1:
        raise ValueError(f"{spec.label}: hours_ago ska ha en tid per steg t.o.m. {spec.stage.name}")
    shift = timedelta(minutes=rng.randint(0, MAX_SHIFT_MINUTES))

    def ago(hours: float) -> datetime:
        return anchor - shift - timedelta(hours=hours)

    requirements = rules.category_requirements(spec.category)
    # The units the law has the notice go to (the agreement may differ; then the driver skips
    # what does not fit).
    notified = {_KEY_OF_KIND[UnitKind(kind)] for kind in requirements.notified_unit_kinds}
    stages = [s for s in Stage if s <= spec.stage and _applies(s, requirements)]
    if stages[-1] != spec.stage:
        raise ValueError(f"{spec.label}: kategori {spec.category} når inte {spec.stage.name}")
    times = {s: ago(spec.hours_ago[s]) for s in stages}
    admitted = times[Stage.ADMITTED]
    today = timezone.localdate(anchor)

    if Stage.DISCHARGED in times:
        estimate = _estimate(timezone.localdate(times[Stage.DISCHARGED]))
    else:
        days = spec.estimated_in_days
        estimate = _estimate(today + timedelta(days=rng.randint(2, 5) if days is None else days))
    first_estimate = estimate
    if spec.change_estimate_hours_ago is not None:
        first_estimate = estimate - timedelta(days=3)
    if first_estimate < admitted:
        raise ValueError(f"{spec.label}: beräknad utskrivning före inskrivningen")

    # The case's own course, in the order it happens; checked before anything else is added.
    course: list[Step] = []
    extras: list[Step] = []
    for stage in stages:
        at = times[stage]
        action = _STAGE_ACTION[stage]
        if stage == Stage.CONVERSATION:
            course.append(Step(at, action))
            if spec.judged_hours_ago is not None:
                course.append(Step(ago(spec.judged_hours_ago), Action.NEEDS_JUDGED))
        elif stage == Stage.NOTICE:
            course.append(Step(at, action, when=first_estimate))
        elif stage == Stage.ASSESSED:
            answering = [key for key in (VC, SOCIAL, HOME_CARE) if key in notified]
            course += [
                Step(at + timedelta(minutes=15 * n), action, unit=key)
                for n, key in enumerate(answering)
            ]
            if writers := [key for key in (SOCIAL, HOME_CARE) if key in notified]:
                key = rng.choice(writers)
                text = rng.choice(_NOTES[key])
                extras.append(Step(at + timedelta(minutes=50), Action.NOTE, unit=key, text=text))
        elif stage == Stage.SIP:
            meeting = at + timedelta(hours=spec.meeting_after_hours)
            course.append(Step(at, action, when=meeting, text=spec.meeting_place))
        elif stage == Stage.DISCHARGED:
            summary = rng.choice(_SUMMARIES)
            course.append(Step(at - timedelta(minutes=90), Action.PREPARE_DISCHARGE, text=summary))
            course.append(Step(at, action))
        else:
            course.append(Step(at, action))
        if stage == Stage.FVK and spec.override:
            reason = rng.choice(_OVERRIDE_REASONS)
            extras.append(Step(at + timedelta(hours=1), Action.OVERRIDE, text=reason))
        if stage == Stage.READY and spec.transfer:
            extras.append(Step(at + timedelta(minutes=30), Action.TRANSFER))
    notice_at = times.get(Stage.NOTICE)
    if spec.unavailable is not None:
        started, ended = spec.unavailable
        extras.append(Step(ago(started), Action.UNAVAILABLE, text=_UNAVAILABLE_REASON))
        if ended is not None:
            extras.append(Step(ago(ended), Action.UNAVAILABLE_END))
    if notice_at is not None and spec.forward_after_hours is not None:
        at = notice_at + timedelta(hours=spec.forward_after_hours)
        extras.append(Step(at, Action.FORWARD, text=_FORWARD_REASON))
    if notice_at is not None and spec.wrong_vc_after_hours is not None:
        at = notice_at + timedelta(hours=spec.wrong_vc_after_hours)
        extras.append(Step(at, Action.WRONGLY_ADDRESSED, unit=VC, text=_WRONG_VC_REASON))
        extras.append(Step(at + timedelta(hours=1), Action.ADD_PARTY, unit=VC))
    if notice_at is not None and spec.withdrawn_message:
        text, reason = _WITHDRAWN
        extras.append(Step(notice_at + timedelta(minutes=40), Action.GENERAL, text=text))
        extras.append(Step(notice_at + timedelta(minutes=55), Action.WITHDRAW, text=reason))
    if Stage.SIP in times and spec.written_plan_after_hours is not None:
        meeting = times[Stage.SIP] + timedelta(hours=spec.meeting_after_hours)
        extras.append(
            Step(meeting + timedelta(hours=spec.written_plan_after_hours), Action.WRITTEN_PLAN)
        )
    end = anchor
    if spec.interrupt is not None:
        kind, hours = spec.interrupt
        end = ago(hours)
        reason = _INTERRUPT_REASONS[kind]
        course.append(Step(end, Action.INTERRUPT, message=kind.value, text=reason))
    if spec.change_estimate_hours_ago is not None:
        extras.append(
            Step(
                ago(spec.change_estimate_hours_ago),
                Action.CHANGE_ESTIMATE,
                when=estimate,
                text=rng.choice(_ESTIMATE_REASONS),
            )
        )
    if any(b.at <= a.at for a, b in itertools.pairwise(course)):
        raise ValueError(f"{spec.label}: stegen ligger inte i tidsordning")
    if any(not course[0].at < x.at < end for x in extras):
        raise ValueError(f"{spec.label}: ett steg ligger utanför ärendets tid")
    steps = sorted(course + extras, key=lambda s: s.at)
    steps = sorted(steps + _acknowledgements(steps, spec, notified, end), key=lambda s: s.at)
    if steps[-1].at >= anchor:
        raise ValueError(f"{spec.label}: ett steg ligger inte före {anchor}")

    conversation: dict[str, Any] = {
        "participants": rng.choice(_PARTICIPANTS),
        "patient_wishes": rng.choice(_WISHES),
        "brochure_given": True,
        "had_home_help": spec.category in (Category.C, Category.C_D, Category.E)
        and rng.random() < 0.6,
        "had_home_health_care": spec.category in (Category.D, Category.C_D, Category.E)
        and rng.random() < 0.4,
        "has_existing_sip": spec.category in (Category.C_D, Category.E) and rng.random() < 0.3,
    }
    conversation.update({need: need in _NEEDS[spec.category] for need in _NEED_FIELDS})
    return CasePlan(
        spec=spec,
        person_id=person.person_id,
        ward_hsa_id=_region(spec.ward),
        steps=tuple(steps),
        conversation=conversation,
        answers=_answers(spec, conversation),
    )


def _acknowledgements(
    steps: Sequence[Step], spec: CaseSpec, notified: set[str], end: datetime
) -> list[Step]:
    """Kvittenser of every message: by all its recipients before the case moved on, by those in
    ``spec.acked`` for the last stage's messages. The interruption message is news nobody has
    read yet."""
    main = [s for s in steps if s.action in _STAGE_ACTION.values() or s.action == Action.INTERRUPT]
    last = _STAGE_ACTION[spec.stage]
    acks = []
    for step in steps:
        kind = _SENDS.get(step.action)
        if kind is None:
            continue
        following = [s.at for s in main if s.at > step.at]
        until = min(following, default=end)
        # The ward sends everything but the kallelse, which the FVK's vårdcentral sends.
        recipients = notified if kind != MessageKind.SIP_INVITATION else notified - {VC} | {WARD}
        units = recipients & spec.acked if step.action == last else recipients
        base = min(timedelta(hours=2), (until - step.at) / 3)
        for n, key in enumerate(sorted(units)):
            at = step.at + base * (1 + n / 4)
            acks.append(Step(at, Action.ACKNOWLEDGE, unit=key, message=kind.value))
    return acks


def _answers(spec: CaseSpec, conversation: Mapping[str, Any]) -> dict[str, str]:
    """Answers to the planning questions that give the spec's colour under the Gävleborg
    model; any other model just gets a different colour."""

    def yes(value: bool) -> str:
        return YES if value else NO

    special = conversation["needs_special_housing"]
    return {
        "insatser_fore": yes(conversation["had_home_help"]),
        "kommunal_hsv": yes(conversation["needs_municipal_health_care"] or special),
        "oppen_vard": yes(conversation["needs_regional_outpatient"]),
        "nya_insatser": yes(spec.colour in ("gul", "rod")),
        "omfattande": yes(spec.colour == "rod" and not special),
        "befintlig_sip": yes(conversation["has_existing_sip"]),
        "boende": "nytt_sarskilt_boende" if special and spec.colour == "rod" else "samma",
    }


# --------------------------------------------------------------------------------------------
# Driving the plans through the services
# --------------------------------------------------------------------------------------------


def candidates_from_db(limit: int = CASE_POOL) -> list[Candidate]:
    """The first ``limit`` persons of the county (by creation) who are listed at a unit."""
    codes = [m.code for m in MUNICIPALITIES]
    rows = (
        Person.objects.filter(municipality_code__in=codes, listed_unit__isnull=False)
        .order_by("pk")
        .values_list(
            "pk", "birth_date", "municipality_code", "listed_unit__hsa_id", "protected_identity"
        )[:limit]
    )
    return [Candidate(*row) for row in rows]


def county_wards() -> list[str]:
    return [u.hsa_id for u in build_county().units_of_kind(UnitKind.INPATIENT_WARD)]


def cases_exist() -> bool:
    return InpatientStay.objects.filter(ward__hsa_id__in=county_wards()).exists()


def create_demo_cases(*, seed: int, now: datetime | None = None) -> int:
    """Create the catalogue's cases unless the county's wards already have cases; return how
    many were created."""
    if cases_exist():
        return 0
    plans = plan_cases(seed=seed, candidates=candidates_from_db(), now=now or timezone.now())
    if not plans:
        return 0
    with transaction.atomic():
        driver = _Driver()
        for plan in plans:
            driver.run(plan)
    return len(plans)


# Every time the services stamp with the clock on a case's own rows: (model, link to the
# stay, field). The access log is deliberately not here.
_STAMPS: tuple[tuple[type[Model], str, str], ...] = (
    (InpatientStay, "pk", "created_at"),
    (InpatientStay, "pk", "ready_notice_sent_at"),
    (CaseParty, "stay", "added_at"),
    (ArrivalConversation, "stay", "recorded_at"),
    (Message, "stay", "sent_at"),
    (Message, "stay", "withdrawn_at"),
    (MessageRecipient, "message__stay", "acknowledged_at"),
    (MessageRecipient, "message__stay", "read_at"),
    (PlanningAssessment, "stay", "answered_at"),
    (ColourOverride, "stay", "decided_at"),
    (PlanningNote, "stay", "written_at"),
    (OutpatientUnavailability, "stay", "recorded_at"),
    (ChecklistMark, "stay", "checked_at"),
    (CaseEvent, "stay", "at"),
    # The agreement version frozen for each event, at the event's moment.
    (CaseAgreementVersion, "stay", "in_force_at"),
)


Window = tuple[datetime, datetime]
"""(when a step started running, the time it was planned for)."""


def _backdate(stay: InpatientStay, windows: Sequence[Window]) -> None:
    """Give every stamp the services wrote on the case's rows the planned time of the step that
    wrote it. Steps run one after another, so a stamp belongs to the last step that started
    before it."""
    starts = [started for started, _when in windows]
    # Only stamps the clock wrote while the steps ran: a time a step was given (a SIP meeting
    # ahead, an admission in the past) is already the planned one.
    finished = timezone.now()

    def planned(stamp: datetime) -> datetime:
        return windows[bisect.bisect_right(starts, stamp) - 1][1]

    for model, link, name in _STAMPS:
        manager = model._default_manager
        rows = manager.filter(
            **{link: stay.pk, f"{name}__gte": starts[0], f"{name}__lte": finished}
        ).values_list("pk", name)
        moved: dict[datetime, list[int]] = {}
        for pk, stamp in rows:
            moved.setdefault(planned(stamp), []).append(pk)
        for when, pks in moved.items():
            manager.filter(pk__in=pks).update(**{name: when})
    contact = stay.care_contact
    if contact is not None and contact.created_at >= starts[0]:
        when = planned(contact.created_at)
        CareContact.objects.filter(pk=contact.pk).update(
            created_at=when, valid_from=timezone.localdate(when)
        )


class _Driver:
    """Runs plans through the services as the county's staff: personas first where they are
    members of the unit, otherwise the unit's first member in the role."""

    def __init__(self) -> None:
        units = list(Unit.objects.filter(hsa_id__in=[u.hsa_id for u in build_county().units]))
        self.units = {u.hsa_id: u for u in units}
        self.units_by_pk = {u.pk: u for u in units}
        memberships = sorted(
            Membership.objects.active()
            .filter(unit__in=units)
            .select_related("user", "unit__organisation"),
            key=lambda m: (m.user.username not in PERSONA_USERNAMES, m.pk),
        )
        self.members: dict[tuple[int, str], Membership] = {}
        for m in memberships:
            self.members.setdefault((m.unit_id, m.role), m)

    def acting(self, unit: Unit, role: str | None = None) -> Acting:
        membership = self.members[unit.pk, role or _CARE_ROLE[UnitKind(unit.kind)]]
        return Acting(user=membership.user, membership=membership, remote_addr=None)

    def name(self, unit: Unit, role: str) -> str:
        return self.members[unit.pk, role].user.get_full_name()

    def run(self, plan: CasePlan) -> InpatientStay:
        ward = self.units[plan.ward_hsa_id]
        stay: InpatientStay | None = None
        windows: list[Window] = []
        for step in plan.steps:
            windows.append((timezone.now(), step.at))
            if stay is None:
                if step.action != Action.ADMIT:
                    raise ValueError(f"{plan.spec.label}: första steget ska vara inskrivning")
                stay = services.stay_admit(
                    acting=self.acting(ward),
                    person=Person.objects.get(pk=plan.person_id),
                    admitted_at=step.at,
                    treating_physician=self.name(ward, Role.PHYSICIAN),
                )
            else:
                _HANDLERS[step.action](self, stay, step, plan)
        assert stay is not None
        _backdate(stay, windows)
        stay.refresh_from_db()
        return stay

    # --- helpers -----------------------------------------------------------------------------

    def _ward(self, stay: InpatientStay) -> Acting:
        return self.acting(self.units_by_pk[stay.ward_id])

    @staticmethod
    def _key(unit: Unit) -> str:
        return _KEY_OF_KIND.get(UnitKind(unit.kind), "")

    @staticmethod
    def _notified(stay: InpatientStay) -> list[Unit]:
        notice = stay.messages.filter(kind=MessageKind.ADMISSION_NOTICE).first()
        if notice is None:
            return []
        return [r.unit for r in notice.recipients.select_related("unit").order_by("pk")]

    @staticmethod
    def _parties(stay: InpatientStay) -> list[Unit]:
        return [
            p.unit
            for p in stay.parties.filter(status=PartyStatus.ACTIVE)
            .select_related("unit")
            .order_by("pk")
        ]

    # --- the steps ---------------------------------------------------------------------------

    def conversation(self, stay: InpatientStay, step: Step, plan: CasePlan, needs: bool) -> None:
        fields = dict(plan.conversation)
        if not needs:
            fields.update(dict.fromkeys(_NEED_FIELDS, False))
        services.arrival_conversation_record(
            acting=self._ward(stay),
            stay=stay,
            held_at=step.at,
            needs_judged_at=step.at if needs and step.action == Action.NEEDS_JUDGED else None,
            **fields,
        )

    def notice(self, stay: InpatientStay, step: Step, plan: CasePlan) -> None:
        assert step.when is not None
        services.admission_notice_send(
            acting=self._ward(stay),
            stay=stay,
            recipients=list(proposed_recipients(stay)),
            estimated_discharge=step.when,
        )

    def acknowledge(self, stay: InpatientStay, step: Step, plan: CasePlan) -> None:
        message = (
            stay.messages.filter(kind=step.message, withdrawn_at__isnull=True)
            .order_by("sent_at", "pk")
            .last()
        )
        if message is None:
            return
        for recipient in message.recipients.select_related("unit").filter(
            acknowledged_at__isnull=True
        ):
            if self._key(recipient.unit) == step.unit:
                services.message_acknowledge(
                    acting=self.acting(recipient.unit), stay=stay, message=message
                )

    def assess(self, stay: InpatientStay, step: Step, plan: CasePlan) -> None:
        agreement = agreement_in_force(timezone.now())  # what the answers are judged by
        answers = {}
        for question in rules.planning_questions(agreement):
            given = plan.answers.get(question.id)
            fallback = NO if question.kind == "yes_no" else question.choices[0][0]
            answers[question.id] = given if given in question.allowed_answers else fallback
        for unit in self._notified(stay):
            if self._key(unit) == step.unit:
                services.assessment_answer(acting=self.acting(unit), stay=stay, answers=answers)

    def note(self, stay: InpatientStay, step: Step, plan: CasePlan) -> None:
        for unit in self._parties(stay):
            if self._key(unit) == step.unit:
                services.planning_note_add(acting=self.acting(unit), stay=stay, text=step.text)

    def appoint_fvk(self, stay: InpatientStay, step: Step, plan: CasePlan) -> None:
        # The head of the outpatient unit that got the notice appoints (2:5), vårdcentral first.
        outpatient = [u for u in self._notified(stay) if u.kind in _OUTPATIENT]
        outpatient.sort(key=lambda u: _OUTPATIENT.index(UnitKind(u.kind)))
        if not outpatient:
            return
        unit = outpatient[0]
        existing = CareContact.objects.filter(
            person=stay.person,
            role=CareContactRole.FAST_VARDKONTAKT,
            unit=unit,
            ended_on__isnull=True,
        ).first()
        head = self.acting(unit, Role.HEAD_OF_UNIT)
        if existing is not None:
            services.care_contact_appoint(acting=head, stay=stay, existing=existing)
        else:
            services.care_contact_appoint(
                acting=head,
                stay=stay,
                name=self.name(unit, Role.NURSE_COORDINATOR),
                title="Distriktssköterska",
            )

    def override(self, stay: InpatientStay, step: Step, plan: CasePlan) -> None:
        colour = plan.spec.override
        contact = stay.care_contact
        codes = rules.colour_codes(agreement_in_force(timezone.now()))
        if contact is None or colour not in codes:
            return
        services.colour_override(
            acting=self.acting(contact.unit), stay=stay, colour=colour, reason=step.text
        )

    def change_estimate(self, stay: InpatientStay, step: Step, plan: CasePlan) -> None:
        assert step.when is not None
        services.estimated_discharge_change(
            acting=self._ward(stay), stay=stay, estimated_discharge=step.when, reason=step.text
        )

    def ready(self, stay: InpatientStay, step: Step, plan: CasePlan) -> None:
        ward = self.units_by_pk[stay.ward_id]
        services.ready_notice_send(
            acting=self.acting(ward, Role.PHYSICIAN),
            stay=stay,
            physician=self.name(ward, Role.PHYSICIAN),
        )

    def transfer(self, stay: InpatientStay, step: Step, plan: CasePlan) -> None:
        agreement = checklist_agreement(stay, timeline_of(stay))
        for item in agreement.information_transfer:
            if item.due_from == "ready_notice":
                services.checklist_mark(
                    acting=self._ward(stay),
                    stay=stay,
                    checklist=ChecklistKind.INFORMATION_TRANSFER,
                    item=item.id,
                )

    def sip_invitation(self, stay: InpatientStay, step: Step, plan: CasePlan) -> None:
        contact = stay.care_contact
        if contact is None or step.when is None:
            return
        ward = self.units_by_pk[stay.ward_id]
        location = _LOCATIONS[step.text].format(ward=ward.name, address=ward.visiting_address)
        services.sip_invitation_send(
            acting=self.acting(contact.unit),
            stay=stay,
            meeting_at=step.when,
            place_kind=step.text,
            location=location,
            invitees=[u for u in self._parties(stay) if u.pk != contact.unit_id],
        )

    def prepare_discharge(self, stay: InpatientStay, step: Step, plan: CasePlan) -> None:
        acting = self._ward(stay)
        responsible = stay.care_contact.unit.name if stay.care_contact else ""
        listed = stay.person.listed_unit
        responsible = responsible or (
            listed.name if listed else self.units_by_pk[stay.ward_id].name
        )
        for checklist in (ChecklistKind.INFORMATION_TRANSFER, ChecklistKind.HOME_READY):
            for item in services.checklist_items(stay, checklist):
                # Who holds the medical responsibility after discharge, where it is asked.
                question = services.note_question(stay, checklist, item)
                services.checklist_mark(
                    acting=acting,
                    stay=stay,
                    checklist=checklist,
                    item=item,
                    note=f"Fast läkarkontakt på {responsible}" if question else "",
                )
        services.care_summary_write(acting=acting, stay=stay, text=step.text)

    def discharge(self, stay: InpatientStay, step: Step, plan: CasePlan) -> None:
        services.discharge_notice_send(acting=self._ward(stay), stay=stay, discharged_at=step.at)

    def _outpatient(self, stay: InpatientStay) -> Unit | None:
        """The outpatient party: the FVK's unit, else the vårdcentral the notice reached."""
        if stay.care_contact is not None:
            return stay.care_contact.unit
        reached = [u for u in self._parties(stay) if u.kind in _OUTPATIENT]
        return reached[0] if reached else None

    def unavailable(self, stay: InpatientStay, step: Step, plan: CasePlan) -> None:
        unit = self._outpatient(stay)
        if unit is None:
            return
        services.unavailability_record(
            acting=self.acting(unit),
            stay=stay,
            starts_on=timezone.localdate(step.at),
            reason=step.text,
        )

    def unavailable_end(self, stay: InpatientStay, step: Step, plan: CasePlan) -> None:
        unit = self._outpatient(stay)
        period = stay.unavailability_periods.filter(ends_on__isnull=True).first()
        if unit is None or period is None:
            return
        services.unavailability_end(
            acting=self.acting(unit), stay=stay, period=period, ends_on=timezone.localdate(step.at)
        )

    def forward(self, stay: InpatientStay, step: Step, plan: CasePlan) -> None:
        social = next((u for u in self._parties(stay) if u.kind == UnitKind.SOCIAL_SERVICES), None)
        if social is None:
            return
        home = next(
            (
                u
                for u in self.units.values()
                if u.kind == UnitKind.MUNICIPAL_HEALTH_CARE
                and u.organisation_id == social.organisation_id
            ),
            None,
        )
        if home is not None:
            services.party_forward(
                acting=self.acting(social), stay=stay, to_unit=home, reason=step.text
            )

    def wrongly_addressed(self, stay: InpatientStay, step: Step, plan: CasePlan) -> None:
        unit = self._outpatient(stay)
        if unit is not None:
            services.party_mark_wrongly_addressed(
                acting=self.acting(unit), stay=stay, reason=step.text
            )

    def add_party(self, stay: InpatientStay, step: Step, plan: CasePlan) -> None:
        """The ward adds the right vårdcentral: the first of the county not yet in the case."""
        in_case = {p.unit_id for p in stay.parties.all()}
        candidates = sorted(
            (u for u in self.units.values() if u.kind == UnitKind.PRIMARY_CARE),
            key=lambda u: u.hsa_id,
        )
        unit = next((u for u in candidates if u.pk not in in_case), None)
        if unit is not None:
            services.party_add(acting=self._ward(stay), stay=stay, unit=unit)

    def general(self, stay: InpatientStay, step: Step, plan: CasePlan) -> None:
        services.general_message_send(acting=self._ward(stay), stay=stay, body=step.text)

    def withdraw(self, stay: InpatientStay, step: Step, plan: CasePlan) -> None:
        message = (
            stay.messages.filter(kind=MessageKind.GENERAL, withdrawn_at__isnull=True)
            .order_by("-sent_at", "-pk")
            .first()
        )
        if message is not None:
            services.message_withdraw(
                acting=self._ward(stay), stay=stay, message=message, reason=step.text
            )

    def written_plan(self, stay: InpatientStay, step: Step, plan: CasePlan) -> None:
        contact = stay.care_contact
        if contact is not None:
            services.written_plan_given_record(
                acting=self.acting(contact.unit), stay=stay, given_at=step.at
            )

    def interrupt(self, stay: InpatientStay, step: Step, plan: CasePlan) -> None:
        services.stay_interrupt(
            acting=self._ward(stay),
            stay=stay,
            kind=InterruptionKind(step.message),
            reason=step.text,
        )


_HANDLERS: dict[Action, Callable[[_Driver, InpatientStay, Step, CasePlan], None]] = {
    Action.CONVERSATION: lambda d, s, st, p: d.conversation(
        s, st, p, needs=not any(x.action == Action.NEEDS_JUDGED for x in p.steps)
    ),
    Action.NEEDS_JUDGED: lambda d, s, st, p: d.conversation(s, st, p, needs=True),
    Action.NOTICE: _Driver.notice,
    Action.ACKNOWLEDGE: _Driver.acknowledge,
    Action.ASSESS: _Driver.assess,
    Action.NOTE: _Driver.note,
    Action.APPOINT_FVK: _Driver.appoint_fvk,
    Action.OVERRIDE: _Driver.override,
    Action.CHANGE_ESTIMATE: _Driver.change_estimate,
    Action.READY: _Driver.ready,
    Action.TRANSFER: _Driver.transfer,
    Action.SIP_INVITATION: _Driver.sip_invitation,
    Action.PREPARE_DISCHARGE: _Driver.prepare_discharge,
    Action.DISCHARGE: _Driver.discharge,
    Action.INTERRUPT: _Driver.interrupt,
    Action.UNAVAILABLE: _Driver.unavailable,
    Action.UNAVAILABLE_END: _Driver.unavailable_end,
    Action.FORWARD: _Driver.forward,
    Action.WRONGLY_ADDRESSED: _Driver.wrongly_addressed,
    Action.ADD_PARTY: _Driver.add_party,
    Action.GENERAL: _Driver.general,
    Action.WITHDRAW: _Driver.withdraw,
    Action.WRITTEN_PLAN: _Driver.written_plan,
}
