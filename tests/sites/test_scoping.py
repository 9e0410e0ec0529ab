import pytest
from django.contrib.auth.models import AnonymousUser

from sites.models import Mds, Membership, Site, Zone
from sites.roles import Role
from tests.factories import AgentFactory, MdsFactory, SiteFactory, ZoneFactory, agent_with_role

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_mds():
    a, b = MdsFactory(name="MDS A"), MdsFactory(name="MDS B")
    ZoneFactory(site=SiteFactory(mds=a))
    ZoneFactory(site=SiteFactory(mds=b))
    return a, b


@pytest.mark.parametrize("role", [Role.RECEPTION, Role.SOCIAL_WORKER, Role.MEDIATOR, Role.MDS_MANAGER])
def test_a_per_mds_agent_sees_only_their_mds(two_mds, role):
    a, _b = two_mds
    agent = agent_with_role(role, a)
    assert list(Mds.objects.visible_to(agent)) == [a]
    assert {s.mds for s in Site.objects.visible_to(agent)} == {a}
    assert {z.site.mds for z in Zone.objects.visible_to(agent)} == {a}


@pytest.mark.parametrize("role", [Role.PROGRAMME, Role.FINANCE, Role.OPS, Role.LEGAL_REQUISITION, Role.ADMIN])
def test_a_departement_wide_agent_sees_every_mds(two_mds, role):
    agent = agent_with_role(role)
    assert set(Mds.objects.visible_to(agent)) == set(two_mds)


def test_an_agent_of_two_mds_sees_both_and_no_other(two_mds):
    a, _b = two_mds
    c = MdsFactory()
    agent = agent_with_role(Role.SOCIAL_WORKER, a)
    Membership.objects.create(agent=agent, role=Role.MEDIATOR, mds=c)
    assert set(Mds.objects.visible_to(agent)) == {a, c}


@pytest.mark.parametrize(
    "who",
    [
        pytest.param(lambda: None, id="no-agent"),  # a task or a command, with nobody signed in
        pytest.param(lambda: AnonymousUser(), id="anonymous"),
        pytest.param(lambda: AgentFactory(), id="no-membership"),
        pytest.param(lambda: agent_with_role(Role.PROGRAMME, is_active=False), id="inactive"),
        pytest.param(lambda: agent_with_role(Role.SOCIAL_WORKER, MdsFactory(), is_active=False), id="inactive-per-mds"),
    ],
)
def test_nobody_else_sees_anything(two_mds, who):
    assert not Mds.objects.visible_to(who()).exists()
    assert not Zone.objects.visible_to(who()).exists()


def test_a_manager_may_edit_their_mds_only(two_mds):
    a, b = two_mds
    manager = agent_with_role(Role.MDS_MANAGER, a)
    site_a, site_b = a.sites.get(), b.sites.get()
    assert manager.has_perm("mds_sites.change_site", site_a)
    assert not manager.has_perm("mds_sites.change_site", site_b)
    assert manager.has_perm("mds_sites.change_mds", a)
    assert not manager.has_perm("mds_sites.change_mds", b)


def test_a_reception_agent_may_read_but_not_edit(two_mds):
    a, _b = two_mds
    reception = agent_with_role(Role.RECEPTION, a)
    assert reception.has_perm("mds_sites.view_site", a.sites.get())
    assert not reception.has_perm("mds_sites.change_site", a.sites.get())
    assert not reception.has_perm("mds_sites.change_mds", a)


def test_ops_may_edit_premises_of_every_mds_but_not_the_mds_record(two_mds):
    a, b = two_mds
    ops = agent_with_role(Role.OPS)
    assert ops.has_perm("mds_sites.add_zone", b.sites.get())
    assert not ops.has_perm("mds_sites.change_mds", a)


def test_visible_to_costs_one_query(two_mds, django_assert_num_queries):
    a, _b = two_mds
    agent = agent_with_role(Role.RECEPTION, a)
    agent = type(agent).objects.get(pk=agent.pk)
    with django_assert_num_queries(2):  # the agent's memberships, then the scoped rows with a subquery
        list(Site.objects.visible_to(agent))
