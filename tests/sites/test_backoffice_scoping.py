"""An agent of MDS A sees nothing of MDS B, on every back-office page.

Every named back-office URL must be listed below, either as a page about one object (tested
with MDS B's object) or as a page without one: a new page that is not listed fails the
coverage test, so no view can forget the scoping.
"""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from sites.models import Site, Zone
from sites.roles import Role
from tests.factories import MdsFactory, OpeningPeriodFactory, SiteFactory, ZoneFactory, agent_with_role

pytestmark = pytest.mark.django_db

# url name -> kwargs built from MDS B's objects
OBJECT_PAGES = {
    "sites:mds_detail": lambda b: {"slug": b["mds"].slug},
    "sites:mds_edit": lambda b: {"slug": b["mds"].slug},
    "sites:site_edit": lambda b: {"slug": b["site"].slug},
    "sites:zone_create": lambda b: {"slug": b["site"].slug},
    "sites:zone_edit": lambda b: {"pk": b["zone"].pk},
    "sites:zone_delete": lambda b: {"pk": b["zone"].pk},
}
LIST_PAGES = ["sites:dashboard"]
SIGN_IN_PAGES = {
    "sites:login",
    "sites:logout",
    "sites:two_factor",
    "sites:password_reset",
    "sites:password_reset_done",
    "sites:password_reset_confirm",
    "sites:password_reset_complete",
}


def _backoffice_url_names(resolver=None, prefix="", namespace="") -> set[str]:
    names = set()
    for pattern in (resolver or get_resolver()).url_patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            ns = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            names |= _backoffice_url_names(pattern, route, ns)
        elif isinstance(pattern, URLPattern) and route.startswith("backoffice/") and pattern.name:
            names.add(namespace + pattern.name)
    return names


def test_every_backoffice_page_is_covered_by_the_scoping_tests():
    covered = set(OBJECT_PAGES) | set(LIST_PAGES) | SIGN_IN_PAGES
    assert _backoffice_url_names() - covered == set()


@pytest.fixture
def mds_a_and_b():
    def build(name):
        mds = MdsFactory(name=name, phone="04 00 00 00 00")
        site = SiteFactory(mds=mds, name=f"Site {name}", street=f"1 rue {name}")
        OpeningPeriodFactory(mds=mds)
        return {"mds": mds, "site": site, "zone": ZoneFactory(site=site, name=f"Attente {name}")}

    return build("Alpha"), build("Bravo")


@pytest.fixture(params=[Role.MDS_MANAGER, Role.RECEPTION, Role.SOCIAL_WORKER, Role.MEDIATOR])
def agent_of_a(request, mds_a_and_b):
    return agent_with_role(request.param, mds_a_and_b[0]["mds"])


@pytest.mark.parametrize("url_name", sorted(OBJECT_PAGES))
def test_pages_about_mds_b_do_not_exist_for_an_agent_of_mds_a(url_name, agent_of_a, mds_a_and_b, signed_in):
    client = signed_in(agent_of_a)
    _a, b = mds_a_and_b
    url = reverse(url_name, kwargs=OBJECT_PAGES[url_name](b))
    assert client.get(url).status_code == 404
    assert client.post(url, {"name": "Piraté", "kind": "other"}).status_code in (404, 405)  # 405: read-only page
    assert Site.objects.get(pk=b["site"].pk).name == "Site Bravo"
    assert Zone.objects.filter(pk=b["zone"].pk, name="Attente Bravo").exists()
    assert not Zone.objects.filter(name="Piraté").exists()


@pytest.mark.parametrize("url_name", LIST_PAGES)
def test_list_pages_show_mds_a_and_nothing_of_mds_b(url_name, agent_of_a, mds_a_and_b, signed_in):
    html = signed_in(agent_of_a).get(reverse(url_name)).content.decode()
    assert "Alpha" in html
    assert "Bravo" not in html


@pytest.mark.parametrize("url_name", [*sorted(OBJECT_PAGES), *LIST_PAGES])
def test_back_office_pages_require_signing_in(url_name, client, mds_a_and_b):
    kwargs = OBJECT_PAGES[url_name](mds_a_and_b[0]) if url_name in OBJECT_PAGES else {}
    response = client.get(reverse(url_name, kwargs=kwargs))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("sites:login"))
