"""SIP processes in every stage for the demo county, driven through the real services.

A newcomer signing in as the vårdcentral's nurse (``vc.sjukskoterska``) or the municipality's
needs assessor (``kommun.handlaggare``) finds SIPs to work with: one being prepared without
consent yet, one with consent and a kallelse sent, established plans with goals, actions and the
organisation holding overall responsibility, one whose actions are overdue and that has a
participant without mandate (so the work-list flags show), one continued from a demo discharge
case, one in follow-up and one closed. One is for a child, with both guardians' consent and the
child's own view; others have external actors (the school, Försäkringskassan,
Arbetsförmedlingen).

Choosing persons is pure (:func:`choose_persons`): the seed, the candidates and ``now`` give the
same choice every time. Driving (:func:`create_demo_sips`) runs each scenario through
:mod:`samplan.sip.services` as the county's staff would, with the same rule checks, timeline
events and access-log entries.

How the past is made. Each step runs inside :func:`samplan.sip.services.recorded_at` set to the
step's planned time (:meth:`_Driver.at`; a context variable, not a patched clock, so nothing
else running sees it), so the rows it writes – timeline events, consents, minutes, established
versions (append-only, guarded by database triggers, so they could not be backdated afterwards)
– carry the planned time, and the services' own checks (a meeting lies in the future when
called, minutes only after it began) hold at that time. The access log reads the real clock
and is never touched: its entries show the seeding moment, by the acting demo user, as for the
discharge cases (:mod:`samplan.demo.cases`). Meeting times and consent dates are passed as
arguments. No e-mail is sent (the staff are fictional).
"""

from __future__ import annotations

import contextlib
import random
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from samplan.core.acting import Acting
from samplan.demo.cases import Candidate, candidates_from_db, county_wards
from samplan.demo.generator import PERSONA_USERNAMES, REGION_HSA_PREFIX
from samplan.directory.models import Membership, Role, Unit, UnitKind
from samplan.discharge.models import InpatientStay, MessageKind, StayStatus
from samplan.people.models import AuthorityKind, Person, Representative
from samplan.sip import documents, services
from samplan.sip.models import (
    CloseReason,
    ConsentForm,
    ConsentGiver,
    ExternalKind,
    MeetingKind,
    NeedLevel,
    ParticipantKind,
    PlanDraft,
    PreparationKind,
    SipMeeting,
    SipParticipant,
    SipProcess,
)

__all__ = ["CATALOGUE", "SipSpec", "choose_persons", "create_demo_sips", "sips_exist"]

VC = f"{REGION_HSA_PREFIX}-V01"  # Vårdcentralen Centrum: vc.sjukskoterska, vc.chef
SOCIAL = "SE2120002190-BIST"  # Biståndsenheten Exempelstad: kommun.handlaggare
HOME_CARE = "SE2120002190-HSJV"  # Hemsjukvården Exempelstad: kommun.sjukskoterska
GERIATRICS = f"{REGION_HSA_PREFIX}-M01"
AREA = "2190"

_CARE_ROLE = {
    UnitKind.PRIMARY_CARE: Role.NURSE_COORDINATOR,
    UnitKind.SPECIALIST_OUTPATIENT: Role.NURSE_COORDINATOR,
    UnitKind.INPATIENT_WARD: Role.NURSE_COORDINATOR,
    UnitKind.SOCIAL_SERVICES: Role.NEEDS_ASSESSOR,
    UnitKind.MUNICIPAL_HEALTH_CARE: Role.MUNICIPAL_NURSE,
}


# --------------------------------------------------------------------------------------------
# The catalogue and the choice of persons (pure)
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SipSpec:
    """One demo SIP: what it shows, whom it is for (``age``: ``child`` 6–15 with a guardian,
    ``adult`` 18–64, ``old`` 65+, ``stay``: the person of a demo discharge case) and the
    scenario that drives it."""

    key: str
    label: str
    age: str
    status: str
    """The status the process ends in (:class:`samplan.sip.models.ProcessStatus`)."""


CATALOGUE: tuple[SipSpec, ...] = (
    SipSpec("no_consent", "Förberedelse, samtycke saknas ännu", "old", "preparing"),
    SipSpec("invited", "Samtycke lämnat, kallelse skickad", "old", "preparing"),
    SipSpec(
        "established",
        "Plan fastställd, med Försäkringskassan och Arbetsförmedlingen",
        "adult",
        "established",
    ),
    SipSpec(
        "overdue",
        "Insatser försenade och deltagare utan mandat",
        "old",
        "established",
    ),
    SipSpec("from_stay", "Fortsätter ett utskrivningsärende", "stay", "established"),
    SipSpec(
        "child",
        "Barn: vårdnadshavarnas samtycke, barnets egen röst, skolan",
        "child",
        "established",
    ),
    SipSpec("follow_up", "Uppföljning hållen, nästa kallad", "old", "follow_up"),
    SipSpec("closed", "Avslutad, målen nådda", "old", "closed"),
)


def _age(birth: date, on: date) -> int:
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))


_AGES: dict[str, Callable[[int], bool]] = {
    "child": lambda age: 6 <= age <= 15,
    "adult": lambda age: 18 <= age < 65,
    "old": lambda age: age >= 65,
}


def choose_persons(
    *,
    seed: int,
    candidates: Sequence[Candidate],
    now: datetime,
    with_guardian: frozenset[int] = frozenset(),
    catalogue: Sequence[SipSpec] = CATALOGUE,
) -> dict[str, int]:
    """A person for each catalogue entry (except ``stay``, which takes a discharge case's
    person): of the right age, listed at Vårdcentralen Centrum or at least living in
    Exempelstad where possible, never a protected identity (the demo shows those in the
    discharge cases). A child needs a recorded guardian (``with_guardian``). Entries without a
    fitting person are left out."""
    rng = random.Random(f"exempellan:{seed}:sips")
    today = timezone.localdate(now)
    pool = [c for c in candidates if not c.protected_identity]
    rng.shuffle(pool)
    used: set[int] = set()
    chosen: dict[str, int] = {}
    for spec in catalogue:
        if spec.age not in _AGES:
            continue
        fits = _AGES[spec.age]

        def ok(
            c: Candidate, fits: Callable[[int], bool] = fits, child: bool = spec.age == "child"
        ) -> bool:
            return (
                c.person_id not in used
                and fits(_age(c.birth_date, today))
                and (not child or c.person_id in with_guardian)
            )

        tiers: list[Callable[[Candidate], bool]] = [
            lambda c: c.listed_unit_hsa_id == VC,
            lambda c: c.municipality_code == AREA,
            lambda c: True,
        ]
        person = next((c for tier in tiers for c in pool if ok(c) and tier(c)), None)
        if person is not None:
            used.add(person.person_id)
            chosen[spec.key] = person.person_id
    return chosen


# --------------------------------------------------------------------------------------------
# Driving the scenarios through the services
# --------------------------------------------------------------------------------------------


def sips_exist() -> bool:
    return SipProcess.objects.filter(started_by_unit__hsa_id__in=[VC, SOCIAL]).exists() or (
        SipProcess.objects.filter(origin_stay__ward__hsa_id__in=county_wards()).exists()
    )


def _discharged_stay_with_kallelse(now: datetime) -> InpatientStay | None:
    """A demo discharge case whose SIP meeting was held hours ago: the SIP continues it."""
    stays = (
        InpatientStay.objects.filter(
            ward__hsa_id__in=county_wards(),
            status=StayStatus.DISCHARGED,
            care_contact__isnull=False,
            messages__kind=MessageKind.SIP_INVITATION,
            sips__isnull=True,
        )
        .select_related("person", "care_contact__unit")
        .distinct()
        .order_by("pk")
    )
    for stay in stays:
        invitation = stay.messages.filter(kind=MessageKind.SIP_INVITATION).latest("sent_at")
        if datetime.fromisoformat(invitation.payload["meeting_at"]) < now - timedelta(hours=4):
            return stay
    return None


def create_demo_sips(*, seed: int, now: datetime | None = None) -> int:
    """Create the catalogue's SIPs unless the county already has some; return how many."""
    if sips_exist():
        return 0
    now = now or timezone.now()
    candidates = [
        c
        for c in candidates_from_db()
        if not InpatientStay.objects.filter(person_id=c.person_id).exists()
    ]
    guardians = frozenset(
        Representative.objects.filter(
            person_id__in=[c.person_id for c in candidates],
            authority=AuthorityKind.GUARDIAN,
            withdrawn_at__isnull=True,
        ).values_list("person_id", flat=True)
    )
    chosen = choose_persons(seed=seed, candidates=candidates, now=now, with_guardian=guardians)
    created = 0
    with documents.emails_suppressed(), transaction.atomic():
        driver = _Driver(now)
        for spec in CATALOGUE:
            if spec.age == "stay":
                stay = _discharged_stay_with_kallelse(now)
                if stay is None:
                    continue
                _from_stay(driver, stay)
            elif spec.key in chosen:
                _SCENARIOS[spec.key](driver, Person.objects.get(pk=chosen[spec.key]))
            else:
                continue
            created += 1
    return created


class _Driver:
    """Acts as the county's staff (personas first), with the SIP services' clock set to each
    step's planned time."""

    def __init__(self, now: datetime) -> None:
        self.today = timezone.localdate(now)
        self.now = now
        units = Unit.objects.filter(hsa_id__in=[VC, SOCIAL, HOME_CARE, GERIATRICS])
        self.units = {u.hsa_id: u for u in units.select_related("organisation")}
        memberships = sorted(
            Membership.objects.active()
            .filter(unit__organisation__in={u.organisation_id for u in self.units.values()})
            .select_related("user", "unit__organisation"),
            key=lambda m: (m.user.username not in PERSONA_USERNAMES, m.pk),
        )
        self.members: dict[tuple[int, str], Membership] = {}
        for m in memberships:
            self.members.setdefault((m.unit_id, m.role), m)

    @property
    def vc(self) -> Unit:
        return self.units[VC]

    @property
    def social(self) -> Unit:
        return self.units[SOCIAL]

    @property
    def home_care(self) -> Unit:
        return self.units[HOME_CARE]

    def acting(self, unit: Unit, role: str | None = None) -> Acting:
        membership = self.members[unit.pk, role or _CARE_ROLE[UnitKind(unit.kind)]]
        return Acting(user=membership.user, membership=membership, remote_addr=None)

    def name(self, unit: Unit, role: str | None = None) -> str:
        return self.acting(unit, role).user.get_full_name()

    def day(self, days_from_today: int, hour: int = 10, minute: int = 0) -> datetime:
        """A local time ``days_from_today`` days from today (negative: in the past)."""
        day = self.today + timedelta(days=days_from_today)
        return timezone.make_aware(datetime.combine(day, time(hour, minute)))

    def date(self, days_from_today: int) -> str:
        return (self.today + timedelta(days=days_from_today)).isoformat()

    @contextlib.contextmanager
    def at(self, moment: datetime) -> Iterator[None]:
        """Run the enclosed service calls as if it were ``moment`` (never later than now)."""
        moment = min(moment, self.now - timedelta(minutes=1))
        with services.recorded_at(moment):
            yield

    # --- Steps ---------------------------------------------------------------------------

    def start(
        self, unit: Unit, person: Person, days: int, reason: str, **fields: Any
    ) -> SipProcess:
        with self.at(self.day(days, 9)):
            return services.sip_start(
                acting=self.acting(unit), person=person, reason=reason, has_mandate=True, **fields
            )

    def consent(
        self, unit: Unit, process: SipProcess, days: int, scope: str, **fields: Any
    ) -> None:
        fields.setdefault("giver", ConsentGiver.PERSON)
        fields.setdefault("form", ConsentForm.WRITTEN)
        with self.at(self.day(days, 9, 30)):
            services.consent_give(
                acting=self.acting(unit),
                process=process,
                scope=scope,
                on=self.today + timedelta(days=days),
                **fields,
            )

    def add(self, actor: Unit, process: SipProcess, days: int, **fields: Any) -> SipParticipant:
        fields.setdefault("kind", ParticipantKind.UNIT)
        with self.at(self.day(days, 9, 45)):
            return services.participant_add(acting=self.acting(actor), process=process, **fields)

    def prepare(
        self, unit: Unit, process: SipProcess, days: int, kind: str, text: str, **fields: Any
    ) -> None:
        with self.at(self.day(days, 11)):
            services.preparation_add(
                acting=self.acting(unit), process=process, kind=kind, text=text, **fields
            )

    def need(self, unit: Unit, process: SipProcess, days: int, level: str, reason: str) -> None:
        with self.at(self.day(days, 11, 15)):
            services.need_level_set(
                acting=self.acting(unit), process=process, level=level, reason=reason
            )

    def invite(
        self,
        unit: Unit,
        process: SipProcess,
        days: int,
        meeting_in_days: int,
        invitees: Sequence[SipParticipant],
        *,
        kind: str = MeetingKind.FIRST,
        place_kind: str = "unit",
        location: str = "",
        message: str = "",
    ) -> SipMeeting:
        with self.at(self.day(days, 13)):
            return services.meeting_invite(
                acting=self.acting(unit),
                process=process,
                kind=kind,
                meeting_at=self.day(days + meeting_in_days, 10),
                place_kind=place_kind,
                # A home meeting needs no location: the person's home is known.
                location=location
                if location or place_kind == "home"
                else f"{unit.name}, {unit.visiting_address}",
                invitees=invitees,
                message=message,
            )

    def minutes(
        self,
        unit: Unit,
        process: SipProcess,
        meeting: SipMeeting,
        attendees: Sequence[SipParticipant],
        text: str,
        decisions: str = "",
        **next_check_in: Any,
    ) -> None:
        """``next_check_in``: ``next_follow_up_on``/``_by`` at a follow-up."""
        with self.at(meeting.meeting_at + timedelta(hours=2)):
            services.minutes_record(
                acting=self.acting(unit),
                process=process,
                meeting=meeting,
                attendees=attendees,
                person_present=True,
                text=text,
                decisions=decisions,
                **next_check_in,
            )

    def plan(
        self, unit: Unit, process: SipProcess, days: int, content: dict[str, Any]
    ) -> PlanDraft:
        draft = PlanDraft.objects.get(process=process)
        with self.at(self.day(days, 14)):
            return services.plan_draft_save(
                acting=self.acting(unit),
                process=process,
                content=content,
                base_revision=draft.revision,
            )

    def establish(
        self, unit: Unit, process: SipProcess, days: int, meeting: SipMeeting | None
    ) -> None:
        """Established as approved by every active participant with a mandate."""
        draft = PlanDraft.objects.get(process=process)
        approvers = process.participants.filter(removed_at__isnull=True, has_mandate=True).exclude(
            kind=ParticipantKind.RELATIVE
        )
        with self.at(self.day(days, 15)):
            services.plan_establish(
                acting=self.acting(unit),
                process=process,
                base_revision=draft.revision,
                approved_by=list(approvers),
                person_agreed=True,
                meeting=meeting,
            )

    def progress(
        self, unit: Unit, process: SipProcess, days: int, action_id: str, status: str, note: str
    ) -> None:
        with self.at(self.day(days, 16)):
            services.action_progress_record(
                acting=self.acting(unit),
                process=process,
                action_id=action_id,
                status=status,
                note=note,
            )


def _action(
    action_id: str,
    what: str,
    *,
    unit: Unit | None = None,
    kind: str = "other",
    organisation: str = "",
    responsible: str = "",
    due: str | None = None,
    goals: Sequence[str] = (),
    status: str = "planned",
) -> dict[str, Any]:
    return {
        "id": action_id,
        "what": what,
        "organisation_kind": kind,
        "organisation": organisation,
        "unit_id": unit.pk if unit else None,
        "responsible": responsible,
        "due": due,
        "goal_ids": list(goals),
        "status": status,
    }


def _goals(*goals: tuple[str, str]) -> list[dict[str, str]]:
    return [
        {"id": f"g{n}", "text": text, "measure": measure}
        for n, (text, measure) in enumerate(goals, start=1)
    ]


# --- The scenarios ---------------------------------------------------------------------------


def _no_consent(d: _Driver, person: Person) -> SipProcess:
    process = d.start(
        d.social,
        person,
        -3,
        "Ökande behov av hemtjänst och flera fall i hemmet; vårdcentralen behöver vara med.",
    )
    d.prepare(
        d.social,
        process,
        -2,
        PreparationKind.MAPPING,
        "Hemtjänst tre gånger per dag sedan i våras. Dottern handlar. Två fall senaste månaden.",
    )
    d.need(d.social, process, -2, NeedLevel.SHORT, "Kommun och vårdcentral behöver samordna.")
    return process


def _invited(d: _Driver, person: Person) -> SipProcess:
    process = d.start(
        d.vc, person, -8, "Hjärtsvikt och nedsatt ork; behöver hemsjukvård och hemtjänst."
    )
    d.consent(d.vc, process, -7, "Vårdcentralen, biståndsenheten och hemsjukvården i Exempelstad")
    social = d.add(d.vc, process, -7, unit=d.social, has_mandate=True)
    home = d.add(d.vc, process, -7, unit=d.home_care, has_mandate=True)
    d.add(d.vc, process, -7, kind=ParticipantKind.RELATIVE, name="Maria Lind", title="Dotter")
    d.need(d.vc, process, -6, NeedLevel.OVER_TIME, "Flera insatser från region och kommun.")
    d.prepare(
        d.vc,
        process,
        -6,
        PreparationKind.WISH,
        "Vill ha mötet hemma, gärna på förmiddagen när dottern kan vara med.",
        place_kind="home",
        author_kind="person",
        author_name=person.full_name,
    )
    d.prepare(
        d.social,
        process,
        -5,
        PreparationKind.QUESTION,
        "Räcker hemtjänst två gånger per dag, eller behövs trygghetslarm också?",
    )
    vc = process.participants.get(kind=ParticipantKind.UNIT, unit=d.vc)
    d.invite(
        d.vc,
        process,
        -4,
        5,
        [vc, social, home],
        place_kind="home",
        message="Ta gärna med läkemedelslistan.",
    )
    return process


def _established(d: _Driver, person: Person) -> SipProcess:
    process = d.start(
        d.social,
        person,
        -45,
        "Lång sjukskrivning, psykisk ohälsa och ekonomiskt bistånd; vill tillbaka till arbete.",
    )
    d.consent(
        d.social,
        process,
        -44,
        "Socialtjänsten, vårdcentralen, Försäkringskassan och Arbetsförmedlingen",
    )
    vc = d.add(d.social, process, -44, unit=d.vc, has_mandate=True)
    fk = d.add(
        d.social,
        process,
        -44,
        kind=ParticipantKind.EXTERNAL,
        name="Kim Berglund",
        title="Handläggare",
        organisation="Försäkringskassan",
        external_kind=ExternalKind.SOCIAL_INSURANCE,
        has_mandate=True,
        phone="031-390 06 90",
    )
    af = d.add(
        d.social,
        process,
        -44,
        kind=ParticipantKind.EXTERNAL,
        name="Nora Ek",
        title="Arbetsförmedlare",
        organisation="Arbetsförmedlingen",
        external_kind=ExternalKind.EMPLOYMENT_SERVICE,
        has_mandate=True,
    )
    d.need(d.social, process, -43, NeedLevel.OVER_TIME, "Flera huvudmän och externa aktörer.")
    social = process.participants.get(kind=ParticipantKind.UNIT, unit=d.social)
    meeting = d.invite(d.social, process, -40, 10, [social, vc, fk, af])
    d.minutes(
        d.social,
        process,
        meeting,
        [social, vc, fk, af],
        "Personen berättade att det viktigaste är att komma tillbaka till arbete och få ordning "
        "på ekonomin. Sömnen är dålig.",
        "Samtalsstöd på vårdcentralen. Arbetsträning planeras när sömnen blivit bättre.",
    )
    d.plan(
        d.social,
        process,
        -29,
        {
            "long_term_goal": "Jag vill ha ett arbete och klara mig på min egen lön.",
            "goals": _goals(
                ("Sova bättre", "Sover minst sex timmar de flesta nätter"),
                ("Börja arbetsträna", "Arbetstränar två halvdagar i veckan"),
            ),
            "needs": ["Samtalsstöd", "Stöd att komma tillbaka till arbete", "Budgetrådgivning"],
            "actions": [
                _action(
                    "a1",
                    "Samtalsstöd var annan vecka",
                    unit=d.vc,
                    kind="region",
                    responsible=d.name(d.vc),
                    due=d.date(30),
                    goals=["g1"],
                    status="ongoing",
                ),
                _action(
                    "a2",
                    "Budgetrådgivning och beslut om ekonomiskt bistånd",
                    unit=d.social,
                    kind="municipality",
                    responsible=d.name(d.social),
                    due=d.date(10),
                ),
                _action(
                    "a3",
                    "Utredning av rätt till sjukpenning",
                    organisation="Försäkringskassan",
                    responsible="Kim Berglund",
                    due=d.date(20),
                ),
                _action(
                    "a4",
                    "Arbetsträning via rusta och matcha",
                    organisation="Arbetsförmedlingen",
                    responsible="Nora Ek",
                    due=d.date(60),
                    goals=["g2"],
                ),
            ],
            "lead_unit_id": d.social.pk,
            "follow_up_on": d.date(45),
            "follow_up_by": f"{d.name(d.social)}, {d.social.name}",
        },
    )
    d.establish(d.social, process, -29, meeting)
    return process


def _overdue(d: _Driver, person: Person) -> SipProcess:
    process = d.start(d.social, person, -75, "Demenssjukdom; anhörig orkar inte längre.")
    d.consent(
        d.social,
        process,
        -74,
        "Biståndsenheten, hemsjukvården och vårdcentralen",
        form=ConsentForm.ORAL,
        note="Makan var med när samtycket lämnades.",
    )
    vc = d.add(d.social, process, -74, unit=d.vc, has_mandate=True)
    # The home health care unit takes part without anyone who can decide on insatser.
    home = d.add(d.social, process, -74, unit=d.home_care, has_mandate=False)
    wife = d.add(d.social, process, -74, kind=ParticipantKind.RELATIVE, name="Anna", title="Maka")
    social = process.participants.get(kind=ParticipantKind.UNIT, unit=d.social)
    meeting = d.invite(
        d.social,
        process,
        -70,
        7,
        [social, vc, home, wife],
        place_kind="home",
    )
    d.minutes(
        d.social,
        process,
        meeting,
        [social, vc, home, wife],
        "Makan berättade om oro nattetid. Personen vill bo kvar hemma.",
        "Dagverksamhet två dagar i veckan. Hjälpmedelsbedömning.",
    )
    d.plan(
        d.social,
        process,
        -60,
        {
            "long_term_goal": "Jag vill bo kvar hemma med min fru.",
            "goals": _goals(("Makan får sova ostört", "Färre nätter med oro, enligt makan")),
            "needs": ["Dagverksamhet", "Hjälpmedel", "Avlösning för makan"],
            "actions": [
                _action(
                    "a1",
                    "Dagverksamhet två dagar i veckan",
                    unit=d.social,
                    kind="municipality",
                    responsible=d.name(d.social),
                    due=d.date(-30),
                    goals=["g1"],
                ),
                _action(
                    "a2",
                    "Hjälpmedelsbedömning i hemmet",
                    unit=d.home_care,
                    kind="municipality",
                    responsible="Arbetsterapeut",
                    due=d.date(-14),
                ),
                _action(
                    "a3",
                    "Läkemedelsgenomgång",
                    unit=d.vc,
                    kind="region",
                    responsible=d.name(d.vc),
                    due=d.date(-20),
                ),
            ],
            "lead_unit_id": d.social.pk,
            "follow_up_on": d.date(20),
            "follow_up_by": f"{d.name(d.social)}, {d.social.name}",
        },
    )
    d.establish(d.social, process, -60, meeting)
    d.progress(d.vc, process, -22, "a3", "done", "Genomgång gjord, ett läkemedel utsatt.")
    d.progress(d.social, process, -25, "a1", "ongoing", "Väntar på plats, start i höst.")
    return process


def _from_stay(d: _Driver, stay: InpatientStay) -> SipProcess:
    contact = stay.care_contact
    assert contact is not None
    unit = contact.unit
    invitation = stay.messages.filter(kind=MessageKind.SIP_INVITATION).latest("sent_at")
    met = datetime.fromisoformat(invitation.payload["meeting_at"])
    with d.at(invitation.sent_at + timedelta(hours=1)):
        process = services.sip_start_from_stay(
            acting=d.acting(unit), stay=stay, reason="Fortsatt samordning efter utskrivningen."
        )
    with d.at(invitation.sent_at + timedelta(hours=2)):
        services.consent_give(
            acting=d.acting(unit),
            process=process,
            giver=ConsentGiver.PERSON,
            form=ConsentForm.ORAL,
            scope="Sjukhuset, vårdcentralen och kommunen",
            on=timezone.localdate(invitation.sent_at),
        )
        for participant in process.participants.exclude(unit__kind=UnitKind.INPATIENT_WARD):
            services.participant_set_mandate(
                acting=d.acting(unit), process=process, participant=participant, has_mandate=True
            )
    meeting = process.meetings.get()
    mandated = list(process.participants.filter(has_mandate=True))
    municipal = [p.unit for p in mandated if p.unit and p.unit.kind == UnitKind.SOCIAL_SERVICES]
    d.minutes(
        unit,
        process,
        meeting,
        mandated,
        "SIP-möte på avdelningen före hemgång.",
        "Hemtjänst morgon och kväll från hemkomstdagen. Uppföljning om en månad.",
    )
    actions = [
        _action(
            "a1",
            "Hembesök av distriktssköterska första veckan",
            unit=unit,
            kind="region",
            responsible=contact.name,
            due=timezone.localdate(met + timedelta(days=7)).isoformat(),
        ),
    ]
    if municipal:
        actions.append(
            _action(
                "a2",
                "Hemtjänst morgon och kväll",
                unit=municipal[0],
                kind="municipality",
                responsible="Hemtjänstgruppen",
                due=timezone.localdate(met).isoformat(),
                status="ongoing",
            )
        )
    content = {
        "long_term_goal": "Jag vill klara mig hemma igen, som före sjukhusvistelsen.",
        "goals": _goals(("Klara morgonrutinen själv", "Klär på sig utan hjälp")),
        "needs": ["Hjälp morgon och kväll", "Uppföljning av läkemedel"],
        "actions": actions,
        "lead_unit_id": unit.pk,
        "follow_up_on": timezone.localdate(met + timedelta(days=30)).isoformat(),
        "follow_up_by": f"{contact.name}, {unit.name}",
    }
    with d.at(met + timedelta(hours=3)):
        draft = PlanDraft.objects.get(process=process)
        services.plan_draft_save(
            acting=d.acting(unit), process=process, content=content, base_revision=draft.revision
        )
        services.plan_establish(
            acting=d.acting(unit),
            process=process,
            base_revision=draft.revision + 1,
            approved_by=mandated,
            person_agreed=True,
            meeting=meeting,
        )
    return process


def _child(d: _Driver, person: Person) -> SipProcess:
    guardians = list(
        Representative.objects.filter(
            person=person, authority=AuthorityKind.GUARDIAN, withdrawn_at__isnull=True
        ).order_by("pk")[:2]
    )
    process = d.start(
        d.social,
        person,
        -50,
        "Skolfrånvaro och oro hemma; skolan, socialtjänsten och vårdcentralen behöver samordna.",
    )
    for guardian in guardians:
        d.consent(
            d.social,
            process,
            -49,
            "Socialtjänsten, vårdcentralen och skolans elevhälsa",
            giver=ConsentGiver.GUARDIAN,
            giver_name=guardian.name,
        )
    d.prepare(
        d.social,
        process,
        -48,
        PreparationKind.CHILD_VIEW,
        "Jag vill gå i skolan men det är jobbigt på rasterna. Jag vill att mamma och pappa "
        "slutar bråka om mig.",
        author_kind="person",
        author_name=person.given_name,
    )
    vc = d.add(d.social, process, -48, unit=d.vc, has_mandate=True)
    school = d.add(
        d.social,
        process,
        -48,
        kind=ParticipantKind.EXTERNAL,
        name="Sara Holm",
        title="Skolkurator",
        organisation="Exempelstads skola, elevhälsan",
        external_kind=ExternalKind.SCHOOL,
        has_mandate=True,
    )
    for guardian in guardians:
        d.add(
            d.social,
            process,
            -48,
            kind=ParticipantKind.RELATIVE,
            name=guardian.name,
            title="Vårdnadshavare",
        )
    social = process.participants.get(kind=ParticipantKind.UNIT, unit=d.social)
    meeting = d.invite(
        d.social, process, -45, 7, [social, vc, school], location="Skolan, elevhälsans rum"
    )
    d.minutes(
        d.social,
        process,
        meeting,
        [social, vc, school],
        f"{person.given_name} var med första halvtimmen och berättade själv.",
        "Rastvärd och anpassad studiegång. Samtal för familjen.",
    )
    d.plan(
        d.social,
        process,
        -37,
        {
            "long_term_goal": "Jag vill gå i skolan varje dag och ha en kompis på rasterna.",
            "goals": _goals(
                ("Gå till skolan", "Närvaro minst fyra dagar i veckan"),
                ("Trivas på rasterna", "Säger själv att rasterna är okej"),
            ),
            "needs": ["Stöd i skolan", "Familjestöd", "Bedömning av sömn och oro"],
            "actions": [
                _action(
                    "a1",
                    "Rastvärd och anpassad studiegång",
                    organisation="Exempelstads skola, elevhälsan",
                    responsible="Sara Holm",
                    due=d.date(14),
                    goals=["g1", "g2"],
                    status="ongoing",
                ),
                _action(
                    "a2",
                    "Familjesamtal varannan vecka",
                    unit=d.social,
                    kind="municipality",
                    responsible=d.name(d.social),
                    due=d.date(60),
                ),
                _action(
                    "a3",
                    "Bedömning av sömn och oro",
                    unit=d.vc,
                    kind="region",
                    responsible=d.name(d.vc),
                    due=d.date(21),
                ),
            ],
            "lead_unit_id": d.social.pk,
            "follow_up_on": d.date(30),
            "follow_up_by": f"{d.name(d.social)}, {d.social.name}",
        },
    )
    d.establish(d.social, process, -37, meeting)
    return process


def _followed_up(d: _Driver, person: Person, *, close: bool) -> SipProcess:
    start = -200 if close else -120
    process = d.start(d.vc, person, start, "Diabetes och nedsatt syn; behöver hjälp hemma.")
    d.consent(d.vc, process, start + 1, "Vårdcentralen och kommunen i Exempelstad")
    social = d.add(d.vc, process, start + 1, unit=d.social, has_mandate=True)
    home = d.add(d.vc, process, start + 1, unit=d.home_care, has_mandate=True)
    vc = process.participants.get(kind=ParticipantKind.UNIT, unit=d.vc)
    everyone = [vc, social, home]
    meeting = d.invite(d.vc, process, start + 3, 7, everyone)
    d.minutes(
        d.vc,
        process,
        meeting,
        everyone,
        "Personen vill kunna sköta sin diabetes själv.",
        "Hemsjukvården tar över insulin tills synen är utredd.",
    )
    d.plan(
        d.vc,
        process,
        start + 12,
        {
            "long_term_goal": "Jag vill sköta min diabetes själv och känna mig trygg hemma.",
            "goals": _goals(("Stabilt blodsocker", "Inga känningar på en månad")),
            "needs": ["Hjälp med insulin", "Synundersökning", "Matlåda"],
            "actions": [
                _action(
                    "a1",
                    "Insulin morgon och kväll",
                    unit=d.home_care,
                    kind="municipality",
                    responsible=d.name(d.home_care),
                    due=d.date(start + 60),
                    goals=["g1"],
                ),
                _action(
                    "a2",
                    "Remiss till ögonmottagningen",
                    unit=d.vc,
                    kind="region",
                    responsible=d.name(d.vc),
                    due=d.date(start + 20),
                ),
                _action(
                    "a3",
                    "Matdistribution",
                    unit=d.social,
                    kind="municipality",
                    responsible=d.name(d.social),
                    due=d.date(start + 20),
                ),
            ],
            "lead_unit_id": d.vc.pk,
            "follow_up_on": d.date(start + 70),
            "follow_up_by": f"{d.name(d.vc)}, {d.vc.name}",
        },
    )
    d.establish(d.vc, process, start + 12, meeting)
    d.progress(d.vc, process, start + 25, "a2", "done", "Undersökt; glasögon utprovade.")
    d.progress(d.social, process, start + 18, "a3", "done", "Matlåda fem dagar i veckan.")
    if not close:
        # Continuous SIP: the first follow-up is held and sets the next check-in, now called.
        first = d.invite(d.vc, process, start + 60, 10, everyone, kind=MeetingKind.FOLLOW_UP)
        d.progress(d.home_care, process, start + 65, "a1", "ongoing", "Fortsätter tills vidare.")
        d.minutes(
            d.vc,
            process,
            first,
            everyone,
            "Blodsockret är bättre. Hemsjukvården fortsätter med insulinet ett tag till.",
            next_follow_up_on=d.today + timedelta(days=5),
            next_follow_up_by=f"{d.name(d.vc)}, {d.vc.name}",
        )
        d.invite(
            d.vc,
            process,
            -10,
            15,
            everyone,
            kind=MeetingKind.FOLLOW_UP,
            place_kind="video",
            location="https://video.exempellan.example/sip",
        )
        return process
    d.progress(d.home_care, process, start + 62, "a1", "done", "Personen tar insulin själv.")
    follow_up = d.invite(d.vc, process, start + 60, 10, everyone, kind=MeetingKind.FOLLOW_UP)
    d.minutes(d.vc, process, follow_up, everyone, "Allt fungerar. Personen sköter insulinet själv.")
    with d.at(follow_up.meeting_at + timedelta(hours=3)):
        services.evaluation_record(
            acting=d.acting(d.vc),
            process=process,
            summary="Målet är nått: stabilt blodsocker och personen sköter insulinet själv.",
            outcomes={"g1": "reached"},
            meeting=follow_up,
        )
        services.sip_close(
            acting=d.acting(d.vc),
            process=process,
            reason=CloseReason.GOALS_REACHED,
            note="Ingen samordning behövs längre.",
        )
    return process


_SCENARIOS: dict[str, Callable[[_Driver, Person], SipProcess]] = {
    "no_consent": _no_consent,
    "invited": _invited,
    "established": _established,
    "overdue": _overdue,
    "child": _child,
    "follow_up": lambda d, p: _followed_up(d, p, close=False),
    "closed": lambda d, p: _followed_up(d, p, close=True),
}
