"""A person contacts their MDS from a phone: the form opened from the portal's link, filled in, sent, and the
reference read; wrong answers bring the focus to the list of what to correct; axe-core finds nothing serious in
French nor in Arabic (right to left), with and without errors shown."""

import re

import pytest

from accueil.models import ContactRequest
from tests.browser.axe import assert_no_serious_violations
from tests.browser.conftest import ARTIFACTS, PHONE
from tests.factories import MdsFactory, SiteFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def site(settings):
    settings.ACCUEIL_FORM_MIN_SECONDS = 0  # a test types faster than a person
    MdsFactory(name="Aubagne", commune="Aubagne")
    return SiteFactory(slug="arles", mds__slug="mds-arles", mds__name="Arles", mds__commune="Arles")


@pytest.fixture
def accessible_phone(browser, live_server):
    context = browser.new_context(locale="fr-FR", bypass_csp=True, **PHONE)
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


def test_a_person_fills_the_form_on_a_phone_and_reads_the_reference(phone, live_server, site):
    phone.goto(f"{live_server.url}/contact/mds-arles/?lang=fr&site=arles")
    assert phone.locator("#id_mds").input_value() == str(site.mds.pk)
    phone.get_by_label("Un rendez-vous avec un travailleur social").check()
    phone.get_by_label("Logement").check()
    phone.locator("#id_last_name").fill("Benali")
    phone.locator("#id_first_name").fill("Nadia")
    phone.locator("#id_phone").fill("06 12 34 56 78")
    phone.get_by_label("Appel téléphonique").check()
    phone.locator("#id_message").fill("Je cherche un logement pour moi et mes deux enfants.")
    phone.locator("#id_notice").check()
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    phone.get_by_role("button", name="Envoyer ma demande").click()
    phone.wait_for_url(re.compile(r"/contact/sent/"))
    request = ContactRequest.objects.get()
    assert phone.locator(".reference").inner_text() == request.display_reference
    assert (request.mds, request.site, request.last_name) == (site.mds, site, "Benali")
    ARTIFACTS.mkdir(exist_ok=True)
    phone.screenshot(path=str(ARTIFACTS / "contact-sent-fr.png"), full_page=True)


def test_wrong_answers_bring_the_focus_to_what_to_correct_in_arabic(phone, live_server, site):
    phone.goto(f"{live_server.url}/contact/?lang=ar")
    assert phone.evaluate("[document.documentElement.lang, document.documentElement.dir]") == ["ar", "rtl"]
    phone.get_by_role("button", name="أرسل طلبي").click()
    phone.wait_for_load_state()
    assert phone.evaluate("document.activeElement.className") == "error-summary"
    assert phone.locator("#id_last_name").get_attribute("aria-invalid") == "true"
    ARTIFACTS.mkdir(exist_ok=True)
    phone.screenshot(path=str(ARTIFACTS / "contact-errors-ar.png"), full_page=True)
    phone.locator(".error-summary a[href='#id_last_name']").click()
    assert phone.evaluate("document.activeElement.id") == "id_last_name"
    assert not ContactRequest.objects.exists()


@pytest.mark.parametrize("language", ["fr", "ar"])
def test_axe_finds_nothing_serious_on_the_form_with_and_without_errors(accessible_phone, live_server, site, language):
    accessible_phone.goto(f"{live_server.url}/contact/mds-arles/?lang={language}")
    assert_no_serious_violations(accessible_phone)
    accessible_phone.locator("button[type=submit]").click()
    accessible_phone.wait_for_selector(".error-summary")
    assert_no_serious_violations(accessible_phone)


def test_with_the_proof_of_work_on_the_browser_solves_it_and_the_request_goes_through(
    phone, live_server, site, settings
):
    """The widget works in a real browser: without its answer the form would be refused (open for too short)."""
    settings.ACCUEIL_PROOF_OF_WORK = True
    settings.ACCUEIL_POW_MAX_NUMBER = 20_000
    settings.ACCUEIL_POW_MIN_SECONDS_WITHOUT = 600
    phone.goto(f"{live_server.url}/contact/mds-arles/?lang=fr")
    phone.get_by_label("Une question").check()
    phone.get_by_label("Logement").check()
    phone.locator("#id_last_name").fill("Benali")
    phone.locator("#id_email").fill("nadia@example.org")
    phone.locator("#id_notice").check()
    phone.wait_for_function("document.getElementById('id_pow_number').value !== ''", timeout=30_000)
    phone.get_by_role("button", name="Envoyer ma demande").click()
    phone.wait_for_url(re.compile(r"/contact/sent/"))
    assert phone.locator(".reference").inner_text() == ContactRequest.objects.get().display_reference
