"""Click-through: the unsigned `mac`, `ip`, `url` and `continue_url`, attacked with a table of nasty inputs."""

import pytest

from captive_portal.gateways import GatewayError
from captive_portal.gateways.click_through import MAX_VALUE, client_ip_from, client_mac_from
from captive_portal.models import ConnectionRecord, PortalRejection
from tests.captive_portal.factories import SitePortalFactory, TermsVersionFactory

pytestmark = pytest.mark.django_db

PORTAL_HOST = "portail.example.fr"
GATEWAY_CONTINUE = "http://192.168.1.1:2050/continue?token=abc"


@pytest.fixture
def portal(settings):
    settings.PORTAL_BASE_URL = f"https://{PORTAL_HOST}"
    settings.ALLOWED_HOSTS = ["testserver", PORTAL_HOST, "admin.example.fr"]
    TermsVersionFactory(language="fr")
    return SitePortalFactory(site__slug="arles")


def _form(html: str, name: str) -> str:
    return html.split(f'name="{name}" value="', 1)[1].split('"', 1)[0]


def _accept(client, html: str):
    return client.post("/portal/arles/accept/", {"state": _form(html, "state"), "lang": "fr",
                                                 "terms": _form(html, "terms")})  # fmt: skip


NASTY = [
    # (parameter, value, refusal reason)
    ("mac", "zz", "bad_client_mac"),
    ("mac", "a" * 300, "bad_client_mac"),
    ("mac", "aa:bb:cc:dd:ee:ff\x00", "bad_client_mac"),
    ("mac", "\x00", "bad_client_mac"),
    ("mac", "aa:bb:cc:dd:ee:ff' OR '1'='1", "bad_client_mac"),
    ("mac", "１２:３４:５６:７８:９０:ab", "bad_client_mac"),  # full-width digits
    ("ip", "999.1.1.1", "bad_client_ip"),
    ("ip", "1" * 300, "bad_client_ip"),
    ("ip", "10.0.0.1\x00", "bad_client_ip"),
    ("ip", "fe80::1%eth0", "bad_client_ip"),
    ("ip", "<script>alert(1)</script>", "bad_client_ip"),
    ("continue_url", "//evil.example/", "bad_continue_url"),
    ("continue_url", "/\\evil.example/", "bad_continue_url"),
    ("continue_url", "http:\\\\evil.example/", "bad_continue_url"),
    ("continue_url", "http:evil.example", "bad_continue_url"),
    ("continue_url", "https:/evil.example", "bad_continue_url"),
    ("continue_url", "javascript:alert(1)", "bad_continue_url"),
    ("continue_url", "data:text/html,<script>alert(1)</script>", "bad_continue_url"),
    ("continue_url", "ftp://192.168.1.1/", "bad_continue_url"),
    ("continue_url", "http://user:pw@192.168.1.1/", "bad_continue_url"),
    ("continue_url", "http://192.168.1.1\r\nSet-Cookie: a=b", "bad_continue_url"),
    ("continue_url", "http://%70ortail.example.fr/admin/", "bad_continue_url"),
    ("continue_url", f"https://{PORTAL_HOST}/admin/", "bad_continue_url"),
    ("continue_url", f"HTTPS://{PORTAL_HOST.upper()}./backoffice/", "bad_continue_url"),
    ("continue_url", f"https://{PORTAL_HOST}:443/accounts/login/", "bad_continue_url"),
    ("continue_url", "https://admin.example.fr/admin/", "bad_continue_url"),
    ("continue_url", "http://testserver/admin/", "bad_continue_url"),
    ("continue_url", "\x00", "bad_continue_url"),
    ("continue_url", f"https://{PORTAL_HOST.replace('.', '。', 1)}/admin/", "bad_continue_url"),  # ideographic dot
    ("continue_url", f"https://{PORTAL_HOST.replace('.', '．', 1)}/", "bad_continue_url"),  # full-width dot
    ("continue_url", "http://0x7f000001/", "bad_continue_url"),
    ("continue_url", "http://2130706433/", "bad_continue_url"),
    ("continue_url", "http://127.1/", "bad_continue_url"),
    ("continue_url", "http://192.168.1.1/" + "x" * 3000, "bad_continue_url"),
]


@pytest.mark.parametrize(("name", "value", "reason"), NASTY)
def test_nasty_gateway_parameters_get_a_clean_refusal(client, portal, name, value, reason):
    """Never a 500, never a redirect elsewhere: the refused page, counted with its reason, nothing logged."""
    query = {"mac": "aa:bb:cc:dd:ee:23", "ip": "192.168.1.23", "continue_url": GATEWAY_CONTINUE, name: value}
    response = client.get("/portal/arles/", query)
    assert response.status_code == 400
    assert 'role="alert"' in response.content.decode()
    assert not response.has_header("Location")
    assert PortalRejection.objects.get().reason == reason
    assert not ConnectionRecord.objects.exists()


def test_a_gateway_continue_link_is_followed_after_accepting(client, portal):
    response = client.get("/portal/arles/", {"mac": "AA-BB-CC-DD-EE-23", "ip": "192.168.1.23",
                                             "continue_url": GATEWAY_CONTINUE})  # fmt: skip
    assert response.status_code == 200
    accepted = _accept(client, response.content.decode())
    assert GATEWAY_CONTINUE in accepted.get("Location", "") + accepted.content.decode()
    record = ConnectionRecord.objects.get()
    assert (record.client_mac, record.client_ip) == ("aa:bb:cc:dd:ee:23", "192.168.1.23")


@pytest.mark.parametrize("url", ["javascript:alert(1)", "//evil.example/", "http://x/\x00", "h" * 5000])
def test_an_unusable_wanted_url_is_dropped_not_carried_to_the_connected_page(client, portal, url):
    response = client.get("/portal/arles/", {"mac": "aa:bb:cc:dd:ee:23", "url": url})
    assert response.status_code == 200
    accepted = _accept(client, response.content.decode())
    assert "to=" not in accepted["Location"]


def test_the_page_the_visitor_wanted_is_carried_to_the_connected_page(client, portal):
    """The gateway's `url` (where the phone was going) is offered as a link once connected."""
    response = client.get("/portal/arles/", {"mac": "aa:bb:cc:dd:ee:23", "url": "https://www.service-public.fr/"})
    accepted = _accept(client, response.content.decode())
    assert "to=https%3A%2F%2Fwww.service-public.fr%2F" in accepted["Location"]


@pytest.mark.parametrize(
    ("parse", "value", "refusal"),
    [
        (client_mac_from, "a" * MAX_VALUE, ("bad_client_mac", "mac is not a MAC address")),
        (client_mac_from, "a" * (MAX_VALUE + 1), ("bad_client_mac", "mac too long")),
        (client_ip_from, "1" * MAX_VALUE, ("bad_client_ip", "ip is not an IP address")),
        (client_ip_from, "1" * (MAX_VALUE + 1), ("bad_client_ip", "ip too long or scoped")),
        (client_ip_from, "fe80::1%eth0", ("bad_client_ip", "ip too long or scoped")),
    ],
    ids=["mac-at-the-bound", "mac-over-the-bound", "ip-at-the-bound", "ip-over-the-bound", "ip-scoped"],
)
def test_a_refused_parameter_says_why_in_the_log_line(parse, value, refusal):
    """The reason is counted; the message, for the log, tells a value cut at the bound from one merely wrong."""
    with pytest.raises(GatewayError) as refused:
        parse(value)
    assert (refused.value.reason, str(refused.value)) == refusal
