"""The queue openNDS's authmon polls (FAS level 3): accepted clients wait here until their gateway takes them.

Protocol, from openNDS's libs/authmon.sh and the reference fas-aes-https.php:

- on start, authmon sends `auth_get=clear`: entries still queued for this gateway are stale;
- every few seconds it sends `auth_get=view` with `payload` = base64("none"); the answer is "*", a space,
  then each waiting client as one %-encoded `rhid minutes uprate downrate upquota downquota custom`;
  authmon reads 1024 characters and at most 4 entries per poll;
- it then sends `view` again with payload = base64("* rhid1 rhid2 …"), the clients it let through: those
  are deleted and the answer is "ack". An entry never acknowledged is offered again at every poll.

Pre-9 gateways use `list` (deliver and forget). `deauthed` and `custom` carry a notification; the answer is "ack".
"""

import base64
import binascii
import hmac
import ipaddress
import logging
import re
from datetime import UTC, datetime, timedelta
from urllib.parse import quote

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from captive_portal.models import ConnectionRecord, GatewayAuthorisation, parse_networks
from captive_portal.services import authorisations_acknowledged, authorisations_drop, connection_end
from core.mac import normalise_mac

logger = logging.getLogger(__name__)

MAX_ENTRIES = 4  # authmon's authcount: more are ignored until the next poll
MAX_CHARS = 1024  # authmon reads ${authlist:2:1024}
# An entry older than this is dropped: its client has gone (or its gateway cannot authenticate it), and left
# in place it would be offered forever and hold up the clients behind it.
STALE_AFTER = timedelta(minutes=15)
_HEX64 = re.compile(r"[0-9a-f]{64}")
# binauth_log.sh's deauth log: method="timeout_deauth", clientmac="aa:…", …, session_end=1700000000, …
_CLIENT_MAC = re.compile(r'clientmac="?([0-9A-Fa-f:\-]{12,17})"?')
_SESSION_END = re.compile(r"session_end=\"?(\d{1,12})\"?")


def authorisation_enqueue(
    *, site_id: int, gateway_hash: str, rhid: str, minutes: int, upload_kbps: int = 0, download_kbps: int = 0
) -> None:
    """Queue an accepted client for its gateway. Accepting twice keeps one entry (the gateway needs one)."""
    GatewayAuthorisation.objects.bulk_create(
        [
            GatewayAuthorisation(
                site_id=site_id, gateway_hash=gateway_hash, rhid=rhid, session_minutes=minutes,
                upload_kbps=upload_kbps, download_kbps=download_kbps,
            )
        ],
        ignore_conflicts=True,
    )  # fmt: skip


def decode_payload(payload: str) -> str:
    """authmon's payload is base64; sent in a GET query (openNDS ≥ 10 with wget) its "+" arrive as spaces."""
    try:
        return base64.b64decode(payload.strip().replace(" ", "+"), validate=True).decode("utf-8", "replace")
    except (binascii.Error, ValueError):
        return ""


def _entry(authorisation: GatewayAuthorisation) -> str:
    # Quotas 0 = none; the custom field is handed to the router's BinAuth script (base64, like the reference FAS).
    custom = base64.b64encode(f"site={authorisation.site_id}".encode()).decode()
    line = (
        f"{authorisation.rhid} {authorisation.session_minutes} {authorisation.upload_kbps} "
        f"{authorisation.download_kbps} 0 0 {custom}"
    )
    return quote(line, safe="")  # like PHP's rawurlencode: one whitespace-free token per client


def _waiting(*, site_id: int, gateway_hash: str):
    return GatewayAuthorisation.objects.filter(site_id=site_id, gateway_hash=gateway_hash)


@transaction.atomic
def authmon_clear(*, site_id: int, gateway_hash: str) -> int:
    """The gateway restarted: whatever was queued for it is stale (and its visitors are told so)."""
    return authorisations_drop(
        queryset=_waiting(site_id=site_id, gateway_hash=gateway_hash), reason="gateway_restarted"
    )


@transaction.atomic
def authmon_view(*, site_id: int, gateway_hash: str, forget: bool = False) -> str:
    """The next clients for this gateway, as authmon reads them: "*" alone when nobody waits.

    The least recently offered come first, so that one client the gateway cannot authenticate does not
    hold up the others. Rows being read by a concurrent poll are skipped, not waited for.
    """
    now = timezone.now()
    stale = _waiting(site_id=site_id, gateway_hash=gateway_hash).filter(created_at__lt=now - STALE_AFTER)
    authorisations_drop(queryset=stale, reason="never_acknowledged")
    rows = list(
        _waiting(site_id=site_id, gateway_hash=gateway_hash)
        .select_for_update(skip_locked=True)
        .order_by(F("delivered_at").asc(nulls_first=True), "created_at", "pk")[:MAX_ENTRIES]
    )
    answer, sent = "*", []
    for row in rows:
        entry = _entry(row)
        if len(answer) + 1 + len(entry) > MAX_CHARS + 2:  # "* " then at most 1024 characters
            break
        answer += " " + entry
        sent.append(row.pk)
    if sent:
        queryset = GatewayAuthorisation.objects.filter(pk__in=sent)
        if forget:
            delivered = [row.rhid for row in rows if row.pk in sent]  # all a pre-9 gateway ever says
            authorisations_acknowledged(site_id=site_id, gateway_hash=gateway_hash, rhids=delivered)
            queryset.delete()
        else:
            queryset.update(delivered_at=now)
    return answer


@transaction.atomic
def authmon_ack(*, site_id: int, gateway_hash: str, acknowledged: str) -> int:
    """The gateway let these clients through ("* rhid1 rhid2 …", any whitespace): forget them."""
    rhids = [token for token in acknowledged.split() if _HEX64.fullmatch(token)]
    if not rhids:
        return 0
    authorisations_acknowledged(site_id=site_id, gateway_hash=gateway_hash, rhids=rhids)  # logs the connections
    deleted, _ = _waiting(site_id=site_id, gateway_hash=gateway_hash).filter(rhid__in=rhids).delete()
    return deleted


DEAUTH_CLOCK_SLACK = timedelta(minutes=5)  # a router's clock may lag the portal's this much


def authmon_deauthed(*, site_id: int, notification: str, now: datetime | None = None) -> bool:
    """The gateway ended a client's session (timeout, idle, quota, logout): close its connection record.

    Only a connection of this site, and only at a time between its start and now: an end before its start
    belongs to an earlier session (or is forged, 1970) and closes nothing, one in the future is now.
    Returns whether a record was closed. The notification is base64 once more on some versions.
    """
    if "method=" not in notification:
        notification = decode_payload(notification)
    mac_match = _CLIENT_MAC.search(notification)
    if not mac_match:
        logger.info("authmon deauthed notification without a client MAC for site %s", site_id)
        return False
    try:
        client_mac = normalise_mac(mac_match.group(1))
    except ValidationError:
        return False
    now = now or timezone.now()
    started_at = (
        ConnectionRecord.objects.open()
        .filter(site_id=site_id, client_mac=client_mac)
        .values_list("started_at", flat=True)
        .first()
    )
    if started_at is None:
        return False
    at = now
    end_match = _SESSION_END.search(notification)
    if end_match and int(end_match.group(1)) > 0:
        try:
            at = datetime.fromtimestamp(int(end_match.group(1)), tz=UTC)
        except (OverflowError, OSError, ValueError):
            return False
    if at < started_at - DEAUTH_CLOCK_SLACK:
        logger.info("authmon deauthed for site %s ends before the open connection started: ignored", site_id)
        return False
    at = min(max(at, started_at), now)
    return bool(connection_end(site_id=site_id, client_mac=client_mac, at=at))


# --- Who may speak for the gateway ---------------------------------------------------------------------
#
# authmon (openNDS 9.10 post-request.php, 10.x wget) sends only auth_get, gatewayhash and payload to the
# configured FAS URL, with no credential: gatewayhash is the hash of the gateway's name, which a visitor on
# site can work out. What the real authmon can carry is its URL: the FAS path may hold a secret segment
# (/portal/gw/opennds/<site>/<authmon_key>/), kept in the site's secret set. Not a query parameter: 10.x's wget
# appends "?auth_get=…" to the URL and the visitor's redirect appends "?fas=…", either of which would break
# a faspath that already holds a "?". That key is weak: every visitor of that site is redirected to the same
# URL and can read it in the address bar. It keeps the rest of the internet out; the gateway's declared
# source networks are what keep a visitor on site out.

MIN_KEY_LENGTH = 32
_KEY = re.compile(rf"[A-Za-z0-9_\-]{{{MIN_KEY_LENGTH},128}}")


def authmon_key(portal) -> str:
    """The secret path segment of this site's FAS URL, or "" when none (or an unusable one) is set."""
    key = str(portal.secrets.get("authmon_key", ""))
    return key if _KEY.fullmatch(key) else ""


def authmon_networks(portal) -> list:
    """The gateway's declared source networks: the portal's `gateway_networks` option, plus the older
    `authmon_networks` secret."""
    try:
        networks = parse_networks(str(portal.gateway_options.get("gateway_networks") or ""))
    except ValueError:  # validated on save: only a row written around the form gets here
        networks = []
    for network in portal.secrets.get("authmon_networks") or []:
        try:
            networks.append(ipaddress.ip_network(network, strict=False))
        except ValueError:
            continue
    return [network for network in networks if network.prefixlen > 0]


def authmon_problems(portal) -> list[str]:
    """Why authmon would be refused for every caller of an openNDS level 3 portal (empty when a guard is set)."""
    problems = []
    raw_key = str(portal.secrets.get("authmon_key", ""))
    if raw_key and not authmon_key(portal):
        problems.append(
            _("'authmon_key' of secret set %(name)r must be %(min)s–128 letters, digits, '-' or '_'.")
            % {"name": portal.secret_name, "min": MIN_KEY_LENGTH}
        )
    if not authmon_key(portal) and not authmon_networks(portal):
        problems.append(
            _(
                "authmon is closed: set the gateway's source networks, or an 'authmon_key' in the secret set "
                "(better: both). Until then the router cannot fetch accepted visitors."
            )
        )
    return problems


def path_key_matches(portal, key: str | None) -> bool:
    """The FAS URL's key segment: absent when no key is configured, exactly the key when one is."""
    expected = authmon_key(portal)
    if not expected:
        return not key
    return bool(key) and hmac.compare_digest(expected.encode(), key.encode())


def caller_allowed(*, portal, ip: str | None, key: str | None) -> bool:
    """Whether this caller may read, acknowledge and notify the site's queue. Closed by default.

    Every guard that is configured must pass (key in the URL, source address in the networks), and at least
    one must be configured.
    """
    expected, networks = authmon_key(portal), authmon_networks(portal)
    if not expected and not networks:
        return False
    if expected and not (key and hmac.compare_digest(expected.encode(), key.encode())):
        return False
    if networks:
        try:
            address = ipaddress.ip_address(ip or "")
        except ValueError:
            return False
        return any(address in network for network in networks)
    return True
