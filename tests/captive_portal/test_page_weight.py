"""Fast in a captive-network mini-browser: the splash, its CSS and the EU emblem weigh under 50 KB, come
from our own static files only, and the whole path works with no cookie at all."""

import gzip
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.urls import reverse
from django.utils import translation

from captive_portal.models import ConnectionRecord
from tests.captive_portal.factories import (
    ContentBlockFactory,
    ContentLinkFactory,
    SitePortalFactory,
    TermsVersionFactory,
)
from tests.factories import OpeningPeriodFactory

pytestmark = pytest.mark.django_db

BUDGET = 50 * 1024
ASSET = re.compile(r'(?:src|href)="([^"]+)"')


@pytest.fixture
def portal(settings):
    from funding.operations import operation_load

    operation_load(path=settings.FEDER_OPERATION_FILE)  # the EU co-funds the WiFi: its emblem shows (funding)
    TermsVersionFactory(language="fr", summary="Ce WiFi est gratuit et ouvert à tous. " * 6)
    TermsVersionFactory(language="ar", summary="هذا الواي فاي مجاني ومفتوح للجميع. " * 6)
    portal = SitePortalFactory(site__slug="salon", site__name="MDS Salon", site__street="1 rue du Port")
    for weekday in range(1, 6):
        OpeningPeriodFactory(mds=portal.site.mds, weekday=weekday)
    for language in ("fr", "ar"):
        for n in range(4):  # a realistic splash: a few blocks with their links
            block = ContentBlockFactory(language=language, title=f"Bloc {n}", body="Un texte court et utile. " * 8)
            for label in ("CAF", "Ameli", "impots.gouv", "France Travail", "ANTS"):
                ContentLinkFactory(block=block, label=label, url="https://www.service-public.fr/")
    return portal


def _splash(client, language="fr", **query):
    return client.get(reverse("captive_portal:splash", kwargs={"slug": "salon"}), {"lang": language, **query})


def _static_bytes(url: str) -> bytes:
    """The file as served: the collected (hashed) one when there is one, else the source."""
    name = url.removeprefix(settings.STATIC_URL)
    collected = Path(settings.STATIC_ROOT) / name
    if collected.is_file():
        return collected.read_bytes()
    path = finders.find(re.sub(r"\.[0-9a-f]{12}(\.\w+)$", r"\1", name))
    assert path, url
    return Path(path).read_bytes()


@pytest.mark.parametrize("language", ["fr", "ar"])
def test_the_splash_with_its_css_and_emblem_weighs_under_50_kb(client, portal, language):
    html = _splash(client, language, mac="aa:bb:cc:dd:ee:10", ip="10.0.0.10", url="http://example.org/").content
    assert html.count(b'class="block"') >= 5  # four blocks and the MDS's own
    assets = [url for url in ASSET.findall(html.decode()) if url.startswith("/static/")]
    assert any(re.search(r"/portal\.(\w+\.)?css$", url) for url in assets)
    assert any(re.search(r"/eu-emblem\.(\w+\.)?svg$", url) for url in assets)
    files = [html, *(_static_bytes(url) for url in set(assets))]
    raw = sum(len(body) for body in files)
    zipped = sum(len(gzip.compress(body)) for body in files)
    assert raw < BUDGET, f"{raw} bytes raw ({zipped} gzip'd)"
    assert zipped < raw / 2


@pytest.mark.parametrize("page", ["splash", "terms", "connected"])
def test_nothing_comes_from_another_host(client, portal, page):
    """No font, script, image or style from elsewhere; content links go through our own tracking URL."""
    html = client.get(reverse(f"captive_portal:{page}", kwargs={"slug": "salon"}), {"to": "https://example.org/"})
    body = html.content.decode()
    external = [url for url in ASSET.findall(body) if re.match(r"(?i)^(https?:)?//", url)]
    if page == "connected":
        assert external == ["https://example.org/"]  # the visitor's own destination, shown as a link
        assert body.count('href="https://example.org/"') == 1
    else:
        assert external == []
    assert "<script" not in body
    assert "@import" not in _static_bytes("portal/portal.css").decode()
    assert "url(" not in _static_bytes("portal/portal.css").decode()


def test_every_public_page_shows_the_eu_emblem_and_the_erdf_mention(client, portal):
    with translation.override("fr"):
        statement = translation.gettext(
            "This service is co-funded by the European Union — European Regional Development Fund (ERDF)."
        )
    pages = [
        _splash(client),
        client.get(reverse("captive_portal:terms", kwargs={"slug": "salon"})),
        client.get(reverse("captive_portal:connected", kwargs={"slug": "salon"})),
        client.post(reverse("captive_portal:accept", kwargs={"slug": "salon"}), {"state": "forged", "terms": "1"}),
    ]
    for response in pages:
        body = response.content.decode()
        assert "eu-emblem" in body, response.request["PATH_INFO"]
        assert f'<p class="eu-statement">{statement}</p>' in body.replace("&#x27;", "'")  # under the emblem, in full
        assert "<strong>Union européenne</strong> <span>Fonds européen de développement régional</span>" in body
        assert "FEDER" in body


def test_the_whole_path_needs_no_cookie(client, portal):
    """A mini-browser that keeps no cookie: nothing is set, and accepting works without any."""
    splash = _splash(client, mac="aa:bb:cc:dd:ee:11", ip="10.0.0.11")
    assert not splash.cookies
    html = splash.content.decode()
    state = html.split('name="state" value="', 1)[1].split('"', 1)[0]
    terms = html.split('name="terms" value="', 1)[1].split('"', 1)[0]
    client.cookies.clear()
    accepted = client.post(
        reverse("captive_portal:accept", kwargs={"slug": "salon"}), {"state": state, "lang": "fr", "terms": terms}
    )
    assert accepted.status_code == 302 and not accepted.cookies
    client.cookies.clear()
    connected = client.get(accepted["Location"])
    assert connected.status_code == 200 and not connected.cookies
    assert ConnectionRecord.objects.filter(client_mac="aa:bb:cc:dd:ee:11").exists()


def test_the_language_switch_names_each_language_in_itself_and_keeps_the_gateway_parameters(client, portal):
    html = _splash(client, mac="aa:bb:cc:dd:ee:12").content.decode()
    assert 'hreflang="ar" dir="rtl">العربية</a>' in html
    assert 'lang="tr" hreflang="tr" dir="ltr">Türkçe</a>' in html
    assert html.count("mac=aa%3Abb%3Acc%3Add%3Aee%3A12") == 7
    assert 'aria-current="page">Français</a>' in html
