"""On a phone, an agent of the MDS finds a request in the inbox by the person's phone number and takes it; an
agent of another MDS does not see it. The list and the request page are axe-core clean at 390 px."""

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from accueil.models import ContactRequest, RequestStatus
from sites.roles import Role
from tests.accueil.factories import ContactRequestFactory
from tests.browser.axe import assert_no_serious_violations
from tests.browser.conftest import PHONE
from tests.conftest import sign_in
from tests.factories import MdsFactory, agent_with_role

pytestmark = pytest.mark.django_db(transaction=True)


def _phone_as(browser, live_server, agent):
    # bypass_csp: axe-core is injected as an inline script, which our CSP forbids.
    context = browser.new_context(locale="fr-FR", bypass_csp=True, **PHONE)
    client = sign_in(Client(), agent)
    name = settings.SESSION_COOKIE_NAME
    context.add_cookies([{"name": name, "value": client.cookies[name].value, "url": live_server.url}])
    page = context.new_page()
    page.set_default_timeout(15_000)
    return context, page


def test_an_agent_finds_a_request_by_phone_and_takes_it_on_a_phone(browser, live_server):
    """Search "06 12 34 56 78", open the request, take it: the page says so and the database holds it."""
    alpha = MdsFactory(name="Alpha")
    request = ContactRequestFactory(mds=alpha, first_name="Nadia", last_name="Benali", phone="+33612345678",
                                    message="مرحبا, je voudrais un rendez-vous.")  # fmt: skip
    ContactRequestFactory.create_batch(3, mds=alpha, phone="+33698765432")
    agent = agent_with_role(Role.RECEPTION, alpha, first_name="Inès", last_name="Accueil")
    context, page = _phone_as(browser, live_server, agent)
    try:
        page.goto(live_server.url + reverse("accueil:inbox"))
        assert_no_serious_violations(page)
        page.get_by_label("Rechercher").fill("06 12 34 56 78")
        page.get_by_role("button", name="Filtrer").click()
        link = page.get_by_role("link", name=request.display_reference)
        assert page.locator("table tbody tr").count() == 1
        link.click()
        page.get_by_role("heading", level=1).filter(has_text=request.display_reference).wait_for()
        assert page.locator(".inbox-message[dir=auto]").inner_text().startswith("مرحبا")
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        assert_no_serious_violations(page)
        page.get_by_role("button", name="Prendre cette demande").click()
        page.get_by_text("Cette demande est à vous.").wait_for()
        assert_no_serious_violations(page)
    finally:
        context.close()
    stored = ContactRequest.objects.get(pk=request.pk)
    assert (stored.assigned_to, stored.status) == (agent, RequestStatus.TAKEN)


def test_an_agent_of_another_mds_does_not_see_the_request(browser, live_server):
    """The list of MDS B's agent does not list it; its page is a 404."""
    request = ContactRequestFactory(mds=MdsFactory(name="Alpha"), last_name="Benali")
    outsider = agent_with_role(Role.RECEPTION, MdsFactory(name="Bravo"))
    context, page = _phone_as(browser, live_server, outsider)
    try:
        page.goto(live_server.url + reverse("accueil:inbox"))
        assert "Benali" not in page.content()
        response = page.goto(live_server.url + reverse("accueil:request_detail", args=[request.pk]))
        assert response.status == 404
    finally:
        context.close()


def test_a_request_sent_from_a_phone_reaches_its_mds_inbox_and_no_other(browser, live_server, phone, settings):
    """The whole way: a person fills the form on a phone and reads the reference; the reception agent of that MDS
    finds it by that reference in the inbox, with the person's words; an agent of another MDS gets neither."""
    settings.ACCUEIL_FORM_MIN_SECONDS = 0  # a test types faster than a person
    arles = MdsFactory(name="Arles", slug="mds-arles")
    phone.goto(f"{live_server.url}/contact/mds-arles/?lang=fr")
    phone.get_by_label("Une question").check()
    phone.get_by_label("Logement").check()
    phone.locator("#id_last_name").fill("Benali")
    phone.locator("#id_email").fill("nadia.benali@example.org")
    phone.locator("#id_message").fill("Puis-je déposer mon dossier de logement à l’accueil ?")
    phone.locator("#id_notice").check()
    phone.get_by_role("button", name="Envoyer ma demande").click()
    reference = phone.locator(".reference").inner_text()

    context, page = _phone_as(browser, live_server, agent_with_role(Role.RECEPTION, arles))
    try:
        page.goto(live_server.url + reverse("accueil:inbox"))
        page.get_by_label("Rechercher").fill(reference)
        page.get_by_role("button", name="Filtrer").click()
        page.get_by_role("link", name=reference).click()
        page.get_by_text("Puis-je déposer mon dossier de logement à l’accueil ?").wait_for()
    finally:
        context.close()
    stored = ContactRequest.objects.get()
    context, page = _phone_as(browser, live_server, agent_with_role(Role.RECEPTION, MdsFactory(name="Bravo")))
    try:
        page.goto(live_server.url + reverse("accueil:inbox") + f"?q={reference}")
        assert page.get_by_role("link", name=reference).count() == 0 and "Benali" not in page.content()
        assert page.goto(live_server.url + reverse("accueil:request_detail", args=[stored.pk])).status == 404
    finally:
        context.close()
