"""The agents pages of the back-office: list, search, sort, edit, deactivate, roles, audit."""

import pytest
from auditlog.context import set_extra_data
from auditlog.models import LogEntry
from django.urls import reverse

from sites import services
from sites.models import Agent, Membership
from sites.roles import Role
from tests.factories import AgentFactory, MdsFactory, SiteFactory, agent_with_role

pytestmark = pytest.mark.django_db


@pytest.fixture
def alpha():
    return MdsFactory(name="Alpha")


@pytest.fixture
def bravo():
    return MdsFactory(name="Bravo")


def _names(response) -> str:
    """The rows of the list's table (the page's menus and filters name roles and the signed-in agent too)."""
    html = response.content.decode()
    return html[html.index("<tbody>") : html.index("</tbody>")] if "<tbody>" in html else ""


def test_the_menu_shows_agents_to_managers_and_not_to_reception_agents(alpha, signed_in, client):
    """The entry leads MDS managers to their agents; agents without that right do not see it."""
    agents_url = reverse("sites:agent_list")
    assert agents_url in signed_in(agent_with_role(Role.MDS_MANAGER, alpha)).get("/backoffice/").content.decode()
    client.logout()
    assert agents_url not in signed_in(agent_with_role(Role.RECEPTION, alpha)).get("/backoffice/").content.decode()


def test_a_manager_lists_the_agents_of_their_mds_only_and_only_their_roles_there(alpha, bravo, signed_in):
    """An agent of both MDS is listed with the Alpha role; nothing says what they do at Bravo."""
    both = agent_with_role(Role.MEDIATOR, alpha, last_name="Partout")
    Membership.objects.create(agent=both, role=Role.SOCIAL_WORKER, mds=bravo)
    agent_with_role(Role.RECEPTION, bravo, last_name="Ailleurs")
    html = _names(signed_in(agent_with_role(Role.MDS_MANAGER, alpha)).get(reverse("sites:agent_list")))
    assert "Partout" in html
    assert "Médiateur numérique" in html
    assert "Ailleurs" not in html
    assert "Bravo" not in html
    assert "Travailleur social" not in html


def test_the_list_searches_by_name_or_email_and_filters_by_role(alpha, signed_in):
    """Typing part of a name or an address finds the agent; the role filter keeps only its holders."""
    agent_with_role(Role.RECEPTION, alpha, last_name="Martin", email="c.martin@departement.test")
    agent_with_role(Role.MEDIATOR, alpha, last_name="Durand", email="p.durand@departement.test")
    client = signed_in(agent_with_role(Role.PROGRAMME, last_name="Chef"))
    url = reverse("sites:agent_list")
    html = _names(client.get(url, {"q": "mart"}))
    assert "Martin" in html and "Durand" not in html
    html = _names(client.get(url, {"q": "P.DURAND@"}))
    assert "Durand" in html and "Martin" not in html
    html = _names(client.get(url, {"role": "mediator"}))
    assert "Durand" in html and "Martin" not in html


def test_the_list_sorts_by_name_both_ways_and_by_last_sign_in(alpha, signed_in):
    """Clicking a column header sorts by it; clicking again reverses."""
    agent_with_role(Role.RECEPTION, alpha, last_name="Aubert")
    agent_with_role(Role.RECEPTION, alpha, last_name="Zidane")
    client = signed_in(agent_with_role(Role.MDS_MANAGER, alpha, last_name="Moreau"))
    url = reverse("sites:agent_list")
    html = _names(client.get(url))
    assert html.index("Aubert") < html.index("Moreau") < html.index("Zidane")
    html = _names(client.get(url, {"sort": "-name"}))
    assert html.index("Zidane") < html.index("Moreau") < html.index("Aubert")
    assert 'aria-sort="descending"' in client.get(url, {"sort": "-name"}).content.decode()
    html = _names(client.get(url, {"sort": "-last_login"}))  # only the manager has signed in
    assert html.index("Moreau") < html.index("Aubert")


def test_deactivated_agents_leave_the_list_but_stay_one_filter_away(alpha, signed_in):
    """The default list shows active agents; "Deactivated" shows the others, whose history remains."""
    agent_with_role(Role.RECEPTION, alpha, last_name="Parti", is_active=False)
    client = signed_in(agent_with_role(Role.MDS_MANAGER, alpha))
    assert "Parti" not in _names(client.get(reverse("sites:agent_list")))
    assert "Parti" in _names(client.get(reverse("sites:agent_list"), {"status": "inactive"}))


@pytest.mark.parametrize("count", [3, 60])
def test_the_list_costs_the_same_queries_for_few_or_many_agents(count, alpha, signed_in, django_assert_max_num_queries):
    """One query for the agents and one for their roles, whatever their number (no query per row)."""
    for _ in range(count):
        agent_with_role(Role.RECEPTION, alpha)
    client = signed_in(agent_with_role(Role.MDS_MANAGER, alpha))
    with django_assert_max_num_queries(10):
        response = client.get(reverse("sites:agent_list"))
    assert response.status_code == 200


def test_reception_agents_ops_and_finance_cannot_open_the_agents_pages(alpha, signed_in, client):
    """Only managers, programme staff and administrators read the list of agents."""
    target = agent_with_role(Role.RECEPTION, alpha)
    for role, mds in ((Role.RECEPTION, alpha), (Role.OPS, None), (Role.FINANCE, None)):
        c = signed_in(agent_with_role(role, mds))
        assert c.get(reverse("sites:agent_list")).status_code == 403
        assert c.get(reverse("sites:agent_detail", kwargs={"pk": target.pk})).status_code == 403
        client.logout()


def test_a_manager_corrects_an_agents_name_and_address_and_the_audit_names_them(alpha, signed_in):
    """The change is saved (address lower-cased) and the audit trail says who made it."""
    target = agent_with_role(Role.RECEPTION, alpha, email="old@departement.test")
    manager = agent_with_role(Role.MDS_MANAGER, alpha)
    response = signed_in(manager).post(
        reverse("sites:agent_edit", kwargs={"pk": target.pk}),
        {"first_name": "Claude", "last_name": "Nouveau", "email": "Claude.Nouveau@Departement.test"},
    )
    assert response.status_code == 302
    target.refresh_from_db()
    assert (target.first_name, target.last_name) == ("Claude", "Nouveau")
    assert target.email == "claude.nouveau@departement.test"
    entry = LogEntry.objects.get_for_object(target).filter(action=LogEntry.Action.UPDATE).latest("timestamp")
    assert entry.actor == manager
    assert entry.changes_dict["email"] == ["old@departement.test", "claude.nouveau@departement.test"]


def test_an_address_already_used_is_refused_whatever_its_case(alpha, signed_in):
    """Two agents never share an address: the form says so and nothing changes."""
    AgentFactory(email="taken@departement.test")
    target = agent_with_role(Role.RECEPTION, alpha, email="mine@departement.test")
    client = signed_in(agent_with_role(Role.MDS_MANAGER, alpha))
    response = client.post(
        reverse("sites:agent_edit", kwargs={"pk": target.pk}),
        {"first_name": "A", "last_name": "B", "email": "TAKEN@departement.test"},
    )
    assert response.status_code == 200
    assert "Un agent a déjà cette adresse" in response.content.decode()
    target.refresh_from_db()
    assert target.email == "mine@departement.test"
    response = client.post(
        reverse("sites:agent_create"),
        {"email": "Taken@Departement.test", "first_name": "A", "last_name": "B", "role": "reception", "mds": alpha.pk},
    )
    assert response.status_code == 200
    assert Agent.objects.filter(email__iexact="taken@departement.test").count() == 1


def test_deactivating_asks_first_then_keeps_the_agent_their_roles_and_their_history(alpha, signed_in):
    """Nothing is deleted: the row, the roles and the audit entries stay; the agent can no longer sign in."""
    target = agent_with_role(Role.RECEPTION, alpha)
    manager = agent_with_role(Role.MDS_MANAGER, alpha)
    client = signed_in(manager)
    url = reverse("sites:agent_deactivate", kwargs={"pk": target.pk})
    assert client.get(url).status_code == 200
    target.refresh_from_db()
    assert target.is_active
    assert client.post(url).status_code == 302
    target.refresh_from_db()
    assert not target.is_active
    assert target.memberships.filter(role=Role.RECEPTION, mds=alpha).exists()
    entry = LogEntry.objects.get_for_object(target).filter(action=LogEntry.Action.UPDATE).latest("timestamp")
    assert entry.actor == manager
    assert entry.changes_dict["is_active"] == ["True", "False"]

    response = client.post(reverse("sites:agent_reactivate", kwargs={"pk": target.pk}))
    assert response.status_code == 302
    target.refresh_from_db()
    assert target.is_active


def test_a_deactivated_agent_is_signed_out_at_their_next_request(alpha, client, signed_in):
    """Their open session stops working: the next page asks them to sign in."""
    target = agent_with_role(Role.RECEPTION, alpha)
    signed_in(target)
    assert client.get("/backoffice/").status_code == 200
    services.agent_deactivate(actor=agent_with_role(Role.PROGRAMME), agent=target)
    response = client.get("/backoffice/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("sites:login"))


def test_a_manager_cannot_touch_a_colleague_who_also_works_in_another_mds(alpha, bravo, signed_in):
    """Their Alpha role may be taken back, but not their name, address or account, which Bravo shares."""
    both = agent_with_role(Role.RECEPTION, alpha, last_name="Partage")
    Membership.objects.create(agent=both, role=Role.RECEPTION, mds=bravo)
    client = signed_in(agent_with_role(Role.MDS_MANAGER, alpha))
    page = client.get(reverse("sites:agent_detail", kwargs={"pk": both.pk})).content.decode()
    assert reverse("sites:agent_edit", kwargs={"pk": both.pk}) not in page
    assert "Bravo" not in page
    assert client.post(reverse("sites:agent_deactivate", kwargs={"pk": both.pk})).status_code == 403
    assert client.post(reverse("sites:agent_edit", kwargs={"pk": both.pk}), {"last_name": "X"}).status_code == 403
    both.refresh_from_db()
    assert both.is_active and both.last_name == "Partage"

    alpha_role = both.memberships.get(mds=alpha)
    assert client.post(reverse("sites:membership_revoke", kwargs={"pk": alpha_role.pk})).status_code == 302
    assert list(both.memberships.values_list("mds__name", flat=True)) == ["Bravo"]


def test_programme_staff_cannot_reach_an_administrator_or_a_legal_requisition_officer(signed_in):
    """One changes only the accounts whose every role one could have given."""
    client = signed_in(agent_with_role(Role.PROGRAMME))
    for role in (Role.ADMIN, Role.LEGAL_REQUISITION):
        target = agent_with_role(role)
        assert client.post(reverse("sites:agent_deactivate", kwargs={"pk": target.pk})).status_code == 403
        target.refresh_from_db()
        assert target.is_active


def test_nobody_changes_their_own_roles_or_deactivates_themselves(alpha, signed_in):
    """A manager cannot make themselves more, nor remove their own access by mistake."""
    manager = agent_with_role(Role.MDS_MANAGER, alpha)
    client = signed_in(manager)
    own = manager.memberships.get()
    assert client.post(reverse("sites:membership_revoke", kwargs={"pk": own.pk})).status_code == 403
    grant = reverse("sites:membership_grant", kwargs={"pk": manager.pk})
    response = client.post(grant, {"role": "mediator", "mds": alpha.pk})
    assert response.status_code == 403
    assert client.post(reverse("sites:agent_deactivate", kwargs={"pk": manager.pk})).status_code == 403
    manager.refresh_from_db()
    assert manager.is_active
    assert list(manager.memberships.values_list("role", flat=True)) == ["mds_manager"]


def test_even_an_administrator_gives_neither_the_legal_requisition_role_nor_touches_a_superuser(signed_in):
    """Those go through the server command and a second person (see the sign-in hardening)."""
    admin = agent_with_role(Role.ADMIN)
    target = agent_with_role(Role.PROGRAMME)
    superuser = AgentFactory(is_superuser=True, is_staff=True)
    client = signed_in(admin)
    page = client.get(reverse("sites:agent_detail", kwargs={"pk": target.pk})).content.decode()
    assert 'value="legal_requisition"' not in page
    client.post(reverse("sites:membership_grant", kwargs={"pk": target.pk}), {"role": "legal_requisition", "mds": ""})
    assert not target.memberships.filter(role=Role.LEGAL_REQUISITION).exists()
    assert client.post(reverse("sites:agent_deactivate", kwargs={"pk": superuser.pk})).status_code == 403
    superuser.refresh_from_db()
    assert superuser.is_active


def test_giving_a_role_records_who_gave_it_to_whom(alpha, signed_in):
    """The audit entry of the new membership names the manager as actor and the agent who got it."""
    target = agent_with_role(Role.RECEPTION, alpha, email="reception@departement.test")
    manager = agent_with_role(Role.MDS_MANAGER, alpha)
    response = signed_in(manager).post(
        reverse("sites:membership_grant", kwargs={"pk": target.pk}), {"role": "mediator", "mds": alpha.pk}
    )
    assert response.status_code == 302
    membership = target.memberships.get(role=Role.MEDIATOR)
    entry = LogEntry.objects.get_for_object(membership).get()
    assert entry.action == LogEntry.Action.CREATE
    assert entry.actor == manager
    assert entry.changes_dict["agent"][1] in (str(target.pk), str(target))
    assert entry.changes_dict["role"] == ["None", "mediator"]


def test_taking_a_role_back_leaves_its_trace_in_the_audit_trail(alpha, signed_in):
    """The membership row goes; the audit entry of its deletion says who held it and who took it back."""
    target = agent_with_role(Role.MEDIATOR, alpha)
    membership = target.memberships.get()
    manager = agent_with_role(Role.MDS_MANAGER, alpha)
    signed_in(manager).post(reverse("sites:membership_revoke", kwargs={"pk": membership.pk}))
    assert not Membership.objects.filter(pk=membership.pk).exists()
    entry = LogEntry.objects.get_for_object(membership).get(action=LogEntry.Action.DELETE)
    assert entry.actor == manager
    assert str(target) in entry.object_repr


def test_a_role_already_held_is_said_so_and_not_duplicated(alpha, signed_in):
    """Giving twice the same role at the same MDS changes nothing and explains why."""
    target = agent_with_role(Role.MEDIATOR, alpha)
    response = signed_in(agent_with_role(Role.MDS_MANAGER, alpha)).post(
        reverse("sites:membership_grant", kwargs={"pk": target.pk}), {"role": "mediator", "mds": alpha.pk}
    )
    assert response.status_code == 200
    assert "Cet agent a déjà ce rôle" in response.content.decode()
    assert target.memberships.count() == 1


def test_a_per_mds_role_without_an_mds_is_refused_with_a_message(alpha, signed_in):
    """Programme staff must say where a reception role is held."""
    target = agent_with_role(Role.MEDIATOR, alpha)
    response = signed_in(agent_with_role(Role.PROGRAMME)).post(
        reverse("sites:membership_grant", kwargs={"pk": target.pk}), {"role": "reception", "mds": ""}
    )
    assert response.status_code == 200
    assert target.memberships.count() == 1


def test_a_service_names_its_actor_and_leaves_the_requests_own_context_as_it_was():
    """Inside: the service's actor and the request's address; after: the request's actor again."""
    mds = MdsFactory()
    requester, target = agent_with_role(Role.PROGRAMME), agent_with_role(Role.RECEPTION, mds)
    with set_extra_data({"actor": requester, "remote_addr": "192.0.2.10"}):
        services.agent_deactivate(actor=requester, agent=target)
        site = SiteFactory(mds=mds)
    deactivation = LogEntry.objects.get_for_object(target).filter(action=LogEntry.Action.UPDATE).get()
    assert (deactivation.actor, deactivation.remote_addr) == (requester, "192.0.2.10")
    assert LogEntry.objects.get_for_object(site).get().actor == requester


def test_a_service_called_outside_a_request_still_names_its_actor():
    """A command or a test calling the service directly leaves the same audit entry as the page."""
    mds = MdsFactory()
    manager, target = agent_with_role(Role.MDS_MANAGER, mds), agent_with_role(Role.RECEPTION, mds)
    membership = services.membership_grant(actor=manager, agent=target, role=Role.MEDIATOR, mds=mds)
    assert LogEntry.objects.get_for_object(membership).get().actor == manager
