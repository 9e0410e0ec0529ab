"""The incidents list: filters by period, site and state, a search by serial, MAC or label, sortable columns."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from sites.roles import Role
from tests.factories import SiteFactory, agent_with_role
from tests.wifi.factories import AccessPointFactory, IncidentFactory
from wifi.incidents import incident_assign
from wifi.models import ErrorKind

pytestmark = pytest.mark.django_db

PARIS = timezone.get_default_timezone()


def _at(day: int, hour: int = 10) -> datetime.datetime:
    return datetime.datetime(2026, 11, day, hour, tzinfo=PARIS)


@pytest.fixture
def ops(signed_in):
    return signed_in(agent_with_role(Role.OPS))


def _labels(client, **params) -> list[str]:
    response = client.get(reverse("wifi:incidents"), params)
    assert response.status_code == 200
    return [row.record.access_point.label for row in response.context["table"].paginated_rows]


def test_a_period_keeps_the_incidents_that_overlap_it(ops):
    """From/to (Paris days, both included) keep an outage begun before and one still open."""
    IncidentFactory(access_point__label="Avant", started_at=_at(1), ended_at=_at(2))
    IncidentFactory(access_point__label="Chevauche", started_at=_at(4), ended_at=_at(10))
    IncidentFactory(access_point__label="Dedans", started_at=_at(10), ended_at=_at(10, 11))
    IncidentFactory(access_point__label="Ouvert", started_at=_at(3))
    IncidentFactory(access_point__label="Après", started_at=_at(20), ended_at=_at(21))
    # 23:30 in Paris on the 11th is still "to the 11th" though it is the 11th at 22:30 UTC.
    IncidentFactory(access_point__label="Soir", started_at=datetime.datetime(2026, 11, 11, 23, 30, tzinfo=PARIS))
    found = _labels(ops, since="2026-11-05", until="2026-11-11")
    assert sorted(found) == ["Chevauche", "Dedans", "Ouvert", "Soir"]


def test_a_period_ending_before_it_starts_is_refused(ops):
    """The form says so instead of showing an empty list."""
    response = ops.get(reverse("wifi:incidents"), {"since": "2026-11-10", "until": "2026-11-01"})
    assert response.context["filter"].form.errors["until"]
    assert response.context["table"].paginator.count == 0


def test_filters_by_site_and_by_state(ops):
    """The site and state filters combine; "open, nobody has it" leaves out assigned and closed ones."""
    arles, istres = SiteFactory(name="Arles"), SiteFactory(name="Istres")
    IncidentFactory(access_point__site=arles, access_point__label="Arles libre", started_at=_at(2))
    taken = IncidentFactory(access_point__site=arles, access_point__label="Arles prise", started_at=_at(3))
    IncidentFactory(access_point__site=arles, access_point__label="Arles close", started_at=_at(1), ended_at=_at(2))
    IncidentFactory(access_point__site=istres, access_point__label="Istres libre", started_at=_at(2))
    incident_assign(actor=agent_with_role(Role.OPS), incident=taken, assignee=agent_with_role(Role.OPS))
    assert sorted(_labels(ops, site=arles.pk)) == ["Arles close", "Arles libre", "Arles prise"]
    assert _labels(ops, site=arles.pk, state="unassigned") == ["Arles libre"]
    assert _labels(ops, site=arles.pk, state="closed") == ["Arles close"]


@pytest.mark.parametrize(
    ("search", "expected"),
    [
        ("SN-ARL-0042", ["Hall"]),  # the whole serial
        ("arl-00", ["Hall"]),  # part of it, any case
        ("f0:9f:c2:aa:bb:01", ["Hall"]),  # the MAC as stored
        ("F0-9F-C2-AA-BB-01", ["Hall"]),  # as Windows prints it
        ("f09f.c2aa.bb01", ["Hall"]),  # as Cisco prints it
        ("aabb01", ["Hall"]),  # the end, without separators
        ("bureau", ["Bureau 2"]),  # the label
    ],
)
def test_search_by_serial_mac_or_label(search, expected, ops):
    """A serial, a MAC in any usual spelling, or a label, whole or in part, finds its access point's incidents."""
    hall = AccessPointFactory(label="Hall", serial_number="SN-ARL-0042", mac_address="f0:9f:c2:aa:bb:01")
    bureau = AccessPointFactory(label="Bureau 2", serial_number="SN-IST-0007", mac_address="f0:9f:c2:00:00:02")
    IncidentFactory(access_point=hall, started_at=_at(2))
    IncidentFactory(access_point=bureau, started_at=_at(3))
    assert _labels(ops, q=search) == expected


def test_columns_sort_both_ways_and_the_headers_say_how(ops):
    """Sorting by a column, then again the other way; aria-sort tells screen readers which."""
    for label, cause in [("B", ErrorKind.TIMEOUT), ("A", ErrorKind.REFUSED), ("C", ErrorKind.AUTH)]:
        IncidentFactory(access_point__label=label, cause=cause, started_at=_at(2))
    assert _labels(ops, sort="ap") == ["A", "B", "C"]
    assert _labels(ops, sort="-ap") == ["C", "B", "A"]
    html = ops.get(reverse("wifi:incidents"), {"sort": "ap"}).content.decode()
    assert 'aria-sort="ascending"><a href="?sort=-ap">' in html


def test_sorting_keeps_the_filters_in_the_header_links(ops):
    """A header link sorts what is shown, not the whole list."""
    site = SiteFactory()
    IncidentFactory(access_point__site=site, started_at=_at(2))
    response = ops.get(reverse("wifi:incidents"), {"site": site.pk, "state": "open", "page": "1"})
    assert f'<a href="?site={site.pk}&amp;state=open&amp;sort=started">' in response.content.decode()


@pytest.mark.parametrize(
    "sort", ["access_point__site__mds__name", "-assigned_to__password", "started_at", "?", "ap,site", "-"]
)
def test_a_sort_key_outside_the_whitelist_gives_the_default_order(sort, ops):
    """Whatever is typed in `sort`, only the page's own keys reach the query: anything else is the default."""
    IncidentFactory(access_point__label="Fermé récent", started_at=_at(5), ended_at=_at(6))
    IncidentFactory(access_point__label="Ouvert ancien", started_at=_at(1))
    IncidentFactory(access_point__label="Ouvert récent", started_at=_at(4))
    assert _labels(ops, sort=sort) == ["Ouvert récent", "Ouvert ancien", "Fermé récent"]


def test_the_site_column_sorts_by_mds_then_site_then_label(ops):
    """A column's order is its own field list, reversed together for "-site"."""
    first, second = SiteFactory(mds__number=91, number=1), SiteFactory(mds__number=92, number=1)
    IncidentFactory(access_point__site=second, access_point__label="B2", started_at=_at(2))
    IncidentFactory(access_point__site=first, access_point__label="A1", started_at=_at(3))
    IncidentFactory(access_point__site=first, access_point__label="A2", started_at=_at(1))
    assert _labels(ops, sort="site") == ["A1", "A2", "B2"]
    assert _labels(ops, sort="-site") == ["B2", "A2", "A1"]


def test_the_list_costs_the_same_queries_for_few_or_many_incidents(ops, django_assert_max_num_queries):
    """Site, MDS and assignee come with the incidents: no query per row, whatever the filters and sort."""
    owner = agent_with_role(Role.OPS)
    for n in range(30):
        incident = IncidentFactory(access_point__site=SiteFactory(), started_at=_at(1 + n % 20))
        incident_assign(actor=owner, incident=incident, assignee=owner)
    ops.get(reverse("wifi:incidents"))
    params = {"q": "Borne", "state": "open", "since": "2026-11-01", "sort": "-assignee"}
    with django_assert_max_num_queries(9):
        response = ops.get(reverse("wifi:incidents"), params)
    assert len(response.context["table"].paginated_rows) == 30


def test_the_search_stays_inside_the_agents_mds(signed_in):
    """An MDS agent searching a serial of another MDS finds nothing."""
    mine, theirs = SiteFactory(), SiteFactory()
    IncidentFactory(access_point__site=theirs, access_point__serial_number="SN-AUTRE-1", started_at=_at(2))
    client = signed_in(agent_with_role(Role.MDS_MANAGER, mine.mds))
    assert _labels(client, q="SN-AUTRE") == []
