"""Alerts to ops: composed once, then delivered per channel, as each ops agent chose (AlertPreference).

- Email: sent at once to the agents who want the event by email, and to WIFI_ALERT_EMAILS.
- Team webhooks: a WebhookDelivery row per team with a member who wants the event in the chat, posted by a
  Celery task after commit and retried with backoff. A webhook never delays nor blocks the email: the email
  leaves before anything is posted, from another task.

Every alert leaves the same way: an outbox row (with `sent_at` and `recipients`), a compose function that turns
it into an `Alert`, and `outbox_send(rows, compose)`, which calls `alert_send()` inside the transaction that
marks the row sent, so that an alert leaves once. Incidents and reboots go so; a storm alert will too.
"""

import functools
import hashlib
import hmac
import json
import logging
import re
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import httpx
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Q, QuerySet
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from sites.audit import acting_as, audited_save
from sites.models import Agent
from sites.notifications import deliver_email
from sites.roles import Role
from wifi.models import (
    DEFAULT_ALERT_CHANNELS,
    AccessPoint,
    AlertChannel,
    AlertEvent,
    AlertPreference,
    Health,
    IncidentNotification,
    OpsTeam,
    RebootNotification,
    WebhookAttempt,
    WebhookDelivery,
    validate_webhook_url,
)

logger = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-MDS-Signature"
MAX_RETRY_SECONDS = 3600.0


@dataclass(frozen=True)
class Alert:
    """One thing to tell ops, in the words of every channel. `key` names it, so each team gets it once."""

    event: str  # an AlertEvent
    key: str
    subject: str
    body: str
    payload: dict[str, Any]


@dataclass
class Receipt:
    emails: list[str] = field(default_factory=list)
    teams: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        """What the outbox row keeps as proof of who was alerted."""
        return ", ".join([*self.emails, *(f"webhook: {team}" for team in self.teams)])


# --- Compose --------------------------------------------------------------------------------------


def _at(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def _in_platform_language[**P](compose: Callable[P, "Alert"]) -> Callable[P, "Alert"]:
    """Alerts are composed by the worker, where a task may have left another language active (the portal speaks
    seven): ops read them in French, at Paris time."""

    @functools.wraps(compose)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> "Alert":
        with translation.override(settings.LANGUAGE_CODE), timezone.override(settings.TIME_ZONE):
            return compose(*args, **kwargs)

    return wrapper


def _one_line(text: str) -> str:
    """A subject on one line. Not `str.split()`, which also splits on the no-break spaces of French typography."""
    return re.sub(r"[ \t\r\n]+", " ", text).strip()


def _ap_payload(ap: AccessPoint) -> dict[str, Any]:
    return {
        "id": ap.pk, "label": ap.label, "serial_number": ap.serial_number,
        "management_address": ap.management_address, "zone": str(ap.zone) if ap.zone else None,
        "site": str(ap.site), "mds": str(ap.site.mds),
    }  # fmt: skip


@_in_platform_language
def incident_alert(notification: IncidentNotification) -> Alert:
    """An access point down or back up, from its outbox row (incident, access point, site and zone loaded)."""
    incident = notification.incident
    assert incident is not None  # noqa: S101 (an outage's row goes to outage_alert)
    ap = incident.access_point
    context = {"notification": notification, "incident": incident, "ap": ap}
    subject = _one_line(render_to_string("wifi/email/incident_subject.txt", context))
    body = render_to_string("wifi/email/incident_body.txt", context)
    opened = notification.event == IncidentNotification.Event.OPENED
    event = AlertEvent.AP_DOWN if opened else AlertEvent.AP_UP
    payload = {
        "event": str(event),
        # "text" first: Mattermost, Rocket.Chat and Slack incoming webhooks post it as it is.
        "text": f"{subject}\n{body.strip()}",
        "occurred_at": _at(incident.started_at if opened else incident.ended_at),
        "access_point": _ap_payload(ap),
        "incident": {
            "id": incident.pk, "started_at": _at(incident.started_at), "ended_at": _at(incident.ended_at),
            "cause": incident.cause, "detail": incident.detail,
        },
    }  # fmt: skip
    return Alert(event=event, key=f"incident-notification:{notification.pk}", subject=subject, body=body,
                 payload=payload)  # fmt: skip


@_in_platform_language
def outage_alert(notification: IncidentNotification) -> Alert:
    """A whole site, or a large share of the fleet, down at once (or back): one alert instead of one per AP."""
    outage = notification.outage
    assert outage is not None  # noqa: S101 (constraint: an outbox row is of an incident or of an outage)
    still_down = AccessPoint.objects.polled().filter(health=Health.DOWN)
    if outage.site_id:
        still_down = still_down.filter(site=outage.site_id)
    context = {"notification": notification, "outage": outage, "still_down": still_down.count()}
    subject = _one_line(render_to_string("wifi/email/outage_subject.txt", context))
    body = render_to_string("wifi/email/outage_body.txt", context)
    opened = notification.event == IncidentNotification.Event.OPENED
    payload = {
        "event": str(AlertEvent.STORM),
        "text": f"{subject}\n{body.strip()}",
        "occurred_at": _at(outage.started_at if opened else outage.ended_at),
        "outage": {
            "id": outage.pk, "scope": outage.scope, "site": str(outage.site) if outage.site_id else None,
            "started_at": _at(outage.started_at), "ended_at": _at(outage.ended_at), "aps_down": outage.aps_down,
            "aps_polled": outage.aps_polled,
        },
    }  # fmt: skip
    return Alert(event=AlertEvent.STORM, key=f"incident-notification:{notification.pk}", subject=subject, body=body,
                 payload=payload)  # fmt: skip


def incident_or_outage_alert(notification: IncidentNotification) -> Alert:
    """An outbox row of the polling round: an access point's incident, or an outage of a site or of the poller."""
    return outage_alert(notification) if notification.outage_id else incident_alert(notification)


@_in_platform_language
def reboot_alert(notification: RebootNotification) -> Alert:
    """An access point that restarted on its own (uptime went backwards), from its outbox row."""
    ap = notification.access_point
    names = {"label": ap.label, "serial": ap.serial_number, "site": str(ap.site)}
    subject = _("[WiFi] Access point rebooted: %(label)s (%(site)s)") % names
    when = date_format(timezone.localtime(notification.rebooted_at), "DATETIME_FORMAT")
    body = _("The access point %(label)s (serial %(serial)s) at %(site)s restarted; noticed at %(when)s.") % {
        **names, "when": when,
    }  # fmt: skip
    payload = {
        "event": str(AlertEvent.REBOOT),
        "text": f"{subject}\n{body}",
        "occurred_at": _at(notification.rebooted_at),
        "access_point": _ap_payload(ap),
        "uptime_seconds": notification.uptime_seconds,
    }
    return Alert(event=AlertEvent.REBOOT, key=f"reboot-notification:{notification.pk}", subject=subject, body=body,
                 payload=payload)  # fmt: skip


# --- Who wants it -----------------------------------------------------------------------------------


def _ops_agents() -> QuerySet[Agent]:
    return Agent.objects.filter(is_active=True, memberships__role=Role.OPS).distinct()


def _wanting(agents: QuerySet[Agent], event: str, channel: str) -> QuerySet[Agent]:
    """`agents` who want `event` on `channel`: their own choice, else the default."""
    chosen = AlertPreference.objects.filter(event=event, **{channel: True}).values("agent")
    refused = AlertPreference.objects.filter(event=event, **{channel: False}).values("agent")
    if channel in DEFAULT_ALERT_CHANNELS[event]:
        return agents.exclude(pk__in=refused)
    return agents.filter(pk__in=chosen)


def email_recipients(event: str) -> list[str]:
    """The ops agents who want `event` by email, and WIFI_ALERT_EMAILS for what they got before preferences."""
    chosen = set(_wanting(_ops_agents(), event, AlertChannel.EMAIL).values_list("email", flat=True))
    if AlertChannel.EMAIL in DEFAULT_ALERT_CHANNELS[event]:
        chosen |= set(settings.WIFI_ALERT_EMAILS)
    return sorted(chosen)


def webhook_teams(event: str) -> list[OpsTeam]:
    """Active teams with a webhook and at least one ops member who wants `event` in the team chat."""
    members = _wanting(_ops_agents(), event, AlertChannel.WEBHOOK)
    return list(OpsTeam.objects.filter(webhook_active=True, members__in=members).exclude(webhook_url="").distinct())


# --- Deliver ----------------------------------------------------------------------------------------


def alert_send(alert: Alert) -> Receipt:
    """Email now; queue one webhook delivery per team, posted by the worker once the caller's transaction commits.

    A team that already has this alert (same key) is not given it again.
    """
    receipt = Receipt(emails=email_recipients(alert.event))
    if receipt.emails:
        deliver_email(subject=alert.subject, body=alert.body, to=receipt.emails)
    for team in webhook_teams(alert.event):
        delivery, created = WebhookDelivery.objects.get_or_create(
            team=team, key=alert.key,
            defaults={"uid": uuid.uuid4(), "event": alert.event, "payload": alert.payload,
                      "next_attempt_at": timezone.now()},
        )  # fmt: skip
        if created:
            receipt.teams.append(team.name)
            transaction.on_commit(functools.partial(_enqueue_delivery, delivery.pk))
    return receipt


def reboots_record(*, by_ap: dict[int, Any], ap_ids: set[int], at: datetime) -> int:
    """Queue a reboot alert per AP of a polling round that restarted (not under maintenance nor snoozed), only
    when some ops agent wants them: nobody does by default, and an outbox row nobody reads is no use."""
    if not ap_ids or not any(_wanting(_ops_agents(), AlertEvent.REBOOT, channel).exists() for channel in AlertChannel):
        return 0
    created = RebootNotification.objects.bulk_create(
        [RebootNotification(access_point_id=pk, rebooted_at=at, uptime_seconds=by_ap[pk].uptime_seconds)
         for pk in sorted(ap_ids)],
        ignore_conflicts=True,
    )  # fmt: skip
    return len(created)


def reboot_alerts_send(*, limit: int = 100) -> int:
    return outbox_send(RebootNotification.objects.select_related("access_point__site__mds"), reboot_alert, limit=limit)


def outbox_send[Row: IncidentNotification | RebootNotification](
    rows: QuerySet[Row], compose: Callable[[Row], Alert], *, limit: int = 100
) -> int:
    """Send an outbox's unsent rows, each once: a row is locked while sent and marked sent (with who was alerted)
    in the same transaction. Safe to run concurrently (skip_locked) and twice (a sent row is never picked again).
    """
    sent = 0
    for _row in range(limit):
        with transaction.atomic():
            row = (
                rows.select_for_update(skip_locked=True, of=("self",))
                .filter(sent_at__isnull=True)
                .order_by("pk")
                .first()
            )
            if row is None:
                break
            receipt = alert_send(compose(row))
            row.sent_at, row.recipients = timezone.now(), str(receipt)
            row.save(update_fields=["sent_at", "recipients"])
            sent += 1
    return sent


def _enqueue_delivery(delivery_id: int, countdown: float = 0) -> None:
    from kombu.exceptions import OperationalError

    from wifi.tasks import deliver_webhook

    try:
        deliver_webhook.apply_async((delivery_id,), countdown=countdown)
    except OperationalError:
        logger.warning("Broker unavailable: webhook delivery %s waits for the sweep", delivery_id)


def signature(*, secret: str, timestamp: int, body: bytes) -> str:
    """The X-MDS-Signature value: HMAC-SHA256 of "<timestamp>." + body, as Stripe signs its webhooks.

    The timestamp is signed with the body, so a receiver that refuses old timestamps (5 minutes) refuses a
    replayed request; it is that attempt's time, so a retry is not refused for being late.
    """
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={mac}"


def retry_delay(attempts: int) -> float:
    """Seconds before the next attempt after `attempts` failed ones: doubling from WIFI_WEBHOOK_RETRY_SECONDS."""
    first: float = settings.WIFI_WEBHOOK_RETRY_SECONDS
    return min(first * 2.0 ** (attempts - 1), MAX_RETRY_SECONDS)


@dataclass
class _Outcome:
    ok: bool
    http_status: int | None = None
    error: str = ""
    final: bool = False  # asking again cannot help (a refused address, a missing secret)


def _post(team: OpsTeam, delivery: WebhookDelivery) -> _Outcome:
    try:
        validate_webhook_url(team.webhook_url)  # again here: the row may predate a stricter rule
    except ValidationError:
        return _Outcome(ok=False, error="address refused: only http(s)", final=True)
    secret = settings.WIFI_WEBHOOK_SECRETS.get(team.webhook_secret_name)
    if not secret:
        return _Outcome(ok=False, error=f"secret {team.webhook_secret_name!r} not configured", final=True)
    body = json.dumps(delivery.payload, ensure_ascii=False, separators=(",", ":")).encode()
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "MDS-Connectees-Webhook/1",
        "X-MDS-Event": delivery.event,
        "X-MDS-Delivery": str(delivery.uid),
        SIGNATURE_HEADER: signature(secret=secret, timestamp=int(time.time()), body=body),
    }
    # No redirect followed: a signed alert goes to the address the admin set, not where a 3xx points.
    # The answer's body is never read: a receiver cannot make the worker download anything.
    try:
        with (
            httpx.Client(timeout=settings.WIFI_WEBHOOK_TIMEOUT, follow_redirects=False) as client,
            client.stream("POST", team.webhook_url, content=body, headers=headers) as response,
        ):
            status = response.status_code
            location = response.headers.get("Location", "")
    except httpx.HTTPError as exc:
        return _Outcome(ok=False, error=f"{type(exc).__name__}: {exc}"[:200])
    if 200 <= status < 300:
        return _Outcome(ok=True, http_status=status)
    if 300 <= status < 400:
        host = urlsplit(location).hostname or location
        return _Outcome(ok=False, http_status=status, error=f"redirect to {host} not followed"[:200])
    return _Outcome(ok=False, http_status=status, error=f"HTTP {status}")


def _due() -> datetime:
    # A second of slack: Celery's countdown and next_attempt_at are computed a few milliseconds apart.
    return timezone.now() + timedelta(seconds=1)


def webhook_delivery_attempt(*, delivery_id: int) -> float | None:
    """Post a pending delivery once, log the attempt, and return the seconds to wait before the next one
    (None: delivered, given up, not due, or taken by another worker). Safe to run twice: the row is locked
    while posted, and a delivery not due or no longer pending is left alone."""
    with transaction.atomic():
        delivery = (
            WebhookDelivery.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("team")
            .filter(pk=delivery_id, status=WebhookDelivery.Status.PENDING, next_attempt_at__lte=_due())
            .first()
        )
        if delivery is None:
            return None
        team = delivery.team
        started, attempted_at = time.monotonic(), timezone.now()
        outcome = _post(team, delivery) if team.webhook_active else _Outcome(ok=False, error="webhook off", final=True)
        WebhookAttempt.objects.create(
            delivery=delivery, attempted_at=attempted_at, ok=outcome.ok, http_status=outcome.http_status,
            duration_ms=round((time.monotonic() - started) * 1000), error=outcome.error,
        )  # fmt: skip
        delivery.attempts += 1
        delay = None
        if outcome.ok:
            delivery.status, delivery.delivered_at, delivery.next_attempt_at = (
                WebhookDelivery.Status.DELIVERED, timezone.now(), None,
            )  # fmt: skip
            OpsTeam.objects.filter(pk=team.pk).update(webhook_failures_in_row=0, webhook_last_success_at=attempted_at)
        elif not team.webhook_active:  # switched off by an admin: not a failure of the receiver
            delivery.status, delivery.next_attempt_at = WebhookDelivery.Status.FAILED, None
        else:
            if outcome.final or delivery.attempts >= settings.WIFI_WEBHOOK_MAX_ATTEMPTS:
                delivery.status, delivery.next_attempt_at = WebhookDelivery.Status.FAILED, None
            else:
                delay = retry_delay(delivery.attempts)
                delivery.next_attempt_at = timezone.now() + timedelta(seconds=delay)
            OpsTeam.objects.filter(pk=team.pk).update(
                webhook_failures_in_row=F("webhook_failures_in_row") + 1,
                webhook_last_failure_at=attempted_at, webhook_last_error=outcome.error[:200],
            )  # fmt: skip
            logger.warning("Webhook of team %s failed (attempt %d): %s", team, delivery.attempts, outcome.error)
        delivery.save(update_fields=["status", "attempts", "next_attempt_at", "delivered_at"])
    return delay


def webhook_deliveries_overdue(*, grace: timedelta = timedelta(minutes=1)) -> list[int]:
    """Pending deliveries whose retry should have run: the broker was down, or a worker died holding it."""
    return list(
        WebhookDelivery.objects.filter(
            Q(next_attempt_at__lte=timezone.now() - grace), status=WebhookDelivery.Status.PENDING
        ).values_list("pk", flat=True)[:500]
    )


def webhook_deliveries_sweep() -> int:
    overdue = webhook_deliveries_overdue()
    for pk in overdue:
        _enqueue_delivery(pk)
    return len(overdue)


# --- Each agent's choices ("Mes notifications") --------------------------------------------------------


def alert_choices(agent: Agent) -> dict[str, set[str]]:
    """The channels `agent` receives each event on: their choice where they made one, else the default."""
    choices: dict[str, set[str]] = {event: set(DEFAULT_ALERT_CHANNELS[event]) for event in AlertEvent}
    for pref in AlertPreference.objects.filter(agent=agent):
        choices[pref.event] = {c for c in AlertChannel if getattr(pref, c)}
    return choices


@transaction.atomic
def alert_preferences_set(*, actor: Agent, agent: Agent, choices: dict[str, set[str]]) -> None:
    """Store `agent`'s channels for every event (an event left out: none), each change in the audit trail."""
    current = {p.event: p for p in AlertPreference.objects.select_for_update().filter(agent=agent)}
    with acting_as(actor):
        for event in AlertEvent:
            wanted = {channel: channel in choices.get(event, set()) for channel in AlertChannel}
            pref = current.get(event) or AlertPreference(agent=agent, event=event)
            if pref.pk and all(getattr(pref, c) == v for c, v in wanted.items()):
                continue
            for channel, value in wanted.items():
                setattr(pref, channel, value)
            pref.save()


def agent_teams(agent: Agent) -> list[OpsTeam]:
    """The teams `agent` belongs to, with their webhook's health, for the agent's own page."""
    return list(agent.ops_teams.all())


@transaction.atomic
def ops_team_save(*, actor: Agent, team: OpsTeam) -> OpsTeam:
    """Create or change a team and its webhook (the admin): validated whole, the secret's name checked."""
    return audited_save(team, actor=actor)
