"""The person pages in Chromium, at desktop and phone width: axe finds no serious or critical violation.

(The project-wide check in tests/browser/test_accessibility.py visits them too, through the scoping registry;
this one runs alone in seconds.)"""

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from sites.roles import Role
from tests.accueil.factories import ContactRequestFactory, PersonFactory
from tests.browser.axe import axe_violations, describe, ensure_axe, serious
from tests.browser.conftest import browser, live_server  # noqa: F401  (the browser tests' fixtures)
from tests.conftest import sign_in
from tests.factories import MdsFactory, agent_with_role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTHS = [{"width": 1280, "height": 800}, {"width": 390, "height": 844}]


def test_the_person_pages_have_no_serious_accessibility_violation(browser, live_server):  # noqa: F811
    ensure_axe()
    mds = MdsFactory(name="Alpha")
    parent = PersonFactory(mds=mds, first_name="Hélène", last_name="Martin")
    child = PersonFactory(mds=mds, first_name="Inès", last_name="Martin", responsible=parent, relationship="fille")
    ContactRequestFactory(mds=mds, person=parent)
    manager = agent_with_role(Role.MDS_MANAGER, mds)
    client = sign_in(Client(), manager)
    context = browser.new_context(locale="fr-FR", bypass_csp=True)
    name = settings.SESSION_COOKIE_NAME
    context.add_cookies([{"name": name, "value": client.cookies[name].value, "url": live_server.url}])
    page = context.new_page()
    paths = [
        reverse("accueil_people:people") + "?q=helene",
        reverse("accueil_people:person_create"),
        *(reverse(f"accueil_people:{v}", args=[parent.pk]) for v in ("person_detail", "person_edit", "person_merge")),
        reverse("accueil_people:person_relative", args=[child.pk]),
    ]  # fmt: skip
    blocking = {}
    for path in paths:
        response = page.goto(live_server.url + path)
        assert response is not None and response.ok, path
        for viewport in WIDTHS:
            page.set_viewport_size(viewport)
            page.evaluate("() => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)))")
            if found := serious(axe_violations(page)):
                blocking[f"{path} {viewport['width']}"] = describe(found)
    context.close()
    assert not blocking, blocking
