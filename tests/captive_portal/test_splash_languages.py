"""A visitor reading any of the seven portal languages reads the terms in that language, on the splash and in full."""

import html as html_lib
import re

import pytest
from django.conf import settings
from django.core.management import call_command
from django.urls import reverse

from captive_portal.models import ContentBlock, TermsVersion
from tests.captive_portal.factories import SitePortalFactory

pytestmark = pytest.mark.django_db

LANGUAGES = [code for code, _name in settings.PORTAL_LANGUAGES]


@pytest.fixture
def arles():
    call_command("load_portal_content", verbosity=0)
    return SitePortalFactory(site__slug="arles")


def _text(response) -> str:
    assert response.status_code == 200
    return html_lib.unescape(response.content.decode())


@pytest.mark.parametrize("code", LANGUAGES)
def test_the_splash_shows_the_terms_and_blocks_of_the_visitors_language(arles, client, code):
    """The page is marked as that language (right to left for Arabic) and carries no French fallback."""
    arrival = {"lang": code, "mac": "aa:bb:cc:dd:ee:01", "ip": "10.0.0.7"}  # redirected by the gateway
    page = _text(client.get(reverse("captive_portal:splash", kwargs={"slug": "arles"}), arrival))
    terms = TermsVersion.objects.get(language=code)
    direction = "rtl" if code == "ar" else "ltr"
    assert re.search(rf'<html lang="{code}" dir="{direction}">', page)
    assert f'value="{terms.pk}"' in page  # the version the visitor accepts is the one they read
    for line in terms.summary.splitlines():
        assert line in page
    assert 'lang="fr" dir="auto"' not in page  # no block nor summary shown in French instead
    for title in ContentBlock.objects.filter(language=code).values_list("title", flat=True):
        assert title in page


@pytest.mark.parametrize("code", LANGUAGES)
def test_the_full_terms_are_in_the_visitors_language(arles, client, code):
    """The full-terms page shows that language's full text, marked as that language."""
    page = _text(client.get(reverse("captive_portal:terms", kwargs={"slug": "arles"}), {"lang": code}))
    full_text = TermsVersion.objects.get(language=code).full_text
    assert re.search(rf'<html lang="{code}" dir="{"rtl" if code == "ar" else "ltr"}">', page)
    assert full_text.splitlines()[0] in page
    assert full_text.splitlines()[-1] in page
