"""Samordnade vårdplaner (SVPL, LPT 7 a § / LRV 12 a §) for the demo county, driven through the
real services at their planned times.

Two psychiatric cases at Psykiatrisk slutenvård avd 31 (S131), laid out and driven like the
other demo cases (:mod:`samplan.demo.cases`: admission, ankomstsamtal, inskrivningsmeddelande,
kvittens, planeringsunderlag), then:

* **under justering** (LPT 7 a §): started a day ago, the draft written, the vårdcentral has
  approved; the municipality's social services still has "SVPL att justera" on its work list;
* **fastställd** (LRV 12 a §): started six days ago, approved by every unit and established,
  then the patient discharged to öppen rättspsykiatrisk vård.

How the past is made, as for the SIPs (:mod:`samplan.demo.sips`): the SVPL services read the
clock through ``services._now``, set to each step's planned time, so the rows they write once and
never change (timeline, draft revisions, approvals, the established version: immutable, and
guarded by triggers) carry that time. The notice the start sends is a discharge message, backdated
afterwards with the discharge cases' own :func:`~samplan.demo.cases._backdate`. The access log
reads the real clock and is never touched.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Any
from unittest import mock

from django.db import transaction
from django.utils import timezone

from samplan.demo import cases
from samplan.demo.cases import CaseSpec, Stage, Window, plan_cases
from samplan.directory.models import Role, Unit, UnitKind
from samplan.discharge import services as discharge_services
from samplan.discharge.models import InpatientStay, PartyStatus
from samplan.discharge.rules import PlanningCategory
from samplan.psychiatry import services
from samplan.psychiatry.models import CoordinatedCarePlanLpt
from samplan.sip.models import SipProcess

__all__ = ["CATALOGUE", "create_demo_svpls", "svpls_exist"]

WARD = "S131"
CATALOGUE: tuple[CaseSpec, ...] = (
    CaseSpec("Psykiatri: samordnad vårdplan (LPT) under justering", WARD, "V01",
             PlanningCategory.B_C, Stage.ASSESSED, (60, 58, 56, 40), colour="gul", younger=True),
    CaseSpec("Psykiatri: samordnad vårdplan (LRV) fastställd", WARD, "V02",
             PlanningCategory.B_C, Stage.ASSESSED, (200, 198, 196, 170), colour="gul",
             younger=True),
)  # fmt: skip


def svpls_exist() -> bool:
    return CoordinatedCarePlanLpt.objects.filter(stay__ward__hsa_id__endswith=f"-{WARD}").exists()


def _content(parties: list[Unit], *, lrv: bool) -> dict[str, Any]:
    by_kind = {u.kind: u for u in parties}
    outpatient = by_kind.get(UnitKind.PRIMARY_CARE) or by_kind.get(UnitKind.SPECIALIST_OUTPATIENT)
    social = by_kind.get(UnitKind.SOCIAL_SERVICES)
    insatser: list[dict[str, Any]] = [
        {
            "id": "medicin",
            "what": "Läkemedel och läkarbesök var fjärde vecka",
            "decision": "Beslutat av chefsöverläkaren",
            "responsible_unit": "Psykiatriska öppenvårdsmottagningen",
            "responsible_person": "Fast vårdkontakt på mottagningen",
            "patient_view": "Jag tar medicinen om jag får träffa samma läkare.",
            "need_ids": ["n1"],
        },
    ]
    if outpatient is not None:
        insatser.append(
            {
                "id": "somatik",
                "what": "Hälsokontroll och blodprover",
                "decision": "Bokad tid inom två veckor",
                "unit_id": outpatient.pk,
                "responsible_person": "Distriktssköterska",
                "patient_view": "Det går bra.",
                "need_ids": ["n3"],
            }
        )
    if social is not None:
        insatser.append(
            {
                "id": "boendestod",
                "what": "Boendestöd tre dagar i veckan",
                "decision": "Beviljat enligt socialtjänstlagen",
                "unit_id": social.pk,
                "responsible_person": "Biståndshandläggare",
                "patient_view": "Gärna efter lunch.",
                "need_ids": ["n2"],
            }
        )
    return {
        "needs": [
            {"id": "n1", "text": "Fortsatt behandling med läkemedel"},
            {"id": "n2", "text": "Stöd i vardagen och med boendet"},
            {"id": "n3", "text": "Kontroll av den fysiska hälsan"},
        ],
        "insatser": insatser,
        "patient_view": (
            "Jag vill bo i min lägenhet och ha samma kontakter."
            if not lrv
            else "Jag vill komma tillbaka till mitt jobb på sikt."
        ),
        "other_actions": [{"id": "godman", "who": "God man", "what": "Hjälper till med ekonomin"}],
    }


class _Driver:
    def __init__(self, driver: cases._Driver) -> None:
        self.cases = driver
        self.windows: list[Window] = []

    @contextmanager
    def at(self, when: datetime) -> Iterator[None]:
        self.windows.append((timezone.now(), when))
        with mock.patch.object(services, "_now", return_value=when):
            yield

    def acting(self, unit: Unit, role: str | None = None) -> Any:
        return self.cases.acting(unit, role)


def create_demo_svpls(*, seed: int, now: datetime | None = None) -> int:
    """Create the two demo SVPLs unless the county has some; return how many were created."""
    if svpls_exist():
        return 0
    now = now or timezone.now()
    anchor = now.replace(second=0, microsecond=0)
    taken = set(InpatientStay.objects.values_list("person_id", flat=True))
    taken |= set(SipProcess.objects.values_list("person_id", flat=True))
    candidates = [c for c in cases.candidates_from_db() if c.person_id not in taken]
    plans = plan_cases(seed=seed, candidates=candidates, now=now, catalogue=CATALOGUE)
    if len(plans) < len(CATALOGUE):
        return 0
    with transaction.atomic():
        driver = _Driver(cases._Driver())
        in_progress = driver.cases.run(plans[0])
        established = driver.cases.run(plans[1])
        _in_progress(driver, in_progress, anchor)
        _established(driver, established, anchor)
    return len(plans)


def _parties(stay: InpatientStay) -> list[Unit]:
    return [
        p.unit
        for p in stay.parties.filter(status=PartyStatus.ACTIVE)
        .select_related("unit")
        .order_by("pk")
    ]


def _steps(
    driver: _Driver,
    stay: InpatientStay,
    *,
    basis: str,
    started: datetime,
    approvals: list[tuple[UnitKind, datetime]],
    anchor: datetime,
) -> CoordinatedCarePlanLpt:
    ward = driver.cases.units_by_pk[stay.ward_id]
    chief = driver.acting(ward, Role.PHYSICIAN)
    physician = f"{chief.user.get_full_name()}, chefsöverläkare"
    driver.windows = []
    with driver.at(started):
        plan = services.svpl_start(
            acting=chief,
            stay=stay,
            legal_basis=basis,
            physician=physician,
            body="Vi föreslår ett möte på avdelningen för att skriva planen tillsammans.",
        )
    parties = _parties(stay)
    content = _content(parties, lrv=basis == "lrv_12a")
    content["chief_physician"] = physician
    content["applies_from"] = timezone.localdate(started + timedelta(days=3)).isoformat()
    with driver.at(started + timedelta(hours=6)):
        services.svpl_draft_save(acting=chief, plan=plan, content=content, base_revision=0)
    plan.refresh_from_db()
    for kind, when in approvals:
        unit = next((u for u in parties if u.kind == kind), None)
        if unit is not None:
            with driver.at(when):
                services.svpl_approve(
                    acting=driver.acting(unit), plan=plan, base_revision=plan.draft_revision
                )
    cases._backdate(stay, driver.windows)
    notice = plan.ready_notice
    notice.refresh_from_db()
    CoordinatedCarePlanLpt.objects.filter(pk=plan.pk).update(
        started_at=notice.sent_at, draft_saved_at=started + timedelta(hours=6)
    )
    return plan


def _in_progress(driver: _Driver, stay: InpatientStay, anchor: datetime) -> None:
    _steps(
        driver,
        stay,
        basis="lpt_7a",
        started=anchor - timedelta(hours=26),
        approvals=[(UnitKind.PRIMARY_CARE, anchor - timedelta(hours=4))],
        anchor=anchor,
    )


def _established(driver: _Driver, stay: InpatientStay, anchor: datetime) -> None:
    started = anchor - timedelta(hours=150)
    _steps(
        driver,
        stay,
        basis="lrv_12a",
        started=started,
        approvals=[
            (UnitKind.PRIMARY_CARE, started + timedelta(hours=24)),
            (UnitKind.SOCIAL_SERVICES, started + timedelta(hours=30)),
        ],
        anchor=anchor,
    )
    discharged = started + timedelta(hours=52)
    ward = driver.cases.units_by_pk[stay.ward_id]
    windows: list[Window] = [(timezone.now(), discharged)]
    discharge_services.discharge_notice_send(
        acting=driver.acting(ward), stay=stay, discharged_at=discharged
    )
    cases._backdate(stay, windows)
