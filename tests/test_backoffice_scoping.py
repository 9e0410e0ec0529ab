"""An agent of MDS A sees nothing of MDS B, on every back-office page of every app.

Each app lists its pages in `tests/<app>/scoping_pages*.py` (see tests/scoping.py). A named
back-office URL that no app lists fails the coverage test, so no view can forget the scoping.
"""

import importlib
from pathlib import Path

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from sites.roles import Role
from tests.factories import MdsFactory, agent_with_role
from tests.scoping import ScopedPages

pytestmark = pytest.mark.django_db

_TESTS = Path(__file__).parent
APPS: list[ScopedPages] = [
    importlib.import_module(f"tests.{path.parent.name}.{path.stem}").PAGES
    for path in sorted(_TESTS.glob("*/scoping_pages*.py"))
]
OBJECT_PAGES = [(app, name) for app in APPS for name in sorted(app.object_pages)]
LIST_PAGES = [(app, name) for app in APPS for name in app.list_pages]
WIDE_PAGES = [(app, name) for app in APPS for name in app.departement_wide_pages]
PER_MDS_ROLES = [Role.MDS_MANAGER, Role.RECEPTION, Role.SOCIAL_WORKER, Role.MEDIATOR]


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
    covered = {
        name
        for app in APPS
        for name in (*app.object_pages, *app.list_pages, *app.departement_wide_pages, *app.unscoped_pages)
    }
    assert _backoffice_url_names() - covered == set()


def _alpha_and_bravo(app: ScopedPages):
    alpha = app.build(MdsFactory(name="Alpha"))
    bravo = app.build(MdsFactory(name="Bravo"))
    return alpha, bravo


@pytest.mark.parametrize("role", PER_MDS_ROLES)
@pytest.mark.parametrize(("app", "url_name"), OBJECT_PAGES, ids=[n for _a, n in OBJECT_PAGES])
def test_pages_about_mds_b_do_not_exist_for_an_agent_of_mds_a(app, url_name, role, signed_in):
    alpha, bravo = _alpha_and_bravo(app)
    client = signed_in(agent_with_role(role, alpha["mds"]))
    url = reverse(url_name, kwargs=app.object_pages[url_name](bravo))
    assert client.get(url).status_code == 404
    assert client.post(url, {"name": "Piraté", "label": "Piraté"}).status_code in (404, 405)  # 405: read-only page


@pytest.mark.parametrize("role", PER_MDS_ROLES)
@pytest.mark.parametrize(("app", "url_name"), LIST_PAGES, ids=[n for _a, n in LIST_PAGES])
def test_list_pages_show_nothing_of_mds_b(app, url_name, role, signed_in):
    """A list page shows its own MDS and nothing of MDS B to the roles it opens to; the others get 403."""
    alpha, _bravo = _alpha_and_bravo(app)
    response = signed_in(agent_with_role(role, alpha["mds"])).get(reverse(url_name))
    if role in app.closed_to.get(url_name, ()):
        assert response.status_code == 403
        return
    assert response.status_code == 200
    html = response.getvalue().decode()  # CSV exports are streamed
    assert "Bravo" not in html
    assert "Alpha" in html


def test_only_list_pages_are_closed_to_roles():
    """A page named in closed_to is one of the app's list pages (a typo would silently expect 200)."""
    for app in APPS:
        assert set(app.closed_to) <= set(app.list_pages)
        assert all(roles <= set(PER_MDS_ROLES) for roles in app.closed_to.values())


@pytest.mark.parametrize("role", PER_MDS_ROLES)
@pytest.mark.parametrize(("app", "url_name"), WIDE_PAGES, ids=[n for _a, n in WIDE_PAGES])
def test_departement_wide_pages_are_closed_to_per_mds_agents(app, url_name, role, signed_in):
    alpha, _bravo = _alpha_and_bravo(app)
    response = signed_in(agent_with_role(role, alpha["mds"])).get(reverse(url_name))
    assert response.status_code == 403
    assert "Bravo" not in response.content.decode()


ALL_PAGES = OBJECT_PAGES + LIST_PAGES + WIDE_PAGES


@pytest.mark.parametrize(("app", "url_name"), ALL_PAGES, ids=[n for _a, n in ALL_PAGES])
def test_back_office_pages_require_signing_in(app, url_name, client):
    kwargs = app.object_pages[url_name](app.build(MdsFactory(name="Alpha"))) if url_name in app.object_pages else {}
    response = client.get(reverse(url_name, kwargs=kwargs))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("sites:login"))
