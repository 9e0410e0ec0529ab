import pytest
from django.urls import reverse
from django.utils.html import escape

from captive_portal.models import ConnectionRecord
from tests.captive_portal.factories import (
    ContentBlockFactory,
    ContentLinkFactory,
    SitePortalFactory,
    TermsVersionFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def portal():
    TermsVersionFactory(language="fr")
    TermsVersionFactory(language="ar", summary="هذا الواي فاي مجاني.")
    return SitePortalFactory(site__slug="arles", site__name="MDS Arles")


def _splash(client, **query):
    return client.get(reverse("captive_portal:splash", kwargs={"slug": "arles"}), query)


def _state(html: str) -> str:
    return html.split('name="state" value="', 1)[1].split('"', 1)[0]


def test_the_splash_greets_in_french_with_one_button_and_the_eu_mention(client, portal, settings):
    from funding.operations import operation_load

    operation_load(path=settings.FEDER_OPERATION_FILE)  # the EU co-funds the WiFi (funding.publicity)
    html = _splash(client, mac="aa:bb:cc:dd:ee:01").content.decode()
    assert 'lang="fr"' in html
    assert "J'accepte et je me connecte" in html
    assert "eu-emblem" in html
    assert html.count('type="submit"') == 1


def test_accepting_logs_the_connection_and_shows_the_connected_page(client, portal):
    html = _splash(client, mac="AA-BB-CC-DD-EE-01", ip="10.0.0.23", url="http://example.org/").content.decode()
    response = client.post(
        reverse("captive_portal:accept", kwargs={"slug": "arles"}),
        {"state": _state(html), "lang": "fr", "terms": portal_terms_id(html)},
    )
    assert response.status_code == 302
    record = ConnectionRecord.objects.get()
    assert (record.client_mac, record.client_ip, record.language) == ("aa:bb:cc:dd:ee:01", "10.0.0.23", "fr")
    assert record.device_hash and "aa:bb" not in record.device_hash
    connected = client.get(response["Location"]).content.decode()
    assert 'href="http://example.org/"' in connected


def portal_terms_id(html: str) -> str:
    return html.split('name="terms" value="', 1)[1].split('"', 1)[0]


def test_accepting_twice_keeps_one_open_record_and_closes_the_first(client, portal):
    """Accepting again is a new connection: the first record is closed, never rewritten."""
    for _ in range(2):
        html = _splash(client, mac="aa:bb:cc:dd:ee:02", ip="10.0.0.24").content.decode()
        client.post(
            reverse("captive_portal:accept", kwargs={"slug": "arles"}),
            {"state": _state(html), "lang": "fr", "terms": portal_terms_id(html)},
        )
    assert ConnectionRecord.objects.count() == 2
    assert ConnectionRecord.objects.open().count() == 1


def test_a_forged_state_is_refused_and_counted(client, portal):
    from captive_portal.models import PortalRejection

    response = client.post(
        reverse("captive_portal:accept", kwargs={"slug": "arles"}), {"state": "forged", "lang": "fr", "terms": "1"}
    )
    assert response.status_code == 400
    assert not ConnectionRecord.objects.exists()
    assert PortalRejection.objects.get().reason == "bad_state"


def test_arabic_is_right_to_left(client, portal):
    html = _splash(client, lang="ar").content.decode()
    assert 'lang="ar" dir="rtl"' in html


def test_a_cached_splash_costs_no_query_and_an_uncached_one_three(client, portal, django_assert_num_queries):
    from core.public_mentions import mentions

    ContentLinkFactory(block=ContentBlockFactory(language="fr"))
    mentions()  # the co-funders' mention of every public page is cached on its own (funding.publicity.eu_mention)
    with django_assert_num_queries(3):
        _splash(client)
    with django_assert_num_queries(0):
        _splash(client)


def test_editing_a_block_shows_at_once(client, portal):
    block = ContentBlockFactory(language="fr", title="Ancien titre")
    assert "Ancien titre" in _splash(client).content.decode()
    block.title = "Nouveau titre"
    block.save()
    assert "Nouveau titre" in _splash(client).content.decode()


@pytest.mark.parametrize(
    "destination",
    ["javascript:alert(1)", "data:text/html,x", "//evil.example/", "https://evil.example/\r\nSet-Cookie:x",
     "http:\\\\evil.example", "https://user@evil.example/", "ftp://files.example/"],
)  # fmt: skip
def test_no_open_redirect_whatever_the_destination(client, portal, destination):
    html = _splash(client, mac="aa:bb:cc:dd:ee:03", url=destination).content.decode()
    response = client.post(
        reverse("captive_portal:accept", kwargs={"slug": "arles"}),
        {"state": _state(html), "lang": "fr", "terms": portal_terms_id(html)},
    )
    connected = client.get(response["Location"]).content.decode()
    assert "evil" not in response["Location"] and "evil" not in connected
    assert "javascript:" not in connected and "data:text" not in connected


@pytest.mark.parametrize(
    "destination", ["javascript:alert(1)", "data:text/html,x", "//evil.example/", "https://user@evil.example/"]
)
def test_the_connected_page_opened_directly_offers_no_link_to_an_unsafe_destination(client, portal, destination):
    """A link to /connected/?to=… made by someone else (not through accept) still never leads off to it."""
    url = reverse("captive_portal:connected", kwargs={"slug": "arles"})
    page = client.get(url, {"lang": "fr", "to": destination}).content.decode()
    assert "Vous avez accès à internet" in page
    # The language links keep the query string (they lead back here, where it is checked again): look at links.
    assert "Continuer vers" not in page and f'href="{escape(destination)}"' not in page


def test_the_connected_page_offers_to_continue_to_a_safe_destination(client, portal):
    url = reverse("captive_portal:connected", kwargs={"slug": "arles"})
    page = client.get(url, {"lang": "fr", "to": "https://www.service-public.fr/"}).content.decode()
    assert 'href="https://www.service-public.fr/"' in page and "Continuer vers" in page


def test_a_link_click_is_counted_and_goes_only_to_the_links_own_address(client, portal):
    from captive_portal.models import ContentClickDaily

    link = ContentLinkFactory(block=ContentBlockFactory(language="fr"), url="https://www.ameli.fr/")
    response = client.get(reverse("captive_portal:follow_link", kwargs={"slug": "arles", "link_id": link.pk}))
    assert response["Location"] == "https://www.ameli.fr/"
    assert ContentClickDaily.objects.get().clicks == 1
    assert client.get(f"/portal/arles/go/{link.pk + 999}/").status_code == 404


def test_a_language_without_its_own_terms_or_blocks_shows_the_french_ones_marked_as_french(client):
    """Better the French text, marked lang="fr" so it reads left to right, than no terms and no content."""
    TermsVersionFactory(language="fr", summary="Résumé en français.")
    SitePortalFactory(site__slug="arles")
    ContentBlockFactory(language="fr", title="Vos démarches en ligne")
    response = _splash(client, lang="tr")
    html = response.content.decode()
    assert response.status_code == 200
    assert 'lang="tr"' in html
    assert 'lang="fr" dir="auto"><p>Résumé en français.' in html
    assert "Vos démarches en ligne" in html
