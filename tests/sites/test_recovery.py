"""Backup codes, replacing one's authenticator, changing one's password, and an administrator's reset."""

import re
import time

import pytest
from auditlog.models import LogEntry
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from sites import two_factor
from sites.roles import Role
from tests.factories import PASSWORD, AgentFactory, MdsFactory, agent_with_role
from tests.support import wait_until

pytestmark = pytest.mark.django_db

LOGIN = "/backoffice/login/"


@pytest.fixture(autouse=True)
def _no_wait_after_a_wrong_code(settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    settings.OTP_STATIC_THROTTLE_FACTOR = 0


def _code(device: TOTPDevice) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():0{device.digits}d}"


def _codes_on(page: str) -> list[str]:
    return re.findall(r"<li><code>([a-z2-7]{8})</code></li>", page)


def _password_only(client, email):
    client.post(LOGIN, {"username": email, "password": PASSWORD})
    assert "_auth_user_id" in client.session


def test_enrolment_shows_ten_backup_codes_once_and_one_of_them_opens_the_next_session(client):
    """The codes appear in the answer to the first code, never again, and each works once at the 2FA step."""
    agent = agent_with_role(Role.RECEPTION, MdsFactory(), email="agent@departement.test")
    _password_only(client, "agent@departement.test")
    client.get(reverse("sites:two_factor"))
    device = TOTPDevice.objects.get(user=agent)
    page = client.post(reverse("sites:two_factor"), {"otp_token": _code(device)}).content.decode()
    codes = _codes_on(page)
    assert len(codes) == 10
    assert sorted(StaticToken.objects.filter(device__user=agent).values_list("token", flat=True)) == sorted(codes)
    assert not _codes_on(client.get(reverse("sites:backup_codes")).content.decode())

    client.post("/backoffice/logout/")
    _password_only(client, "agent@departement.test")
    response = client.post(reverse("sites:two_factor"), {"otp_token": codes[0].upper()})
    assert response.status_code == 302
    assert client.get("/backoffice/").status_code == 200
    assert StaticToken.objects.filter(device__user=agent).count() == 9

    client.post("/backoffice/logout/")
    _password_only(client, "agent@departement.test")
    client.post(reverse("sites:two_factor"), {"otp_token": codes[0]})
    assert client.get("/backoffice/").status_code == 302, "a used backup code does not work twice"


def test_new_backup_codes_need_the_current_code_and_replace_the_old_ones(signed_in):
    """Regenerating asks for the current second factor; the previous codes stop working."""
    agent = agent_with_role(Role.OPS)
    client = signed_in(agent)
    old = two_factor.backup_codes_issue(agent=agent)

    refused = client.post(reverse("sites:backup_codes"), {"otp_token": "123456"})
    assert refused.status_code == 200
    assert not _codes_on(refused.content.decode())
    assert sorted(StaticToken.objects.filter(device__user=agent).values_list("token", flat=True)) == sorted(old)

    device = TOTPDevice.objects.get(user=agent)
    page = client.post(reverse("sites:backup_codes"), {"otp_token": _code(device)}).content.decode()
    new = _codes_on(page)
    assert len(new) == 10
    assert set(StaticToken.objects.filter(device__user=agent).values_list("token", flat=True)) == set(new)
    assert not set(new) & set(old)


def test_an_agent_replaces_a_lost_phone_with_a_backup_code(signed_in):
    """Confirm with a backup code, scan the new app, type its code: the old authenticator no longer exists."""
    agent = agent_with_role(Role.OPS)
    client = signed_in(agent)
    old_device = TOTPDevice.objects.get(user=agent)
    codes = two_factor.backup_codes_issue(agent=agent)

    step_two = client.post(reverse("sites:authenticator_replace"), {"step": "confirm", "otp_token": codes[3]})
    assert "data:image/svg" in step_two.content.decode()
    new_device = TOTPDevice.objects.get(user=agent, confirmed=False)
    response = client.post(reverse("sites:authenticator_replace"), {"step": "enrol", "otp_token": _code(new_device)})
    assert response.status_code == 302
    assert list(TOTPDevice.objects.filter(user=agent)) == [new_device]
    assert not TOTPDevice.objects.filter(pk=old_device.pk).exists()
    assert client.get("/backoffice/").status_code == 200, "the session passed the new device"
    assert LogEntry.objects.filter(object_pk=str(agent.pk), changes__second_factor__1="totp_replaced").exists()


def test_replacing_the_authenticator_without_the_current_factor_enrols_nothing(signed_in):
    """A session alone (say, left open on a shared computer) cannot swap the authenticator."""
    agent = agent_with_role(Role.OPS)
    client = signed_in(agent)
    client.post(reverse("sites:authenticator_replace"), {"step": "confirm", "otp_token": "000000"})
    response = client.post(reverse("sites:authenticator_replace"), {"step": "enrol", "otp_token": "000000"})
    assert "data:image/svg" not in response.content.decode()
    assert TOTPDevice.objects.filter(user=agent, confirmed=False).count() == 0
    assert TOTPDevice.objects.filter(user=agent).count() == 1


@pytest.mark.parametrize(
    "path",
    [reverse("sites:two_factor"), reverse("sites:authenticator_replace"), reverse("sites:backup_codes")],
)
def test_a_password_alone_never_enrols_a_device_on_an_account_that_has_one(client, path):
    """With only the password, every page that could add a device asks for the existing one instead."""
    agent = agent_with_role(Role.OPS, email="tech@departement.test")
    TOTPDevice.objects.create(user=agent, name="default", confirmed=True)
    _password_only(client, "tech@departement.test")
    get = client.get(path, follow=True)
    post = client.post(path, {"step": "enrol", "otp_token": "123456"}, follow=True)
    for response in (get, post):
        assert "data:image/svg" not in response.content.decode()
    assert TOTPDevice.objects.filter(user=agent).count() == 1
    assert not StaticDevice.objects.filter(user=agent).exists()


def test_an_account_with_only_backup_codes_is_not_enrolled_again_by_a_password(client):
    """Backup codes count as a device: the password alone reaches the code form, not a QR code."""
    agent = agent_with_role(Role.OPS, email="tech@departement.test")
    two_factor.backup_codes_issue(agent=agent)
    _password_only(client, "tech@departement.test")
    page = client.get(reverse("sites:two_factor")).content.decode()
    assert "data:image/svg" not in page
    assert not TOTPDevice.objects.filter(user=agent).exists()


def test_a_password_change_needs_the_current_password(signed_in):
    """The wrong current password changes nothing; the right one changes it and keeps the agent signed in."""
    agent = agent_with_role(Role.OPS)
    client = signed_in(agent)
    new = "Une phrase de passe toute neuve 42"
    wrong = client.post(
        reverse("sites:password_change"),
        {"old_password": "not it", "new_password1": new, "new_password2": new},
    )
    assert wrong.status_code == 200
    agent.refresh_from_db()
    assert agent.check_password(PASSWORD)

    right = client.post(
        reverse("sites:password_change"),
        {"old_password": PASSWORD, "new_password1": new, "new_password2": new},
    )
    assert right.status_code == 302
    agent.refresh_from_db()
    assert agent.check_password(new)
    assert client.get("/backoffice/").status_code == 200


def _admin_reset(client, agent, reason):
    return client.post(
        reverse("admin:mds_sites_agent_changelist"),
        {"action": "reset_second_factor", "_selected_action": [agent.pk], "apply": "1", "reason": reason},
    )


@pytest.mark.django_db(transaction=True)
def test_an_administrator_resets_a_lost_phone_audited_and_the_agent_is_told_by_email(signed_in, celery_worker):
    """The admin action removes the devices, keeps who and why, and the agent's email goes through the worker."""
    admin = agent_with_role(Role.ADMIN, is_staff=True, email="admin@departement.test")
    agent = agent_with_role(Role.OPS, email="tech@departement.test")
    TOTPDevice.objects.create(user=agent, name="default", confirmed=True)
    two_factor.backup_codes_issue(agent=agent)
    client = signed_in(admin)

    page = client.post(
        reverse("admin:mds_sites_agent_changelist"), {"action": "reset_second_factor", "_selected_action": [agent.pk]}
    )
    assert "reason" in page.content.decode(), "the reason is asked first"
    assert TOTPDevice.objects.filter(user=agent).exists()

    _admin_reset(client, agent, "téléphone perdu, ticket 1234")
    assert not TOTPDevice.objects.filter(user=agent).exists()
    assert not StaticDevice.objects.filter(user=agent).exists()
    entry = LogEntry.objects.get(object_pk=str(agent.pk), changes__second_factor__1="second_factor_reset")
    assert entry.actor == admin
    assert entry.additional_data == {"reason": "téléphone perdu, ticket 1234"}

    assert wait_until(lambda: mail.outbox)
    assert [message.to for message in mail.outbox] == [["tech@departement.test"]]
    assert "ticket 1234" in mail.outbox[0].body


def test_nobody_resets_their_own_second_factor_nor_without_a_reason(signed_in):
    """Self-reset and a blank reason are refused; the devices stay."""
    admin = agent_with_role(Role.ADMIN, is_staff=True)
    other = agent_with_role(Role.OPS)
    TOTPDevice.objects.create(user=other, name="default", confirmed=True)
    client = signed_in(admin)
    _admin_reset(client, admin, "moi-même")
    _admin_reset(client, other, "   ")
    assert TOTPDevice.objects.filter(user=admin).exists()
    assert TOTPDevice.objects.filter(user=other).exists()
    assert not LogEntry.objects.filter(changes__second_factor__1="second_factor_reset").exists()


def test_staff_who_are_not_administrators_cannot_reset_a_second_factor(signed_in):
    """A staff agent with the right to change agents still lacks the reset action."""
    staff = agent_with_role(Role.PROGRAMME, is_staff=True)
    other = AgentFactory()
    TOTPDevice.objects.create(user=other, name="default", confirmed=True)
    client = signed_in(staff)
    client.get(reverse("admin:mds_sites_agent_changelist"))
    _admin_reset(client, other, "perdu")
    assert TOTPDevice.objects.filter(user=other).exists()


def test_the_replacement_service_itself_refuses_without_a_recent_proof_of_the_current_factor():
    """Whatever calls it (a page, a command, the admin): no proof, or one older than ten minutes, enrols nothing."""
    agent = agent_with_role(Role.OPS)
    old = TOTPDevice.objects.create(user=agent, name="default", confirmed=True)
    new = two_factor.totp_device_for_replacement(agent=agent)
    for proven_at in (None, time.time() - two_factor.REPLACEMENT_PROOF_SECONDS - 1):
        with pytest.raises(PermissionDenied):
            two_factor.totp_device_replace(agent=agent, device=new, proven_at=proven_at)
    assert TOTPDevice.objects.get(user=agent, confirmed=True) == old
    two_factor.totp_device_replace(agent=agent, device=new, proven_at=time.time())
    assert TOTPDevice.objects.get(user=agent, confirmed=True) == new
