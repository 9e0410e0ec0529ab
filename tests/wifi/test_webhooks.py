"""Team webhooks: a signed JSON POST to a real HTTP server, retried by a real Celery worker, never in email's way."""

import datetime
import hashlib
import hmac
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from sites.roles import Role
from tests.factories import agent_with_role
from tests.support import wait_until
from tests.wifi.factories import AccessPointFactory, OpsTeamFactory
from wifi import notifications, services
from wifi.models import ErrorKind, Health, OpsTeam, WebhookDelivery
from wifi.probes.base import ProbeResult

pytestmark = pytest.mark.django_db

SECRET = "un-secret-partagé-long-et-aléatoire"


class Receiver:
    """A chat server's incoming webhook on 127.0.0.1: records each request, answers from a script (then 200)."""

    def __init__(self, answers=(), *, location: str = "", delay: float = 0.0):
        self.answers, self.location, self.delay = list(answers), location, delay
        self.requests: list[dict] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.requests.append({"headers": dict(self.headers), "body": body, "path": self.path})
                time.sleep(receiver.delay)
                status = receiver.answers.pop(0) if receiver.answers else 200
                self.send_response(status)
                if receiver.location:
                    self.send_header("Location", receiver.location)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks/astreinte"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receivers():
    started = []

    def start(*answers, **kwargs):
        started.append(Receiver(answers, **kwargs))
        return started[-1]

    yield start
    for receiver in started:
        receiver.close()


@pytest.fixture(autouse=True)
def _webhook_settings(settings):
    settings.WIFI_WEBHOOK_SECRETS = {"astreinte": SECRET}
    settings.WIFI_DOWN_AFTER_FAILURES = 1
    settings.WIFI_WEBHOOK_TIMEOUT = 2.0


def _ap_goes_down():
    ap = AccessPointFactory(health=Health.UP, label="Borne accueil")
    services.round_record(results=[ProbeResult(ap_id=ap.pk, reachable=False, error_kind=ErrorKind.TIMEOUT)])
    return ap


def _team(url, **kwargs):
    return OpsTeamFactory(webhook_url=url, members=[agent_with_role(Role.OPS, email="ops@departement.test")], **kwargs)


def _delivery_after_alert(url, **team_kwargs):
    team = _team(url, **team_kwargs)
    _ap_goes_down()
    assert services.incident_alerts_send() == 1
    return team, WebhookDelivery.objects.get(team=team)


def _verify(headers: dict, body: bytes, secret: str) -> int:
    """What a receiver does (Stripe's scheme): recompute the HMAC of "<t>." + body; return t when it matches."""
    fields = dict(part.split("=", 1) for part in headers["X-MDS-Signature"].split(","))
    expected = hmac.new(secret.encode(), f"{fields['t']}.".encode() + body, hashlib.sha256).hexdigest()
    assert hmac.compare_digest(expected, fields["v1"])
    return int(fields["t"])


def test_the_post_is_json_signed_with_the_shared_secret_and_timestamped(receivers):
    """The receiver recomputes the signature over timestamp and body with the secret, and reads the alert."""
    receiver = receivers()
    _team, delivery = _delivery_after_alert(receiver.url)
    assert notifications.webhook_delivery_attempt(delivery_id=delivery.pk) is None
    [request] = receiver.requests
    signed_at = _verify(request["headers"], request["body"], SECRET)
    assert abs(signed_at - time.time()) < 60  # fresh: a receiver refusing old timestamps refuses replays
    with pytest.raises(AssertionError):
        _verify(request["headers"], request["body"].replace(b"Borne", b"Borme"), SECRET)  # a changed body fails
    payload = json.loads(request["body"])
    assert payload["event"] == "ap_down"
    assert payload["access_point"]["label"] == "Borne accueil"
    assert "Borne accueil" in payload["text"]  # what Mattermost/Slack post as is
    assert request["headers"]["Content-Type"] == "application/json"
    assert request["headers"]["X-MDS-Delivery"] == str(delivery.uid)
    delivery.refresh_from_db()
    assert delivery.status == WebhookDelivery.Status.DELIVERED
    [attempt] = delivery.attempt_log.all()
    assert (attempt.ok, attempt.http_status, attempt.error) == (True, 200, "")
    assert attempt.duration_ms >= 0
    assert SECRET not in json.dumps(delivery.payload)


@pytest.mark.django_db(transaction=True)
@pytest.mark.celery_worker
def test_a_webhook_answering_500_is_retried_by_the_worker_until_200_and_each_attempt_is_logged(
    receivers, settings, celery_worker
):
    """From the round to the chat through the worker: 500 first, the retry (backoff) gets 200; one email."""
    settings.WIFI_WEBHOOK_RETRY_SECONDS = 0.5
    receiver = receivers(500)
    team = _team(receiver.url)
    _ap_goes_down()
    assert wait_until(lambda: WebhookDelivery.objects.filter(status=WebhookDelivery.Status.DELIVERED).exists())
    delivery = WebhookDelivery.objects.get()
    attempts = list(delivery.attempt_log.values_list("ok", "http_status"))
    assert attempts == [(False, 500), (True, 200)]
    first, second = delivery.attempt_log.all()
    assert (second.attempted_at - first.attempted_at).total_seconds() >= 0.5  # waited, not hammered
    assert len(receiver.requests) == 2
    assert len({r["headers"]["X-MDS-Delivery"] for r in receiver.requests}) == 1  # the receiver can drop repeats
    for request in receiver.requests:
        _verify(request["headers"], request["body"], SECRET)  # each retry signed again, with its own time
    assert len(mail.outbox) == 1
    team.refresh_from_db()
    assert team.webhook_failures_in_row == 0 and team.webhook_last_success_at is not None


def test_a_redirect_is_not_followed_to_another_host(receivers):
    """A 3xx pointing elsewhere is a failed attempt: the signed alert never reaches the other host."""
    elsewhere = receivers()
    receiver = receivers(302, location=elsewhere.url.replace("127.0.0.1", "localhost"))
    _team, delivery = _delivery_after_alert(receiver.url)
    delay = notifications.webhook_delivery_attempt(delivery_id=delivery.pk)
    assert delay is not None  # tried again later, at the address the admin set
    assert len(receiver.requests) == 1
    assert elsewhere.requests == []
    [attempt] = delivery.attempt_log.all()
    assert (attempt.ok, attempt.http_status) == (False, 302)
    assert attempt.error == "redirect to localhost not followed"


@pytest.mark.parametrize("url", ["file:///etc/passwd", "gopher://127.0.0.1:70/", "ftp://chat.example.org/", "//x"])
def test_an_address_that_is_not_http_or_https_is_refused(url):
    """The admin cannot save it (signing secret configured or not)."""
    team = OpsTeam(name="Astreinte", webhook_url=url, webhook_secret_name="astreinte")
    with pytest.raises(ValidationError) as error:
        team.full_clean()
    assert "webhook_url" in error.value.message_dict


@pytest.mark.parametrize("url", ["https://chat.example.org/hooks/x", "http://10.20.0.5:8065/hooks/x"])
def test_private_addresses_are_allowed_for_an_internal_chat_server(url):
    """Decided policy: admins set the URL, and a département's Mattermost is often on its own network."""
    OpsTeam(name="Astreinte", webhook_url=url, webhook_secret_name="astreinte").full_clean()


def test_a_webhook_needs_a_configured_secret():
    team = OpsTeam(name="Astreinte", webhook_url="https://chat.example.org/hooks/x", webhook_secret_name="absent")
    with pytest.raises(ValidationError) as error:
        team.full_clean()
    assert "webhook_secret_name" in error.value.message_dict


def test_a_stored_non_http_address_is_never_posted_and_not_retried(receivers):
    """A row written before the rule (or by hand) is refused at sending time too, once, without retries."""
    _team, delivery = _delivery_after_alert("file:///etc/passwd")
    assert notifications.webhook_delivery_attempt(delivery_id=delivery.pk) is None
    delivery.refresh_from_db()
    assert delivery.status == WebhookDelivery.Status.FAILED
    assert delivery.attempt_log.get().error == "address refused: only http(s)"


def test_a_slow_receiver_is_cut_off_after_the_timeout(receivers, settings):
    settings.WIFI_WEBHOOK_TIMEOUT = 0.3
    receiver = receivers(delay=3)
    _team, delivery = _delivery_after_alert(receiver.url)
    started = time.monotonic()
    assert notifications.webhook_delivery_attempt(delivery_id=delivery.pk) is not None
    assert time.monotonic() - started < 2
    attempt = delivery.attempt_log.get()
    assert not attempt.ok and "Timeout" in attempt.error


def test_a_failing_webhook_never_holds_the_email_back_and_shows_to_admins_and_members(receivers, settings, signed_in):
    """Emails leave with the alert; the dead webhook is tried by the worker, and its failures are shown."""
    settings.WIFI_WEBHOOK_FAILING_AFTER = 2
    receiver = receivers(500, 500)
    team, delivery = _delivery_after_alert(receiver.url)
    assert len(mail.outbox) == 1 and receiver.requests == []  # nothing posted on email's way
    for _ in range(2):
        WebhookDelivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now())
        notifications.webhook_delivery_attempt(delivery_id=delivery.pk)
    team.refresh_from_db()
    assert team.webhook_failing and team.webhook_last_error == "HTTP 500"

    admin = signed_in(agent_with_role(Role.ADMIN, is_staff=True))
    page = admin.get(reverse("admin:wifi_opsteam_changelist") + "?failing=yes").content.decode()
    assert team.name in page and "En échec\xa0: 2 tentatives de suite" in page
    member = signed_in(team.members.get())
    assert "2 tentatives échouées de suite (HTTP 500)" in member.get(reverse("wifi:my_notifications")).content.decode()


def test_after_the_last_attempt_the_delivery_is_given_up(receivers, settings):
    settings.WIFI_WEBHOOK_MAX_ATTEMPTS = 2
    receiver = receivers(500, 503)
    _team, delivery = _delivery_after_alert(receiver.url)
    assert notifications.webhook_delivery_attempt(delivery_id=delivery.pk) is not None
    WebhookDelivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now())
    assert notifications.webhook_delivery_attempt(delivery_id=delivery.pk) is None
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (WebhookDelivery.Status.FAILED, 2)
    assert list(delivery.attempt_log.values_list("http_status", flat=True)) == [500, 503]


def test_a_delivery_run_twice_posts_once_and_a_retry_waits_its_turn(receivers):
    """Safe to run twice: a delivered alert is not posted again, a failed one not before its backoff."""
    receiver = receivers(500)
    _team, delivery = _delivery_after_alert(receiver.url)
    delay = notifications.webhook_delivery_attempt(delivery_id=delivery.pk)
    assert delay == pytest.approx(30.0)  # WIFI_WEBHOOK_RETRY_SECONDS, doubling from there
    assert notifications.webhook_delivery_attempt(delivery_id=delivery.pk) is None  # not due yet
    WebhookDelivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now())
    assert notifications.webhook_delivery_attempt(delivery_id=delivery.pk) is None
    assert notifications.webhook_delivery_attempt(delivery_id=delivery.pk) is None
    assert len(receiver.requests) == 2
    assert notifications.retry_delay(3) == pytest.approx(120.0)
    assert notifications.retry_delay(20) == notifications.MAX_RETRY_SECONDS


def test_the_sweep_finds_deliveries_whose_retry_was_lost():
    """Overdue by more than a minute (broker down, worker killed): queued again; a retry not yet due is not."""
    team = _team("https://chat.example.org/hooks/x")
    now = timezone.now()
    overdue, _due_later = (
        WebhookDelivery.objects.create(team=team, uid=uid, key=key, event="ap_down", payload={}, next_attempt_at=at)
        for uid, key, at in [
            ("00000000-0000-0000-0000-000000000001", "a", now - datetime.timedelta(minutes=5)),
            ("00000000-0000-0000-0000-000000000002", "b", now + datetime.timedelta(minutes=5)),
        ]
    )
    WebhookDelivery.objects.create(team=team, uid="00000000-0000-0000-0000-000000000003", key="c", event="ap_down",
                                   payload={}, status=WebhookDelivery.Status.DELIVERED)  # fmt: skip
    assert notifications.webhook_deliveries_overdue() == [overdue.pk]


def test_a_webhook_switched_off_after_the_alert_posts_nothing_and_is_not_counted_as_failing(receivers):
    receiver = receivers()
    team, delivery = _delivery_after_alert(receiver.url)
    OpsTeam.objects.filter(pk=team.pk).update(webhook_active=False)
    assert notifications.webhook_delivery_attempt(delivery_id=delivery.pk) is None
    assert receiver.requests == []
    delivery.refresh_from_db()
    assert delivery.status == WebhookDelivery.Status.FAILED
    team.refresh_from_db()
    assert team.webhook_failures_in_row == 0


def test_an_admin_creates_a_team_from_the_admin_with_ops_members_only_and_the_secret_never_shown(signed_in):
    ops = agent_with_role(Role.OPS, email="ops@departement.test")
    programme = agent_with_role(Role.PROGRAMME)
    admin = signed_in(agent_with_role(Role.ADMIN, is_staff=True))
    url = reverse("admin:wifi_opsteam_add")
    form = {"name": "Astreinte", "webhook_url": "https://chat.example.org/hooks/x",
            "webhook_secret_name": "astreinte", "webhook_active": "on"}  # fmt: skip
    refused = admin.post(url, {**form, "members": [programme.pk]})
    assert refused.status_code == 200 and not OpsTeam.objects.exists()  # not an ops agent: not offered
    admin.post(url, {**form, "members": [ops.pk]})
    team = OpsTeam.objects.get()
    assert list(team.members.all()) == [ops]
    page = admin.get(reverse("admin:wifi_opsteam_change", args=[team.pk])).content.decode()
    assert SECRET not in page and "astreinte" in page
