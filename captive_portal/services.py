"""Writes of the captive portal: accepting the terms, the connection log, counters, the sites' egress networks."""

import hashlib
import hmac
import logging
import secrets
from datetime import datetime, timedelta

from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.utils import timezone

from captive_portal import log_chain
from captive_portal.gateways.base import Arrival, Authorisation, Gateway, GatewayError
from captive_portal.models import (
    AcceptClaim,
    ConnectionRecord,
    DeviceHashKey,
    EgressNetwork,
    GatewayAuthorisation,
    PortalRejection,
    SitePortal,
    normalise_network,
)
from sites.audit import acting_as, audited_delete, audited_save
from sites.models import Agent, Site
from wifi.models import AccessPoint

logger = logging.getLogger(__name__)


def _month_start(at: datetime):
    return timezone.localtime(at).date().replace(day=1)


def device_hash(identifier: str, *, at: datetime) -> str:
    """HMAC of a device identifier with the month's key: stable within a month, unlinkable once the key is gone."""
    month = _month_start(at)
    key = cache.get(f"portal:hash-key:{month}")
    if key is None:
        key = DeviceHashKey.objects.get_or_create(month=month, defaults={"key": secrets.token_hex(32)})[0].key
        cache.set(f"portal:hash-key:{month}", key, timeout=60 * 60 * 24)
    return hmac.new(key.encode(), identifier.lower().encode(), hashlib.sha256).hexdigest()


def rejection_count(*, site_id: int | None, reason: str) -> None:
    """Count a refused request (bad token, replay, absurd parameters) for the day, without storing the request.

    One statement (PostgreSQL's INSERT … ON CONFLICT): two refusals at the same instant both count, with no
    retry path. The conflict target is the unique constraint that applies: per site, or the site-less one.
    """
    table = PortalRejection._meta.db_table
    target = "(site_id, day, reason)" if site_id is not None else "(day, reason) WHERE site_id IS NULL"
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (site_id, day, reason, count) VALUES (%s, %s, %s, 1) "  # noqa: S608 (names are ours)
            f"ON CONFLICT {target} DO UPDATE SET count = {table}.count + 1",
            [site_id, timezone.localdate(), reason],
        )


def _access_point_id(ap_mac: str | None) -> int | None:
    if not ap_mac:
        return None
    key = f"portal:ap-by-mac:{ap_mac}"
    found = cache.get(key)
    if found is None:
        found = AccessPoint.objects.filter(mac_address=ap_mac).values_list("pk", flat=True).first() or 0
        cache.set(key, found, timeout=60 * 60)
    return found or None


def claim_key(*, gateway_kind: str, token: str, state: str) -> str:
    """What makes a visit single-use: the gateway's own token for it when it has one (a replayed redirect
    yields a fresh signed state but the same token), else the signed state itself."""
    what = f"token:{gateway_kind}:{token}" if token else f"state:{state}"
    return hashlib.sha256(what.encode()).hexdigest()


def visit_authorise(
    *, portal: SitePortal, gateway: Gateway, arrival: Arrival, claim: str, terms_id: int, language: str,
    seen_from: str | None = None, now: datetime | None = None,
) -> tuple[ConnectionRecord | None, Authorisation]:  # fmt: skip
    """Let a visitor's device in: claim the visit, ask the gateway, then log the connection — all or nothing.

    The claim is an INSERT on a primary key inside the transaction: a concurrent replay waits for it and is
    refused once it commits, and a gateway that fails rolls it back, so the visitor's retry is not taken for
    a replay. The record is written only after the gateway accepted (for openNDS level 3, when authmon
    acknowledges: no record is returned then); a failure leaves an audit entry instead.
    For UniFi the controller call happens inside this transaction: at most unifi.TOTAL_DEADLINE (12 s).
    """
    try:
        with transaction.atomic():
            try:
                AcceptClaim.objects.create(key=claim, site_id=portal.site_id)
            except IntegrityError:
                raise GatewayError("replayed_token", "this visit was already accepted") from None
            outcome = gateway.authorise(arrival=arrival, minutes=portal.session_minutes)
            if outcome.pending_id:
                # openNDS level 3: the gateway lets the device in when its authmon fetches and acknowledges it;
                # the record waits for that acknowledgement (authorisations_acknowledged).
                record = None
                pending = {
                    "mac": arrival.client_mac,
                    "ip": arrival.client_ip,
                    "ip_source": arrival.client_ip_source,
                    "port": arrival.client_port,
                    "ap": arrival.ap_mac,
                    "terms": terms_id,
                    "language": language,
                }
                GatewayAuthorisation.objects.filter(pk=outcome.pending_id).update(connection=pending)
            else:
                record = connection_record_append(
                    portal=portal, arrival=arrival, terms_id=terms_id, language=language, now=now
                )
    except GatewayError as error:
        if error.reason != "replayed_token":
            authorisation_failure_audit(portal=portal, arrival=arrival, reason=error.reason, seen_from=seen_from)
        raise
    return record, outcome


def authorisation_failure_audit(*, portal: SitePortal, arrival: Arrival, reason: str, seen_from: str | None) -> None:
    """A device the gateway refused or could not let in: an audit entry, not a connection record."""
    LogEntry.objects.create(
        # No object (nothing was recorded) and no actor (a device, not an agent): the fields' defaults.
        content_type=ContentType.objects.get_for_model(ConnectionRecord),
        object_repr="authorisation refused or failed",
        action=LogEntry.Action.CREATE,
        changes={},
        additional_data={
            "event": "authorisation_failed", "reason": reason, "site_id": portal.site_id,
            "gateway_kind": portal.gateway_kind, "client_mac": arrival.client_mac, "client_ip": arrival.client_ip,
            "seen_from": seen_from,
        },
    )  # fmt: skip


DROPPED_EVENT = "authorisation_dropped"


def authorisations_drop(*, queryset, reason: str) -> int:
    """Forget level-3 authorisations authmon will never acknowledge (its gateway restarted, or never came for
    them): an audit entry each, filed under the authorisation (an indexed lookup for the visitor's
    "connecting…" page, which reads it to say it did not work)."""
    dropped = list(queryset.select_for_update().filter(connection__isnull=False))
    content_type = ContentType.objects.get_for_model(GatewayAuthorisation)
    LogEntry.objects.bulk_create(
        LogEntry(
            content_type=content_type, object_pk=str(row.pk), object_id=row.pk,
            object_repr="authorisation never acknowledged", action=LogEntry.Action.DELETE, actor=None, changes={},
            additional_data={"event": DROPPED_EVENT, "reason": reason, "site_id": row.site_id,
                             "client_mac": (row.connection or {}).get("mac")},
        )
        for row in dropped
    )  # fmt: skip
    # Only the rows read above (and acknowledged ones left behind): one queued meanwhile is not dropped unheard.
    deleted, _ = queryset.filter(Q(pk__in=[row.pk for row in dropped]) | Q(connection__isnull=True)).delete()
    return deleted


def authorisation_was_dropped(*, authorisation_id: int) -> bool:
    return LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(GatewayAuthorisation),
        object_pk=str(authorisation_id),
        additional_data__event=DROPPED_EVENT,
    ).exists()


def connection_close(*, record: ConnectionRecord, at: datetime) -> None:
    """Write a record's end, the one later write the log allows, with its own hash (see log_chain)."""
    if record.ended_at is not None:
        raise ValueError("this connection is already closed")
    if not record.started_at <= at <= timezone.now():
        raise ValueError("a connection ends between its start and now")
    record.ended_at = at
    record.end_hash = log_chain.end_digest(row_hash=record.row_hash, ended_at=at)
    record.save(update_fields=["ended_at", "end_hash"])


def connection_record_append(
    *, portal: SitePortal, arrival: Arrival, terms_id: int, language: str, now: datetime | None = None
) -> ConnectionRecord:
    """Append one connection to the site's log, chained to the site's previous record.

    A device accepting again is a new connection (its address may have changed): its open record, if any,
    is closed first, at the new start or at the end of its session if that came earlier.
    """
    with transaction.atomic(savepoint=False):  # inside visit_authorise's transaction: no savepoint round trips
        # One writer per site at a time, since each row hashes the one before it. FOR NO KEY UPDATE on the
        # site's row: it does not block the inserts of other tables that reference the site.
        # Without the site's default ordering: that would join (and lock) its MDS too.
        list(
            Site.objects.select_for_update(no_key=True, of=("self",))
            .filter(pk=portal.site_id)
            .order_by()
            .values_list("pk")
        )
        now = now or timezone.now()  # taken under the lock: starts follow the chain's order
        last = (
            ConnectionRecord.objects.filter(site_id=portal.site_id)
            .order_by("-chain_seq")
            .values_list("chain_seq", "row_hash", "started_at")
            .first()
        )
        if arrival.client_mac:
            session = timedelta(minutes=portal.session_minutes)
            for current in ConnectionRecord.objects.select_for_update().filter(
                site_id=portal.site_id, client_mac=arrival.client_mac, ended_at__isnull=True
            ):
                connection_close(record=current, at=max(current.started_at, min(now, current.started_at + session)))
        identifier = arrival.client_mac or arrival.client_ip or ""
        seq, prev_hash, prev_started_at = (last[0] + 1, last[1], last[2]) if last else (1, log_chain.GENESIS, None)
        record = ConnectionRecord(
            site_id=portal.site_id, access_point_id=_access_point_id(arrival.ap_mac), gateway_kind=portal.gateway_kind,
            client_mac=arrival.client_mac, client_ip=arrival.client_ip, client_ip_source=arrival.client_ip_source,
            client_port=arrival.client_port, started_at=now, last_seen_at=now, terms_id=terms_id, language=language,
            device_hash=device_hash(identifier, at=now) if identifier else "",
            chain_seq=seq, prev_hash=prev_hash, prev_started_at=prev_started_at,
        )  # fmt: skip
        record.row_hash = log_chain.record_digest(record)
        record.save(force_insert=True)
    return record


def authorisations_acknowledged(*, site_id: int, gateway_hash: str, rhids: list[str]) -> int:
    """openNDS's authmon says it let these clients through: their connections start now, and are logged.

    Called before the queue entries are deleted (an acknowledgement, or delivery to a pre-9 gateway that
    acknowledges nothing); an entry acknowledged twice is gone the second time, so logs nothing twice.
    """
    pending = list(
        GatewayAuthorisation.objects.select_for_update()
        .filter(site_id=site_id, gateway_hash=gateway_hash, rhid__in=rhids, connection__isnull=False)
        .order_by("pk")
    )
    portal = SitePortal.objects.filter(site_id=site_id).only("site_id", "gateway_kind", "session_minutes").first()
    if not pending or portal is None:
        return 0
    for row in pending:
        data = row.connection
        arrival = Arrival(client_mac=data.get("mac"), client_ip=data.get("ip"), client_port=data.get("port"),
                          client_ip_source=data.get("ip_source") or "gateway", ap_mac=data.get("ap"))  # fmt: skip
        connection_record_append(portal=portal, arrival=arrival, terms_id=data["terms"], language=data["language"])
    GatewayAuthorisation.objects.filter(pk__in=[row.pk for row in pending]).update(connection=None)
    return len(pending)


def connection_end(*, site_id: int, client_mac: str, at: datetime | None = None) -> int:
    """The gateway or accounting says the device left: close its open record; returns how many were closed.

    An end in the future is taken as now; an end before the record's start is refused (the record stays
    open, i.e. in progress from its start, rather than vanish from a requisition's time window).
    """
    now = timezone.now()
    at = min(at or now, now)
    with transaction.atomic():
        # At most one: the database keeps one open record per device and site (connection_one_open_per_device).
        record = (
            ConnectionRecord.objects.select_for_update()
            .filter(site_id=site_id, client_mac=client_mac, ended_at__isnull=True)
            .first()
        )
        if record is None:
            return 0
        if at < record.started_at:
            logger.warning("connection end before its start refused (site %s, record %s)", site_id, record.pk)
            return 0
        connection_close(record=record, at=at)
    return 1


def egress_network_add(*, actor: Agent, site: Site, network: str, note: str = "") -> EgressNetwork:
    """Declare an internet address the site's visitors come from; the audit trail keeps who did it.

    Declaring one already there (a form sent twice) returns it: the unique constraint decides, not a check
    made before the insert."""
    network = normalise_network(network)
    try:
        with transaction.atomic(), acting_as(actor):
            return EgressNetwork.objects.create(site=site, network=network, note=note.strip())
    except IntegrityError:
        return EgressNetwork.objects.get(site=site, network=network)


@transaction.atomic
def egress_network_update(*, actor: Agent, egress: EgressNetwork) -> EgressNetwork:
    """Save an egress network changed in place (the admin), written as arrivals are compared with it."""
    egress.network = normalise_network(egress.network)
    return audited_save(egress, actor=actor)


@transaction.atomic
def egress_network_remove(*, actor: Agent, egress: EgressNetwork) -> None:
    """From now on, arrivals from this network are refused at its site."""
    audited_delete(egress, actor=actor)
