"""Ops declare each site's egress networks in the back-office (and the admin), validated as IPv4/IPv6 CIDR."""

import pytest
from auditlog.models import LogEntry
from django.urls import reverse

from captive_portal import services
from captive_portal.models import EgressNetwork
from sites.roles import Role
from tests.captive_portal.factories import EgressNetworkFactory, SitePortalFactory
from tests.factories import AgentFactory, agent_with_role

pytestmark = pytest.mark.django_db


@pytest.fixture
def portal():
    return SitePortalFactory(site__slug="arles", site__name="MDS Arles", egress_networks=[])


def _page(slug="arles") -> str:
    return reverse("portal_content:site_portal", kwargs={"slug": slug})


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("203.0.113.9", "203.0.113.9/32"),
        (" 203.0.113.9/29 ", "203.0.113.8/29"),
        ("2001:DB8:12::/48", "2001:db8:12::/48"),
    ],
)
def test_ops_add_an_ipv4_or_ipv6_network_stored_in_canonical_form(signed_in, portal, typed, stored):
    """What ops type is normalised (host bits cleared, lower case) and the change is in the audit trail."""
    client = signed_in(agent_with_role(Role.OPS))
    response = client.post(_page(), {"network": typed, "note": "Box fibre"})
    assert response.status_code == 302
    assert list(EgressNetwork.objects.values_list("site__slug", "network", "note")) == [("arles", stored, "Box fibre")]
    assert LogEntry.objects.get_for_model(EgressNetwork).exists()
    assert stored in client.get(_page()).content.decode()


@pytest.mark.parametrize("typed", ["", "not an address", "203.0.113.300", "10.0.0.0/33", "::g/64"])
def test_a_value_that_is_not_an_address_or_network_is_refused(signed_in, portal, typed):
    """The page shows the error and stores nothing."""
    response = signed_in(agent_with_role(Role.OPS)).post(_page(), {"network": typed})
    assert response.status_code == 200 and "is-invalid" in response.content.decode()
    assert not EgressNetwork.objects.exists()


@pytest.mark.parametrize("typed", ["0.0.0.0/0", "::/0", "10.1.2.3/0"])
def test_a_network_of_every_address_is_refused(signed_in, portal, typed):
    """It would let any address on the internet accept in this site's name: refused, nothing stored."""
    response = signed_in(agent_with_role(Role.OPS)).post(_page(), {"network": typed})
    assert response.status_code == 200 and "is-invalid" in response.content.decode()
    assert not EgressNetwork.objects.exists()


def test_the_same_network_twice_is_refused(signed_in, portal):
    EgressNetworkFactory(site=portal.site, network="203.0.113.8/29")
    response = signed_in(agent_with_role(Role.OPS)).post(_page(), {"network": "203.0.113.9/29"})
    assert "déjà dans la liste" in response.content.decode()
    assert EgressNetwork.objects.count() == 1


def test_ops_remove_a_network(signed_in, portal):
    egress = EgressNetworkFactory(site=portal.site, network="203.0.113.8/29")
    client = signed_in(agent_with_role(Role.OPS))
    response = client.post(reverse("portal_content:egress_delete", kwargs={"pk": egress.pk}))
    assert response.status_code == 302 and not EgressNetwork.objects.exists()


@pytest.mark.parametrize("role", [Role.MDS_MANAGER, Role.RECEPTION, Role.PROGRAMME])
def test_other_roles_can_neither_see_nor_change_the_networks(signed_in, portal, role):
    """Who may let a device in is an ops matter: the others are refused."""
    agent = (
        agent_with_role(role, portal.site.mds) if role in (Role.MDS_MANAGER, Role.RECEPTION) else agent_with_role(role)
    )
    client = signed_in(agent)
    assert client.get(_page()).status_code == 403
    assert client.post(_page(), {"network": "198.51.100.0/24"}).status_code == 403
    assert not EgressNetwork.objects.exists()


def test_the_admin_validates_the_network_too(signed_in, portal):
    """The admin's form normalises and refuses like the back-office."""
    client = signed_in(agent_with_role(Role.ADMIN, is_staff=True, is_superuser=True))
    url = reverse("admin:captive_portal_egressnetwork_add")
    bad = client.post(url, {"site": portal.site.pk, "network": "nope"})
    assert bad.status_code == 200 and "CIDR" in bad.content.decode()
    assert not EgressNetwork.objects.exists()
    assert client.post(url, {"site": portal.site.pk, "network": "203.0.113.9/29", "note": ""}).status_code == 302
    assert list(EgressNetwork.objects.values_list("network", flat=True)) == ["203.0.113.8/29"]


def test_declaring_a_network_already_there_keeps_one_and_does_not_fail(portal):
    """A form sent twice (the second past the form's check) stores the network once, without an error."""
    first = services.egress_network_add(actor=AgentFactory(), site=portal.site, network="203.0.113.8/29")
    # the same network, written apart
    again = services.egress_network_add(actor=AgentFactory(), site=portal.site, network="203.0.113.9/29")
    assert again == first and EgressNetwork.objects.filter(site=portal.site, network="203.0.113.8/29").count() == 1


def test_declaring_again_a_network_two_sites_share_returns_this_sites_own(portal):
    """Two MDS behind one operator address both declare it: sending the form twice at one returns its row."""
    other, ops = SitePortalFactory(egress_networks=[]), AgentFactory()
    services.egress_network_add(actor=ops, site=other.site, network="203.0.113.8/29")
    services.egress_network_add(actor=ops, site=portal.site, network="198.51.100.0/24")
    first = services.egress_network_add(actor=ops, site=portal.site, network="203.0.113.8/29")
    again = services.egress_network_add(actor=ops, site=portal.site, network="203.0.113.8/29")
    assert again == first and again.site == portal.site and again.network == "203.0.113.8/29"
    assert EgressNetwork.objects.filter(network="203.0.113.8/29").count() == 2


def test_a_network_declared_by_the_service_names_its_author_and_no_invented_note(portal):
    """The audit trail keeps who declared where visitors come from; no note unless one was written."""
    from tests.audit_trail import CREATE, actors

    ops = AgentFactory()
    egress = services.egress_network_add(actor=ops, site=portal.site, network="192.0.2.0/28")
    assert egress.note == ""
    assert actors(EgressNetwork, egress.pk, CREATE) == {ops}
