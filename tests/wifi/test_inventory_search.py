"""The inventory finds an access point by serial, MAC or label, and sorts what it found by any column."""

import pytest
from django.urls import reverse

from sites.roles import Role
from tests.factories import MdsFactory, SiteFactory, agent_with_role
from tests.wifi.factories import AccessPointFactory
from wifi.models import Health, Lifecycle

pytestmark = pytest.mark.django_db


@pytest.fixture
def site():
    return SiteFactory(mds=MdsFactory(name="MDS Arles"), name="Arles centre")


@pytest.fixture
def client(site, signed_in):
    return signed_in(agent_with_role(Role.RECEPTION, site.mds))


def _found(client, **params) -> list[str]:
    response = client.get(reverse("wifi:inventory"), params)
    assert response.status_code == 200
    return [row.record.label for row in response.context["table"].paginated_rows]


@pytest.mark.parametrize(
    ("search", "expected"),
    [("SN-ARL-7", ["Hall"]), ("c2:aa:bb", ["Hall"]), ("C2AABB", ["Hall"]), ("salle", ["Salle 1"]), ("zzz", [])],
)
def test_search_by_serial_mac_or_label(search, expected, site, client):
    """A serial, a MAC fragment in any spelling, or a label finds the access point; the page says how many."""
    AccessPointFactory(site=site, label="Hall", serial_number="SN-ARL-7", mac_address="f0:9f:c2:aa:bb:01")
    AccessPointFactory(site=site, label="Salle 1", serial_number="SN-ARL-8", mac_address="f0:9f:c2:00:00:02")
    assert _found(client, q=search) == expected


def test_without_a_search_the_page_shows_the_coverage_per_site(site, client):
    """The flat list appears only for a search or a sort; otherwise the coverage per site and zone."""
    AccessPointFactory(site=site)
    response = client.get(reverse("wifi:inventory"))
    assert "table" not in response.context and response.context["inventory"].sites


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("label", ["A", "B", "C"]),
        ("-label", ["C", "B", "A"]),
        ("serial", ["B", "C", "A"]),
        ("health", ["C", "A", "B"]),  # "degraded", "down", "up"
        ("lifecycle", ["B", "A", "C"]),  # "faulty", "in_service", "planned"
    ],
)
def test_the_columns_sort_the_list(sort, expected, site, client):
    """Each header sorts by its column, both ways."""
    AccessPointFactory(site=site, label="A", serial_number="S3", health=Health.DOWN, lifecycle=Lifecycle.IN_SERVICE)
    AccessPointFactory(site=site, label="B", serial_number="S1", health=Health.UP, lifecycle=Lifecycle.FAULTY)
    AccessPointFactory(site=site, label="C", serial_number="S2", health=Health.DEGRADED, lifecycle=Lifecycle.PLANNED)
    assert _found(client, sort=sort) == expected


@pytest.mark.parametrize("sort", ["site__mds__name", "-credential_name", "probe_settings", "?"])
def test_a_sort_key_outside_the_whitelist_gives_the_default_order(sort, site, client):
    """Only the page's own keys reach the query: anything else lists by MDS, site and label."""
    for label, credential in [("B", "a"), ("C", "b"), ("A", "c")]:
        AccessPointFactory(site=site, label=label, credential_name=credential)
    assert "table" not in client.get(reverse("wifi:inventory"), {"sort": sort}).context  # the coverage page
    assert _found(client, q="SN", sort=sort) == ["A", "B", "C"]


def test_the_search_stays_inside_the_agents_mds(site, client):
    """An agent of one MDS does not find the access points of another."""
    AccessPointFactory(site=SiteFactory(mds=MdsFactory(name="MDS Istres")), label="Borne Istres", serial_number="SN-I")
    assert _found(client, q="SN-I") == []
    assert _found(client, q="Istres") == []


def test_the_list_costs_the_same_queries_for_few_or_many_access_points(site, client, django_assert_max_num_queries):
    """Site, MDS and zone come with each access point: no query per row."""
    sites = [site] + [SiteFactory(mds=site.mds, number=number) for number in (2, 3, 4)]
    for n in range(40):
        AccessPointFactory(site=sites[n % 4], label=f"Borne {n:02d}")
    client.get(reverse("wifi:inventory"), {"q": "Borne"})
    # 10: the 8 of before, plus the MDS and site filters' choice lists (one query each, whatever the rows).
    with django_assert_max_num_queries(10):
        response = client.get(reverse("wifi:inventory"), {"q": "Borne", "sort": "-site"})
    assert len(response.context["table"].paginated_rows) == 40
