"""Agreement files: the shipped ones load, broken ones are refused naming file and field,
versions never overlap and the version in force is chosen by the Stockholm date."""

from __future__ import annotations

import json
import os
from datetime import UTC, date, datetime, time
from pathlib import Path

import pytest

from samplan.agreements.loader import (
    DATA_DIR,
    clear_cache,
    get_agreement,
    load_agreement_file,
    load_agreements,
    version_in_force,
)
from samplan.agreements.schema import (
    STOCKHOLM,
    AgreementError,
    AgreementVersion,
    NaiveDatetimeError,
    NoVersionInForce,
    PlanningCategory,
    UnitKind,
    contrast_ratio,
)

FIRST_VERSION = "[[versions]]\nvalid_from = 2024-01-01\n"


def first_version_only(text: str) -> str:
    """The shipped file with only its first version, open-ended: what the edits below change."""
    header, first, *_later = text.split("[[versions]]\n")
    first = first.replace("valid_to = 2026-12-31\n", "", 1)
    return header + "[[versions]]\n" + first


SHIPPED = first_version_only((DATA_DIR / "gavleborg.toml").read_text(encoding="utf-8"))


def edited(old: str, new: str, text: str = SHIPPED) -> str:
    """The shipped Exempellän file with exactly one occurrence of ``old`` replaced."""
    assert text.count(old) == 1, old
    return text.replace(old, new)


def write(tmp_path: Path, text: str, name: str = "gavleborg.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def two_versions(second_valid_from: str, first_valid_to: str | None) -> str:
    """The shipped file with its version repeated: the copy starts ``second_valid_from``."""
    header, block = SHIPPED.split(FIRST_VERSION)
    first_head = FIRST_VERSION + (f"valid_to = {first_valid_to}\n" if first_valid_to else "")
    second_head = f"[[versions]]\nvalid_from = {second_valid_from}\n"
    return header + first_head + block + "\n" + second_head + block


# --- The shipped agreements -------------------------------------------------------------------


def test_both_shipped_agreements_load() -> None:
    agreements = load_agreements()
    assert sorted(agreements) == ["gavleborg", "storstad"]
    demo = agreements["gavleborg"]
    assert demo.county == "Exempellän"
    assert demo.based_on.startswith("Gävleborgsmodellen")
    assert [(v.version_id, v.valid_to) for v in demo.versions] == [
        ("gavleborg@2024-01-01", date(2026, 12, 31)),
        ("gavleborg@2027-01-01", None),
    ]
    assert agreements["storstad"].county == "Storstadslän"
    assert [v.version_id for v in agreements["storstad"].versions] == [
        "storstad@2024-01-01",
        "storstad@2027-01-01",
    ]


@pytest.mark.parametrize("county", ["gavleborg", "storstad"])
def test_the_2027_versions_change_one_deadline_and_carry_the_2027_amount(county: str) -> None:
    first, second = get_agreement(county).versions
    assert second.payment.amounts_sek == {2027: first.payment.amounts_sek[2027]}
    changed = {
        name
        for name in type(first.deadlines).model_fields
        if getattr(first.deadlines, name) != getattr(second.deadlines, name)
    }
    assert changed == ({"planning_assessment"} if county == "gavleborg" else {"acknowledgement"})
    assert first.planning == second.planning
    assert first.payment.model_copy(update={"amounts_sek": {}}) == second.payment.model_copy(
        update={"amounts_sek": {}}
    )


@pytest.mark.parametrize("county", ["gavleborg", "storstad"])
def test_the_files_say_which_amounts_are_socialstyrelsens_and_which_the_agreements(
    county: str,
) -> None:
    text = (DATA_DIR / f"{county}.toml").read_text(encoding="utf-8")
    assert "platshållare" not in text.lower()
    assert "HSLF-FS 2018:67" in text
    assert "5 kap. 6 §" in text
    assert "inte kontrollerade mot Socialstyrelsens" in text


def test_gavleborg_model_content() -> None:
    version = get_agreement("gavleborg").versions[0]
    assert version.planning.codes == ("bla", "gron", "gul", "rod")
    assert [c.label for c in version.planning.colours] == ["Blå", "Grön", "Gul", "Röd"]
    assert version.planning.default_colour == "gron"
    assert version.planning.locked_colours == ()
    deadlines = version.deadlines
    assert (deadlines.admission_notice.amount, deadlines.admission_notice.unit) == (24, "hours")
    assert (deadlines.sip_invitation.amount, deadlines.sip_invitation.unit) == (3, "calendar_days")
    assert deadlines.sip_invitation.at_end_of_day is True
    assert [(i.id, i.due_from) for i in version.information_transfer] == [
        ("epikris", "ready_notice"),
        ("medication_list", "ready_notice"),
        ("medical_responsibility", "discharge"),
    ]
    assert version.payment.cutoff == time(12, 0)
    assert (version.payment.start_days_before_cutoff, version.payment.start_days_after_cutoff) == (
        3,
        4,
    )
    assert version.payment.counting == "days_after_notice"
    assert version.payment.amounts_sek[2019] == 7800
    assert version.payment.amounts_sek[2022] == 9300
    assert version.notice_recipients[PlanningCategory.C] == (UnitKind.SOCIAL_SERVICES,)
    assert "Finns en befintlig SIP?" in [q.text for q in version.planning.questions]


def test_storstad_is_a_different_model() -> None:
    version = get_agreement("storstad").versions[0]
    assert version.planning.codes == ("gra", "bla", "gron", "gul", "rod")
    assert version.planning.locked_colours == ("rod",)
    ack = version.deadlines.acknowledgement
    assert (ack.amount, ack.unit, ack.at_end_of_day) == (2, "working_days", True)
    assert version.payment.counting == "calendar_days_including_day_zero"
    assert version.notice_recipients[PlanningCategory.C] == (
        UnitKind.PRIMARY_CARE,
        UnitKind.SOCIAL_SERVICES,
    )


@pytest.mark.parametrize("county", ["gavleborg", "storstad"])
def test_every_colour_meets_wcag_aa(county: str) -> None:
    for colour in get_agreement(county).versions[0].planning.colours:
        assert contrast_ratio(colour.text_colour, colour.hex) >= 4.5, colour.code


@pytest.mark.parametrize("county", ["gavleborg", "storstad"])
def test_a_version_round_trips_through_json_as_stored_in_the_database(county: str) -> None:
    version = get_agreement(county).versions[0]
    stored = json.dumps(version.model_dump(mode="json"), sort_keys=True)
    assert AgreementVersion.model_validate_json(stored) == version


def test_stored_version_with_a_foreign_version_id_is_refused() -> None:
    content = get_agreement("gavleborg").versions[0].model_dump(mode="json")
    content["version_id"] = "gavleborg@2020-01-01"
    with pytest.raises(ValueError, match="ska vara 'gavleborg@2024-01-01'"):
        AgreementVersion.model_validate(content)


def test_contrast_ratio_extremes() -> None:
    assert contrast_ratio("#000000", "#ffffff") == pytest.approx(21.0)
    assert contrast_ratio("#777777", "#777777") == pytest.approx(1.0)


def test_loading_is_cached_and_unknown_county_is_an_error() -> None:
    assert load_agreements() is load_agreements()
    assert get_agreement("gavleborg") is load_agreements()["gavleborg"]
    with pytest.raises(AgreementError, match=r"ingen överenskommelse för 'halland' \(finns: "):
        get_agreement("halland")


def test_unit_kinds_match_the_directory() -> None:
    try:
        from samplan.directory.models import UnitKind as DirectoryUnitKind
    except Exception as error:  # Django not configured: the app layer is not there to compare
        pytest.skip(f"directory app not importable: {error}")
    assert {k.value for k in UnitKind} <= {k.value for k in DirectoryUnitKind}


# --- Broken files -----------------------------------------------------------------------------

V = "gavleborg.toml: versions[2024-01-01]"


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (
            'admission_notice = { amount = 24, unit = "hours" }',
            'admission_notice = { amount = -1, unit = "hours" }',
            f"{V}.deadlines.admission_notice.amount: måste vara ett positivt heltal",
        ),
        (
            'admission_notice = { amount = 24, unit = "hours" }',
            'admission_notice = { amount = 0, unit = "hours" }',
            f"{V}.deadlines.admission_notice.amount: måste vara ett positivt heltal (0 betyder",
        ),
        (
            'admission_notice = { amount = 24, unit = "hours" }',
            'admission_notice = { amount = "24", unit = "hours" }',
            f"{V}.deadlines.admission_notice.amount: måste vara ett heltal",
        ),
        (
            'admission_notice = { amount = 24, unit = "hours" }',
            'admission_notice = { amount = 24, unit = "weeks" }',
            f"{V}.deadlines.admission_notice.unit: måste vara en av: 'hours', 'calendar_days' "
            "or 'working_days'",
        ),
        (
            'admission_notice = { amount = 24, unit = "hours" }',
            'admission_notice = { amount = 24, unit = "hours", at_end_of_day = true }',
            f"{V}.deadlines.admission_notice.at_end_of_day: kan bara användas med dagar",
        ),
        (
            'admission_notice = { amount = 24, unit = "hours" }\n',
            "",
            f"{V}.deadlines.admission_notice: saknas",
        ),
        (
            "discharge_notice = {",
            "discharge_notce = { amount = 1, unit = 'hours' }\ndischarge_notice = {",
            f"{V}.deadlines.discharge_notce: okänd nyckel",
        ),
        (
            'code = "gul"\n',
            'code = "gul"\ntext = "x"\n',
            f"{V}.planning.colours[2].text: okänd nyckel",
        ),
        (
            'text_colour = "#1b1f24"',
            'text_colour = "#ffffff"',
            f"{V}.planning.colours[2].text_colour: kontrasten mot #f5c400 är 1.6",
        ),
        (
            'hex = "#b3261e"',
            'hex = "red"',
            f"{V}.planning.colours[3].hex: har fel format",
        ),
        (
            'colour = "gul"\n',
            'colour = "lila"\n',
            f"{V}.planning.rules[1].colour: okänd färg 'lila' (finns: bla, gron, gul, rod)",
        ),
        (
            '{ question = "nya_insatser", answer = "yes" }',
            '{ question = "nya_insatsr", answer = "yes" }',
            f"{V}.planning.rules[1].when_any[0].question: okänd fråga 'nya_insatsr'",
        ),
        (
            '{ question = "boende", answer = "korttid" }',
            '{ question = "boende", answer = "hotell" }',
            f"{V}.planning.rules[1].when_any[1].answer: okänt svar 'hotell'",
        ),
        (
            'default_colour = "gron"',
            'default_colour = "svart"',
            f"{V}.planning.default_colour: okänd färg 'svart'",
        ),
        (
            "locked_colours = []",
            'locked_colours = ["rosa"]',
            f"{V}.planning.locked_colours[0]: okänd färg 'rosa'",
        ),
        (
            'id = "hjalpmedel"',
            'id = "lakemedel"',
            f"{V}.home_ready_checklist[5]: id 'lakemedel' förekommer flera gånger",
        ),
        (
            'C = ["social_services"]\n',
            "",
            f"{V}.notice_recipients: saknar kategori C",
        ),
        (
            "A = []",
            'A = ["primary_care"]',
            f"{V}.notice_recipients.A: kategori A omfattas inte av lagen",
        ),
        (
            'C = ["social_services"]',
            'C = ["social_work"]',
            f"{V}.notice_recipients.C[0]: måste vara en av: 'inpatient_ward'",
        ),
        (
            "cutoff = 12:00:00",
            'cutoff = "lunch"',
            f"{V}.payment.cutoff: måste vara ett klockslag",
        ),
        (
            "start_days_after_cutoff = 4",
            "start_days_after_cutoff = 2",
            f"{V}.payment.start_days_after_cutoff: får inte vara mindre än",
        ),
        (
            "2026 = 10900",
            "2026 = 0",
            f"{V}.payment.amounts_sek.2026: måste vara större än 0",
        ),
        (
            "valid_from = 2024-01-01\n",
            "valid_from = 2024-01-01\nvalid_to = 2023-12-31\n",
            f"{V}.valid_to: kan inte vara före valid_from",
        ),
        (
            'county = "Exempellän"\n',
            "",
            "gavleborg.toml: county: saknas",
        ),
        (
            'county = "Exempellän"\n',
            "county = 5\n",
            "gavleborg.toml: county: måste vara en text",
        ),
        (
            "valid_from = 2024-01-01\n",
            "valid_from = 2024-01-01\nversion_id = 'x'\n",
            f"{V}.version_id: sätts automatiskt och får inte anges",
        ),
    ],
)
def test_broken_file_names_file_and_field(tmp_path: Path, old: str, new: str, message: str) -> None:
    path = write(tmp_path, edited(old, new))
    with pytest.raises(AgreementError) as caught:
        load_agreement_file(path)
    assert str(caught.value).startswith(message), str(caught.value)


def test_several_errors_are_all_listed(tmp_path: Path) -> None:
    text = edited('hex = "#b3261e"', 'hex = "red"')
    text = edited("2026 = 10900", "2026 = -5", text)
    with pytest.raises(AgreementError) as caught:
        load_agreement_file(write(tmp_path, text))
    assert str(caught.value).splitlines() == [
        "gavleborg.toml: 2 fel:",
        f"  {V[len('gavleborg.toml: ') :]}.planning.colours[3].hex: har fel format (små bokstäver "
        "a–z, siffror och _; färger #rrggbb)",
        f"  {V[len('gavleborg.toml: ') :]}.payment.amounts_sek.2026: måste vara större än 0",
    ]


def test_invalid_toml_and_file_name(tmp_path: Path) -> None:
    with pytest.raises(AgreementError, match=r"^gavleborg\.toml: ogiltig TOML: "):
        load_agreement_file(write(tmp_path, "county = \n"))
    with pytest.raises(AgreementError, match=r"^stockholm-like\.toml: filnamnet ska vara"):
        load_agreement_file(write(tmp_path, SHIPPED, name="stockholm-like.toml"))


def test_empty_directory_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(AgreementError, match="inga överenskommelser"):
        load_agreements(tmp_path)


# --- Versions ---------------------------------------------------------------------------------


def test_overlapping_versions_are_refused(tmp_path: Path) -> None:
    path = write(tmp_path, two_versions("2026-06-01", first_valid_to="2026-06-01"))
    with pytest.raises(AgreementError) as caught:
        load_agreement_file(path)
    assert str(caught.value) == (
        "gavleborg.toml: versions[2026-06-01].valid_from: versionen från 2026-06-01 överlappar "
        "versionen från 2024-01-01 (som måste ha valid_to före 2026-06-01)"
    )


def test_an_open_ended_earlier_version_overlaps(tmp_path: Path) -> None:
    with pytest.raises(AgreementError, match=r"versions\[2026-06-01\]\.valid_from: .*överlappar"):
        load_agreement_file(write(tmp_path, two_versions("2026-06-01", first_valid_to=None)))


def test_versions_must_be_in_date_order(tmp_path: Path) -> None:
    text = two_versions("2023-01-01", first_valid_to="2024-06-30")
    with pytest.raises(AgreementError, match=r"versions\[2023-01-01\]\.valid_from: .*datumordning"):
        load_agreement_file(write(tmp_path, text))


def test_version_in_force_is_chosen_by_the_stockholm_date(tmp_path: Path) -> None:
    agreement = load_agreement_file(
        write(tmp_path, two_versions("2026-06-01", first_valid_to="2026-05-31"))
    )
    assert [v.version_id for v in agreement.versions] == [
        "gavleborg@2024-01-01",
        "gavleborg@2026-06-01",
    ]
    assert [v.valid_to for v in agreement.versions] == [date(2026, 5, 31), None]
    # 2026-05-31 22:30 UTC is 2026-06-01 00:30 in Stockholm (CEST, +02:00).
    assert version_in_force(
        agreement, datetime(2026, 5, 31, 21, 59, 59, tzinfo=UTC)
    ).version_id == ("gavleborg@2024-01-01")
    assert version_in_force(agreement, datetime(2026, 5, 31, 22, 0, tzinfo=UTC)).version_id == (
        "gavleborg@2026-06-01"
    )
    last_of_old = datetime(2026, 5, 31, 23, 59, 59, 999999, tzinfo=STOCKHOLM)
    assert version_in_force(agreement.versions, last_of_old).version_id == "gavleborg@2024-01-01"


def test_no_version_before_the_first_and_naive_times_are_refused() -> None:
    agreement = get_agreement("gavleborg")
    with pytest.raises(NoVersionInForce, match="ingen version gällde 2023-12-31"):
        version_in_force(agreement, datetime(2023, 12, 31, 23, 59, tzinfo=STOCKHOLM))
    with pytest.raises(NaiveDatetimeError):
        version_in_force(agreement, datetime(2026, 3, 1, 12, 0))


def test_gap_between_versions_has_no_version(tmp_path: Path) -> None:
    agreement = load_agreement_file(
        write(tmp_path, two_versions("2026-06-01", first_valid_to="2026-04-30"))
    )
    with pytest.raises(NoVersionInForce, match="2026-05-15"):
        version_in_force(agreement, datetime(2026, 5, 15, 12, 0, tzinfo=STOCKHOLM))


def test_a_directory_is_read_again_only_when_a_file_changes(tmp_path: Path) -> None:
    path = write(tmp_path, SHIPPED)
    first = load_agreements(tmp_path)
    assert list(first) == ["gavleborg"]
    assert load_agreements(tmp_path) is first  # cached while nothing changed
    # Publishing a version: the loader sees the changed file without a restart.
    write(tmp_path, two_versions("2026-06-01", first_valid_to="2026-05-31"))
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))
    assert len(load_agreements(tmp_path)["gavleborg"].versions) == 2
    # A new county's file is found too; clearing the cache reads everything again.
    write(tmp_path, SHIPPED.replace("Exempellän", "Nylän"), name="nylan.toml")
    assert sorted(load_agreements(tmp_path)) == ["gavleborg", "nylan"]
    cached = load_agreements(tmp_path)
    clear_cache()
    assert load_agreements(tmp_path) is not cached
