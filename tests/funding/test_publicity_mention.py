"""The EU emblem on the public pages (portal, contact form, workshops): shown while a FEDER operation co-funds the
service, in colour with "Union européenne" and the fund's name, the statement in the visitor's language."""

import re

import pytest
from django.contrib.staticfiles import finders
from django.core.cache import cache
from django.urls import reverse

from core.public_mentions import mentions
from funding import publicity
from funding.models import Financer, FinancerKind
from tests.captive_portal.factories import SitePortalFactory, TermsVersionFactory

pytestmark = pytest.mark.django_db

STATEMENTS = {
    "fr": "Ce service est cofinancé par l'Union européenne — Fonds européen de développement régional (FEDER).",
    "en": "This service is co-funded by the European Union — European Regional Development Fund (ERDF).",
    "es": "Este servicio está cofinanciado por la Unión Europea — Fondo Europeo de Desarrollo Regional (FEDER).",
    "it": "Questo servizio è cofinanziato dall'Unione europea — Fondo europeo di sviluppo regionale (FESR).",
    "pt": "Este serviço é cofinanciado pela União Europeia — Fundo Europeu de Desenvolvimento Regional (FEDER).",
    "tr": "Bu hizmet Avrupa Birliği tarafından ortak finanse edilmektedir — Avrupa Bölgesel Kalkınma Fonu (ERDF).",
    "ar": "هذه الخدمة ممولة جزئيًا من الاتحاد الأوروبي — الصندوق الأوروبي للتنمية الإقليمية (FEDER).",
}


@pytest.fixture
def public_pages(db):
    """The three public frames: a site's portal splash, an MDS's contact page, the workshops' list."""
    TermsVersionFactory(language="fr")
    portal = SitePortalFactory(site__slug="arles", site__mds__slug="arles")
    return {
        "portal": reverse("captive_portal:splash", kwargs={"slug": portal.site.slug}),
        "contact": reverse("accueil_public:contact_mds", kwargs={"mds_slug": portal.site.mds.slug}),
        "workshops": reverse("mediation_public:list"),
    }


def _html(client, url: str, **query) -> str:
    return client.get(url, query).content.decode().replace("&#x27;", "'")


@pytest.mark.parametrize("page", ["portal", "contact", "workshops"])
def test_each_public_page_shows_the_emblem_and_the_fund_while_feder_co_funds_it(client, operation, public_pages, page):
    html = _html(client, public_pages[page])
    header = html.split("<header>", 1)[1].split("</header>", 1)[0]
    assert re.search(r'<img class="eu-flag" src="/static/funding/eu-emblem\.(\w+\.)?svg" alt="" width="72"', header)
    assert "<strong>Union européenne</strong> <span>Fonds européen de développement régional</span>" in header
    assert STATEMENTS["fr"] in header
    assert html.count("data-eu-emblem") == 1


@pytest.mark.parametrize("page", ["portal", "contact", "workshops"])
def test_without_a_feder_operation_no_page_shows_the_emblem(client, public_pages, page):
    """Another département running the platform without FEDER: no emblem, no mention of the EU."""
    html = _html(client, public_pages[page])
    assert "eu-emblem" not in html
    assert "Union européenne" not in html
    assert "FEDER" not in html


def test_an_operation_without_a_feder_line_shows_no_emblem(client, operation, public_pages):
    Financer.objects.filter(kind=FinancerKind.FEDER).delete()
    assert "eu-emblem" not in _html(client, public_pages["portal"])
    assert "eu-emblem" not in _html(client, public_pages["contact"])


def test_loading_the_operation_shows_the_emblem_on_the_portal_already_cached(client, public_pages, settings):
    """The splash is pre-rendered per content version: loading the operation redraws it at once."""
    from funding.operations import operation_load

    assert "eu-emblem" not in _html(client, public_pages["portal"])
    assert "eu-emblem" not in _html(client, public_pages["workshops"])
    operation_load(path=settings.FEDER_OPERATION_FILE)
    assert "eu-emblem" in _html(client, public_pages["portal"])
    assert "eu-emblem" in _html(client, public_pages["workshops"])


def test_removing_the_feder_line_hides_the_emblem_at_once(client, operation, public_pages):
    assert "eu-emblem" in _html(client, public_pages["portal"])
    operation.financers.get(kind=FinancerKind.FEDER).delete()
    assert "eu-emblem" not in _html(client, public_pages["portal"])
    assert "eu-emblem" not in _html(client, public_pages["contact"])


def test_the_mention_costs_one_query_on_a_cold_cache_and_none_after(operation, django_assert_num_queries):
    cache.clear()
    with django_assert_num_queries(1):
        assert [m.template for m in mentions()] == [publicity.MENTION_TEMPLATE]
    with django_assert_num_queries(0):
        assert len(mentions()) == 1


@pytest.mark.parametrize("language", ["fr", "en", "es", "it", "pt", "tr", "ar"])
def test_the_statement_is_in_the_visitors_language_on_the_portal_and_the_emblem_stays_french(
    client, operation, public_pages, language
):
    html = _html(client, public_pages["portal"], lang=language)
    assert STATEMENTS[language] in html
    assert '<p class="eu-name" lang="fr" dir="ltr"><strong>Union européenne</strong>' in html


@pytest.mark.parametrize("page", ["contact", "workshops"])
@pytest.mark.parametrize("language", ["en", "ar"])
def test_the_statement_is_translated_on_the_contact_and_workshop_pages(client, operation, public_pages, page, language):
    assert STATEMENTS[language] in _html(client, public_pages[page], lang=language)


def test_the_emblem_is_the_eu_flag_in_colour_drawn_to_its_specification():
    """3:2 Reflex Blue, twelve gold five-pointed stars on a circle of radius a third of the height, each of radius
    1/18 of it, upright, at the hours of a clock."""
    import math

    svg = open(finders.find("funding/eu-emblem.svg"), encoding="utf-8").read()  # noqa: SIM115
    assert 'viewBox="0 0 300 200"' in svg
    assert '<rect width="300" height="200" fill="#003399"/>' in svg
    assert 'fill="#FFDD00"' in svg
    stars = re.findall(r"M([^Z]+)Z", svg)
    assert len(stars) == 12
    centres = []
    for star in stars:
        points = [tuple(map(float, p.split(","))) for p in star.split("L")]
        assert len(points) == 10
        x = sum(p[0] for p in points[::2]) / 5
        y = sum(p[1] for p in points[::2]) / 5
        assert all(abs(math.dist((x, y), p) - 200 / 18) < 0.02 for p in points[::2])  # outer points
        assert points[0][1] < y and abs(points[0][0] - x) < 0.01  # one point straight up
        centres.append((x, y))
    assert all(abs(math.dist((150, 100), c) - 200 / 3) < 0.02 for c in centres)
    angles = sorted(round(math.degrees(math.atan2(y - 100, x - 150))) % 360 for x, y in centres)
    assert angles == list(range(0, 360, 30))
