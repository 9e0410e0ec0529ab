import re

import pytest
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from sites.models import Agent
from sites.roles import Role
from sites.services import invitation_tokens
from tests.browser.conftest import sign_in_with_second_factor
from tests.factories import MdsFactory, agent_with_role

pytestmark = pytest.mark.django_db(transaction=True)

NEW_PASSWORD = "Une phrase de passe assez longue 2026"


def test_a_manager_adds_an_agent_on_a_phone_who_then_chooses_a_password(phone, browser, live_server):
    """From the menu to the invitation: labels a screen reader announces, nothing wider than the phone."""
    mds = MdsFactory(name="MDS Belle de Mai")
    manager = agent_with_role(Role.MDS_MANAGER, mds, email="responsable@departement.test")
    sign_in_with_second_factor(phone, live_server, manager)

    phone.locator("summary", has_text="Menu").click()  # on a phone the menu is a button
    phone.get_by_role("link", name="Agents", exact=True).click()
    phone.get_by_role("link", name="Ajouter un agent").click()
    phone.get_by_label("Adresse e-mail").fill("nina.nouvelle@departement.test")
    phone.get_by_label("Prénom").fill("Nina")
    phone.get_by_label(re.compile(r"^\s*Nom\b")).fill("Nouvelle")
    phone.get_by_label("Rôle").select_option(label="Agent d'accueil")
    phone.get_by_role("button", name="Ajouter et envoyer l'invitation").click()
    phone.get_by_role("heading", name="Nina Nouvelle").wait_for()
    assert "invité" in phone.get_by_role("status").first.inner_text()
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth")

    phone.locator("summary", has_text="Menu").click()
    phone.get_by_role("link", name="Agents", exact=True).first.click()
    assert phone.get_by_role("link", name="Nina Nouvelle").is_visible()
    # A page wider than its content makes a phone's layout viewport (window.innerWidth) grow with it:
    # compare with the phone's width itself.
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390

    agent = Agent.objects.get(email="nina.nouvelle@departement.test")
    uid, token = urlsafe_base64_encode(force_bytes(agent.pk)), invitation_tokens.make_token(agent)
    link = f"/backoffice/invitation/{uid}/{token}/"
    context = browser.new_context(locale="fr-FR", viewport={"width": 390, "height": 844})
    invitee = context.new_page()
    try:
        invitee.goto(f"{live_server.url}{link}")
        invitee.get_by_label(re.compile(r"^\s*Nouveau mot de passe\b")).fill(NEW_PASSWORD)
        invitee.get_by_label(re.compile(r"^\s*Confirmation")).fill(NEW_PASSWORD)
        invitee.get_by_role("button", name="Enregistrer mon mot de passe").click()
        invitee.wait_for_url("**/backoffice/login/")
        assert "Votre mot de passe est enregistré" in invitee.content()
    finally:
        context.close()
    agent.refresh_from_db()
    assert agent.check_password(NEW_PASSWORD)
