"""openNDS Forwarding Authentication Service (FAS), levels 1 and 3.

Read from openNDS's own source (src/http_microhttpd.c builds the query, libs/authmon.sh polls the FAS)
and its reference scripts (fas-hid.php for level 1, fas-aes-https.php for level 3):

- the query is `name=value` items joined by ", "; `gatewayname`, `gatewayurl` and `originurl` are
  %-encoded; unset values read "(null)";
- level 1: `?fas=` is the standard base64 of the query, sent unencoded (a "+" reaches us as a space);
  the browser is sent with a GET to `http://<gatewayaddress>/opennds_auth/?tok=<rhid>&redir=<url>`;
- level 3: `?fas=` is base64 of base64 of the AES-256-CBC ciphertext, `&iv=` 16 hex characters used as
  the 16 IV bytes, the key the faskey's bytes cut or NUL-padded to 32 (PHP's openssl_decrypt); the client
  is let through by the gateway's authmon, which polls the portal (see captive_portal.authmon);
- `rhid = sha256hex(hid + faskey)` proves to the gateway that the portal accepted the client.

Each openNDS router is configured with its site's own FAS path, /portal/gw/opennds/<site-slug>/, so the
faskey is known before decrypting (no trying every site's key) and authmon polls the same URL.
"""

import base64
import binascii
import hashlib
import ipaddress
import re
from dataclasses import dataclass
from typing import ClassVar
from urllib.parse import unquote, urlencode, urlsplit

from cryptography.hazmat.primitives import padding
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from django import forms
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.urls import reverse
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from captive_portal import authmon
from captive_portal.gateways.base import (
    RFC8910_OPTIONS,
    Arrival,
    Authorisation,
    Gateway,
    GatewayError,
    SecretSetField,
    SetupInstructions,
)
from captive_portal.models import GatewayAuthorisation, validate_networks
from core.mac import normalise_mac

# openNDS's own query buffer is 4 KB before encoding (about 7.3 KB once encrypted and base64-encoded twice at
# level 3): anything longer is not from it. gunicorn's --limit-request-line (8190, its maximum, in the Procfile
# and the image) leaves room for this plus the path and the iv.
MAX_FAS_LENGTH = 8000
DEFAULT_AUTHDIR = "opennds_auth"  # openNDS's DEFAULT_AUTHDIR, the only one level 1 can use
_HEX64 = re.compile(r"[0-9a-f]{64}")
_IV = re.compile(r"[0-9A-Fa-f]{16}")
_GATEWAY_ADDRESS = re.compile(r"[A-Za-z0-9.\-]{1,253}(:\d{1,5})?|\[[0-9A-Fa-f:.]{2,45}\](:\d{1,5})?")
_AUTHDIR = re.compile(r"[A-Za-z0-9_\-]{1,64}")
# openNDS appends " Node:<gateway id> " to the configured name unless enable_serial_number_suffix is 0.
_NODE_SUFFIX = re.compile(r"\s*Node:\S*\s*$")


def sha256hex(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def rhid_for(hid: str, faskey: str) -> str:
    """The hash openNDS expects back for an accepted client (fas-hid.php and fas-aes-https.php: hid . key)."""
    return sha256hex(hid.strip() + faskey.strip())


def gateway_hash(encoded_name: str) -> str:
    """authmon's `gatewayhash`: sha256hex of the %-encoded gateway name exactly as openNDS sends it."""
    return sha256hex(encoded_name)


def plain_gateway_name(encoded_name: str) -> str:
    """The name an operator typed on the router: %-decoded, without openNDS's " Node:<id> " suffix."""
    return _NODE_SUFFIX.sub("", unquote(encoded_name)).strip()


def gateway_name_matches(configured: str, encoded_name: str) -> bool:
    if not configured.strip():
        return True  # nothing configured to check against: the per-site FAS path already names the site
    return plain_gateway_name(configured).casefold() == plain_gateway_name(encoded_name).casefold()


def _b64decode(value: str, *, what: str) -> bytes:
    # The gateway puts standard base64 in the URL without %-encoding it: "+" arrives as a space.
    try:
        return base64.b64decode(value.replace(" ", "+"), validate=True)
    except (binascii.Error, ValueError):
        raise GatewayError("bad_fas", f"{what} is not base64") from None


def _aes_key(faskey: str) -> bytes:
    """PHP's openssl_decrypt with a string key: its bytes, cut or NUL-padded to the cipher's 32."""
    return faskey.encode()[:32].ljust(32, b"\0")


def decrypt_fas(fas: str, iv: str, faskey: str) -> str:
    """Level 3: the clear query from `fas` and `iv`. Raises GatewayError on anything not from the gateway."""
    if not fas or len(fas) > MAX_FAS_LENGTH:
        raise GatewayError("bad_fas", "fas missing or too long")
    if not _IV.fullmatch(iv or ""):
        raise GatewayError("bad_iv", "iv is not 16 hexadecimal characters")
    ciphertext = _b64decode(_b64decode(fas, what="fas").decode("ascii", "replace"), what="inner fas")
    if not ciphertext or len(ciphertext) % 16:
        raise GatewayError("bad_fas", "ciphertext is not whole AES blocks")
    decryptor = Cipher(algorithms.AES(_aes_key(faskey)), modes.CBC(iv.encode("ascii"))).decryptor()
    unpadder = padding.PKCS7(128).unpadder()
    try:
        clear = unpadder.update(decryptor.update(ciphertext) + decryptor.finalize()) + unpadder.finalize()
        return clear.decode("utf-8")
    except (ValueError, UnicodeDecodeError):  # wrong key or iv, or a forged ciphertext
        raise GatewayError("bad_fas", "fas does not decrypt with this site's faskey") from None


def decode_fas_level1(fas: str) -> str:
    if not fas or len(fas) > MAX_FAS_LENGTH:
        raise GatewayError("bad_fas", "fas missing or too long")
    try:
        return _b64decode(fas, what="fas").decode("utf-8")
    except UnicodeDecodeError:
        raise GatewayError("bad_fas", "fas is not text") from None


def parse_query(clear: str) -> dict[str, str]:
    """`name=value, name=value…` → dict; "(null)" (an unset value) becomes ""."""
    fields = {}
    for item in clear.split(", "):
        name, sep, value = item.partition("=")
        if sep and name and name not in fields:
            fields[name.strip()] = "" if value == "(null)" else value
    return fields


@dataclass(frozen=True)
class FasQuery:
    hid: str
    client_ip: str | None
    client_mac: str | None
    gateway_name: str  # %-encoded, exactly as received (authmon's gatewayhash is computed on it)
    gateway_address: str  # host:port of the router's own web server
    authdir: str
    origin_url: str
    version: str


def validate(fields: dict[str, str], *, level: int) -> FasQuery:
    """Refuse a query missing what the protocol needs or holding absurd values."""
    hid = fields.get("hid", "").strip().lower()
    if not _HEX64.fullmatch(hid):
        raise GatewayError("bad_hid", "hid is not a sha256 hex digest")
    gateway_name = fields.get("gatewayname", "")
    if not gateway_name or len(gateway_name) > 1024:
        raise GatewayError("bad_gateway_name", "gatewayname missing or too long")
    gateway_address = fields.get("gatewayaddress", "")
    if not _GATEWAY_ADDRESS.fullmatch(gateway_address):
        raise GatewayError("bad_gateway_address", "gatewayaddress is not host[:port]")
    authdir = fields.get("authdir", "") or DEFAULT_AUTHDIR
    if level >= 2 and not _AUTHDIR.fullmatch(authdir):
        raise GatewayError("bad_authdir", "authdir is not a path segment")
    client_ip = fields.get("clientip") or None
    if client_ip:
        try:
            client_ip = str(ipaddress.ip_address(client_ip))
        except ValueError:
            raise GatewayError("bad_client_ip", "clientip is not an IP address") from None
    client_mac = fields.get("clientmac") or None
    if client_mac:
        try:
            client_mac = normalise_mac(client_mac)
        except ValidationError:
            raise GatewayError("bad_client_mac", "clientmac is not a MAC address") from None
    return FasQuery(
        hid=hid, client_ip=client_ip, client_mac=client_mac, gateway_name=gateway_name,
        gateway_address=gateway_address, authdir=authdir if level >= 2 else DEFAULT_AUTHDIR,
        origin_url=unquote(fields.get("originurl", ""))[:2048], version=fields.get("version", "")[:20],
    )  # fmt: skip


class OpenNDSOptions(forms.Form):
    gateway_name = forms.CharField(
        label=capfirst(gettext_lazy("gateway name")), max_length=120, required=False,
        help_text=gettext_lazy(
            "openNDS: the gatewayname configured on the router (the “ Node:<mac>” suffix is ignored)."
        ),
    )  # fmt: skip
    secret_name = SecretSetField()


class OpenNDSLevel3Options(OpenNDSOptions):
    # authmon carries no credential of its own: the gateway's public addresses are the strong guard.
    gateway_networks = forms.CharField(
        label=capfirst(gettext_lazy("gateway source networks")), required=False, widget=forms.Textarea,
        validators=[validate_networks],
        help_text=gettext_lazy(
            "openNDS level 3: the public addresses the router's authmon polls from (e.g. 203.0.113.7/32), one per "
            "line. Without them or an authmon key in the secret set, authmon is refused."
        ),
    )  # fmt: skip


class OpenNDSGateway(Gateway):
    """What both FAS levels share: the faskey from the secret set, the query checked against the gateway name."""

    level: ClassVar[int]
    options_form: ClassVar[type[forms.Form]] = OpenNDSOptions
    signed_redirect = True  # level 3 encrypts the query, level 1 names a hid only the faskey turns into a proof

    @property
    def faskey(self) -> str:
        return str(self.portal.secrets.get("faskey", ""))

    @property
    def gateway_name(self) -> str:
        return str(self.options.get("gateway_name") or "")

    def decode(self, request: HttpRequest) -> FasQuery:
        raise NotImplementedError

    def arrival(self, request: HttpRequest) -> Arrival:
        if not self.faskey:
            raise GatewayError("no_faskey", f"secret set {self.portal.secret_name!r} has no faskey")
        query = self.decode(request)
        if not gateway_name_matches(self.gateway_name, query.gateway_name):
            raise GatewayError("wrong_gateway", "gatewayname is not this site's gateway")
        return Arrival(
            client_mac=query.client_mac,
            client_ip=query.client_ip,
            original_url=query.origin_url,
            token=query.hid,  # one hid per client visit: a replayed redirect is refused at accept
            state={
                "hid": query.hid,
                "gateway_hash": gateway_hash(query.gateway_name),
                "gateway_address": query.gateway_address,
                "authdir": query.authdir,
            },
        )

    def setup_instructions(self, *, origin: str) -> SetupInstructions:
        portal = self.portal
        faspath = reverse("captive_gateways:opennds", kwargs={"slug": portal.site.slug})
        if authmon.authmon_key(portal):  # named, never shown: ops copy it from the secret set
            faspath += _("<the 'authmon_key' of secret set %(name)r>") % {"name": portal.secret_name} + "/"
        fas = self.fas_settings(base_url=origin or "https://portal.invalid", faspath=faspath)
        setup = SetupInstructions(settings=fas)
        setup.settings.append((_("(FAS URL)"), origin + faspath))
        self.authmon_setup(setup)
        if portal.secrets and not self.faskey:
            setup.warnings.append(_("Secret set %(name)r has no 'faskey'.") % {"name": portal.secret_name})
        if not self.gateway_name:
            setup.warnings.append(_("No gateway name: any openNDS router holding this faskey is taken for this site."))
        return setup

    def authmon_setup(self, setup: SetupInstructions) -> None:
        """Level 3: where authmon may poll from, and why it would be refused."""

    def fas_settings(self, *, base_url: str, faspath: str) -> list[tuple[str, str]]:
        """The openNDS options (uci names) an operator sets on the router for this site."""
        parts = urlsplit(base_url)
        port = parts.port or (443 if parts.scheme == "https" else 80)
        return [
            ("fas_secure_enabled", str(self.level)),
            ("fasremotefqdn", parts.hostname or _("<portal host>")),
            (
                "fasremoteip",
                _("<IPv4 address of %(host)s>") % {"host": parts.hostname}
                if parts.hostname
                else _("<IPv4 address of the portal>"),
            ),
            ("fasport", str(port)),
            ("faspath", faspath),
            ("faskey", _("<the 'faskey' of secret set %(name)r>") % {"name": self.portal.secret_name}),
            ("gatewayname", self.gateway_name or _("<any: set one to check it>")),
            # openNDS (≥ 9.5) answers RFC 8908 itself and sends its own DHCP option 114, knowing who is authenticated.
            ("dhcp_default_url_enable", "1"),
        ]

    def dhcp_advice(self, url: str) -> list[tuple[str, str]]:
        # The router knows which device is let through; the portal, behind the site's NAT, cannot.
        return [
            (RFC8910_OPTIONS[0], _("sent by the openNDS router itself (dhcp_default_url_enable '1': "
                                   "http://<its gatewayfqdn>), which answers RFC 8908 per device; another DHCP "
                                   "server sends that same router URL, never the portal's API")),
            (RFC8910_OPTIONS[1], _("not sent by openNDS; leave unset (devices fall back to their HTTP probe)")),
            (RFC8910_OPTIONS[2], _("leave unset, as for DHCPv6")),
        ]  # fmt: skip

    def summary(self) -> list[tuple[str, str]]:
        return [(_("Gateway name"), self.gateway_name)] if self.gateway_name else []


class OpenNDSLevel3(OpenNDSGateway):
    """Encrypted query; the gateway's authmon fetches the accepted clients from the portal."""

    label = gettext_lazy("openNDS FAS, level 3 (encrypted, remote portal)")
    options_form = OpenNDSLevel3Options
    level = 3

    def decode(self, request: HttpRequest) -> FasQuery:
        clear = decrypt_fas(request.GET.get("fas", ""), request.GET.get("iv", ""), self.faskey)
        return validate(parse_query(clear), level=3)

    def authorise(self, *, arrival: Arrival, minutes: int) -> Authorisation:
        state = arrival.state
        if not (_HEX64.fullmatch(state.get("hid", "")) and _HEX64.fullmatch(state.get("gateway_hash", ""))):
            raise GatewayError("bad_state", "no openNDS hid in the signed state")
        rhid = rhid_for(state["hid"], self.faskey)
        authmon.authorisation_enqueue(
            site_id=self.portal.site_id,
            gateway_hash=state["gateway_hash"],
            rhid=rhid,
            minutes=minutes,
            upload_kbps=self.portal.upload_kbps or 0,
            download_kbps=self.portal.download_kbps or 0,
        )
        pending = GatewayAuthorisation.objects.filter(gateway_hash=state["gateway_hash"], rhid=rhid)
        # Nothing to send the browser to: the connected page waits while authmon lets the client through.
        return Authorisation(browser_url=None, pending_id=pending.values_list("pk", flat=True).first())

    def authmon_setup(self, setup: SetupInstructions) -> None:
        networks = ", ".join(str(network) for network in authmon.authmon_networks(self.portal))
        setup.settings.append((_("(authmon accepted from)"), networks or _("<any address: only the key guards it>")))
        setup.warnings.extend(authmon.authmon_problems(self.portal))


class OpenNDSLevel1(OpenNDSGateway):
    """base64 query; the browser itself takes the proof (tok) back to the gateway's authdir."""

    label = gettext_lazy("openNDS FAS, level 1 (same trusted network)")
    level = 1

    def decode(self, request: HttpRequest) -> FasQuery:
        return validate(parse_query(decode_fas_level1(request.GET.get("fas", ""))), level=1)

    def authorise(self, *, arrival: Arrival, minutes: int) -> Authorisation:
        state = arrival.state
        if not _HEX64.fullmatch(state.get("hid", "")) or not _GATEWAY_ADDRESS.fullmatch(
            state.get("gateway_address", "")
        ):
            raise GatewayError("bad_state", "no openNDS hid in the signed state")
        if not arrival.return_url:
            raise GatewayError("no_return_url", "openNDS level 1 needs a redir URL")
        # gatewayaddress already carries the port; redir is mandatory; openNDS refuses a POST here.
        query = urlencode({"tok": rhid_for(state["hid"], self.faskey), "redir": arrival.return_url})
        return Authorisation(browser_url=f"http://{state['gateway_address']}/{DEFAULT_AUTHDIR}/?{query}")
