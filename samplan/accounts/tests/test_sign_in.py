from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from samplan.directory.models import Membership, Role
from samplan.testing.factories import (
    PASSWORD,
    current_totp,
    make_staff,
    make_unit,
    sign_in,
)

pytestmark = pytest.mark.django_db


def password_step(client, membership, password=PASSWORD, next_url=""):
    url = "/logga-in/" + (f"?next={next_url}" if next_url else "")
    return client.post(url, {"username": membership.user.username, "password": password})


def test_password_then_totp_signs_in_and_sets_the_only_unit(client) -> None:
    membership = make_staff(role=Role.PHYSICIAN)
    response = password_step(client, membership)
    assert response["Location"] == "/logga-in/kod/"
    # Password alone is not enough to reach anything.
    assert client.get("/")["Location"].startswith("/logga-in/")
    response = client.post("/logga-in/kod/", {"code": current_totp(membership.user)})
    assert response["Location"] == "/"
    page = client.get("/").content.decode()
    assert f"<strong>{membership.unit.name}</strong>" in page
    assert "Läkare" in page


def test_wrong_password_is_refused_in_swedish(client) -> None:
    membership = make_staff()
    response = password_step(client, membership, password="fel-lösenord")
    assert response.status_code == 200
    assert "Fel användarnamn eller lösenord." in response.content.decode()


def test_wrong_totp_code_is_refused(client) -> None:
    membership = make_staff()
    password_step(client, membership)
    good = current_totp(membership.user)
    wrong = f"{(int(good) + 1) % 1_000_000:06d}"
    response = client.post("/logga-in/kod/", {"code": wrong})
    assert "Koden stämmer inte." in response.content.decode()
    assert client.get("/")["Location"].startswith("/logga-in/")


def test_malformed_totp_code_is_explained(client) -> None:
    membership = make_staff()
    password_step(client, membership)
    response = client.post("/logga-in/kod/", {"code": "12ab"})
    assert "Koden ska bestå av sex siffror." in response.content.decode()


def test_account_locks_after_five_failures(client) -> None:
    membership = make_staff()
    for _ in range(5):
        password_step(client, membership, password="fel-lösenord")
    response = password_step(client, membership)  # even the right password now
    assert response.status_code == 429
    assert "Kontot är tillfälligt låst" in response.content.decode()


def test_first_sign_in_enrols_an_authenticator(client) -> None:
    membership = make_staff(totp_device=False)
    response = password_step(client, membership)
    assert client.get(response["Location"])["Location"] == "/logga-in/koppla-app/"
    page = client.get("/logga-in/koppla-app/").content.decode()
    assert "data:image/svg+xml" in page
    device = TOTPDevice.objects.get(user=membership.user, confirmed=False)
    from django_otp.oath import totp

    code = f"{totp(device.bin_key, device.step, device.t0, device.digits):06d}"
    response = client.post("/logga-in/koppla-app/", {"code": code})
    assert response["Location"] == "/"
    assert TOTPDevice.objects.get(user=membership.user).confirmed


def test_pending_sign_in_expires(client) -> None:
    membership = make_staff()
    password_step(client, membership)
    with time_machine.travel(timezone.now() + timedelta(minutes=6)):
        response = client.post("/logga-in/kod/", {"code": current_totp(membership.user)})
    assert response["Location"] == "/logga-in/"


def test_user_with_two_memberships_chooses_unit(client) -> None:
    first = make_staff(role=Role.NURSE_COORDINATOR)
    second = Membership.objects.create(
        user=first.user, unit=make_unit(name="Vårdcentralen Norr"), role=Role.NURSE_COORDINATOR
    )
    password_step(client, first, next_url="/personer/")
    response = client.post("/logga-in/kod/", {"code": current_totp(first.user)})
    assert response["Location"].startswith("/valj-enhet/")
    page = client.get(response["Location"]).content.decode()
    assert first.unit.name in page
    assert "Vårdcentralen Norr" in page
    response = client.post("/valj-enhet/?next=/personer/", {"membership": second.pk})
    assert response["Location"] == "/personer/"
    assert "<strong>Vårdcentralen Norr</strong>" in client.get("/").content.decode()


def test_cannot_choose_someone_elses_membership(client) -> None:
    mine = make_staff()
    other = make_staff()
    sign_in(client, mine)
    response = client.post("/valj-enhet/", {"membership": other.pk})
    assert response.status_code == 200
    assert f"<strong>{mine.unit.name}</strong>" in client.get("/").content.decode()


def test_open_redirect_is_refused(client) -> None:
    membership = make_staff()
    password_step(client, membership, next_url="https://evil.example/")
    response = client.post("/logga-in/kod/", {"code": current_totp(membership.user)})
    assert response["Location"] == "/"


def test_deactivated_membership_stops_working_at_once(client) -> None:
    membership = make_staff()
    sign_in(client, membership)
    assert client.get("/").status_code == 200
    Membership.objects.filter(pk=membership.pk).update(is_active=False)
    assert client.get("/")["Location"].startswith("/valj-enhet/")


def test_session_expires_after_thirty_idle_minutes(client) -> None:
    membership = make_staff()
    sign_in(client, membership)
    with time_machine.travel(timezone.now() + timedelta(minutes=29)):
        assert client.get("/").status_code == 200  # activity renews the session
    with time_machine.travel(timezone.now() + timedelta(minutes=29 + 29)):
        assert client.get("/").status_code == 200
    with time_machine.travel(timezone.now() + timedelta(minutes=29 + 29 + 31)):
        assert client.get("/")["Location"].startswith("/logga-in/")


def test_sign_out(client) -> None:
    sign_in(client, make_staff())
    assert client.post("/logga-ut/")["Location"] == "/logga-in/"
    assert client.get("/")["Location"].startswith("/logga-in/")


def test_pages_send_security_headers(client) -> None:
    response = client.get("/logga-in/")
    assert "script-src 'self'" in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"
    assert response["Cache-Control"] == "no-store"
