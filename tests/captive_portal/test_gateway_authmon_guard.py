"""authmon is closed by default: only a site's declared gateway (key in its FAS path, source networks) speaks for it.

openNDS's authmon (9.10 post-request.php, 10.x wget) carries nothing but auth_get, gatewayhash and payload to
the configured FAS URL: these tests send exactly that, to the URL a router would be configured with.
"""

import base64
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from captive_portal.models import ConnectionRecord, GatewayAuthorisation, PortalRejection
from tests.captive_portal.factories import SitePortalFactory, TermsVersionFactory
from tests.captive_portal.gateway_sim import OpenNDSClient, authmon_post, raw_query_url
from tests.factories import AgentFactory

pytestmark = pytest.mark.django_db

FASKEY = "c775e7b757ede630cd0aa1113bd102661ab38829ca52a6422ab782862f268646"
KEY = "Jr2b7w_0dYq9LkS3mZ8xVtP4nEoH6aGc"  # 32 URL-safe characters
ROUTER_IP = "203.0.113.7"
VISITOR_IP = "198.51.100.23"


@pytest.fixture
def portal(settings):
    settings.PORTAL_GATEWAY_SECRETS = {"arles-gw": {"faskey": FASKEY}}
    settings.PORTAL_BASE_URL = "https://portail.example.fr"
    TermsVersionFactory(language="fr")
    return SitePortalFactory(
        site__slug="arles", gateway_kind="opennds_3", gateway_name="MDS Arles",
        secret_name="arles-gw", session_minutes=120,
    )  # fmt: skip


def _path(key=None, slug="arles") -> str:
    if key:
        return reverse("captive_gateways:opennds_keyed", kwargs={"slug": slug, "key": key})
    return reverse("captive_gateways:opennds", kwargs={"slug": slug})


def _queue_one(client, path: str, phone: OpenNDSClient) -> None:
    """A visitor redirected by the router to `path`, accepting: one entry waits for authmon."""
    html = client.get(raw_query_url(path, phone.level3(FASKEY)), REMOTE_ADDR=VISITOR_IP).content.decode()
    state = html.split('name="state" value="', 1)[1].split('"', 1)[0]
    terms = html.split('name="terms" value="', 1)[1].split('"', 1)[0]
    response = client.post("/portal/arles/accept/", {"state": state, "lang": "fr", "terms": terms})
    assert response.status_code == 302
    assert GatewayAuthorisation.objects.count() == 1


def _connect(client, path: str, phone: OpenNDSClient) -> None:
    """Queued, then let in by the router: authmon's acknowledgement is what writes the connection record."""
    _queue_one(client, path, phone)
    authmon_post(client, path, action="view", gateway_hash=phone.gateway_hash, payload=f"* {phone.rhid(FASKEY)}")
    assert ConnectionRecord.objects.filter(client_mac=phone.client_mac, ended_at__isnull=True).exists()


def _deauth_log(phone: OpenNDSClient, *, end: int) -> str:
    return (
        f'method="timeout_deauth", clientmac="{phone.client_mac}", timestamp={end}, bytes_incoming=10, '
        f'bytes_outgoing=20, session_start={end - 60}, session_end={end}, token={phone.token}, custom=""'
    )


def test_without_key_or_network_authmon_is_refused_to_everyone(client, portal):
    """Nothing declared: no caller can list, clear or ack the queue, nor end a connection."""
    connected = OpenNDSClient()
    portal.gateway_options["gateway_networks"] = "127.0.0.1/32"  # a connection made while the router was declared
    portal.save()
    _connect(client, _path(), connected)
    portal.gateway_options["gateway_networks"] = ""
    portal.save()
    phone = OpenNDSClient()
    _queue_one(client, _path(), phone)
    for action, payload in [("view", "none"), ("clear", "none"), ("list", "none"),
                            ("view", f"* {phone.rhid(FASKEY)}"),
                            ("deauthed", _deauth_log(connected, end=int(timezone.now().timestamp())))]:  # fmt: skip
        response = authmon_post(client, _path(), action=action, gateway_hash=phone.gateway_hash, payload=payload)
        assert response.status_code == 403, action
        assert phone.rhid(FASKEY) not in response.content.decode()
    assert GatewayAuthorisation.objects.count() == 1  # still waiting: nobody listed, cleared nor acknowledged it
    assert ConnectionRecord.objects.get().ended_at is None  # the earlier connection: nobody ended it
    assert PortalRejection.objects.get(reason="authmon_not_configured").count == 5


def test_the_back_office_and_the_config_command_show_a_site_without_guard_as_misconfigured(client, portal, signed_in):
    admin = AgentFactory(is_staff=True, is_superuser=True)
    page = signed_in(admin).get(reverse("admin:captive_portal_siteportal_changelist")).content.decode()
    assert "mal configurée" in page
    detail = client.get(reverse("admin:captive_portal_siteportal_change", args=[portal.pk])).content.decode()
    assert "authmon est fermé" in detail  # the admin is French; the command below stays English
    out = StringIO()
    call_command("portal_gateway_config", site="arles", stdout=out)
    assert "! authmon is closed" in out.getvalue()

    portal.gateway_options["gateway_networks"] = f"{ROUTER_IP}/32"
    portal.save()
    page = client.get(reverse("admin:captive_portal_siteportal_changelist")).content.decode()
    assert "mal configurée" not in page and "prête" in page


def test_a_key_in_the_fas_path_lets_the_router_in_and_nobody_without_it(client, portal, settings):
    """authmon posts to the configured FAS URL: with the key segment it is served, without it refused."""
    settings.PORTAL_GATEWAY_SECRETS = {"arles-gw": {"faskey": FASKEY, "authmon_key": KEY}}
    phone = OpenNDSClient()
    _queue_one(client, _path(KEY), phone)  # the visitor's redirect goes to the same URL
    bare = authmon_post(client, _path(), action="view", gateway_hash=phone.gateway_hash)
    assert bare.status_code == 403
    wrong = authmon_post(client, _path("x" * 32), action="view", gateway_hash=phone.gateway_hash)
    assert wrong.status_code == 403
    assert GatewayAuthorisation.objects.count() == 1
    router = authmon_post(client, _path(KEY), action="view", gateway_hash=phone.gateway_hash)
    assert router.status_code == 200 and phone.rhid(FASKEY) in router.content.decode()
    # openNDS 10.x with wget: the same fields appended to the same URL as a GET query.
    payload = base64.b64encode(b"* " + phone.rhid(FASKEY).encode()).decode()
    url = raw_query_url(_path(KEY), {"auth_get": "view", "gatewayhash": phone.gateway_hash, "payload": payload})
    assert client.get(url, HTTP_USER_AGENT="openNDS(authmon;NDS:10.3.1;)").content == b"ack"
    assert not GatewayAuthorisation.objects.exists()


def test_with_a_key_configured_the_splash_is_only_at_the_keyed_path(client, portal, settings):
    settings.PORTAL_GATEWAY_SECRETS = {"arles-gw": {"faskey": FASKEY, "authmon_key": KEY}}
    phone = OpenNDSClient()
    assert client.get(raw_query_url(_path(KEY), phone.level3(FASKEY))).status_code == 200
    assert client.get(raw_query_url(_path(), phone.level3(FASKEY))).status_code == 404
    assert client.get(raw_query_url(_path("y" * 40), phone.level3(FASKEY))).status_code == 404


def test_with_key_and_networks_both_must_hold(client, portal, settings):
    """A visitor who read the key in their address bar is still outside the router's network."""
    settings.PORTAL_GATEWAY_SECRETS = {"arles-gw": {"faskey": FASKEY, "authmon_key": KEY}}
    portal.gateway_options["gateway_networks"] = f"{ROUTER_IP}/32"
    portal.save()
    phone = OpenNDSClient()
    _queue_one(client, _path(KEY), phone)
    path = _path(KEY)
    visitor = client.post(path, {"auth_get": "view", "gatewayhash": phone.gateway_hash, "payload": "bm9uZQ=="},
                          REMOTE_ADDR=VISITOR_IP)  # fmt: skip
    assert visitor.status_code == 403
    no_key = client.post(_path(), {"auth_get": "view", "gatewayhash": phone.gateway_hash, "payload": "bm9uZQ=="},
                         REMOTE_ADDR=ROUTER_IP)  # fmt: skip
    assert no_key.status_code == 403
    router = client.post(path, {"auth_get": "view", "gatewayhash": phone.gateway_hash, "payload": "bm9uZQ=="},
                         REMOTE_ADDR=ROUTER_IP)  # fmt: skip
    assert router.status_code == 200 and phone.rhid(FASKEY) in router.content.decode()


@pytest.fixture
def guarded(portal):
    portal.gateway_options["gateway_networks"] = "127.0.0.1/32"
    portal.save()
    return portal


def test_deauthed_cannot_end_a_connection_in_1970(client, guarded):
    """An end before the connection's start is an older session (or forged): the record stays open."""
    phone = OpenNDSClient()
    _connect(client, _path(), phone)
    for end in (1, 978307200):  # 1970, 2001
        answer = authmon_post(client, _path(), action="deauthed", gateway_hash=phone.gateway_hash,
                              payload=_deauth_log(phone, end=end))  # fmt: skip
        assert answer.content == b"ack"
    assert ConnectionRecord.objects.get().ended_at is None


def test_deauthed_in_the_future_ends_the_connection_now(client, guarded):
    phone = OpenNDSClient()
    _connect(client, _path(), phone)
    before = timezone.now()
    future = int((before + timedelta(days=400)).timestamp())
    authmon_post(client, _path(), action="deauthed", gateway_hash=phone.gateway_hash,
                 payload=_deauth_log(phone, end=future))  # fmt: skip
    record = ConnectionRecord.objects.get()
    assert record.started_at <= record.ended_at <= timezone.now()


def test_deauthed_ends_a_connection_at_its_reported_time(client, guarded):
    phone = OpenNDSClient()
    _connect(client, _path(), phone)
    end = int(timezone.now().timestamp())
    authmon_post(client, _path(), action="deauthed", gateway_hash=phone.gateway_hash,
                 payload=_deauth_log(phone, end=end))  # fmt: skip
    record = ConnectionRecord.objects.get()
    assert (
        record.ended_at is not None and abs(record.ended_at.timestamp() - max(end, record.started_at.timestamp())) < 1
    )


def test_deauthed_only_ends_a_connection_of_its_own_site(client, guarded, settings):
    """Another site's gateway naming this device's MAC leaves this site's record open."""
    settings.PORTAL_GATEWAY_SECRETS = {"arles-gw": {"faskey": FASKEY}, "other": {"faskey": "other-key"}}
    SitePortalFactory(site__slug="tarascon", gateway_kind="opennds_3", secret_name="other",
                      gateway_networks="127.0.0.1/32")  # fmt: skip
    phone = OpenNDSClient()
    _connect(client, _path(), phone)
    authmon_post(client, _path(slug="tarascon"), action="deauthed", gateway_hash=phone.gateway_hash,
                 payload=_deauth_log(phone, end=int(timezone.now().timestamp())))  # fmt: skip
    assert ConnectionRecord.objects.get().ended_at is None


@pytest.mark.parametrize(
    "secrets",
    [
        {"authmon_key": "short-key"},  # too short to be a credential
        {"authmon_networks": ["0.0.0.0/0"]},  # every address: guards nothing
        {"authmon_networks": ["not a network"]},
    ],
)
def test_a_guard_that_guards_nothing_leaves_authmon_closed(client, portal, settings, secrets):
    settings.PORTAL_GATEWAY_SECRETS = {"arles-gw": {"faskey": FASKEY, **secrets}}
    phone = OpenNDSClient()
    _queue_one(client, _path(), phone)
    assert authmon_post(client, _path(), action="view", gateway_hash=phone.gateway_hash).status_code == 403
    out = StringIO()
    call_command("portal_gateway_config", site="arles", stdout=out)
    assert "! authmon is closed" in out.getvalue()


@pytest.mark.parametrize("text", ["0.0.0.0/0", "::/0", "203.0.113.300/32", "arles"])
def test_the_gateway_networks_field_refuses_what_guards_nothing_or_is_no_network(portal, text):
    from django.core.exceptions import ValidationError

    portal.gateway_options["gateway_networks"] = text
    with pytest.raises(ValidationError):
        portal.full_clean()
    portal.gateway_options["gateway_networks"] = "203.0.113.7/32\n2001:db8::/48, 198.51.100.0/29"
    portal.full_clean()
