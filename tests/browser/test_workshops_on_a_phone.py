"""Registering to a workshop on a phone, without an account: the MDS's list, a session, a first name, a mobile and
the consent, the confirmation; then the same in Arabic, right to left. axe-core finds nothing serious on the way,
and nothing scrolls sideways at 390 px."""

import pytest

from mediation.models import Registration, RegistrationStatus
from tests.browser.axe import assert_no_serious_violations
from tests.browser.conftest import ARTIFACTS, PHONE, _open_page
from tests.captive_portal.factories import SitePortalFactory, TermsVersionFactory
from tests.mediation.factories import RegistrationFactory
from tests.mediation.public import arles_session

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def phone(browser, request, live_server):
    """The phone of conftest, with the CSP bypassed so that axe can be injected."""
    yield from _open_page(browser, request, **PHONE, bypass_csp=True)


def _no_sideways_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_a_person_registers_to_a_session_from_the_mds_page(phone, live_server):
    session = arles_session(title="Mes premiers e-mails", capacity=8)
    arles_session(title="Faire ses démarches en ligne")

    phone.goto(f"{live_server.url}/ateliers/mds-arles/")
    assert phone.get_by_role("heading", name="Ateliers numériques — MDS Arles").is_visible()
    assert_no_serious_violations(phone)
    assert _no_sideways_scroll(phone)
    phone.get_by_role("link", name="Mes premiers e-mails").click()

    phone.wait_for_url(f"**/ateliers/session/{session.pk}/**")
    phone.get_by_label("Prénom").fill("Nadia")
    phone.get_by_label("Téléphone portable").fill("06 12 34 56 78")
    phone.get_by_label("J’accepte que la MDS conserve ces informations").check()
    assert_no_serious_violations(phone)
    assert _no_sideways_scroll(phone)
    phone.get_by_role("button", name="S’inscrire").click()

    phone.wait_for_url("**/ateliers/inscription/**")
    assert phone.get_by_role("heading", name="Vous êtes inscrit·e").is_visible()
    assert_no_serious_violations(phone)
    assert _no_sideways_scroll(phone)
    registration = Registration.objects.get()
    assert (registration.first_name, registration.phone, registration.status, registration.language) == (
        "Nadia", "+33612345678", RegistrationStatus.CONFIRMED, "fr",
    )  # fmt: skip


def test_in_arabic_a_full_session_puts_the_person_on_the_waiting_list(phone, live_server):
    session = arles_session(title="Mes premiers e-mails", capacity=1)
    RegistrationFactory(session=session)

    phone.goto(f"{live_server.url}/ateliers/session/{session.pk}/?lang=ar")
    assert phone.evaluate("[document.documentElement.lang, document.documentElement.dir]") == ["ar", "rtl"]
    phone.get_by_role("button", name="التسجيل في قائمة الانتظار").click()  # nothing filled: the errors, in Arabic
    assert phone.get_by_role("alert").is_visible()
    assert_no_serious_violations(phone)
    phone.get_by_label("الاسم الشخصي").fill("نادية")
    phone.locator("#id_email").fill("nadia@example.org")
    phone.get_by_label("أوافق على أن تحتفظ دار التضامن").check()
    phone.get_by_role("button", name="التسجيل في قائمة الانتظار").click()

    phone.wait_for_url("**/ateliers/inscription/**")
    assert phone.get_by_role("heading", name="أنت في قائمة الانتظار").is_visible()
    assert phone.evaluate("document.documentElement.dir") == "rtl"
    assert_no_serious_violations(phone)
    assert _no_sideways_scroll(phone)
    ARTIFACTS.mkdir(exist_ok=True)
    phone.screenshot(path=str(ARTIFACTS / "workshops-waiting-ar.png"), full_page=True)
    waiting = Registration.objects.get(email="nadia@example.org")
    assert (waiting.status, waiting.position, waiting.language) == (RegistrationStatus.WAITING, 1, "ar")


def test_from_the_portal_splash_to_a_session(phone, live_server):
    """The splash lists the MDS's next sessions; one tap opens the session's page in the splash's language."""
    TermsVersionFactory(language="fr")
    TermsVersionFactory(language="en")
    session = arles_session(title="Mes premiers e-mails")
    SitePortalFactory(site=session.site)

    phone.goto(f"{live_server.url}/portal/arles/?lang=en")
    assert phone.get_by_role("heading", name="Upcoming digital workshops").is_visible()
    assert_no_serious_violations(phone)
    assert _no_sideways_scroll(phone)
    phone.get_by_role("link", name="Mes premiers e-mails").click()
    phone.wait_for_url(f"**/ateliers/session/{session.pk}/?lang=en")
    assert phone.get_by_role("heading", name="Register").is_visible()
