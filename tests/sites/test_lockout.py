import pytest
from axes.models import AccessAttempt

from sites.roles import Role
from tests.factories import PASSWORD, agent_with_role

pytestmark = pytest.mark.django_db

LOGIN = "/backoffice/login/"
LOCKED_TEXT = "Trop de tentatives"


def _attempt(client, username, password, address):
    return client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=address)


def _signed_in(client) -> bool:
    return "_auth_user_id" in client.session


def test_a_lock_on_an_address_holds_whatever_the_case_the_address_is_typed_in(client, settings):
    """After five wrong passwords for rec@, REC@ with the right password is refused too."""
    agent_with_role(Role.OPS, email="rec@departement.test")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _attempt(client, "rec@departement.test", "guess", "203.0.113.9")
    response = _attempt(client, "  REC@Departement.TEST ", PASSWORD, "203.0.113.9")
    assert response.status_code == 429
    assert LOCKED_TEXT in response.content.decode()
    assert not _signed_in(client)


def test_guesses_spread_over_casings_count_against_one_account(client, settings):
    """Twenty guesses over five spellings of the address lock the account, with one counter."""
    agent_with_role(Role.OPS, email="rec@departement.test")
    casings = [
        "rec@departement.test",
        "REC@departement.test",
        "Rec@Departement.test",
        "rEc@DEPARTEMENT.TEST",
        " rec@departement.test",
    ]
    statuses = [_attempt(client, casings[i % 5], "guess", "203.0.113.9").status_code for i in range(20)]
    assert 429 in statuses
    assert set(AccessAttempt.objects.values_list("username", flat=True)) == {"rec@departement.test"}
    assert _attempt(client, "rec@departement.test", PASSWORD, "203.0.113.9").status_code == 429


def test_guesses_from_many_addresses_lock_the_account_everywhere(client, settings):
    """Credential stuffing: a few guesses from each of many addresses locks the account on every address."""
    agent_with_role(Role.OPS, email="rec@departement.test")
    below_per_address = settings.AXES_FAILURE_LIMIT - 1
    address = 0
    failures = 0
    while failures < settings.AXES_ACCOUNT_FAILURE_LIMIT:
        address += 1
        for _ in range(below_per_address):
            _attempt(client, "rec@departement.test", "guess", f"198.51.100.{address}")
            failures += 1
    response = _attempt(client, "rec@departement.test", PASSWORD, "192.0.2.77")  # a fresh address
    assert response.status_code == 429
    assert LOCKED_TEXT in response.content.decode()
    assert not _signed_in(client)


def test_fewer_guesses_than_the_account_limit_spread_over_addresses_lock_nothing(client, settings):
    """Below both limits the right password still signs the agent in from a new address."""
    agent_with_role(Role.OPS, email="rec@departement.test")
    for address in range(3):
        for _ in range(settings.AXES_FAILURE_LIMIT - 1):
            _attempt(client, "rec@departement.test", "guess", f"198.51.100.{address}")
    response = _attempt(client, "rec@departement.test", PASSWORD, "192.0.2.77")
    assert response.status_code == 302
    assert _signed_in(client)


def test_the_account_limit_locks_only_that_account(client, settings):
    """A colleague signs in from an address that took part in stuffing against someone else."""
    agent_with_role(Role.OPS, email="rec@departement.test")
    agent_with_role(Role.OPS, email="colleague@departement.test")
    for address in range(settings.AXES_ACCOUNT_FAILURE_LIMIT):
        _attempt(client, "rec@departement.test", "guess", f"198.51.100.{address}")
    response = _attempt(client, "colleague@departement.test", PASSWORD, "198.51.100.1")
    assert response.status_code == 302


def test_choosing_a_new_password_through_the_emailed_link_lifts_the_lock(client, settings):
    """Locked by strangers' guesses, the agent resets their password and signs in at once."""
    from django.contrib.auth.tokens import default_token_generator
    from django.urls import reverse
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    agent = agent_with_role(Role.OPS, email="rec@departement.test")
    for address in range(settings.AXES_ACCOUNT_FAILURE_LIMIT):
        _attempt(client, "rec@departement.test", "guess", f"198.51.100.{address}")
    assert _attempt(client, "rec@departement.test", PASSWORD, "192.0.2.77").status_code == 429

    uid = urlsafe_base64_encode(force_bytes(agent.pk))
    link = reverse("sites:password_reset_confirm", args=[uid, default_token_generator.make_token(agent)])
    form_page = client.get(link, follow=True).redirect_chain[-1][0]
    new = "Une phrase de passe toute neuve 42"
    client.post(form_page, {"new_password1": new, "new_password2": new})
    assert _attempt(client, "rec@departement.test", new, "192.0.2.77").status_code == 302
    assert _signed_in(client)
