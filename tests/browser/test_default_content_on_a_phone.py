"""The default terms and blocks of a new install, read on a phone in Chromium in each portal language."""

import pytest
from django.conf import settings
from django.core.management import call_command

from captive_portal.models import TermsVersion
from tests.browser.conftest import ARTIFACTS
from tests.captive_portal.factories import SitePortalFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def portal():
    call_command("load_portal_content", verbosity=0)
    return SitePortalFactory(site__slug="arles", site__name="MDS Arles", site__mds__name="Arles")


@pytest.mark.parametrize("language", [code for code, _name in settings.PORTAL_LANGUAGES])
def test_the_default_terms_read_in_the_visitors_language_and_direction(phone, live_server, portal, language):
    """Splash and full terms lay out in the language's direction, without sideways scrolling on a 390 px phone."""
    direction = "rtl" if language == "ar" else "ltr"
    terms = TermsVersion.objects.get(language=language)
    phone.goto(f"{live_server.url}/portal/arles/?lang={language}")
    summary = phone.get_by_text(terms.summary.splitlines()[0])
    assert summary.evaluate("node => getComputedStyle(node).direction") == direction
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    phone.screenshot(path=str(ARTIFACTS / f"default-splash-{language}.png"), full_page=True)

    phone.goto(f"{live_server.url}/portal/arles/terms/?lang={language}")
    article = phone.get_by_text(terms.full_text.splitlines()[-1])
    assert article.evaluate("node => getComputedStyle(node).direction") == direction
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
