"""The privilege decisions on the back-office page (core.lists): searched, filtered, sorted, paged; admins only."""

import html
import re

import pytest
from django.urls import reverse

from sites.models import Privilege
from sites.privileges import privilege_decide, privilege_request
from sites.roles import Role
from tests.factories import AgentFactory, MdsFactory, agent_with_role

pytestmark = pytest.mark.django_db

ROW = re.compile(r'<th scope="row"[^>]*>\s*<a href="[^"]*">([^<]*)</a>')


def _agents(response) -> list[str]:
    assert response.status_code == 200
    page = response.content.decode()
    body = page[page.index("<tbody>", page.index("list-caption")) : page.rindex("</tbody>")]
    return [html.unescape(name) for name in ROW.findall(body)]


@pytest.fixture
def admins():
    return agent_with_role(Role.ADMIN, is_staff=True), agent_with_role(Role.ADMIN, is_staff=True)


def _decided(admins, last_name: str, privilege: str, *, approve: bool, reason: str = "astreinte"):
    first, second = admins
    agent = AgentFactory(first_name="Agent", last_name=last_name)
    grant = privilege_request(agent=agent, privilege=privilege, by=first, reason=reason)
    return privilege_decide(grant=grant, by=second, approve=approve)


def test_the_decisions_sort_search_and_filter(admins, signed_in):
    _decided(admins, "Bernard", Privilege.LEGAL_REQUISITION, approve=True, reason="réquisition 12")
    _decided(admins, "Aubert", Privilege.SUPERUSER, approve=False)
    _decided(admins, "Chevalier", Privilege.LEGAL_REQUISITION, approve=False)
    waiting = privilege_request(agent=AgentFactory(last_name="Dupont"), privilege=Privilege.ADMIN, by=admins[0],
                                reason="renfort")  # fmt: skip
    client = signed_in(admins[1])
    url = reverse("sites:privilege_grants")
    page = client.get(url)
    assert _agents(page) == ["Agent Chevalier", "Agent Aubert", "Agent Bernard"]  # the latest decision first
    assert str(waiting.agent) in page.content.decode()  # the pending request, in its own table above
    assert _agents(client.get(url, {"sort": "agent"})) == ["Agent Aubert", "Agent Bernard", "Agent Chevalier"]
    assert _agents(client.get(url, {"sort": "-agent"})) == ["Agent Chevalier", "Agent Bernard", "Agent Aubert"]
    assert _agents(client.get(url, {"q": "réquisition"})) == ["Agent Bernard"]
    assert _agents(client.get(url, {"status": "refused"})) == ["Agent Chevalier", "Agent Aubert"]
    assert _agents(client.get(url, {"privilege": Privilege.SUPERUSER})) == ["Agent Aubert"]
    paged = client.get(url, {"sort": "agent", "per_page": 1, "page": 2, "status": "refused"})
    assert _agents(paged) == ["Agent Chevalier"]  # the second page of the refusals, sorted by agent
    second = client.get(url, {"sort": "agent", "per_page": 2, "page": 2})
    assert _agents(second) == ["Agent Chevalier"]


def test_only_administrators_open_the_decisions_and_they_see_the_whole_departement(admins, signed_in, client):
    mds = MdsFactory()
    _decided(admins, "Bernard", Privilege.LEGAL_REQUISITION, approve=True)
    for role in (Role.MDS_MANAGER, Role.OPS, Role.PROGRAMME):
        client.logout()
        agent = agent_with_role(role, mds if role == Role.MDS_MANAGER else None)
        response = signed_in(agent).get(reverse("sites:privilege_grants"), {"q": "Bernard"})
        assert response.status_code == 403
        assert "Bernard" not in response.content.decode()
    client.logout()
    assert _agents(signed_in(admins[0]).get(reverse("sites:privilege_grants"))) == ["Agent Bernard"]
