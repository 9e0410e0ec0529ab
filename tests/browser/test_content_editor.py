"""The content editor's phone frame shows what the agent types, and an image chosen survives the preview."""

import pytest
from django.test import Client
from django.urls import reverse

from captive_portal.models import ContentBlock
from sites.roles import Role
from tests.captive_portal.test_content_images import photo
from tests.conftest import sign_in
from tests.factories import SiteFactory, agent_with_role

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def editor(desktop, live_server, settings, tmp_path):
    """The desktop page, signed in (second factor passed) as the manager of the MDS of site "Alpha"."""
    settings.MEDIA_ROOT = tmp_path
    site = SiteFactory(name="Site Alpha")
    client = sign_in(Client(), agent_with_role(Role.MDS_MANAGER, site.mds))
    desktop.context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
          "url": live_server.url}]
    )  # fmt: skip
    desktop.goto(live_server.url + reverse("portal_content:block_create"))
    desktop.get_by_label("Site Alpha").check()
    return desktop


def _frame_text(page) -> str:
    return page.frame_locator("[data-preview-frame]").locator("body").inner_text()


def test_what_the_agent_types_appears_in_the_phone_frame(editor):
    editor.get_by_label("Titre").fill("Fermeture exceptionnelle lundi")
    editor.get_by_label("Texte").fill("L’accueil rouvre mardi à 8 h 30.")
    editor.frame_locator("[data-preview-frame]").get_by_text("L’accueil rouvre mardi à 8 h 30.").wait_for()
    assert "Fermeture exceptionnelle lundi" in _frame_text(editor)
    assert editor.get_by_role("status").filter(has_text="Aperçu mis à jour").count() == 1
    assert not ContentBlock.objects.exists()


def test_an_image_chosen_survives_the_preview_button_and_is_saved(editor, tmp_path):
    """The "Aperçu" button reloads the page: the image comes back with it and Save stores it."""
    upload = photo(1200, 800)
    picture = tmp_path / "affiche.jpg"
    picture.write_bytes(upload.read())
    editor.get_by_label("Type").select_option(value="news")
    editor.get_by_label("Titre").fill("Atelier CV")
    editor.get_by_label("Image", exact=True).set_input_files(str(picture))
    editor.get_by_label("Description de l’image").fill("Affiche de l’atelier")
    editor.get_by_role("button", name="Aperçu").click()
    editor.get_by_text("L’image choisie est gardée").wait_for()
    assert editor.frame_locator("[data-preview-frame]").locator("img[src^='data:image/jpeg']").count() == 1

    editor.get_by_role("button", name="Enregistrer").click()
    editor.get_by_role("heading", name="Atelier CV").wait_for()
    block = ContentBlock.objects.get()
    assert block.image and block.image.storage.exists(block.image.name)
