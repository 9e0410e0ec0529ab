"""The Brevo backend against a real HTTP server on 127.0.0.1 playing Brevo's documented API."""

import socket

import pytest
from django.core.checks import registry
from django.core.exceptions import ImproperlyConfigured

from core.models import SentMessage
from core.sms import SmsSendError, get_connection, send_sms
from core.sms.checks import sms_backend_configured
from tests.core.sms_provider import API_KEY, Provider

pytestmark = pytest.mark.django_db


@pytest.fixture
def provider(settings):
    """Brevo on a local port, and the environment a deployment sets for it."""
    simulator = Provider()
    settings.SMS_BACKEND = "brevo"
    settings.SMS_API_URL = simulator.url
    settings.SMS_API_KEY = API_KEY
    settings.SMS_SENDER = "MDS13"
    settings.SMS_TIMEOUT = 2.0
    yield simulator
    simulator.stop()


def test_a_text_taken_by_brevo_is_logged_sent_with_its_message_id(provider):
    """The request is Brevo's documented one; its messageId is kept beside the masked number."""
    assert send_sms("06 12 34 56 78", "Rappel : atelier demain 14h", template_name="mediation/sms/reminder.txt") == 1
    [(path, headers, body)] = provider.requests
    assert path == "/v3/transactionalSMS/send"
    assert headers["api-key"] == API_KEY
    assert headers["content-type"] == "application/json"
    assert body == {
        "sender": "MDS13", "recipient": "33612345678", "content": "Rappel : atelier demain 14h",
        "type": "transactional", "unicodeEnabled": False, "tag": "mediation/sms/reminder.txt",
    }  # fmt: skip
    row = SentMessage.objects.get()
    assert (row.result, row.provider, row.provider_message_id, row.recipient, row.segments, row.error) == (
        "sent", "brevo", "1511882900176220", "+33 6 •• •• •• 78", 1, "",
    )  # fmt: skip


def test_a_text_outside_gsm7_asks_brevo_for_unicode_and_logs_its_segments(provider):
    """œ makes the text UCS-2: Brevo is told so (else it would mangle it) and the log counts 67-unit parts."""
    send_sms("06 12 34 56 78", "Cœur " + "a" * 70)
    assert provider.requests[0][2]["unicodeEnabled"] is True
    assert SentMessage.objects.values_list("encoding", "segments").get() == ("UCS-2", 2)


def test_one_connection_sends_a_batch(provider):
    """Like an SMTP connection: opened once for the batch, one request and one row per message."""
    from core.sms import SmsMessage

    with get_connection() as connection:
        sent = connection.send_messages([SmsMessage(to="0612345678", body="a"), SmsMessage(to="0781234567", body="b")])
    assert sent == 2
    assert [body["recipient"] for _path, _headers, body in provider.requests] == ["33612345678", "33781234567"]
    assert SentMessage.objects.filter(result="sent", provider="brevo").count() == 2


@pytest.mark.parametrize(
    ("status", "answer", "error"),
    [
        (400, {"code": "invalid_parameter", "message": "Invalid phone number 33612345678"},
         "Brevo answered HTTP 400: invalid_parameter: Invalid phone number +33 6 •• •• •• 78"),
        (402, {"code": "not_enough_credits", "message": "Not enough credits"},
         "Brevo answered HTTP 402: not_enough_credits: Not enough credits"),
        (500, "<html>Internal Server Error</html>", "Brevo answered HTTP 500: <html>Internal Server Error</html>"),
        (503, {"code": "unavailable", "message": "Try later"}, "Brevo answered HTTP 503: unavailable: Try later"),
    ],
)  # fmt: skip
def test_a_refusal_by_brevo_is_logged_failed_with_its_error_then_raised(provider, status, answer, error):
    """4xx and 5xx: the caller hears of it, and the log says what Brevo said (the number in it masked)."""
    provider.status, provider.answer = status, answer
    with pytest.raises(SmsSendError) as refused:
        send_sms("06 12 34 56 78", "Bonjour")
    assert str(refused.value).startswith(f"Brevo answered HTTP {status}")
    row = SentMessage.objects.get()
    assert (row.result, row.provider, row.provider_message_id, row.error) == ("failed", "brevo", "", error)


def test_a_success_without_a_message_id_is_still_logged_sent(provider):
    """Brevo took it (2xx) but its answer has no messageId: sent, with no id to quote."""
    provider.answer = "accepted"
    assert send_sms("06 12 34 56 78", "Bonjour") == 1
    assert SentMessage.objects.values_list("result", "provider_message_id").get() == ("sent", "")


def test_a_wrong_key_is_a_logged_failure(provider, settings):
    """Brevo's 401 for a revoked key reaches the log like any refusal."""
    settings.SMS_API_KEY = "xkeysib-revoked"
    assert send_sms("06 12 34 56 78", "Bonjour", fail_silently=True) == 0
    assert SentMessage.objects.values_list("result", "error").get() == (
        "failed", "Brevo answered HTTP 401: unauthorized: Key not found",
    )  # fmt: skip


def test_brevo_too_slow_to_answer_is_a_timeout_logged_failed(provider, settings):
    """A provider that hangs costs SMS_TIMEOUT seconds, not a worker."""
    settings.SMS_TIMEOUT = 0.3
    provider.delay = 1.5
    with pytest.raises(SmsSendError, match=r"No answer from Brevo within 0.3 s \(ReadTimeout\)"):
        send_sms("06 12 34 56 78", "Bonjour")
    assert SentMessage.objects.values_list("result", "error").get() == (
        "failed", "No answer from Brevo within 0.3 s (ReadTimeout).",
    )  # fmt: skip


def test_brevo_unreachable_is_a_logged_failure(provider, settings):
    """Nothing listening (a closed port): the error says it could not be reached."""
    with socket.socket() as free:
        free.bind(("127.0.0.1", 0))
        settings.SMS_API_URL = f"http://127.0.0.1:{free.getsockname()[1]}/v3/transactionalSMS/send"
    with pytest.raises(SmsSendError, match="Brevo could not be reached"):
        send_sms("06 12 34 56 78", "Bonjour")
    assert SentMessage.objects.get().result == "failed"
    assert provider.requests == []


@pytest.mark.parametrize(
    ("setting", "value", "complaint"),
    [
        ("SMS_API_KEY", "", "needs SMS_API_KEY"),
        ("SMS_SENDER", "", "needs SMS_SENDER"),
        ("SMS_SENDER", "MDS Bouches-du-Rhône", "SMS_SENDER must be up to 11"),
        ("SMS_API_URL", "http://sms.example.org/v3/transactionalSMS/send", "must be an https:// address"),
    ],
)
def test_the_brevo_backend_refuses_to_start_without_its_environment(provider, settings, setting, value, complaint):
    """No key, no sender, a sender Brevo would refuse, or a key about to cross the network in clear: refused
    when the backend is built, and `check --deploy` says so; nothing sent, nothing logged."""
    setattr(settings, setting, value)
    with pytest.raises(ImproperlyConfigured, match=complaint):
        get_connection()
    [error] = sms_backend_configured()
    assert error.id == "core.E001" and complaint in error.msg
    assert sms_backend_configured in registry.registry.get_checks(include_deployment_checks=True)
    assert provider.requests == []
    assert not SentMessage.objects.exists()


def test_the_documented_endpoint_is_the_default(settings):
    """SMS_API_URL is only for a proxy or a test: empty, the backend posts to Brevo's documented address."""
    settings.SMS_API_URL, settings.SMS_API_KEY, settings.SMS_SENDER = "", "k", "MDS13"
    assert get_connection("brevo").url == "https://api.brevo.com/v3/transactionalSMS/send"
    assert sms_backend_configured() == []
