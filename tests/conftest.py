"""Fixtures every app's tests use: a clean cache, signed-in agents, a real Celery worker."""

import logging

import pytest
from django.core.cache import cache
from django.test import override_settings
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

import core.sms
from captive_portal.selectors import content_version_forget
from mds_connectees.celery import app as celery_app


@pytest.fixture(autouse=True)
def _clean_cache():
    """The cache is the real Redis: start every test without another test's leftovers."""
    cache.clear()
    content_version_forget()
    yield
    cache.clear()
    content_version_forget()


@pytest.fixture(autouse=True)
def sms_outbox():
    """Texts go to `core.sms.outbox` (the locmem backend), emptied before each test, as Django does for
    `mail.outbox`: no test sends a real SMS, whatever SMS_BACKEND the shell sets. (override_settings rather than
    pytest-django's `settings`, which a test's own parameter of that name would hide.)"""
    with override_settings(SMS_BACKEND="core.sms.backends.locmem.SmsBackend"):
        core.sms.outbox.clear()
        yield core.sms.outbox


def sign_in(client, agent, *, second_factor: bool = True):
    """Sign `agent` in on `client`, having passed TOTP like a person at the 2FA page would."""
    client.force_login(agent, backend="sites.backends.MembershipBackend")
    if second_factor:
        device, _ = TOTPDevice.objects.get_or_create(user=agent, name="default", defaults={"confirmed": True})
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
    return client


@pytest.fixture
def signed_in(client):
    """`signed_in(agent)` returns the test client signed in as that agent, second factor passed."""

    def _sign_in(agent, **kwargs):
        return sign_in(client, agent, **kwargs)

    return _sign_in


@pytest.fixture
def slow_provider(settings):
    """Brevo on a local port taking half a second to answer: the first sender of an outbox row still holds it when
    the second comes for it (the outboxes' concurrency tests)."""
    from tests.core.sms_provider import API_KEY, Provider

    simulator = Provider(delay=0.5)
    settings.SMS_BACKEND, settings.SMS_API_URL, settings.SMS_API_KEY = "brevo", simulator.url, API_KEY
    settings.SMS_SENDER, settings.SMS_TIMEOUT = "MDS13", 5.0
    yield simulator
    simulator.stop()


@pytest.fixture
def celery_worker(transactional_db):
    """A real Celery worker in a thread, consuming both queues from the real Redis broker.

    Tasks run against the test database, so tests using it need committed data (transactional_db).
    """
    from celery.contrib.testing.worker import start_worker

    celery_app.control.purge()
    root_level = logging.getLogger().level
    try:
        with start_worker(
            celery_app,
            pool="solo",
            perform_ping_check=False,
            queues=["default", "wifi"],
            shutdown_timeout=10,
        ) as worker:
            yield worker
    finally:
        # A test worker's logging setup leaves the root logger at its own level (ERROR): later tests
        # that read warnings with caplog would hear nothing.
        logging.getLogger().setLevel(root_level)
