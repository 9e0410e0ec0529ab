"""Each SMS backend sends (or prints, writes, keeps) what it is given, and every one of them logs each message."""

import io

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import IntegrityError, transaction

import core.sms
from core.models import SentMessage
from core.phone import InvalidPhoneNumber, NotAMobileNumber
from core.sms import SmsMessage, SmsSendError, get_connection, send_sms
from core.sms.backends.base import BaseSmsBackend

pytestmark = pytest.mark.django_db


class RefusingBackend(BaseSmsBackend):
    """A provider that refuses everything, quoting the number as some providers' errors do."""

    provider = "refusing"

    def deliver(self, message):
        national = "0" + message.to.removeprefix("+33")
        raise SmsSendError(f"Invalid recipient {message.to.removeprefix('+')} (also {message.to}, {national})")


def _rows():
    return list(
        SentMessage.objects.order_by("pk").values_list("provider", "result", "recipient", "template", "segments")
    )


def test_send_sms_puts_the_message_in_the_outbox_and_logs_it_without_its_body(sms_outbox):
    """The tests' backend keeps the text for the test to read; the log keeps a masked number and no body."""
    sent = send_sms("06 12 34 56 78", "Votre demande est arrivée.", template_name="accueil/sms/received.txt")
    assert sent == 1
    assert [(m.to, m.body, m.template_name) for m in sms_outbox] == [
        ("+33612345678", "Votre demande est arrivée.", "accueil/sms/received.txt")
    ]
    row = SentMessage.objects.get()
    assert (row.channel, row.result, row.provider, row.provider_message_id, row.error) == (
        "sms", "sent", "locmem", "locmem-1", "",
    )  # fmt: skip
    assert (row.recipient, row.template, row.encoding, row.segments) == (
        "+33 6 •• •• •• 78", "accueil/sms/received.txt", "GSM-7", 1,
    )  # fmt: skip
    assert row.created_at.tzinfo is not None
    stored = " ".join(str(value) for value in SentMessage.objects.values_list().get())
    assert "arrivée" not in stored and "12 34 56" not in stored and "612345678" not in stored


@pytest.mark.parametrize("run", [1, 2])
def test_every_test_starts_with_an_empty_outbox(run, sms_outbox):
    """Like mail.outbox: what another test sent is not there (run twice to prove it)."""
    assert sms_outbox == []
    send_sms("06 12 34 56 78", f"run {run}")
    assert len(core.sms.outbox) == 1


@pytest.mark.parametrize(("number", "refusal"), [("04 91 12 34 56", NotAMobileNumber), ("12", InvalidPhoneNumber)])
def test_a_number_a_text_cannot_reach_is_refused_before_anything_is_sent(number, refusal, sms_outbox):
    """A landline or a wrong number fails at once, in the caller's hands: nothing sent, nothing logged."""
    with pytest.raises(refusal):
        send_sms(number, "Bonjour")
    assert sms_outbox == []
    assert not SentMessage.objects.exists()


def test_an_empty_text_is_refused():
    """A message with nothing to say is a bug in the caller, not an SMS to pay for."""
    with pytest.raises(ValueError, match="needs a body"):
        SmsMessage(to="06 12 34 56 78", body="  ")


def test_the_console_backend_prints_the_number_the_template_the_segments_and_the_text():
    """What a developer sees on `scripts/run`'s console instead of a phone."""
    stream = io.StringIO()
    with get_connection("console", stream=stream) as connection:
        sent = connection.send_messages([
            SmsMessage(to="06 12 34 56 78", body="Premier", template_name="accueil/sms/received.txt"),
            SmsMessage(to="07 81 23 45 67", body="Cœur"),
        ])  # fmt: skip
    assert sent == 2
    printed = stream.getvalue()
    assert "To: +33612345678\nTemplate: accueil/sms/received.txt\nSegments: 1 (GSM-7, 7 units)\n\nPremier\n" in printed
    assert "To: +33781234567\nTemplate: -\nSegments: 1 (UCS-2, 4 units)\n\nCœur\n" in printed
    assert _rows() == [
        ("console", "sent", "+33 6 •• •• •• 78", "accueil/sms/received.txt", 1),
        ("console", "sent", "+33 7 •• •• •• 67", "", 1),
    ]


def test_the_console_backend_writes_to_standard_output_by_default(capsys):
    """SMS_BACKEND=console, the development default, prints where runserver prints."""
    assert get_connection("console").send_messages([SmsMessage(to="0612345678", body="Bonjour")]) == 1
    assert "To: +33612345678" in capsys.readouterr().out


def test_the_file_backend_writes_each_connection_s_messages_to_its_own_file_in_sms_file_path(tmp_path, settings):
    """Messages land, complete and in order, in a file of SMS_FILE_PATH (created when missing)."""
    settings.SMS_FILE_PATH = str(tmp_path / "sms")
    get_connection("filebased").send_messages(
        [SmsMessage(to="06 12 34 56 78", body="Premier"), SmsMessage(to="06 12 34 56 78", body="Second")]
    )
    get_connection("filebased").send_messages([SmsMessage(to="07 81 23 45 67", body="Autre connexion")])
    files = sorted((tmp_path / "sms").iterdir(), key=lambda path: "Autre" in path.read_text())
    assert len(files) == 2
    first = files[0].read_text(encoding="utf-8")
    assert first.index("\nPremier\n") < first.index("\nSecond\n")
    assert "To: +33781234567" in files[1].read_text(encoding="utf-8")
    assert [row[:2] for row in _rows()] == [("file", "sent")] * 3


def test_the_file_backend_refuses_a_path_that_is_not_a_directory(tmp_path, settings):
    """A misconfigured SMS_FILE_PATH fails when the backend is built, not halfway through a batch."""
    settings.SMS_FILE_PATH = str(tmp_path / "a-file")
    (tmp_path / "a-file").write_text("not a directory")
    with pytest.raises(ImproperlyConfigured, match="SMS_FILE_PATH"):
        get_connection("filebased")


def test_the_dummy_backend_sends_nothing_and_still_logs_each_message(sms_outbox):
    """An installation that must not send SMS still sees what it would have sent."""
    assert get_connection("dummy").send_messages([SmsMessage(to="06 12 34 56 78", body="x")]) == 1
    assert sms_outbox == []
    assert _rows() == [("dummy", "sent", "+33 6 •• •• •• 78", "", 1)]


def test_sms_backend_may_name_any_backend_by_its_dotted_path(settings, sms_outbox):
    """As EMAIL_BACKEND does; a bare name is one of core.sms.backends."""
    settings.SMS_BACKEND = "core.sms.backends.dummy.SmsBackend"
    send_sms("06 12 34 56 78", "x")
    settings.SMS_BACKEND = "locmem"
    send_sms("06 12 34 56 78", "y")
    assert [row[0] for row in _rows()] == ["dummy", "locmem"]
    assert [m.body for m in sms_outbox] == ["y"]


def test_a_backend_refuses_an_option_it_does_not_know():
    """A misspelt option is an error, not a silently ignored setting."""
    with pytest.raises(TypeError, match="has no option colour"):
        get_connection("locmem", colour="red")


def test_a_failure_is_logged_masked_then_raised():
    """The log row is written before the error reaches the caller; the provider's quote of the number is masked."""
    with pytest.raises(SmsSendError, match="Invalid recipient"):
        send_sms("06 12 34 56 78", "x", template_name="t.txt", connection=RefusingBackend())
    row = SentMessage.objects.get()
    assert (row.result, row.provider, row.recipient, row.provider_message_id) == (
        "failed", "refusing", "+33 6 •• •• •• 78", "",
    )  # fmt: skip
    assert row.error == "Invalid recipient +33 6 •• •• •• 78 (also +33 6 •• •• •• 78, +33 6 •• •• •• 78)"


def test_failing_silently_logs_each_failure_and_goes_on_with_the_batch():
    """fail_silently: no exception, 0 sent, one failed row per message."""
    messages = [SmsMessage(to="06 12 34 56 78", body="x"), SmsMessage(to="07 81 23 45 67", body="y")]
    assert get_connection(f"{__name__}.RefusingBackend", fail_silently=True).send_messages(messages) == 0
    assert [(row[0], row[1]) for row in _rows()] == [("refusing", "failed")] * 2


@pytest.mark.parametrize(
    "fields",
    [{"result": "failed"}, {"result": "bounced", "error": "x"}, {"channel": "fax"}],
    ids=["failure without its error", "unknown result", "unknown channel"],
)
def test_the_database_refuses_a_log_row_that_does_not_make_sense(fields):
    """A failure that does not say why, or a result or channel the code does not know, is never stored."""
    row = {"channel": "sms", "recipient": "+33 6 •• •• •• 78", "result": "sent", "provider": "x"} | fields
    with pytest.raises(IntegrityError), transaction.atomic():
        SentMessage.objects.create(**row)
    assert not SentMessage.objects.exists()


def test_an_sms_backend_that_does_not_exist_fails_the_deployment_check(settings):
    """A misspelt SMS_BACKEND is caught by `check --deploy`, not by the first reminder."""
    from core.sms.checks import sms_backend_configured

    settings.SMS_BACKEND = "core.sms.backends.carrier_pigeon.SmsBackend"
    [error] = sms_backend_configured()
    assert error.id == "core.E001" and "carrier_pigeon" in error.msg
