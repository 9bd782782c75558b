"""A work list shows names and personnummer: each person it shows is a read of their data.

The staff work list (Att göra: the cases' obligations, the ward's utskrivningsklara patients,
SIP and SVPL items), the SIP list and the API work lists write one READ entry per person shown,
for the list (not a case), in one batch per request; nobody they do not show is logged; the hash
chain holds; a protected identity is flagged; the log review shows a list view as one row.
"""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from samplan.audit.models import AccessAction, AccessLogEntry, AccessPurpose
from samplan.audit.services import Actor, ListRead
from samplan.audit.verification import verify_chain
from samplan.directory.models import Membership, Role
from samplan.discharge import services as discharge_services
from samplan.people.models import Person
from samplan.psychiatry.tests.helpers import PsychCounty, make_psych_county, psych_case, save
from samplan.psychiatry.tests.helpers import start as svpl_start
from samplan.sip import services as sip_services
from samplan.sip.models import NeedLevel
from samplan.testing.api import ApiClient
from samplan.testing.county import County, admit, record_conversation, send_admission_notice
from samplan.testing.factories import make_staff, sign_in
from samplan.testing.sip import start_outpatient_sip

pytestmark = pytest.mark.django_db


@pytest.fixture
def pc() -> PsychCounty:
    return make_psych_county()


def notified_case(county: County, person: Person, *units) -> None:
    stay = admit(county, person)
    record_conversation(county, stay)
    if units:
        discharge_services.admission_notice_send(
            acting=county.acting(county.ward_nurse),
            stay=stay,
            recipients=list(units),
            estimated_discharge=stay.admitted_at + timedelta(days=5),
        )
    else:
        send_admission_notice(county, stay)


@pytest.fixture
def lists(pc: PsychCounty) -> dict[str, Person]:
    """What the vårdcentral's lists hold, by the person's role in them."""
    c = pc.county
    in_case = c.person(protected=True)
    notified_case(c, in_case)  # the vårdcentral must acknowledge and assess
    quiet_sip = c.person()
    sip_services.sip_start(
        acting=c.acting(c.primary_care_nurse),
        person=quiet_sip,
        need_level=NeedLevel.NONE,  # on the SIP list, nothing to do: not on Att göra
    )
    flagged_sip = c.person()
    start_outpatient_sip(c, flagged_sip)  # its kallelse is due
    svpl = c.person()
    plan = svpl_start(pc, psych_case(pc, svpl))
    save(pc, plan)  # complete: the vårdcentral is to approve it
    elsewhere = c.person()
    notified_case(c, elsewhere, c.social_services)  # the vårdcentral is no party
    return {
        "in_case": in_case,
        "quiet_sip": quiet_sip,
        "flagged_sip": flagged_sip,
        "svpl": svpl,
        "elsewhere": elsewhere,
    }


def new_entries(since: int, list_id: str) -> list[AccessLogEntry]:
    return list(
        AccessLogEntry.objects.filter(pk__gt=since, object_type=f"list:{list_id}").order_by("pk")
    )


def last_id() -> int:
    entry = AccessLogEntry.objects.order_by("-pk").first()
    return entry.pk if entry else 0


def one_batch(entries: list[AccessLogEntry], membership: Membership) -> None:
    """Written together: one moment, consecutive ids, by the member for their unit, as reads."""
    assert len({e.at for e in entries}) == 1
    ids = [e.pk for e in entries]
    assert ids == list(range(ids[0], ids[0] + len(ids)))
    for entry in entries:
        assert (entry.user_id, entry.unit_id, entry.action, entry.purpose) == (
            membership.user_id,
            membership.unit_id,
            AccessAction.READ,
            AccessPurpose.CARE_COORDINATION,
        )
        assert entry.object_id == ""


def test_att_gora_logs_each_person_it_shows_once_in_one_batch(
    pc: PsychCounty, lists: dict[str, Person]
) -> None:
    nurse = pc.county.primary_care_nurse
    client = sign_in(Client(), nurse)
    since = last_id()
    page = client.get(reverse("discharge:worklist")).content.decode()

    entries = new_entries(since, "discharge.worklist")
    one_batch(entries, nurse)
    by_person = {e.person_id: e for e in entries}
    assert len(by_person) == len(entries)  # once, whichever sections showed them
    shown = {lists[k].pk for k in ("in_case", "flagged_sip", "svpl")}
    assert set(by_person) == shown
    for person in (lists["quiet_sip"], lists["elsewhere"]):
        assert person.full_name not in page
    assert lists["svpl"].full_name in page
    assert by_person[lists["in_case"].pk].detail == "Att göra: ärenden"
    assert by_person[lists["flagged_sip"].pk].detail == "Att göra: SIP"
    assert by_person[lists["svpl"].pk].detail == "Att göra: ärenden, SVPL"
    # A protected identity shown in a list is flagged as every access to them is.
    assert [e.person_id for e in entries if e.protected_identity] == [lists["in_case"].pk]
    # Nothing else was logged by the page: the list is the only read.
    assert (
        not AccessLogEntry.objects.filter(pk__gt=since)
        .exclude(object_type="list:discharge.worklist")
        .exists()
    )
    assert verify_chain().intact
    out = StringIO()
    call_command("verify_access_log", stdout=out)
    assert "obruten" in out.getvalue()


def test_the_wards_waiting_patients_are_logged_as_shown(pc: PsychCounty) -> None:
    c = pc.county
    person = c.person()
    stay = admit(c, person)
    record_conversation(c, stay)
    send_admission_notice(c, stay)
    discharge_services.ready_notice_send(
        acting=c.acting(c.physician), stay=stay, physician="Lars Läkare"
    )
    since = last_id()
    client = sign_in(Client(), c.ward_nurse)
    page = client.get(reverse("discharge:worklist")).content.decode()
    assert "Utskrivningsklara patienter som väntar" in page
    [entry] = new_entries(since, "discharge.worklist")
    assert entry.person_id == person.pk
    assert entry.detail == "Att göra: ärenden, utskrivningsklara som väntar"


def test_the_sip_list_logs_every_sip_it_shows(pc: PsychCounty, lists: dict[str, Person]) -> None:
    nurse = pc.county.primary_care_nurse
    client = sign_in(Client(), nurse)
    since = last_id()
    assert client.get(reverse("sip:worklist")).status_code == 200
    entries = new_entries(since, "sip.worklist")
    one_batch(entries, nurse)
    assert {e.person_id for e in entries} == {lists["quiet_sip"].pk, lists["flagged_sip"].pk}
    assert {e.detail for e in entries} == {"SIP-listan"}


@pytest.mark.parametrize(
    ("path", "list_id", "shown"),
    [
        ("/stays/worklist", "discharge.worklist", ("in_case", "svpl")),
        ("/sip/worklist", "sip.worklist", ("quiet_sip", "flagged_sip")),
        ("/svpl/worklist", "psychiatry.worklist", ("svpl",)),
    ],
)
def test_the_api_work_lists_log_each_person_they_return(
    pc: PsychCounty, lists: dict[str, Person], path: str, list_id: str, shown: tuple[str, ...]
) -> None:
    nurse = pc.county.primary_care_nurse
    api = ApiClient(nurse)
    since = last_id()
    returned = api.get(path)
    assert returned
    entries = new_entries(since, list_id)
    one_batch(entries, nurse)
    assert sorted(e.person_id for e in entries) == sorted(lists[k].pk for k in shown)
    assert all(e.detail.endswith("(API)") for e in entries)
    assert verify_chain().intact


def test_an_empty_list_logs_nothing(pc: PsychCounty) -> None:
    client = sign_in(Client(), pc.county.needs_assessor)
    since = last_id()
    assert "Inget att göra just nu." in client.get(reverse("discharge:worklist")).content.decode()
    assert not AccessLogEntry.objects.filter(pk__gt=since).exists()


def test_a_list_read_is_written_once() -> None:
    member = make_staff(role=Role.NURSE_COORDINATOR)
    actor = Actor(member.user_id, member.user.username, member.unit_id, member.unit.hsa_id, None)
    shown = ListRead(actor=actor, list_id="test.list", title="Test")
    shown.write()
    with pytest.raises(RuntimeError):
        shown.write()
    with pytest.raises(RuntimeError):
        shown.add([])


def test_the_log_review_shows_a_list_view_as_one_row(
    pc: PsychCounty, lists: dict[str, Person]
) -> None:
    nurse = pc.county.primary_care_nurse
    staff = sign_in(Client(), nurse)
    staff.get(reverse("discharge:worklist"))
    person_id = lists["in_case"].public_id
    staff.get(reverse("people:detail", kwargs={"public_id": person_id}))

    reviewer = sign_in(Client(), make_staff(role=Role.LOG_REVIEWER))
    page = reviewer.get("/logg/", {"username": nurse.user.username}).content.decode()
    assert page.count("Läsning i lista") == 1
    assert "3 personer i listan" in page
    assert "Lista: Att göra" in page
    assert "1 med skyddad identitet" in page
    for key in ("in_case", "flagged_sip", "svpl"):
        assert lists[key].full_name in page
    # Opening the person is its own row, not a list view.
    assert "people.Person" in page
    # Searching for one person shows their list entry, labelled as such.
    page = reviewer.get("/logg/", {"identifier": lists["svpl"].identifier}).content.decode()
    assert "Läsning i lista" in page
    assert "Att göra: ärenden, SVPL" in page
