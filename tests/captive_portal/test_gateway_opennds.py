"""openNDS FAS levels 3 and 1, with the test playing the router: its redirect, its authmon polls."""

import base64
import html as html_lib
import secrets
import time
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from auditlog.models import LogEntry
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from captive_portal.gateways import Arrival, GatewayError, for_portal
from captive_portal.gateways.opennds import MAX_FAS_LENGTH, decode_fas_level1
from captive_portal.models import ConnectionRecord, GatewayAuthorisation, PortalRejection
from tests.captive_portal.factories import SitePortalFactory, TermsVersionFactory
from tests.captive_portal.gateway_sim import (
    OpenNDSClient,
    authmon_entries,
    authmon_post,
    encrypt_level3,
    raw_query_url,
    sha256hex,
)

pytestmark = pytest.mark.django_db

FASKEY = "c775e7b757ede630cd0aa1113bd102661ab38829ca52a6422ab782862f268646"  # 64 characters: cut to 32
ORIGIN = "https://portail.example.fr"


@pytest.fixture
def portal(settings):
    settings.PORTAL_GATEWAY_SECRETS = {"arles-gw": {"faskey": FASKEY}, "other-gw": {"faskey": "another-key"}}
    settings.PORTAL_BASE_URL = ORIGIN
    TermsVersionFactory(language="fr")
    return SitePortalFactory(
        site__slug="arles", site__mds__name="Arles", gateway_kind="opennds_3",
        gateway_name="MDS Arles", secret_name="arles-gw", session_minutes=120, upload_kbps=512, download_kbps=2048,
        gateway_networks="127.0.0.1/32",  # the test client's address: the router's authmon, for these tests
    )  # fmt: skip


def _entry(slug="arles") -> str:
    return reverse("captive_gateways:opennds", kwargs={"slug": slug})


def _form(html: str, name: str) -> str:
    return html.split(f'name="{name}" value="', 1)[1].split('"', 1)[0]


def _arrive(client, phone: OpenNDSClient, *, faskey=FASKEY, slug="arles"):
    return client.get(raw_query_url(_entry(slug), phone.level3(faskey)))


def _accept(client, html: str, slug="arles"):
    return client.post(
        reverse("captive_portal:accept", kwargs={"slug": slug}),
        {"state": _form(html, "state"), "lang": "fr", "terms": _form(html, "terms")},
    )


def _connect(client, phone: OpenNDSClient):
    response = _arrive(client, phone)
    assert response.status_code == 200
    return _accept(client, response.content.decode())


def test_level3_redirect_accept_then_authmon_lets_the_client_through(client, portal):
    """Encrypted redirect → this site's splash → accept → authmon fetches rhid, acknowledges, queue empties."""
    phone = OpenNDSClient()
    arrival = _arrive(client, phone)
    html = arrival.content.decode()
    assert arrival.status_code == 200
    assert "Arles" in html and _form(html, "state")

    accepted = _accept(client, html)
    assert accepted.status_code == 302
    assert accepted["Location"].startswith("/portal/arles/connected/")  # shown while authmon works
    assert not ConnectionRecord.objects.exists()  # the gateway has not let the device in yet

    poll = authmon_post(client, _entry(), action="view", gateway_hash=phone.gateway_hash)
    assert poll.status_code == 200 and poll["Content-Type"].startswith("text/plain")
    (entry,) = authmon_entries(poll.content.decode())
    rhid = sha256hex(sha256hex(phone.token) + FASKEY)
    assert entry[:6] == [rhid, "120", "512", "2048", "0", "0"]
    assert base64.b64decode(entry[6]).decode().startswith("site=")

    ack = authmon_post(client, _entry(), action="view", gateway_hash=phone.gateway_hash, payload=f"* {rhid}")
    assert ack.content == b"ack"
    record = ConnectionRecord.objects.get()  # logged once the gateway acknowledged
    assert (record.client_mac, record.client_ip, record.gateway_kind) == (
        "aa:bb:cc:dd:ee:23", "192.168.8.23", "opennds_3",
    )  # fmt: skip
    assert authmon_post(client, _entry(), action="view", gateway_hash=phone.gateway_hash).content == b"*"
    assert not GatewayAuthorisation.objects.exists()
    authmon_post(client, _entry(), action="view", gateway_hash=phone.gateway_hash, payload=f"* {rhid}")
    assert ConnectionRecord.objects.count() == 1  # an acknowledgement repeated logs nothing twice


def test_level3_an_authorisation_never_acknowledged_leaves_no_connection_record(client, portal):
    """The gateway never took the client (router down, client gone): the log holds no connection that never was."""
    phone = OpenNDSClient()
    assert _connect(client, phone).status_code == 302
    authmon_post(client, _entry(), action="view", gateway_hash=phone.gateway_hash)  # offered, never acknowledged
    authmon_post(client, _entry(), action="clear", gateway_hash=phone.gateway_hash)  # the router restarts
    assert not ConnectionRecord.objects.exists()


def test_authmon_clear_drops_what_was_queued_for_that_gateway(client, portal):
    """On start the router clears: entries queued for it before are stale."""
    phone = OpenNDSClient()
    _connect(client, phone)
    authmon_post(client, _entry(), action="clear", gateway_hash=phone.gateway_hash)
    assert not GatewayAuthorisation.objects.exists()


def test_a_second_gateway_sees_nothing_of_the_first_ones_clients(client, portal):
    phone = OpenNDSClient()
    _connect(client, phone)
    other = OpenNDSClient(gateway_mac="b8:27:eb:99:99:99")  # same name, another router (another Node: suffix)
    assert other.gateway_hash != phone.gateway_hash
    assert authmon_post(client, _entry(), action="view", gateway_hash=other.gateway_hash).content == b"*"
    assert GatewayAuthorisation.objects.count() == 1


def test_more_than_four_clients_are_delivered_over_several_polls(client, portal):
    """authmon takes 4 entries per poll: the rest wait; acknowledged ones go, the others come next."""
    phones = [OpenNDSClient(client_mac=f"aa:bb:cc:dd:ee:{n:02x}", client_ip=f"192.168.8.{n}") for n in range(30, 36)]
    for phone in phones:
        assert _connect(client, phone).status_code == 302
    gateway_hash = phones[0].gateway_hash
    delivered = []
    for expected in (4, 2):
        answer = authmon_post(client, _entry(), action="view", gateway_hash=gateway_hash).content.decode()
        assert len(answer) <= 1026
        entries = authmon_entries(answer)
        assert len(entries) == expected
        rhids = [entry[0] for entry in entries]
        delivered += rhids
        ack = authmon_post(client, _entry(), action="view", gateway_hash=gateway_hash, payload="* " + " ".join(rhids))
        assert ack.content == b"ack"
    assert sorted(delivered) == sorted(phone.rhid(FASKEY) for phone in phones)
    assert authmon_post(client, _entry(), action="view", gateway_hash=gateway_hash).content == b"*"


def test_an_unacknowledged_entry_is_offered_again(client, portal):
    phone = OpenNDSClient()
    _connect(client, phone)
    for _ in range(2):
        (entry,) = authmon_entries(
            authmon_post(client, _entry(), action="view", gateway_hash=phone.gateway_hash).content.decode()
        )
        assert entry[0] == phone.rhid(FASKEY)


def test_pre9_list_delivers_and_forgets(client, portal):
    phone = OpenNDSClient()
    _connect(client, phone)
    answer = authmon_post(client, _entry(), action="list", gateway_hash=phone.gateway_hash).content.decode()
    assert authmon_entries(answer)[0][0] == phone.rhid(FASKEY)
    assert not GatewayAuthorisation.objects.exists()
    assert ConnectionRecord.objects.get().client_mac == phone.client_mac  # delivered is all such a gateway says


def test_authmon_with_wget_polls_by_get(client, portal):
    """openNDS ≥ 10 with wget sends the same fields in a GET query, the base64 payload unencoded."""
    phone = OpenNDSClient()
    _connect(client, phone)
    payload = base64.b64encode(b"none").decode()
    url = raw_query_url(_entry(), {"auth_get": "view", "gatewayhash": phone.gateway_hash, "payload": payload})
    assert authmon_entries(client.get(url).content.decode())[0][0] == phone.rhid(FASKEY)


def test_deauthed_notification_closes_the_connection(client, portal):
    phone = OpenNDSClient()
    _connect(client, phone)
    authmon_post(client, _entry(), action="view", gateway_hash=phone.gateway_hash, payload=f"* {phone.rhid(FASKEY)}")
    end = int(time.time()) + 1  # whole seconds: the record started a fraction of a second ago
    log = (
        f'method="timeout_deauth", clientmac="{phone.client_mac}", timestamp={end}, bytes_incoming=10, '
        f'bytes_outgoing=20, session_start={end - 90}, session_end={end}, token={phone.token}, custom=""'
    )
    answer = authmon_post(client, _entry(), action="deauthed", gateway_hash=phone.gateway_hash, payload=log)
    assert answer.content == b"ack"
    assert ConnectionRecord.objects.get().ended_at is not None


def test_authmon_refuses_a_malformed_gateway_hash_and_an_unknown_site(client, portal):
    assert authmon_post(client, _entry(), action="view", gateway_hash="nothex").status_code == 400
    assert authmon_post(client, _entry("nowhere"), action="view", gateway_hash="a" * 64).status_code == 404
    assert set(PortalRejection.objects.values_list("reason", flat=True)) == {
        "authmon_bad_hash", "authmon_unknown_site",
    }  # fmt: skip


def _bad(phone: OpenNDSClient, case: str) -> dict[str, str]:
    query = phone.query(level=3)
    if case == "forged ciphertext":
        return {"fas": base64.b64encode(base64.b64encode(secrets.token_bytes(96))).decode(), "iv": "0123456789abcdef"}
    if case == "wrong key":
        return phone.level3("not-the-faskey")
    if case == "wrong iv length":
        return {"fas": phone.level3(FASKEY)["fas"], "iv": "0123456789"}
    if case == "other iv":
        return {"fas": phone.level3(FASKEY)["fas"], "iv": "fedcba9876543210"}
    if case == "not base64":
        return {"fas": "!!!not*base64!!!", "iv": "0123456789abcdef"}
    if case == "missing hid":
        fas, iv = encrypt_level3(query.replace(f"hid={phone.hid}, ", ""), FASKEY)
        return {"fas": fas, "iv": iv}
    if case == "missing gatewayname":
        fas, iv = encrypt_level3(query.replace(f"gatewayname={phone.encoded_gateway_name}, ", ""), FASKEY)
        return {"fas": fas, "iv": iv}
    if case == "absurd hid":
        fas, iv = encrypt_level3(query.replace(phone.hid, "zz" * 32), FASKEY)
        return {"fas": fas, "iv": iv}
    if case == "absurd mac":
        fas, iv = encrypt_level3(query.replace(phone.client_mac, "not-a-mac"), FASKEY)
        return {"fas": fas, "iv": iv}
    if case == "huge fas":
        return {"fas": "QUFB" * 5000, "iv": "0123456789abcdef"}
    if case == "another site's gateway":
        other = OpenNDSClient(gateway_name="MDS Tarascon")
        return other.level3(FASKEY)
    raise AssertionError(case)


@pytest.mark.parametrize(
    ("case", "reason"),
    [
        ("forged ciphertext", "bad_fas"), ("wrong key", "bad_fas"), ("wrong iv length", "bad_iv"),
        ("other iv", None), ("not base64", "bad_fas"), ("missing hid", "bad_hid"),
        ("missing gatewayname", "bad_gateway_name"), ("absurd hid", "bad_hid"), ("absurd mac", "bad_client_mac"),
        ("huge fas", "bad_fas"), ("another site's gateway", "wrong_gateway"),
    ],
)  # fmt: skip
def test_bad_redirects_get_the_refused_page_and_are_counted(client, portal, case, reason):
    """Never a 500: a clear page with 400, counted for the site, nothing logged nor queued."""
    response = client.get(raw_query_url(_entry(), _bad(OpenNDSClient(), case)))
    assert response.status_code == 400
    assert 'role="alert"' in response.content.decode()
    rejection = PortalRejection.objects.get()
    assert rejection.site_id == portal.site_id and rejection.count == 1
    if reason:  # a wrong iv garbles the first block only: whichever field it hit is the reason
        assert rejection.reason == reason
    assert not ConnectionRecord.objects.exists() and not GatewayAuthorisation.objects.exists()


def test_a_replayed_hid_is_refused_at_accept(client, portal):
    phone = OpenNDSClient()
    params = phone.level3(FASKEY)
    first = client.get(raw_query_url(_entry(), params)).content.decode()
    assert _accept(client, first).status_code == 302
    again = client.get(raw_query_url(_entry(), params)).content.decode()  # the same redirect, replayed
    response = _accept(client, again)
    assert response.status_code == 400
    assert PortalRejection.objects.get().reason == "replayed_token"
    assert GatewayAuthorisation.objects.count() == 1


def test_the_gateway_name_is_matched_without_its_node_suffix_and_encoding(client, portal):
    phone = OpenNDSClient(gateway_name="mds arles", serial_suffix=True)
    assert "%20Node%3a" in phone.encoded_gateway_name
    assert _arrive(client, phone).status_code == 200


def test_the_openNDS_entry_serves_only_openNDS_sites(client, portal):
    SitePortalFactory(site__slug="tarascon")  # click-through
    assert client.get(_entry("tarascon")).status_code == 404


# --- level 1 ---------------------------------------------------------------------------------------


@pytest.fixture
def portal1(portal):
    portal.gateway_kind = "opennds_1"
    portal.save()
    return portal


def _phone_with_plus_in_fas() -> tuple[OpenNDSClient, str]:
    for n in range(200):  # "~" (0x7e) is where base64 of a %-encoded query gets its "+"
        phone = OpenNDSClient(origin_url=f"http://example.org/{'a' * (n % 3)}~{'~' * (n % 5)}/")
        fas = phone.level1()
        if "+" in fas:
            return phone, fas
    raise AssertionError("no base64 with a '+' in 200 tries")


def test_level1_sends_the_browser_to_the_gateway_with_tok_and_redir(client, portal1):
    """base64 fas whose '+' reaches Django as a space; accept → GET http://gatewayaddress/opennds_auth/."""
    phone, fas = _phone_with_plus_in_fas()
    response = client.get(raw_query_url(_entry(), {"fas": fas}))
    assert response.status_code == 200
    accepted = _accept(client, response.content.decode())
    assert accepted.status_code == 200  # our hand-over page, not a redirect the CSP's form-action would block
    page = accepted.content.decode()
    target = html_lib.unescape(page.split('http-equiv="refresh" content="0;url=', 1)[1].split('"', 1)[0])
    assert f'href="{html_lib.escape(target)}"' in page  # the same address as a plain link
    location = urlsplit(target)
    assert (location.scheme, location.netloc, location.path) == ("http", "192.168.8.1:2050", "/opennds_auth/")
    query = parse_qs(location.query)
    assert query["tok"] == [sha256hex(sha256hex(phone.token) + FASKEY)]
    assert query["redir"][0].startswith(f"{ORIGIN}/portal/arles/connected/?lang=fr")
    assert ConnectionRecord.objects.get().client_mac == phone.client_mac
    assert not GatewayAuthorisation.objects.exists()  # level 1 has no authmon


def test_level1_refuses_garbage(client, portal1):
    response = client.get(raw_query_url(_entry(), {"fas": "%%%"}))
    assert response.status_code == 400
    assert PortalRejection.objects.get().reason == "bad_fas"


def test_where_the_gateways_addresses_are_known_only_they_may_poll_authmon(client, portal):
    """An address outside the site's gateway networks can neither read nor ack the queue."""
    portal.gateway_options["gateway_networks"] = "203.0.113.0/29\n2001:db8::/64"
    portal.save()
    phone = OpenNDSClient()
    _connect(client, phone)
    outsider = client.post(
        _entry(), {"auth_get": "view", "gatewayhash": phone.gateway_hash, "payload": "bm9uZQ=="},
        REMOTE_ADDR="198.51.100.7",
    )  # fmt: skip
    assert outsider.status_code == 403
    assert phone.rhid(FASKEY) not in outsider.content.decode()
    gateway = client.post(
        _entry(), {"auth_get": "view", "gatewayhash": phone.gateway_hash, "payload": "bm9uZQ=="},
        REMOTE_ADDR="203.0.113.5",
    )  # fmt: skip
    assert gateway.status_code == 200
    assert phone.rhid(FASKEY) in gateway.content.decode()


def _wait_url(accepted) -> str:
    assert accepted.status_code == 302 and "wait=" in accepted["Location"]
    return accepted["Location"]


def test_level3_says_connecting_until_authmon_acknowledges_then_connected(client, portal):
    """Not "you are connected" before the gateway's authmon has taken the client and said so."""
    phone = OpenNDSClient()
    waiting = _wait_url(_connect(client, phone))
    page = client.get(waiting).content.decode()
    assert "Connexion en cours" in page and 'http-equiv="refresh" content="3"' in page
    assert "Vous avez accès à internet" not in page
    authmon_post(client, _entry(), action="view", gateway_hash=phone.gateway_hash)  # delivered, not yet acknowledged
    assert "Connexion en cours" in client.get(waiting).content.decode()
    authmon_post(client, _entry(), action="view", gateway_hash=phone.gateway_hash, payload=f"* {phone.rhid(FASKEY)}")
    page = client.get(waiting).content.decode()
    assert "Vous avez accès à internet" in page and 'http-equiv="refresh"' not in page


def test_level3_tells_the_visitor_when_the_gateway_never_acknowledges(client, portal, monkeypatch):
    """After the timeout the page stops refreshing and says the WiFi equipment has not confirmed."""
    from captive_portal import views

    waiting = _wait_url(_connect(client, OpenNDSClient()))
    monkeypatch.setattr(views, "WAIT_TIMEOUT", 0)
    page = client.get(waiting).content.decode()
    assert "L'équipement WiFi de la MDS n'a pas confirmé votre connexion" in page
    assert 'http-equiv="refresh"' not in page and "Vous avez accès à internet" not in page


@pytest.mark.parametrize("drop", ["clear", "stale"])
def test_level3_a_visitor_whose_authorisation_authmon_dropped_is_not_told_they_are_connected(client, portal, drop):
    """A gateway restarting (clear) or never coming (stale) empties the queue: no record, an audit entry,
    and the visitor's page says the equipment did not confirm, never "you are connected"."""
    phone = OpenNDSClient()
    waiting = _wait_url(_connect(client, phone))
    if drop == "stale":
        GatewayAuthorisation.objects.update(created_at=timezone.now() - timedelta(hours=1))
    authmon_post(client, _entry(), action="clear" if drop == "clear" else "view", gateway_hash=phone.gateway_hash)
    assert not GatewayAuthorisation.objects.exists() and not ConnectionRecord.objects.exists()
    audit = LogEntry.objects.get(additional_data__event="authorisation_dropped")
    assert audit.additional_data["reason"] == {"clear": "gateway_restarted", "stale": "never_acknowledged"}[drop]
    page = html_lib.unescape(client.get(waiting).content.decode())
    assert "L'équipement WiFi de la MDS n'a pas confirmé votre connexion" in page
    assert "Vous avez accès à internet" not in page and 'http-equiv="refresh"' not in page
    assert "Éteignez puis rallumez le WiFi" in page and "Vérifier à nouveau" not in page  # waiting cannot help


def test_a_forged_wait_token_shows_no_waiting_state(client, portal):
    """The wait parameter is signed: a made-up one cannot point at another visitor's authorisation."""
    _connect(client, OpenNDSClient())
    page = client.get("/portal/arles/connected/?lang=fr&wait=eyJhIjoxfQ:forged").content.decode()
    assert "Connexion en cours" not in page


def test_a_level3_accept_costs_a_pinned_number_of_queries(client, portal):
    """The claim, the authmon queue entry (insert, its id, the pending connection): no record until the ack."""
    _connect(client, OpenNDSClient())  # warms the cached page
    html = _arrive(client, OpenNDSClient()).content.decode()
    with CaptureQueriesContext(connection) as queries:
        assert _accept(client, html).status_code == 302
    statements = [q["sql"].split()[0] for q in queries.captured_queries if "SAVEPOINT" not in q["sql"]]
    assert statements == ["INSERT", "INSERT", "SELECT", "UPDATE"], statements


@pytest.mark.parametrize(
    ("fas", "accepted"),
    [("", False), ("A" * (MAX_FAS_LENGTH + 1), False), ("A" * MAX_FAS_LENGTH, True)],
    ids=["missing", "one-over-the-limit", "at-the-limit"],
)
def test_level1_fas_is_bounded_before_it_is_decoded(fas, accepted):
    """openNDS's own longest query fits; anything longer is refused unread, and counted as "bad_fas"."""
    if accepted:
        assert decode_fas_level1(fas)  # valid base64 of that length decodes
        return
    with pytest.raises(GatewayError) as refused:
        decode_fas_level1(fas)
    assert (refused.value.reason, str(refused.value)) == ("bad_fas", "fas missing or too long")


@pytest.mark.parametrize(
    ("state", "return_url", "reason"),
    [
        ({"gateway_address": "192.168.8.1:2050"}, "https://portal.test/connected/", "bad_state"),
        ({"hid": "a" * 64}, "https://portal.test/connected/", "bad_state"),
        ({"hid": "a" * 64, "gateway_address": "192.168.8.1:2050"}, "", "no_return_url"),
    ],
    ids=["no-hid", "no-gateway-address", "no-redir"],
)
def test_level1_lets_nobody_through_without_the_hid_the_gateway_address_and_a_way_back(portal1, state, return_url,
                                                                                          reason):  # fmt: skip
    """Each refusal has its own reason in the rejection counters: ops read there what is misconfigured."""
    with pytest.raises(GatewayError) as refused:
        for_portal(portal1).authorise(arrival=Arrival(state=state, return_url=return_url), minutes=60)
    assert refused.value.reason == reason
    assert "openNDS" in str(refused.value)


@pytest.mark.parametrize(
    ("fas", "message"),
    [(base64.b64encode(b"\xff\xfe gatewayname=x").decode(), "fas is not text"), ("@@@@", "fas is not base64")],
    ids=["not-utf8", "not-base64"],
)
def test_level1_fas_that_is_not_base64_text_is_refused_as_bad_fas(fas, message):
    """Bytes that are not a query are refused with the counted reason, never a 500."""
    with pytest.raises(GatewayError) as refused:
        decode_fas_level1(fas)
    assert (refused.value.reason, str(refused.value)) == ("bad_fas", message)


@pytest.mark.parametrize(
    "state",
    [{}, {"hid": "a" * 64}, {"gateway_hash": "b" * 64}, {"hid": "a" * 63, "gateway_hash": "b" * 64},
     {"hid": "a" * 64, "gateway_hash": "not-a-hash"}],
    ids=["nothing", "no-gateway-hash", "no-hid", "short-hid", "bad-gateway-hash"],
)  # fmt: skip
def test_level3_lets_nobody_through_without_both_the_hid_and_the_gateway_hash(portal, state):
    """Both are needed to tell authmon which client on which gateway: one alone queues nothing."""
    with pytest.raises(GatewayError) as refused:
        for_portal(portal).authorise(arrival=Arrival(state=state), minutes=60)
    assert (refused.value.reason, str(refused.value)) == ("bad_state", "no openNDS hid in the signed state")
    assert not GatewayAuthorisation.objects.exists()


def test_level3_a_portal_without_bandwidth_limits_queues_none(portal):
    """No limit set on the portal is 0 for openNDS (unlimited), not a 1 kbit/s trickle."""
    portal.upload_kbps = portal.download_kbps = None
    portal.save()
    for_portal(portal).authorise(arrival=Arrival(state={"hid": "a" * 64, "gateway_hash": "b" * 64}), minutes=60)
    assert list(GatewayAuthorisation.objects.values_list("upload_kbps", "download_kbps")) == [(0, 0)]


def test_the_fas_query_is_read_as_openNDS_writes_it():
    """`name=value, …`: a value keeps its own "=", "(null)" is empty, the first of a repeated name wins, and
    items without a name or an "=" are dropped."""
    from captive_portal.gateways.opennds import parse_query

    clear = "originurl=http://a.fr/?x=1, clientmac=(null), hid=1, hid=2, =orphan, version"
    assert parse_query(clear) == {"originurl": "http://a.fr/?x=1", "clientmac": "", "hid": "1"}


@pytest.mark.parametrize(("configured", "matches"), [("", True), ("  ", True), ("MDS Arles", False)])
def test_a_portal_without_a_gateway_name_accepts_any_name(configured, matches):
    """The per-site FAS path already names the site; a configured name must match."""
    from captive_portal.gateways.opennds import gateway_name_matches

    assert gateway_name_matches(configured, "Another gateway") is matches


def test_level1_ignores_the_authdir_a_gateway_sends(portal1, rf):
    """Level 1 can only use openNDS's default authdir: one in the query is not followed."""
    from captive_portal.gateways.opennds import DEFAULT_AUTHDIR

    clear = f"hid={'a' * 64}, gatewayname=MDS Arles, gatewayaddress=192.168.8.1:2050, authdir=elsewhere"
    request = rf.get("/", {"fas": base64.b64encode(clear.encode()).decode()})
    assert for_portal(portal1).decode(request).authdir == DEFAULT_AUTHDIR


# --- The setup page as ops read it, in French -------------------------------------------------------------------


def _setup(portal, origin=ORIGIN):
    with translation.override("fr"):
        instructions = for_portal(portal).setup_instructions(origin=origin)
    # French typography may put a no-break space before the colon: the words are what is checked here.
    settings_ = [(name, _spaces(value)) for name, value in instructions.settings]
    return settings_, [_spaces(warning) for warning in instructions.warnings]


def _spaces(text: str) -> str:
    return text.replace("\u00a0", " ").replace("\u202f", " ")


def test_the_setup_page_tells_ops_what_to_set_on_a_level3_router(portal):
    """In French: each uci option of the router with this site's value, the FAS URL, where authmon may poll from."""
    portal.gateway_options["gateway_networks"] = "127.0.0.1/32\n203.0.113.7/32"
    portal.save()
    settings_, warnings = _setup(portal)
    assert settings_ == [
        ("fas_secure_enabled", "3"),
        ("fasremotefqdn", "portail.example.fr"),
        ("fasremoteip", "<adresse IPv4 de portail.example.fr>"),
        ("fasport", "443"),
        ("faspath", "/portal/gw/opennds/arles/"),
        ("faskey", "<la 'faskey' du jeu de secrets 'arles-gw'>"),
        ("gatewayname", "MDS Arles"),
        ("dhcp_default_url_enable", "1"),
        ("(URL du FAS)", f"{ORIGIN}/portal/gw/opennds/arles/"),
        ("(authmon accepté depuis)", "127.0.0.1/32, 203.0.113.7/32"),
    ]
    assert warnings == []
    with translation.override("fr"):
        assert for_portal(portal).summary() == [("Nom de la passerelle", "MDS Arles")]


def test_the_setup_page_of_a_portal_on_plain_http_and_a_port_names_them(portal):
    """The FAS port is the origin's own, else 80 for http and 443 for https."""
    assert dict(_setup(portal, origin="http://portail.example.fr")[0])["fasport"] == "80"
    assert dict(_setup(portal, origin="http://portail.example.fr:8080")[0])["fasport"] == "8080"


def test_the_setup_page_without_a_public_origin_still_gives_the_router_a_host_to_ask_for(portal):
    """No PORTAL_BASE_URL: a stand-in https host, so that the path and the key are still right to copy."""
    settings_ = dict(_setup(portal, origin="")[0])
    assert (settings_["fasremotefqdn"], settings_["fasport"]) == ("portal.invalid", "443")
    assert settings_["(URL du FAS)"] == "/portal/gw/opennds/arles/"


def test_the_router_options_without_a_host_say_what_to_put_there(portal):
    """A base URL without a host: the options name what ops fill in, in French."""
    with translation.override("fr"):
        options = dict(for_portal(portal).fas_settings(base_url="", faspath="/portal/gw/opennds/arles/"))
    assert (options["fasremotefqdn"], options["fasremoteip"]) == ("<hôte du portail>", "<adresse IPv4 du portail>")
    assert options["fasport"] == "80"


def test_the_setup_page_warns_of_a_secret_set_without_faskey_and_a_router_without_name(portal, settings):
    """A secret set holding only the authmon key: the key is named in the FAS path, never shown; no faskey and no
    gateway name are each said in French; without gateway networks, authmon is guarded by the key alone."""
    settings.PORTAL_GATEWAY_SECRETS = {"arles-gw": {"authmon_key": "k" * 40}}
    portal.gateway_options.update(gateway_name="", gateway_networks="")
    portal.save()
    settings_, warnings = _setup(portal)
    faspath = "/portal/gw/opennds/arles/<la 'authmon_key' du jeu de secrets 'arles-gw'>/"
    assert ("faspath", faspath) in settings_ and ("(URL du FAS)", ORIGIN + faspath) in settings_
    assert ("gatewayname", "<n'importe lequel : en indiquer un pour le vérifier>") in settings_
    assert settings_[-1] == ("(authmon accepté depuis)", "<toute adresse : seule la clé le protège>")
    assert "k" * 40 not in str(settings_)
    assert warnings == [
        "Le jeu de secrets 'arles-gw' n'a pas de 'faskey'.",
        "Aucun nom de passerelle : tout routeur openNDS qui détient cette faskey est pris pour ce site.",
    ]
    with translation.override("fr"):
        assert for_portal(portal).summary() == []


def test_a_level1_router_is_told_level_1_and_nothing_of_authmon(portal1):
    settings_, warnings = _setup(portal1)
    assert settings_[0] == ("fas_secure_enabled", "1")
    assert [name for name, _ in settings_ if "authmon" in name] == []
    assert warnings == []


def test_the_dhcp_advice_for_openNDS_is_the_routers_own_url_not_the_portals_api(portal):
    """openNDS answers RFC 8908 itself: option 114 is its own; other gateways get the portal's API, only without
    NAT. Both in French."""
    api = f"{ORIGIN}/portal/api/arles/"
    with translation.override("fr"):
        advice = [(option, _spaces(text)) for option, text in for_portal(portal).dhcp_advice(api)]
        click_through = SitePortalFactory(site__slug="tarascon", gateway_kind="click_through")
        other = [(option, _spaces(text)) for option, text in for_portal(click_through).dhcp_advice(api)]
    assert advice == [
        ("DHCPv4 option 114", "envoyée par le routeur openNDS lui-même (dhcp_default_url_enable '1' : http://<son "
         "gatewayfqdn>), qui répond à la RFC 8908 pour chaque appareil ; un autre serveur DHCP envoie cette même URL "
         "du routeur, jamais l'API du portail"),
        ("DHCPv6 option 103", "non envoyée par openNDS ; à laisser vide (les appareils reviennent à leur sonde HTTP)"),
        ("IPv6 RA option 37", "à laisser vide, comme pour DHCPv6"),
    ]  # fmt: skip
    condition = (
        f"{api} ({len(api)} octets), seulement là où le portail voit les adresses propres des visiteurs (pas de NAT "
        "entre le réseau des visiteurs et le portail) ; derrière un NAT, à laisser vide : l'API ne pourrait jamais "
        "répondre que « captif »"
    )
    assert other == [
        ("DHCPv4 option 114", condition),
        ("DHCPv6 option 103", condition),
        ("IPv6 RA option 37", condition),
    ]


# --- What the FAS query must hold -------------------------------------------------------------------------------

HID = "a" * 64
MINIMAL = {"hid": HID, "gatewayname": "MDS%20Arles", "gatewayaddress": "192.168.8.1:2050"}


def test_a_minimal_fas_query_reads_as_the_defaults():
    """Only hid, gatewayname and gatewayaddress: no client address or MAC, openNDS's default authdir, no URL."""
    from captive_portal.gateways.opennds import FasQuery, validate

    assert validate(dict(MINIMAL), level=3) == FasQuery(
        hid=HID, client_ip=None, client_mac=None, gateway_name="MDS%20Arles", gateway_address="192.168.8.1:2050",
        authdir="opennds_auth", origin_url="", version="",
    )  # fmt: skip


def test_a_full_fas_query_keeps_each_field_within_its_bound():
    """Level 3 keeps the gateway's authdir; the origin URL is %-decoded and cut at 2048, the version at 20."""
    from captive_portal.gateways.opennds import FasQuery, validate

    fields = {**MINIMAL, "hid": "A" * 64, "clientip": "192.168.8.23", "clientmac": "AA-BB-CC-DD-EE-23",
              "authdir": "my_auth-dir", "originurl": "http%3a%2f%2fexample.org%2f" + "a" * 3000,
              "version": "9.10.0-" + "9" * 30}  # fmt: skip
    assert validate(fields, level=3) == FasQuery(
        hid=HID, client_ip="192.168.8.23", client_mac="aa:bb:cc:dd:ee:23", gateway_name="MDS%20Arles",
        gateway_address="192.168.8.1:2050", authdir="my_auth-dir",
        origin_url=("http://example.org/" + "a" * 3000)[:2048], version=("9.10.0-" + "9" * 30)[:20],
    )  # fmt: skip
    assert validate(fields, level=1).authdir == "opennds_auth"


@pytest.mark.parametrize(
    ("changes", "refusal"),
    [
        ({"hid": "a" * 63}, ("bad_hid", "hid is not a sha256 hex digest")),
        ({"gatewayname": ""}, ("bad_gateway_name", "gatewayname missing or too long")),
        ({"gatewayname": "n" * 1025}, ("bad_gateway_name", "gatewayname missing or too long")),
        ({"gatewayaddress": None}, ("bad_gateway_address", "gatewayaddress is not host[:port]")),
        ({"gatewayaddress": "192.168.8.1:2050/x"}, ("bad_gateway_address", "gatewayaddress is not host[:port]")),
        ({"authdir": "../admin"}, ("bad_authdir", "authdir is not a path segment")),
        ({"clientip": "192.168.8.300"}, ("bad_client_ip", "clientip is not an IP address")),
        ({"clientmac": "aa:bb:cc"}, ("bad_client_mac", "clientmac is not a MAC address")),
    ],
)
def test_a_fas_query_missing_what_the_protocol_needs_is_refused_with_its_reason(changes, refusal):
    """Each refusal counted under its reason, with the message ops read in the log (None: the field is absent)."""
    from captive_portal.gateways.opennds import validate

    fields = {**MINIMAL, **changes}
    fields = {name: value for name, value in fields.items() if value is not None}
    with pytest.raises(GatewayError) as refused:
        validate(fields, level=3)
    assert (refused.value.reason, str(refused.value)) == refusal


def test_level_2_keeps_a_clean_authdir_and_refuses_one_that_climbs():
    """Level 2, like 3, follows the gateway's authdir (it is part of the URL the portal sends the phone back to),
    so it is checked there too; at level 1 it is never read."""
    from captive_portal.gateways.opennds import validate

    assert validate({**MINIMAL, "authdir": "my_auth-dir"}, level=2).authdir == "my_auth-dir"
    with pytest.raises(GatewayError) as refused:
        validate({**MINIMAL, "authdir": "../admin"}, level=2)
    assert refused.value.reason == "bad_authdir"
    assert validate({**MINIMAL, "authdir": "../admin"}, level=1).authdir == "opennds_auth"


def test_a_gateway_name_of_1024_characters_is_still_taken():
    from captive_portal.gateways.opennds import validate

    assert validate({**MINIMAL, "gatewayname": "n" * 1024}, level=3).gateway_name == "n" * 1024


@pytest.mark.parametrize(
    ("level", "query", "refusal"),
    [
        (1, {}, ("bad_fas", "fas missing or too long")),
        (3, {}, ("bad_fas", "fas missing or too long")),
        (3, {"fas": "QUJD"}, ("bad_iv", "iv is not 16 hexadecimal characters")),
    ],
)
def test_a_redirect_without_fas_or_iv_is_refused_as_such(portal, rf, level, query, refusal):
    """No `fas` (or, at level 3, no `iv`) in the redirect: refused for what is missing, before any decoding."""
    portal.gateway_kind = f"opennds_{level}"
    portal.save()
    with pytest.raises(GatewayError) as refused:
        for_portal(portal).decode(rf.get("/", query))
    assert (refused.value.reason, str(refused.value)) == refusal


def test_a_faskey_shorter_than_32_bytes_is_padded_with_nul_as_php_does():
    """openssl_decrypt pads a short key with NUL bytes: a query encrypted so by the router decrypts here."""
    from captive_portal.gateways.opennds import decrypt_fas

    clear = OpenNDSClient().query(level=3)
    assert decrypt_fas(*encrypt_level3(clear, "short-key"), "short-key") == clear


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


@pytest.mark.parametrize(
    ("fas", "iv", "refusal"),
    [
        ("", "0" * 16, ("bad_fas", "fas missing or too long")),
        ("A" * (MAX_FAS_LENGTH + 1), "0" * 16, ("bad_fas", "fas missing or too long")),
        (_b64(_b64(b"x" * 16).encode()), "0" * 15, ("bad_iv", "iv is not 16 hexadecimal characters")),
        ("not*base64", "0" * 16, ("bad_fas", "fas is not base64")),
        (_b64(b"not*base64"), "0" * 16, ("bad_fas", "inner fas is not base64")),
        (_b64(b"\xff\xfe=="), "0" * 16, ("bad_fas", "inner fas is not base64")),
        ("A" * MAX_FAS_LENGTH, "0" * 16, ("bad_fas", "inner fas is not base64")),
        (_b64(_b64(b"x" * 15).encode()), "0" * 16, ("bad_fas", "ciphertext is not whole AES blocks")),
        (_b64(_b64(b"x" * 32).encode()), "0" * 16, ("bad_fas", "fas does not decrypt with this site's faskey")),
    ],
    ids=[
        "missing",
        "too-long",
        "short-iv",
        "not-base64",
        "inner-not-base64",
        "inner-not-ascii",
        "at-the-limit",
        "not-whole-blocks",
        "wrong-key",
    ],
)
def test_a_level3_fas_that_is_not_from_the_gateway_is_refused_with_its_reason(fas, iv, refusal):
    """Each step of the decryption names what failed, for the log; all are counted as bad_fas or bad_iv."""
    from captive_portal.gateways.opennds import decrypt_fas

    with pytest.raises(GatewayError) as refused:
        decrypt_fas(fas, iv, FASKEY)
    assert (refused.value.reason, str(refused.value)) == refusal


def test_a_level3_redirect_is_read_into_the_arrival(portal, rf):
    """The client as the gateway names it, the hid as the replay token, and what authorise() needs, signed."""
    phone = OpenNDSClient(origin_url="http://example.org/page?x=1")
    request = rf.get("/", phone.level3(FASKEY))
    assert for_portal(portal).arrival(request) == Arrival(
        client_mac=phone.client_mac, client_ip=phone.client_ip, original_url="http://example.org/page?x=1",
        token=phone.hid,
        state={"hid": phone.hid, "gateway_hash": phone.gateway_hash, "gateway_address": phone.gateway_address,
               "authdir": "opennds_auth"},
    )  # fmt: skip


def test_a_redirect_for_a_portal_without_faskey_or_from_another_gateway_is_refused_with_its_reason(
    portal, rf, settings
):
    """Another gateway's name, or a secret set without faskey: each refusal with the message ops read."""
    request = rf.get("/", OpenNDSClient(gateway_name="MDS Tarascon").level3(FASKEY))
    with pytest.raises(GatewayError) as refused:
        for_portal(portal).arrival(request)
    assert (refused.value.reason, str(refused.value)) == ("wrong_gateway", "gatewayname is not this site's gateway")
    settings.PORTAL_GATEWAY_SECRETS = {"arles-gw": {"authmon_key": "k" * 40}}
    with pytest.raises(GatewayError) as refused:
        for_portal(portal).arrival(request)
    assert (refused.value.reason, str(refused.value)) == ("no_faskey", "secret set 'arles-gw' has no faskey")
