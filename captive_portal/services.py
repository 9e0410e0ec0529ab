"""Writes of the captive portal: accepting the terms, the connection log, counters."""

import hashlib
import hmac
import secrets
from contextlib import nullcontext
from datetime import datetime, timedelta

from django.core.cache import cache
from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.utils import timezone

from captive_portal.gateways.base import Arrival, GatewayError
from captive_portal.models import (
    ConnectionRecord,
    DeviceHashKey,
    PortalRejection,
    SitePortal,
)
from wifi.models import AccessPoint


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
    """Count a refused request (bad token, replay, absurd parameters) for the day, without storing the request."""
    day = timezone.localdate()
    updated = PortalRejection.objects.filter(site_id=site_id, day=day, reason=reason).update(count=F("count") + 1)
    if not updated:
        try:
            with transaction.atomic():
                PortalRejection.objects.create(site_id=site_id, day=day, reason=reason, count=1)
        except IntegrityError:  # another request created the row meanwhile
            PortalRejection.objects.filter(site_id=site_id, day=day, reason=reason).update(count=F("count") + 1)


def token_claim(*, portal: SitePortal, token: str) -> None:
    """Refuse a gateway token seen before (a replayed redirect): each visit's token is accepted once."""
    if not token:
        return
    digest = hashlib.sha256(f"{portal.gateway_kind}:{token}".encode()).hexdigest()
    if not cache.add(f"portal:token:{digest}", 1, timeout=portal.session_minutes * 60):
        raise GatewayError("replayed_token", "this gateway token was already used")


def _access_point_id(ap_mac: str | None) -> int | None:
    if not ap_mac:
        return None
    key = f"portal:ap-by-mac:{ap_mac}"
    found = cache.get(key)
    if found is None:
        found = AccessPoint.objects.filter(mac_address=ap_mac).values_list("pk", flat=True).first() or 0
        cache.set(key, found, timeout=60 * 60)
    return found or None


def connection_accept(
    *, portal: SitePortal, arrival: Arrival, terms_id: int, language: str, now: datetime | None = None
) -> ConnectionRecord:
    """Log that a device accepted the terms at this site: one INSERT in the usual case.

    A device already connected has an open record (one per device and site, by constraint): the
    insert then fails and that record is refreshed when still within its session with the same
    terms, or closed and replaced when stale or accepted under older terms.
    """
    now = now or timezone.now()
    identifier = arrival.client_mac or arrival.client_ip or ""
    record = ConnectionRecord(
        site_id=portal.site_id, access_point_id=_access_point_id(arrival.ap_mac), gateway_kind=portal.gateway_kind,
        client_mac=arrival.client_mac, client_ip=arrival.client_ip, client_port=arrival.client_port,
        started_at=now, last_seen_at=now, terms_id=terms_id, language=language,
        device_hash=device_hash(identifier, at=now) if identifier else "",
    )  # fmt: skip
    try:
        # In a request (autocommit) the INSERT is its own transaction: one statement. Inside an outer
        # transaction, a savepoint keeps that transaction usable when the insert meets the constraint.
        with transaction.atomic() if connection.in_atomic_block else nullcontext():
            record.save(force_insert=True)
        return record
    except IntegrityError:
        if not arrival.client_mac:
            raise
    with transaction.atomic():
        current = (
            ConnectionRecord.objects.select_for_update()
            .filter(site=portal.site_id, client_mac=arrival.client_mac, ended_at__isnull=True)
            .first()
        )
        if current is None:  # closed meanwhile: ours can go in now
            record.save(force_insert=True)
            return record
        session = timedelta(minutes=portal.session_minutes)
        if current.last_seen_at >= now - session and current.terms_id == terms_id:
            current.last_seen_at, current.client_ip, current.client_port = now, arrival.client_ip, arrival.client_port
            current.language = language
            current.save(update_fields=["last_seen_at", "client_ip", "client_port", "language"])
            return current
        # Stale (closed at its session's end) or accepted under older terms (a new acceptance starts now).
        stale = current.last_seen_at < now - session
        current.ended_at = current.last_seen_at + session if stale else now
        current.save(update_fields=["ended_at"])
        record.save(force_insert=True)
        return record


def connection_end(*, site_id: int, client_mac: str, at: datetime | None = None) -> int:
    """The gateway or accounting says the device left: close its open record."""
    return ConnectionRecord.objects.filter(site_id=site_id, client_mac=client_mac, ended_at__isnull=True).update(
        ended_at=at or timezone.now()
    )
