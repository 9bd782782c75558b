"""A citizen's session: 30 idle minutes end it, as for every session; and it ends 8 hours after
signing in however active the person is, with a message saying so. The portal's forms work with
Django's CSRF check enforced."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.urls import reverse

from samplan.portal.tests.conftest import citizen_client
from samplan.portal.tests.scenes import full_case
from samplan.testing.county import County

pytestmark = pytest.mark.django_db

START = datetime(2026, 3, 10, 7, 0, tzinfo=ZoneInfo("Europe/Stockholm"))


def signed_in(client: Client, url: str) -> bool:
    response = client.get(url)
    if response.status_code == 302 and response["Location"] == reverse("portal:sign_in"):
        return False
    assert response.status_code == 200, response.content.decode()[:2000]
    return True


def test_thirty_idle_minutes_end_a_citizen_session(county: County, time_machine) -> None:
    time_machine.move_to(START, tick=False)
    person = county.person()
    url = reverse("portal:overview", kwargs={"person_id": person.public_id})
    client = citizen_client(person.identifier)
    assert signed_in(client, url)
    time_machine.move_to(START + timedelta(minutes=29))
    assert signed_in(client, url)  # every request renews the idle time
    time_machine.move_to(START + timedelta(minutes=58))
    assert signed_in(client, url)
    time_machine.move_to(START + timedelta(minutes=89))
    assert not signed_in(client, url)


def test_a_citizen_is_signed_out_eight_hours_after_signing_in(county: County, time_machine) -> None:
    time_machine.move_to(START, tick=False)
    person = county.person()
    url = reverse("portal:overview", kwargs={"person_id": person.public_id})
    client = citizen_client(person.identifier)
    at = START
    while at < START + timedelta(hours=8) - timedelta(minutes=20):
        at += timedelta(minutes=20)
        time_machine.move_to(at)
        assert signed_in(client, url), at
    time_machine.move_to(START + timedelta(hours=8, seconds=1))
    assert not signed_in(client, url)
    html = client.get(reverse("portal:sign_in")).content.decode()
    assert "Du har varit inloggad i 8 timmar. Därför har vi loggat ut dig." in html
    assert not signed_in(client, url)  # and stays signed out


def test_a_portal_form_is_accepted_with_its_csrf_token_only(county: County) -> None:
    person = county.person()
    stay = full_case(county, person).stay
    client = citizen_client(person.identifier)
    client.handler.enforce_csrf_checks = True
    url = reverse(
        "portal:stay_wishes", kwargs={"person_id": person.public_id, "stay_id": stay.public_id}
    )
    form = client.get(url).content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form)
    assert token, "the form carries its CSRF token"

    refused = client.post(url, {"important": "Utan token"})
    assert refused.status_code == 403
    assert "Sidan var öppen för länge" in refused.content.decode()
    accepted = client.post(url, {"important": "Med token", "csrfmiddlewaretoken": token.group(1)})
    assert accepted.status_code == 302
    assert [s.text for s in stay.person_statements.all()] == ["Med token"]
