import re
import time

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.core import mail
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from sites.roles import PER_MDS_ROLES, Role
from tests.factories import PASSWORD, AgentFactory, MdsFactory, agent_with_role
from tests.support import wait_until

pytestmark = pytest.mark.django_db

LOGIN = "/backoffice/login/"


def _code(device: TOTPDevice) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():0{device.digits}d}"


def _signed_in(client) -> bool:
    return "_auth_user_id" in client.session


def test_an_agent_signs_in_with_their_email_in_any_case(client):
    agent = agent_with_role(Role.OPS, email="tech@departement.test")
    response = client.post(LOGIN, {"username": "TECH@departement.test", "password": PASSWORD})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(agent.pk)


def test_a_wrong_password_says_so_and_signs_nobody_in(client):
    agent_with_role(Role.OPS, email="tech@departement.test")
    response = client.post(LOGIN, {"username": "tech@departement.test", "password": "wrong"})
    assert response.status_code == 200
    assert not _signed_in(client)


def test_repeated_failures_lock_the_account_even_for_the_right_password(client, settings):
    agent_with_role(Role.OPS, email="tech@departement.test")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(LOGIN, {"username": "tech@departement.test", "password": "guess"}, REMOTE_ADDR="203.0.113.9")
    response = client.post(
        LOGIN, {"username": "tech@departement.test", "password": PASSWORD}, REMOTE_ADDR="203.0.113.9"
    )
    assert response.status_code in (403, 429)
    assert not _signed_in(client)


def test_a_lockout_is_per_account_and_address_so_colleagues_still_sign_in(client, settings):
    agent_with_role(Role.OPS, email="tech@departement.test")
    agent_with_role(Role.OPS, email="colleague@departement.test")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(LOGIN, {"username": "tech@departement.test", "password": "guess"}, REMOTE_ADDR="203.0.113.9")
    response = client.post(
        LOGIN, {"username": "colleague@departement.test", "password": PASSWORD}, REMOTE_ADDR="203.0.113.9"
    )
    assert response.status_code == 302
    assert _signed_in(client)


_EVERY_ROLE = [(role, role in PER_MDS_ROLES) for role in Role]


@pytest.mark.parametrize(("role", "per_mds"), _EVERY_ROLE, ids=[role.value for role in Role])
def test_every_role_must_pass_the_second_factor_before_the_back_office_or_the_admin(client, role, per_mds):
    """Ops, programme and finance too: a password alone opens no back-office or admin page."""
    agent_with_role(role, MdsFactory() if per_mds else None, email="agent@departement.test", is_staff=True)
    client.post(LOGIN, {"username": "agent@departement.test", "password": PASSWORD})
    assert _signed_in(client)
    for path in ("/backoffice/", "/admin/", reverse("sites:password_change")):
        response = client.get(path)
        assert response.status_code == 302, path
        assert response["Location"].startswith(reverse("sites:two_factor")), path


def test_an_agent_without_any_role_must_pass_the_second_factor_too(client):
    """An account with no membership yet is held at the second factor like everyone else."""
    AgentFactory(email="new@departement.test")
    client.post(LOGIN, {"username": "new@departement.test", "password": PASSWORD})
    assert client.get("/backoffice/")["Location"].startswith(reverse("sites:two_factor"))


def test_the_session_key_changes_when_the_second_factor_succeeds(client):
    """A session key seen before the second factor never becomes a fully signed-in session."""
    agent = agent_with_role(Role.OPS, email="tech@departement.test")
    device = TOTPDevice.objects.create(user=agent, name="default", confirmed=True)
    client.post(LOGIN, {"username": "tech@departement.test", "password": PASSWORD})
    key_after_password = client.session.session_key
    client.post(reverse("sites:two_factor"), {"otp_token": _code(device)})
    assert client.session.session_key != key_after_password
    assert client.get("/backoffice/").status_code == 200
    assert not SessionStore(session_key=key_after_password).exists(key_after_password)


def test_a_first_sign_in_enrols_an_authenticator_then_lets_the_agent_in(client, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0  # django-otp makes a person wait 1 s after a wrong code
    agent = agent_with_role(Role.RECEPTION, MdsFactory(), email="agent@departement.test")
    client.post(LOGIN, {"username": "agent@departement.test", "password": PASSWORD})

    page = client.get(reverse("sites:two_factor")).content.decode()
    assert re.search(r"<svg|data:image/svg", page), "the QR code to scan is on the page"
    device = TOTPDevice.objects.get(user=agent)
    assert not device.confirmed

    client.post(reverse("sites:two_factor"), {"otp_token": "000000" if _code(device) != "000000" else "111111"})
    device.refresh_from_db()
    assert not device.confirmed
    assert client.get("/backoffice/").status_code == 302

    response = client.post(reverse("sites:two_factor"), {"otp_token": _code(device)})
    assert response.status_code == 200  # the backup codes, shown once
    device.refresh_from_db()
    assert device.confirmed
    assert client.get("/backoffice/").status_code == 200


def test_an_enrolled_agent_types_the_current_code(client):
    agent = agent_with_role(Role.RECEPTION, MdsFactory(), email="agent@departement.test")
    device = TOTPDevice.objects.create(user=agent, name="default", confirmed=True)
    client.post(LOGIN, {"username": "agent@departement.test", "password": PASSWORD})
    response = client.post(f"{reverse('sites:two_factor')}?next=/backoffice/", {"otp_token": _code(device)})
    assert response["Location"] == "/backoffice/"
    assert client.get("/backoffice/").status_code == 200


def test_the_second_factor_page_does_not_redirect_elsewhere(client):
    agent = agent_with_role(Role.RECEPTION, MdsFactory(), email="agent@departement.test")
    device = TOTPDevice.objects.create(user=agent, name="default", confirmed=True)
    client.post(LOGIN, {"username": "agent@departement.test", "password": PASSWORD})
    response = client.post(f"{reverse('sites:two_factor')}?next=https://evil.example/", {"otp_token": _code(device)})
    assert response.status_code == 302
    assert not response["Location"].startswith(("http", "//"))


def test_the_admin_needs_staff_status_and_the_second_factor(client, signed_in):
    staff = AgentFactory(is_staff=True, is_superuser=True, email="admin@departement.test")
    client.post(LOGIN, {"username": "admin@departement.test", "password": PASSWORD})
    response = client.get("/admin/")
    assert response.status_code == 302
    assert reverse("sites:two_factor") in response["Location"]

    assert signed_in(staff).get("/admin/").status_code == 200


def test_a_verified_agent_who_is_not_staff_cannot_open_the_admin(signed_in):
    agent = agent_with_role(Role.MDS_MANAGER, MdsFactory())
    response = signed_in(agent).get("/admin/", follow=True)
    assert response.status_code == 403


@pytest.mark.django_db(transaction=True)
def test_password_reset_emails_a_link_to_a_known_agent_only_through_the_worker(client, celery_worker):
    agent_with_role(Role.OPS, email="tech@departement.test")
    known = client.post(reverse("sites:password_reset"), {"email": "tech@departement.test"})
    unknown = client.post(reverse("sites:password_reset"), {"email": "nobody@departement.test"})
    assert known.status_code == unknown.status_code == 302  # the page does not reveal who has an account
    assert wait_until(lambda: mail.outbox)
    time.sleep(0.3)  # a second, wrong, email would have arrived by now
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["tech@departement.test"]
    assert "/backoffice/password-reset/" in mail.outbox[0].body
