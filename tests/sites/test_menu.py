"""The back-office menu offers each agent exactly the pages that open for them: no link that ends in a 403."""

import re

import pytest
from django.urls import reverse

from sites.roles import PER_MDS_ROLES, Role
from tests.factories import AgentFactory, MdsFactory, SiteFactory, agent_with_role

pytestmark = pytest.mark.django_db


def _menu(client) -> dict[str, str]:
    html = client.get(reverse("sites:dashboard")).content.decode()
    nav = re.search(r'<nav class="site-nav".*?</nav>', html, re.S).group(0)
    return {
        label.strip(): url
        for url, label in re.findall(r'<a class="site-nav__link" href="([^"]+)"[^>]*>([^<]+)</a>', nav)
    }


def _agents():
    mds = MdsFactory()
    SiteFactory(mds=mds)
    agents = {role.value: agent_with_role(role, mds if role in PER_MDS_ROLES else None) for role in Role}
    agents["superuser without a role"] = AgentFactory(is_staff=True, is_superuser=True)
    return agents


@pytest.mark.parametrize("who", [*(role.value for role in Role), "superuser without a role"])
def test_every_menu_link_opens(who, signed_in):
    client = signed_in(_agents()[who])
    menu = _menu(client)
    assert menu, "every agent has at least the dashboard"
    for label, url in menu.items():
        assert client.get(url).status_code == 200, f"{who}: « {label} » ({url})"


def test_the_legal_log_is_offered_to_the_officer_only_not_to_a_superuser(signed_in):
    """Before: a superuser without the requisition role saw "Journal des connexions" and got a 403."""
    agents = _agents()
    assert "Journal des connexions" not in _menu(signed_in(agents["superuser without a role"]))
    assert "Journal des connexions" in _menu(signed_in(agents[Role.LEGAL_REQUISITION.value]))


def test_the_admin_is_linked_for_staff_only(signed_in):
    agents = _agents()
    assert _menu(signed_in(agents["superuser without a role"]))["Administration"] == reverse("admin:index")
    assert "Administration" not in _menu(signed_in(agents[Role.MDS_MANAGER.value]))
