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
import ipaddress
import logging
import re
from datetime import UTC, datetime, timedelta
from urllib.parse import quote

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from captive_portal.models import GatewayAuthorisation
from captive_portal.services import authorisations_acknowledged, connection_end
from wifi.models import normalise_mac

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
    """The gateway restarted: whatever was queued for it is stale."""
    deleted, _ = _waiting(site_id=site_id, gateway_hash=gateway_hash).delete()
    return deleted


@transaction.atomic
def authmon_view(*, site_id: int, gateway_hash: str, forget: bool = False) -> str:
    """The next clients for this gateway, as authmon reads them: "*" alone when nobody waits.

    The least recently offered come first, so that one client the gateway cannot authenticate does not
    hold up the others. Rows being read by a concurrent poll are skipped, not waited for.
    """
    now = timezone.now()
    _waiting(site_id=site_id, gateway_hash=gateway_hash).filter(created_at__lt=now - STALE_AFTER).delete()
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


def authmon_deauthed(*, site_id: int, notification: str) -> bool:
    """The gateway ended a client's session (timeout, idle, quota, logout): close its connection record.

    Returns whether a record could be matched. The notification is base64 once more on some versions.
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
    at = None
    end_match = _SESSION_END.search(notification)
    if end_match and int(end_match.group(1)) > 0:
        at = min(datetime.fromtimestamp(int(end_match.group(1)), tz=UTC), timezone.now())
    return bool(connection_end(site_id=site_id, client_mac=client_mac, at=at))


def caller_allowed(*, portal, ip: str | None) -> bool:
    """Whether this address may poll the site's queue: any, unless the secret set lists `authmon_networks`
    (the gateways' public addresses, e.g. ["203.0.113.7/32"])."""
    networks = portal.secrets.get("authmon_networks")
    if not networks:
        return True
    try:
        address = ipaddress.ip_address(ip or "")
    except ValueError:
        return False
    return any(address in ipaddress.ip_network(network, strict=False) for network in networks)
