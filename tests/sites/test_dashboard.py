"""The dashboard with the 27 MDS: what needs doing first (by kind, with who may do it), filters by MDS and by
what is missing, the sites of an MDS on demand, and a query count that does not grow with the MDS."""

import re

import pytest
from django.core.management import call_command
from django.urls import reverse

from sites.models import Mds, Site
from sites.roles import Role
from tests.factories import MdsFactory, OpeningPeriodFactory, SiteFactory, ZoneFactory, agent_with_role

pytestmark = pytest.mark.django_db


@pytest.fixture
def departement():
    call_command("load_mds", verbosity=0)
    return Mds.objects.order_by("number")


def _todo(html: str) -> dict[str, str]:
    """The summary's lines: what is missing (as a screen reader names the link) -> how many, tags stripped."""
    section = html[html.index('class="todo"') : html.index("</section>", html.index('class="todo"'))]
    lines = {}
    for item in re.findall(r'<li class="todo-list__item">(.*?)</li>', section, re.S):
        what = re.search(r'<a class="todo-list__what" href="\?missing=[^"]+" aria-label="([^"]+)">', item).group(1)
        lines[what] = " ".join(re.sub(r"<[^>]+>", " ", item).split())
    return lines


def _who(html: str) -> list[str]:
    return [
        " ".join(re.sub(r"<[^>]+>", " ", h).split())
        for h in re.findall(r'<h3 class="todo__group"[^>]*>(.*?)</h3>', html, re.S)
    ]


def _open_mds(html: str) -> list[str]:
    return re.findall(r'<details class="mds-fold" open>\s*<summary[^>]*>\s*<span class="mds-fold__name">([^<]+)<', html)


def _folded_mds(html: str) -> list[str]:
    return re.findall(r'<details class="mds-fold">\s*<summary[^>]*>\s*<span class="mds-fold__name">([^<]+)<', html)


def test_the_summary_comes_first_with_counts_per_kind_and_who_may_fill_it_in(departement, signed_in):
    """Ops see the 27 MDS: the sites' missing information counted, the MDS's record (theirs to fill only for a
    manager) not asked of them; every MDS folded."""
    html = signed_in(agent_with_role(Role.OPS)).get(reverse("sites:dashboard")).content.decode()
    todo = _todo(html)
    assert todo["Site\u00a0: zones"] == "Zones 29 sites"
    assert todo["Site\u00a0: nom"] == "Nom 3 sites"  # Durance Alpilles' three
    # Ops may not edit an MDS's record: only the sites are asked of them, and who else may fill them in.
    assert not [label for label in todo if label.startswith("MDS :")]
    assert _who(html) == ["Sites — qui peut le faire : Responsable de MDS, Exploitation / technicien WiFi, dont vous"]
    assert html.index('class="todo"') < html.index('class="mds-folds"')
    assert len(_folded_mds(html)) == 27 and _open_mds(html) == []
    assert "Vos MDS (27)" in html


def test_filtering_by_mds_unfolds_it_alone_and_the_form_keeps_the_choice(departement, signed_in):
    arles = Mds.objects.get(slug="arles")
    html = signed_in(agent_with_role(Role.OPS)).get(reverse("sites:dashboard"), {"mds": "arles"}).content.decode()
    assert _open_mds(html) == [str(arles)] and _folded_mds(html) == []
    assert re.search(r'<option value="arles" selected>', html)
    assert "1 MDS correspond" in html
    assert "Afficher toutes les MDS" in html


def test_filtering_by_what_is_missing_keeps_only_the_sites_lacking_it(signed_in):
    manager_mds = MdsFactory(name="Arles", phone="04 90 00 00 00")
    OpeningPeriodFactory(mds=manager_mds)
    named = SiteFactory(mds=manager_mds, number=1, name="Arles centre")
    ZoneFactory(site=named)
    unnamed = SiteFactory(mds=manager_mds, number=2, name="")
    ZoneFactory(site=unnamed)
    other = SiteFactory(mds=MdsFactory(name="Istres"), name="")
    client = signed_in(agent_with_role(Role.MDS_MANAGER, manager_mds))

    html = client.get(reverse("sites:dashboard"), {"missing": "site-name"}).content.decode()
    assert str(unnamed) in html and "Arles — site 2, à nommer" in html
    assert f'id="site-{named.pk}"' not in html
    assert "Istres" not in html and other.display_name not in html  # scoping stays
    assert re.search(r'<option value="site-name" selected>', html)
    # The manager sees one MDS: no MDS filter, its sites shown unfolded; the MDS's record is theirs to fill in.
    html = client.get(reverse("sites:dashboard")).content.decode()
    assert 'name="mds"' not in html
    assert _open_mds(html) == [str(manager_mds)]
    assert _who(html)[0] == "Fiches des MDS — qui peut le faire : Responsable de MDS, dont vous"
    assert _todo(html)["MDS\u00a0: e-mail"] == "E-mail 1 MDS"


def test_an_unknown_or_foreign_filter_value_filters_nothing(signed_in):
    mine, theirs = MdsFactory(name="Arles"), MdsFactory(name="Istres", slug="istres")
    SiteFactory(mds=mine)
    SiteFactory(mds=theirs)
    client = signed_in(agent_with_role(Role.MDS_MANAGER, mine))
    html = client.get(reverse("sites:dashboard"), {"mds": "istres", "missing": "nope"}).content.decode()
    assert "Istres" not in html
    assert _open_mds(html) == [str(mine)]


def test_when_a_filter_matches_nothing_the_page_says_what_next(signed_in):
    mds = MdsFactory(name="Arles")
    SiteFactory(mds=mds, name="")  # the name is missing: a valid choice
    SiteFactory(mds=MdsFactory(name="Istres"), name="Istres gare")
    client = signed_in(agent_with_role(Role.OPS))
    mds_istres = Mds.objects.get(name="Istres")
    html = client.get(reverse("sites:dashboard"), {"mds": mds_istres.slug, "missing": "site-name"}).content.decode()
    assert "Aucune MDS ne correspond à ces filtres" in html
    assert 'href="/backoffice/">Afficher toutes les MDS' in html


def test_when_everything_is_filled_in_the_summary_says_there_is_nothing_to_do(signed_in):
    mds = MdsFactory(name="Arles", kind="territoire", commune="Arles", phone="04 90 00 00 00", email="a@b.fr")
    OpeningPeriodFactory(mds=mds)
    site = SiteFactory(mds=mds, name="Arles centre", street="1 rue", postal_code="13200", commune="Arles",
                       latitude=43.6, longitude=4.6)  # fmt: skip
    ZoneFactory(site=site)
    html = signed_in(agent_with_role(Role.MDS_MANAGER, mds)).get(reverse("sites:dashboard")).content.decode()
    assert "rien à faire" in html
    assert 'class="todo-list"' not in html


def test_the_durance_alpilles_sites_are_never_an_empty_name(departement, signed_in):
    html = signed_in(agent_with_role(Role.OPS)).get(reverse("sites:dashboard"), {"mds": "durance-alpilles"})
    html = html.content.decode()
    for number in (1, 2, 3):
        assert f"Durance Alpilles — site {number}, à nommer" in html
    assert not re.search(r'class="site-card__title">\s*</h4>', html)
    assert Site.objects.filter(mds__slug="durance-alpilles", name="").count() == 3  # nothing invented in the data


QUERIES = 11  # session, agent, memberships…, MDS, sites, zones, opening hours, the WiFi panel
# An agent who answers requests also gets the reception's panel: one query for every site's new and unanswered.


@pytest.mark.parametrize(("role", "queries"), [(Role.OPS, QUERIES), (Role.ADMIN, QUERIES + 1)])
def test_the_dashboard_of_27_mds_costs_a_fixed_number_of_queries(departement, signed_in, django_assert_num_queries,
                                                                 role, queries):  # fmt: skip
    """One query per kind of row (MDS, sites, zones, opening hours, WiFi panel…), whatever the number of MDS."""
    client = signed_in(agent_with_role(role))
    with django_assert_num_queries(queries):
        assert client.get(reverse("sites:dashboard")).status_code == 200
    with django_assert_num_queries(queries):
        assert client.get(reverse("sites:dashboard"), {"missing": "site-zones"}).status_code == 200
