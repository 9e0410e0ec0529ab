"""axe-core on every back-office page, at desktop and phone width: no serious or critical violation.

The pages come from the scoping registry (tests/<app>/scoping_pages*.py, the list every back-office URL
must be in), built for one of the 27 MDS `load_mds` loads; each page is opened by the first of the
administrator, the ops agent and the legal-requisition officer that may open it, and the pages an MDS
manager opens are checked again as that manager (the menu differs). Sign-in pages are checked signed out.
"""

import pytest
from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from sites.models import Membership
from sites.roles import Role
from sites.services import invitation_tokens
from tests.browser.axe import axe_violations as run_axe
from tests.browser.axe import describe, ensure_axe, serious
from tests.captive_portal.factories import (
    ContentBlockFactory,
    ContentLinkFactory,
    SitePortalFactory,
    TermsVersionFactory,
)
from tests.conftest import sign_in
from tests.factories import MdsFactory, OpeningPeriodFactory, agent_with_role
from tests.test_backoffice_scoping import APPS

pytestmark = pytest.mark.django_db(transaction=True)

WIDTHS = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}
# Not pages: downloads, the board's auto-refresh fragment, POST-only actions.
NOT_PAGES = ("_csv", ":export", ":board_fragment", ":logout")
ACCOUNT_PAGES = ["sites:password_change", "sites:backup_codes", "sites:authenticator_replace", "sites:privilege_grants"]
SIGNED_OUT_PAGES = ["sites:login", "sites:password_reset", "sites:password_reset_done", "sites:password_reset_complete"]


def _signed_in_context(browser, live_server, viewport, agent, *, second_factor=True):
    context = browser.new_context(locale="fr-FR", viewport=viewport, bypass_csp=True)
    if agent is not None:
        client = sign_in(Client(), agent, second_factor=second_factor)
        name = settings.SESSION_COOKIE_NAME
        context.add_cookies([{"name": name, "value": client.cookies[name].value, "url": live_server.url}])
    return context


def _backoffice_urls(objects: dict, *, lists_only: bool = False) -> list[str]:
    urls = []
    for app in APPS:
        kwargs_of = dict(app.object_pages)
        names = app.list_pages if lists_only else [*app.object_pages, *app.list_pages, *app.departement_wide_pages]
        for name in names:
            if name.endswith(NOT_PAGES):
                continue
            kwargs = kwargs_of[name](objects[id(app)]) if name in kwargs_of else {}
            urls.append(reverse(name, kwargs=kwargs))
    return urls


@pytest.fixture
def backoffice():
    """The 27 MDS, each app's objects in an MDS of its own (their factories number sites from 1), and one agent
    per role that opens back-office pages; the MDS manager manages each of those MDS."""
    call_command("load_mds", verbosity=0)
    objects = {id(app): app.build(MdsFactory(name=f"Alpha {n}")) for n, app in enumerate(APPS)}
    manager = agent_with_role(Role.MDS_MANAGER, objects[id(APPS[0])]["mds"])
    for app in APPS[1:]:
        Membership.objects.create(agent=manager, role=Role.MDS_MANAGER, mds=objects[id(app)]["mds"])
    agents = {
        "admin": agent_with_role(Role.ADMIN),
        "ops": agent_with_role(Role.OPS),
        # The officer who made the log search the registry built: a search is shown to its author only.
        "officer": next(o["officer"] for o in objects.values() if "officer" in o),
        "manager": manager,
    }
    return {
        "urls": _backoffice_urls(objects),
        "list_urls": _backoffice_urls(objects, lists_only=True),
        "agents": agents,
        "mds": objects[id(APPS[0])]["mds"],
    }


def _who_opens(url: str, clients: dict) -> list[str]:
    """The first of admin, ops and officer for which `url` answers a page (200, HTML), and the manager if it does
    for them too, asked through Django's test client (fast). None: an action (POST only, or a redirect)."""
    roles = []
    for role, client in clients.items():
        if roles and role != "manager":
            continue
        response = client.get(url)
        if response.status_code == 200 and response["Content-Type"].startswith("text/html"):
            roles.append(role)
    return roles


def _check(page, live_server, path: str, role: str, found: dict) -> None:
    """Open `path` once and run axe at each width (the page is laid out again on resizing)."""
    response = page.goto(live_server.url + path)
    assert response is not None and response.ok, f"{path}: {response and response.status}"
    for width, viewport in WIDTHS.items():
        page.set_viewport_size(viewport)
        page.evaluate("() => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)))")
        found[(width, role, path)] = run_axe(page)


def test_backoffice_pages_have_no_serious_accessibility_violation(browser, live_server, backoffice):
    """Each back-office page, at 1280 px and 390 px: axe finds no serious or critical violation."""
    ensure_axe()
    agents = backoffice["agents"]
    clients = {role: sign_in(Client(), agent) for role, agent in agents.items()}
    by_role: dict[str, list[str]] = {role: [] for role in agents}
    not_pages = []
    for path in backoffice["urls"]:
        roles = _who_opens(path, clients)
        if not roles:
            not_pages.append(path)
        for role in roles:
            by_role[role].append(path)
    # The manager's pages differ from the administrator's in their menu and what they list: their list pages.
    by_role["manager"] = [path for path in by_role["manager"] if path in backoffice["list_urls"]]
    by_role["admin"] += [reverse(name) for name in ACCOUNT_PAGES]
    print(f"\nNot a page for anybody (actions): {not_pages}")
    found: dict[tuple[str, str, str], list[dict]] = {}
    for role, paths in by_role.items():
        context = _signed_in_context(browser, live_server, WIDTHS["desktop"], agents[role])
        page = context.new_page()
        for path in paths:
            _check(page, live_server, path, role, found)
        context.close()

    # Signed out, an invited agent choosing a password, and half signed in (the second factor to pass).
    invited = agent_with_role(Role.RECEPTION, backoffice["mds"], email="invitee@departement.test")
    invited.set_unusable_password()
    invited.save()
    uid = urlsafe_base64_encode(force_bytes(invited.pk))
    context = _signed_in_context(browser, live_server, WIDTHS["desktop"], None)
    page = context.new_page()
    for path in [
        *(reverse(name) for name in SIGNED_OUT_PAGES),
        reverse("sites:invitation_accept", args=[uid, invitation_tokens.make_token(invited)]),
        # Redirects to the set-password form.
        reverse("sites:password_reset_confirm", args=[uid, default_token_generator.make_token(invited)]),
    ]:
        _check(page, live_server, path, "signed out", found)
    context.close()
    context = _signed_in_context(browser, live_server, WIDTHS["desktop"], agents["manager"], second_factor=False)
    _check(context.new_page(), live_server, reverse("sites:two_factor"), "manager", found)
    context.close()

    print("\naxe, violations per page (nodes by impact):")
    for (width, role, path), violations in found.items():
        print(f"  {width:7} {role:10} {path}: {_count_by_impact(violations) or 'none'}")
        if violations:
            print(describe(violations))
    blocking = {key: serious(violations) for key, violations in found.items() if serious(violations)}
    assert not blocking, "\n".join(f"{' '.join(key)}:\n{describe(violations)}" for key, violations in blocking.items())
    assert len(found) > 2 * 50  # every page was visited


def _count_by_impact(violations: list[dict]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for violation in violations:
        counts[violation["impact"]] = counts.get(violation["impact"], 0) + len(violation["nodes"])
    return counts


@pytest.mark.parametrize("language", ["fr", "ar"])
def test_the_portal_splash_and_connected_page_have_no_serious_accessibility_violation(browser, live_server, language):
    """The public's pages, at phone and desktop width, left to right and right to left."""
    TermsVersionFactory(language=language)
    portal = SitePortalFactory(site__slug="arles", site__name="MDS Arles", site__mds__name="Arles")
    OpeningPeriodFactory(mds=portal.site.mds)
    block = ContentBlockFactory(language=language)
    ContentLinkFactory(block=block, label="CAF")
    context = _signed_in_context(browser, live_server, WIDTHS["phone"], None)
    page = context.new_page()
    found: dict[tuple[str, str, str], list[dict]] = {}
    _check(page, live_server, f"/portal/arles/?lang={language}&mac=aa:bb:cc:dd:ee:01&ip=10.0.0.1", "visitor", found)
    page.set_viewport_size(WIDTHS["phone"])
    with page.expect_navigation():
        page.locator("form button[type=submit]").first.click()
    found[("phone", "visitor", page.url)] = run_axe(page)
    context.close()
    blocking = {key: serious(violations) for key, violations in found.items() if serious(violations)}
    assert not blocking, "\n".join(f"{' '.join(key)}:\n{describe(violations)}" for key, violations in blocking.items())
    assert len(found) == 3 and "/connected/" in list(found)[-1][2]
