"""The sites list (sites.lists, core.lists): every site the agent sees, searched, filtered, sorted, paged, exported."""

import html
import re

import pytest
from django.urls import reverse

from sites.roles import Role
from tests.factories import MdsFactory, SiteFactory, ZoneFactory, agent_with_role

pytestmark = pytest.mark.django_db

ROW = re.compile(r'<th scope="row"[^>]*>\s*<a href="([^"]*)">([^<]*)</a>')


def _rows(response) -> list[str]:
    """The site names of the table, in the order shown."""
    assert response.status_code == 200
    page = response.content.decode()
    body = page[page.index("<tbody>") : page.index("</tbody>")] if "<tbody>" in page else ""
    return [html.unescape(name) for _href, name in ROW.findall(body)]


def _csv(response) -> list[list[str]]:
    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return [line.split(";") for line in text.splitlines()]


@pytest.fixture
def alpha():
    mds = MdsFactory(name="Alpha", number=1)
    SiteFactory(mds=mds, number=1, name="Bibliothèque", commune="Arles", postal_code="13200", street="1 rue A")
    SiteFactory(mds=mds, number=2, name="Annexe", commune="Tarascon", postal_code="13150")
    return mds


@pytest.fixture
def bravo():
    mds = MdsFactory(name="Bravo", number=2)
    SiteFactory(mds=mds, number=1, name="Centre social", commune="Arles", postal_code="13200")
    return mds


def test_the_list_sorts_by_name_both_ways_and_by_commune(alpha, bravo, signed_in):
    client = signed_in(agent_with_role(Role.OPS))
    url = reverse("sites:site_list")
    assert _rows(client.get(url)) == ["Bibliothèque", "Annexe", "Centre social"]  # MDS then site number
    assert _rows(client.get(url, {"sort": "site"})) == ["Annexe", "Bibliothèque", "Centre social"]
    assert _rows(client.get(url, {"sort": "-site"})) == ["Centre social", "Bibliothèque", "Annexe"]
    # Descending reverses the ties' order too (MDS, then site number).
    assert _rows(client.get(url, {"sort": "-commune"})) == ["Annexe", "Centre social", "Bibliothèque"]
    # A sort on something that is not a column is ignored, never a lookup.
    assert client.get(url, {"sort": "mds__memberships__agent__password"}).status_code == 200


def test_the_search_finds_sites_by_commune_postal_code_and_mds_name(alpha, bravo, signed_in):
    client = signed_in(agent_with_role(Role.OPS))
    url = reverse("sites:site_list")
    assert _rows(client.get(url, {"q": "arles"})) == ["Bibliothèque", "Centre social"]
    assert _rows(client.get(url, {"q": "13150"})) == ["Annexe"]
    assert _rows(client.get(url, {"q": "bravo"})) == ["Centre social"]
    assert _rows(client.get(url, {"q": "arles alpha"})) == ["Bibliothèque"]  # every word, anywhere


def test_the_mds_filter_keeps_that_mds_sites(alpha, bravo, signed_in):
    client = signed_in(agent_with_role(Role.OPS))
    assert _rows(client.get(reverse("sites:site_list"), {"mds": bravo.pk})) == ["Centre social"]


def test_the_missing_filter_keeps_the_sites_with_something_to_complete(alpha, signed_in):
    complete = SiteFactory(mds=alpha, number=3, name="Complet", street="2 rue B", postal_code="13200",
                           commune="Arles", latitude=43.6, longitude=4.6)  # fmt: skip
    ZoneFactory(site=complete)
    client = signed_in(agent_with_role(Role.MDS_MANAGER, alpha))
    url = reverse("sites:site_list")
    response = client.get(url, {"missing": "any"})
    assert _rows(response) == ["Bibliothèque", "Annexe"]
    assert "Coordonnées" in response.content.decode()  # what each one lacks, in words
    assert _rows(client.get(url, {"missing": "street"})) == ["Annexe"]
    assert "Complet" in _rows(client.get(url))


def test_the_pages_keep_the_search_and_the_sort(signed_in):
    mds = MdsFactory(name="Alpha")
    for number in range(1, 6):
        SiteFactory(mds=mds, number=number, name=f"Arles {number}", commune="Arles")
    SiteFactory(mds=mds, number=9, name="Tarascon", commune="Tarascon")
    client = signed_in(agent_with_role(Role.OPS))
    first = client.get(reverse("sites:site_list"), {"q": "arles", "sort": "-site", "per_page": 2})
    assert _rows(first) == ["Arles 5", "Arles 4"]
    next_link = html.unescape(re.search(r'class="page-link" href="([^"]*)"', first.content.decode()).group(1))
    assert "q=arles" in next_link and "sort=-site" in next_link and "per_page=2" in next_link
    assert _rows(client.get(reverse("sites:site_list") + next_link)) == ["Arles 3", "Arles 2"]


def test_a_manager_of_a_neither_sees_nor_filters_to_b_sites(alpha, bravo, signed_in):
    client = signed_in(agent_with_role(Role.MDS_MANAGER, alpha))
    url = reverse("sites:site_list")
    response = client.get(url)
    assert _rows(response) == ["Bibliothèque", "Annexe"]
    assert "Bravo" not in response.content.decode()  # not even among the MDS filter's choices
    forged = client.get(url, {"mds": bravo.pk})
    assert _rows(forged) == []
    assert "Centre social" not in forged.content.decode()
    assert _csv(client.get(reverse("sites:site_csv"), {"mds": bravo.pk}))[1:] == []
    assert [row[0] for row in _csv(client.get(reverse("sites:site_csv"), {"q": "arles"}))[1:]] == ["Bibliothèque"]


def test_the_csv_holds_the_filtered_rows_under_french_headers(alpha, bravo, signed_in):
    client = signed_in(agent_with_role(Role.OPS))
    response = client.get(reverse("sites:site_csv"), {"q": "arles"})
    assert response["Content-Type"].startswith("text/csv")
    rows = _csv(response)
    assert rows[0] == ["Site", "MDS", "Adresse", "Code postal", "Commune", "Latitude", "Longitude", "À compléter"]
    assert [row[:5] for row in rows[1:]] == [
        ["Bibliothèque", "Alpha", "1 rue A", "13200", "Arles"],
        ["Centre social", "Bravo", "", "13200", "Arles"],
    ]
    assert "zones" in rows[1][7]


def test_the_edit_link_is_there_for_whom_may_edit_only(alpha, signed_in, client):
    site = alpha.sites.get(number=1)
    edit = reverse("sites:site_edit", kwargs={"slug": site.slug})
    assert edit in signed_in(agent_with_role(Role.MDS_MANAGER, alpha)).get(reverse("sites:site_list")).content.decode()
    client.logout()
    page = signed_in(agent_with_role(Role.RECEPTION, alpha)).get(reverse("sites:site_list")).content.decode()
    assert edit not in page
    assert f"{alpha.get_absolute_url()}#site-{site.pk}" in page


def test_the_menu_and_the_dashboard_link_to_the_list(alpha, signed_in):
    page = signed_in(agent_with_role(Role.RECEPTION, alpha)).get(reverse("sites:dashboard")).content.decode()
    assert page.count(f'href="{reverse("sites:site_list")}"') == 2
    assert "Voir les 2 sites dans un tableau" in page


def test_the_list_costs_the_same_queries_for_29_sites(signed_in, django_assert_num_queries):
    for mds_number in range(1, 4):
        mds = MdsFactory(number=mds_number)
        for number in range(1, 11 if mds_number < 3 else 10):
            site = SiteFactory(mds=mds, number=number, commune="Arles")
            ZoneFactory(site=site)
    client = signed_in(agent_with_role(Role.OPS))
    client.get(reverse("sites:site_list"))  # the session's and the permissions' first reads
    # Session, agent, device, permissions (3); the missing filter's sites and zones; the MDS choices; the count;
    # the page's sites, their zones, the WiFi panel's counts: none per row.
    with django_assert_num_queries(13):
        response = client.get(reverse("sites:site_list"), {"missing": "any", "q": "arles"})
    assert len(_rows(response)) == 29


def test_the_rows_carry_the_panels_of_the_site_cards(alpha, signed_in):
    """The WiFi line of the dashboard's site cards (a panel wifi registers: sites never imports wifi)."""
    from tests.wifi.factories import AccessPointFactory
    from wifi.models import Health

    site = alpha.sites.get(number=1)
    AccessPointFactory(site=site, health=Health.UP)
    AccessPointFactory(site=site, health=Health.DOWN)
    page = signed_in(agent_with_role(Role.OPS)).get(reverse("sites:site_list")).content.decode()
    assert "En bref" in page
    start = page.index(f'#site-{site.pk}"')
    row = page[page.rindex("<tr", 0, start) : page.index("</tr>", start)]  # the row of that site
    assert f"{reverse('wifi:board')}#site-{site.pk}" in row
    assert "1 joignable(s)" in row and "1 injoignable(s)" in row
