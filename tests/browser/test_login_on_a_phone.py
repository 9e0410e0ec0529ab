import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice

from sites.roles import Role
from tests.browser.conftest import totp_code
from tests.factories import PASSWORD, MdsFactory, SiteFactory, agent_with_role

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_reception_agent_signs_in_with_a_second_factor_on_a_phone(phone, live_server):
    """Email, password, then the authenticator code: the agent lands on their own MDS's dashboard."""
    own, other = MdsFactory(name="MDS Belle de Mai"), MdsFactory(name="MDS Arles")
    SiteFactory(mds=own, name="Site Belle de Mai")
    SiteFactory(mds=other, name="Site Arles")
    agent = agent_with_role(Role.RECEPTION, own, email="accueil@departement.test")
    device = TOTPDevice.objects.create(user=agent, name="default", confirmed=True)

    phone.goto(f"{live_server.url}/backoffice/")
    assert "/backoffice/login/" in phone.url

    phone.get_by_label("Adresse e-mail").fill("Accueil@Departement.test")
    phone.get_by_label("Mot de passe").fill(PASSWORD)
    phone.get_by_role("button", name="Se connecter").click()

    phone.wait_for_url("**/backoffice/2fa/**")
    phone.get_by_label("Code").fill(totp_code(device))
    phone.get_by_role("button", name="Valider").click()

    phone.wait_for_url(f"{live_server.url}/backoffice/")
    assert phone.get_by_role("heading", name="MDS Belle de Mai").is_visible()
    assert "MDS Arles" not in phone.content()
    # Mobile first: nothing wider than the phone's screen.
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_the_skip_link_is_the_first_thing_a_keyboard_reaches(phone, live_server):
    phone.goto(f"{live_server.url}/backoffice/password-reset/")
    first = phone.evaluate(
        "(() => { const el = document.querySelector("
        "'a[href], button, input:not([type=hidden]), select, textarea, [tabindex]:not([tabindex=\"-1\"])');"
        " return [el.tagName, el.getAttribute('href')]; })()"
    )
    assert first == ["A", "#main"]
    phone.keyboard.press("Tab")
    phone.keyboard.press("Enter")
    assert phone.evaluate("document.activeElement.id") == "main"
