"""The SIP's rules come from the county agreement as data: what the shipped files say is what
the work list holds a SIP to, and a SIP keeps the rules of the version it started under when
the agreement changes (SPEC §6)."""

from __future__ import annotations

import tomllib
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from samplan.agreements import services as agreement_services
from samplan.agreements.loader import DATA_DIR, load_agreements, version_in_force
from samplan.agreements.schema import SipRules
from samplan.agreements.services import agreement_of
from samplan.discharge import services as discharge_services
from samplan.sip import selectors, services
from samplan.sip.models import SipProcess
from samplan.testing.agreements import AgreementFiles
from samplan.testing.county import (
    County,
    admit,
    make_county,
    record_conversation,
    send_admission_notice,
)
from samplan.testing.sip import start_outpatient_sip


def at(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=ZoneInfo("Europe/Stockholm"))


@pytest.fixture
def county() -> County:
    return make_county()


@pytest.mark.parametrize(
    ("county_key", "expected"),
    [
        (
            "gavleborg",
            SipRules(
                invitation_within_days=14, plan_within_days_after_meeting=14, inactivity_days=60
            ),
        ),
        (
            "storstad",
            SipRules(
                invitation_within_days=10, plan_within_days_after_meeting=7, inactivity_days=45
            ),
        ),
    ],
)
def test_the_shipped_agreements_carry_their_sip_rules(county_key: str, expected: SipRules) -> None:
    raw = tomllib.loads((DATA_DIR / f"{county_key}.toml").read_text(encoding="utf-8"))
    loaded = load_agreements()[county_key].versions
    assert len(loaded) == len(raw["versions"])
    for version, written in zip(loaded, raw["versions"], strict=True):
        # Every version states its own [versions.sip]: nothing falls back to the defaults.
        assert set(written["sip"]) == set(SipRules.model_fields)
        assert version.sip.model_dump() == written["sip"]
    assert loaded[-1].sip == expected


def invitation_due(county: County, process: SipProcess) -> str:
    [item] = [
        i
        for i in selectors.worklist(
            acting=county.acting(county.primary_care_nurse), now=timezone.now()
        )
        if i.process == process
    ]
    [flag] = [f for f in item.flags if f.code == "invitation_due"]
    return flag.due.isoformat()


@pytest.mark.django_db
def test_a_running_sip_keeps_the_rules_it_started_under(
    county: County, settings, monkeypatch, time_machine
) -> None:
    time_machine.move_to(timezone.make_aware(datetime(2026, 3, 2, 9, 0)), tick=False)
    settings.SAMPLAN_AGREEMENT = "gavleborg"
    old = start_outpatient_sip(county)
    assert old.agreement.version_id.startswith("gavleborg@")
    assert invitation_due(county, old) == "2026-03-16"  # 14 days

    # The region moves to another county's agreement: new SIPs follow it, the old one does not.
    settings.SAMPLAN_AGREEMENT = "storstad"
    other = start_outpatient_sip(county)
    assert other.agreement.version_id.startswith("storstad@")
    assert invitation_due(county, other) == "2026-03-12"  # 10 days
    assert invitation_due(county, old) == "2026-03-16"

    # The county edits its file under the same version id: stricter for new SIPs only.
    settings.SAMPLAN_AGREEMENT = "gavleborg"
    current = load_agreements()["gavleborg"]
    in_force = version_in_force(current, timezone.now())
    stricter = in_force.model_copy(
        update={"sip": in_force.sip.model_copy(update={"invitation_within_days": 3})}
    )
    versions = tuple(stricter if v is in_force else v for v in current.versions)
    edited = current.model_copy(update={"versions": versions})
    monkeypatch.setattr(
        agreement_services, "load_agreements", lambda directory=None: {"gavleborg": edited}
    )
    new = start_outpatient_sip(county)
    assert new.agreement_id != old.agreement_id
    assert agreement_of(new.agreement).sip.invitation_within_days == 3
    assert invitation_due(county, new) == "2026-03-05"
    assert invitation_due(county, old) == "2026-03-16"
    assert agreement_of(old.agreement).sip == SipRules()
    # Weeks later the old SIP is still judged by its own version.
    time_machine.move_to(timezone.now() + timedelta(days=20), tick=False)
    assert invitation_due(county, old) == "2026-03-16"


RED_2027 = 'sip_guidance = "Starta SIP-processen direkt vid hemgången eller redan på sjukhuset."'
RED_2030 = "Starta SIP-processen på sjukhuset, senast dagen efter bedömningen."


@pytest.mark.django_db
def test_the_colour_guidance_is_the_colour_model_of_the_latest_assessment(
    county: County, tmp_path, settings, time_machine
) -> None:
    """The SIP's guidance reads the case's colour as the case page does: under the colour
    model in force when it was last assessed (or overridden), not the admission's."""
    files = AgreementFiles(tmp_path)
    settings.SAMPLAN_AGREEMENT_DIR = str(tmp_path)
    files.publish("gavleborg", date(2030, 1, 1), {RED_2027: f'sip_guidance = "{RED_2030}"'})
    time_machine.move_to(at(2029, 12, 30, 9, 0), tick=False)
    stay = admit(county, admitted_at=at(2029, 12, 30, 8, 0))
    record_conversation(county, stay)
    send_admission_notice(county, stay)
    discharge_services.care_contact_appoint(
        acting=county.acting(county.primary_care_head), stay=stay, name="Fia Fast"
    )
    fvk = county.acting(county.primary_care_nurse)
    discharge_services.colour_override(acting=fvk, stay=stay, colour="rod", reason="Stort behov.")
    guidance = selectors.colour_guidance(stay)
    assert guidance is not None
    assert guidance.guidance == RED_2027.split('"')[1]

    time_machine.move_to(at(2030, 1, 2, 10, 0), tick=False)
    discharge_services.colour_override(acting=fvk, stay=stay, colour="rod", reason="Fortfarande.")
    assert stay.agreement.version_id == "gavleborg@2027-01-01"  # admitted under the old model
    guidance = selectors.colour_guidance(stay)
    assert guidance is not None
    assert guidance.guidance == RED_2030
    # The SIP continuing the case shows the same.
    process = services.sip_start_from_stay(acting=fvk, stay=stay)
    overview = selectors.process_overview(acting=fvk, process=process, now=timezone.now())
    assert overview.colour is not None
    assert overview.colour.guidance == RED_2030


@pytest.mark.django_db
def test_the_kallelse_deadline_is_the_agreement_version_of_the_utskrivningsklar_notice(
    county: County, tmp_path, settings, time_machine
) -> None:
    """A SIP continuing a discharge case is due by the kallelse deadline of the version in force
    when the utskrivningsklar notice was sent, as the case page judges it, not the admission's."""
    files = AgreementFiles(tmp_path)
    settings.SAMPLAN_AGREEMENT_DIR = str(tmp_path)
    three_days = 'sip_invitation = { amount = 3, unit = "calendar_days", at_end_of_day = true }'
    files.publish("gavleborg", date(2030, 1, 1), {three_days: three_days.replace("3", "5")})
    time_machine.move_to(at(2029, 12, 30, 9, 0), tick=False)
    stay = admit(county, admitted_at=at(2029, 12, 30, 8, 0))
    record_conversation(county, stay)
    send_admission_notice(county, stay)
    time_machine.move_to(at(2030, 1, 2, 10, 0), tick=False)  # a Wednesday, the new version
    discharge_services.ready_notice_send(
        acting=county.acting(county.ward_nurse), stay=stay, physician="Lars Läkare"
    )
    process = services.sip_start_from_stay(
        acting=county.acting(county.primary_care_nurse), stay=stay
    )
    assert stay.agreement.version_id == "gavleborg@2027-01-01"  # admitted under the old version
    assert invitation_due(county, process) == "2030-01-07"  # five calendar days, not three
    overview = selectors.process_overview(
        acting=county.acting(county.primary_care_nurse), process=process, now=timezone.now()
    )
    [flag] = [f for f in overview.flags if f.code == "invitation_due"]
    assert flag.due.isoformat() == "2030-01-07"
