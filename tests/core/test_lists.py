"""Every back-office list (core.lists): scoped rows and choices, a forged filter refused, sorting, searching,
pages that keep the criteria, a bounded page size, and CSV exports of the rows filtered."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from sites.roles import Role
from tests.captive_portal.factories import ContentBlockFactory
from tests.factories import MdsFactory, SiteFactory, agent_with_role
from tests.wifi.factories import AccessPointFactory, IncidentFactory
from wifi.models import Lifecycle

pytestmark = pytest.mark.django_db


def _block(site, title):
    block = ContentBlockFactory(title=title)
    block.sites.set([site])
    return block


# Per list: its URL name, the role that reads it in one MDS, a row made in a site, the row's text, and the
# filters that name another MDS's rows (the site's id, the MDS's id).
LISTS = {
    "incidents": ("wifi:incidents", Role.MDS_MANAGER,
                  lambda site, name: IncidentFactory(access_point__site=site, access_point__label=name,
                                                     started_at=timezone.now() - datetime.timedelta(hours=1)),
                  lambda row: row.access_point.label, {"site": "site"}),
    "inventory": ("wifi:inventory", Role.RECEPTION,
                  lambda site, name: AccessPointFactory(site=site, label=name),
                  lambda row: row.label, {"site": "site", "mds": "mds"}),
    "content": ("portal_content:blocks", Role.MDS_MANAGER, _block, lambda row: row.title, {"site": "site"}),
    "agents": ("sites:agent_list", Role.MDS_MANAGER,
               lambda site, name: agent_with_role(Role.RECEPTION, site.mds, last_name=name),
               lambda row: row.last_name, {"mds": "mds"}),
}  # fmt: skip


def _rows(response, text) -> list[str]:
    assert response.status_code == 200
    return [text(row.record) for row in response.context["table"].paginated_rows]


@pytest.fixture
def two_mds():
    return SiteFactory(mds=MdsFactory(name="MDS Arles")), SiteFactory(mds=MdsFactory(name="MDS Istres"))


@pytest.mark.parametrize("name", LISTS)
def test_an_agent_lists_their_mds_rows_only_and_a_forged_filter_reaches_no_other(name, two_mds, signed_in):
    """Rows start from visible_to (an unfiltered list already leaves the other MDS out); a filter naming the other
    MDS or its site is refused by the form and lists nothing, and the dropdowns do not offer it."""
    url_name, role, make, text, forgeable = LISTS[name]
    mine, theirs = two_mds
    make(mine, "Rangée Arles")
    make(theirs, "Rangée Istres")
    client = signed_in(agent_with_role(role, mine.mds))
    url = reverse(url_name)
    # The inventory shows its flat list for any search, filter or sort: ask for a sort.
    base = {"sort": "label"} if name == "inventory" else {}
    found = _rows(client.get(url, base), text)
    assert "Rangée Arles" in found and "Rangée Istres" not in found
    for param, kind in forgeable.items():
        forged = theirs.pk if kind == "site" else theirs.mds.pk
        response = client.get(url, {**base, param: forged})
        assert "Rangée Istres" not in _rows(response, text)
        assert response.context["filter"].form.errors[param]
        choices = [str(value) for value, _label in response.context["filter"].form.fields[param].choices]
        assert str(forged) not in choices and str(mine.pk if kind == "site" else mine.mds.pk) in choices


def test_pages_keep_the_filters_and_the_sort(signed_in):
    """Page 2's link carries the state filter and the sort; following it gives the next rows in that order."""
    site = SiteFactory()
    now = timezone.now()
    for n in range(55):
        IncidentFactory(access_point__site=site, access_point__label=f"Borne {n:02d}",
                        started_at=now - datetime.timedelta(hours=n + 1))  # fmt: skip
    IncidentFactory(access_point__site=site, access_point__label="Fermée", started_at=now - datetime.timedelta(days=9),
                    ended_at=now - datetime.timedelta(days=8))  # fmt: skip
    client = signed_in(agent_with_role(Role.OPS))
    url = reverse("wifi:incidents")
    first = client.get(url, {"state": "open", "sort": "-ap"})
    html = first.content.decode()
    assert 'href="?state=open&amp;sort=-ap&amp;page=2"' in html
    second = client.get(url, {"state": "open", "sort": "-ap", "page": 2})
    labels = _rows(second, lambda row: row.access_point.label)
    assert labels == [f"Borne {n:02d}" for n in range(4, -1, -1)]  # 55 open, 50 a page, Z to A: 04 … 00
    assert "Fermée" not in labels


def test_the_page_size_may_be_asked_but_stays_bounded(signed_in):
    """?per_page= gives fewer rows a page, never more than 100 (a page never loads a whole table)."""
    site = SiteFactory()
    AccessPointFactory.create_batch(120, site=site)
    client = signed_in(agent_with_role(Role.RECEPTION, site.mds))
    url = reverse("wifi:inventory")
    assert len(client.get(url, {"sort": "label", "per_page": 5}).context["table"].paginated_rows) == 5
    assert len(client.get(url, {"sort": "label", "per_page": 100000}).context["table"].paginated_rows) == 100


def test_the_content_list_sorts_by_a_column_and_searches_titles(signed_in):
    """Clicking "Title" orders the blocks by title, again reverses; the search finds a word of a title."""
    site = SiteFactory()
    for title in ("Bibliothèque", "Aide CAF", "Cours de français"):
        _block(site, title)
    client = signed_in(agent_with_role(Role.MDS_MANAGER, site.mds))
    url = reverse("portal_content:blocks")
    title = lambda row: row.title  # noqa: E731
    assert _rows(client.get(url, {"sort": "title"}), title) == ["Aide CAF", "Bibliothèque", "Cours de français"]
    assert _rows(client.get(url, {"sort": "-title"}), title) == ["Cours de français", "Bibliothèque", "Aide CAF"]
    assert _rows(client.get(url, {"q": "caf"}), title) == ["Aide CAF"]
    html = client.get(url, {"sort": "title"}).content.decode()
    assert 'aria-sort="ascending"><a href="?sort=-title">' in html


def test_the_inventory_csv_exports_the_rows_the_page_found(signed_in):
    """The download link carries the page's filters; the file holds those access points only."""
    site = SiteFactory()
    AccessPointFactory(site=site, label="Prévue", lifecycle=Lifecycle.PLANNED)
    AccessPointFactory(site=site, label="En service", lifecycle=Lifecycle.IN_SERVICE)
    AccessPointFactory(site=SiteFactory(), label="Autre MDS", lifecycle=Lifecycle.PLANNED)
    client = signed_in(agent_with_role(Role.RECEPTION, site.mds))
    page = client.get(reverse("wifi:inventory"), {"lifecycle": "planned", "page": 1}).content.decode()
    assert f'href="{reverse("wifi:inventory_csv")}?lifecycle=planned"' in page
    csv = b"".join(client.get(reverse("wifi:inventory_csv"), {"lifecycle": "planned"}).streaming_content).decode()
    assert "Prévue" in csv and "En service" not in csv and "Autre MDS" not in csv
    everything = b"".join(client.get(reverse("wifi:inventory_csv")).streaming_content).decode()
    assert "Prévue" in everything and "En service" in everything and "Autre MDS" not in everything
