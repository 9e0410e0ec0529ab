"""Mon compte: every agent sees who the platform thinks they are, their roles and their last sign-ins."""

import pytest
from axes.models import AccessLog
from django.test import Client
from django.urls import reverse
from django.utils.html import escape

from sites.roles import PER_MDS_ROLES, Role
from tests.conftest import sign_in
from tests.factories import PASSWORD, MdsFactory, agent_with_role

pytestmark = pytest.mark.django_db

LOGIN = "/backoffice/login/"


def test_every_page_of_the_back_office_links_to_my_account(signed_in):
    """The agent's name in the header opens Mon compte."""
    html = signed_in(agent_with_role(Role.OPS)).get(reverse("sites:dashboard")).content.decode()
    assert f'href="{reverse("sites:account")}"' in html


@pytest.mark.parametrize("role", list(Role))
def test_my_account_shows_my_name_address_mds_and_roles_whatever_my_role(role, signed_in):
    """Every role reaches the page; it lists each role held, with its MDS or "all MDS"."""
    mds = MdsFactory(name="Istres") if role in PER_MDS_ROLES else None
    agent = agent_with_role(role, mds, first_name="Sacha", last_name="Martin", email="sacha.martin@departement.test")
    response = signed_in(agent).get(reverse("sites:account"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Sacha Martin" in html
    assert "sacha.martin@departement.test" in html
    assert escape(str(role.label)) in html
    assert ("Istres" if mds else "toutes les MDS") in html


def test_my_last_sign_ins_are_the_ones_django_axes_recorded_and_only_mine(settings):
    """Signing in through the form leaves an entry; a colleague's sign-ins never show on my page."""
    myself = agent_with_role(Role.OPS, email="moi@departement.test")
    agent_with_role(Role.OPS, email="collegue@departement.test")
    colleague = Client(REMOTE_ADDR="198.51.100.77", HTTP_USER_AGENT="Navigateur du collègue")
    assert colleague.post(LOGIN, {"username": "collegue@departement.test", "password": PASSWORD}).status_code == 302
    me = Client(REMOTE_ADDR="203.0.113.5", HTTP_USER_AGENT="Firefox de test")
    assert me.post(LOGIN, {"username": "Moi@departement.test", "password": PASSWORD}).status_code == 302
    sign_in(me, myself)  # the second factor, which every account passes before its pages

    html = me.get(reverse("sites:account")).content.decode()
    assert "203.0.113.5" in html
    assert "Firefox de test" in html
    assert "198.51.100.77" not in html
    assert "Navigateur du collègue" not in html


def test_an_agent_whose_sign_ins_were_purged_reads_that_nothing_is_recorded(signed_in):
    """No empty table: a sentence says there is nothing (the purge keeps sign-ins six months)."""
    client = signed_in(agent_with_role(Role.FINANCE))
    AccessLog.objects.all().delete()
    html = client.get(reverse("sites:account")).content.decode()
    assert "Aucune connexion enregistrée" in html


def test_my_account_needs_signing_in(client):
    """An anonymous visitor is sent to the sign-in page."""
    response = client.get(reverse("sites:account"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("sites:login"))


def test_my_account_links_to_the_security_pages(signed_in):
    """Changing the password, the authenticator and the backup codes are one click away, and each link opens."""
    client = signed_in(agent_with_role(Role.OPS))
    html = client.get(reverse("sites:account")).content.decode()
    for name in ("password_change", "authenticator_replace", "backup_codes"):
        url = reverse(f"sites:{name}")
        assert f'href="{url}"' in html
        assert client.get(url).status_code == 200


def test_a_sign_in_without_a_user_agent_shows_a_dash_not_django_axes_placeholder():
    """django-axes records "<unknown>" when a browser sends no User-Agent: the Browser column says "—"."""
    agent = agent_with_role(Role.OPS, email="moi@departement.test")
    client = Client(REMOTE_ADDR="203.0.113.5")
    assert client.post(LOGIN, {"username": "moi@departement.test", "password": PASSWORD}).status_code == 302
    assert AccessLog.objects.get().user_agent == "<unknown>"
    sign_in(client, agent)

    html = client.get(reverse("sites:account")).content.decode()
    assert "203.0.113.5" in html
    assert "&lt;unknown&gt;" not in html and "<unknown>" not in html
    assert "<td>—</td>" in html
