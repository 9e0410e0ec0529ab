"""Sending an outbox row: rendered in the person's language, logged in core.SentMessage, sent once, retried with
backoff then failed with its error, and never telling the topic or the message to a shared phone."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from accueil import notifications
from accueil.models import Notification, RequestEvent, Topic
from core.models import SentMessage
from sites.models import Mds
from sites.roles import Role
from tests.accueil.factories import ContactRequestFactory, RequestEventFactory
from tests.core.sms_provider import API_KEY, Provider
from tests.factories import agent_with_role

pytestmark = pytest.mark.django_db

SECRET = "Mon fils est placé à l'ASE, je voudrais le voir"


def _submit(**fields):
    fields.setdefault("mds__email", "accueil.belle-de-mai@departement.test")
    fields.setdefault("mds__name", "MDS Belle de Mai")
    request = ContactRequestFactory(topic=Topic.FAMILY, message=SECRET, **fields)
    notifications.request_submitted(request)
    return request


def _send(request, purpose="acknowledgement", channel=None):
    rows = Notification.objects.filter(request=request, purpose=purpose)
    if channel:
        rows = rows.filter(channel=channel)
    for row in rows:
        notifications.notification_send(notification_id=row.pk)
    return list(rows.all())


def test_the_acknowledgement_email_gives_the_reference_and_the_delay_in_french(settings):
    settings.ACCUEIL_ANSWER_WORKING_DAYS = 3
    request = _submit()
    [row] = _send(request)
    [message] = mail.outbox
    assert message.to == [request.email]
    assert message.subject == f"Demande n° {request.display_reference} bien reçue"
    assert (
        f"Votre demande numéro {request.display_reference} est bien arrivée à la MDS Belle de Mai. "
        "Nous vous répondrons sous 3 jours ouvrés." in message.body
    )
    row.refresh_from_db()
    assert (row.status, row.attempts, row.last_error) == ("sent", 1, "")
    assert row.sent_at is not None
    log = SentMessage.objects.get(pk=row.sent_message_id)
    assert (log.channel, log.result, log.template, log.provider) == (
        "email", "sent", "accueil/messages/acknowledgement", "locmem",
    )  # fmt: skip
    assert log.recipient == "d•••@example.org"  # the log never keeps an address in clear


def test_the_acknowledgement_sms_says_neither_the_topic_nor_the_message_and_costs_one_sms(sms_outbox):
    """A shared phone must not tell a social situation: the reference, the MDS and the delay, nothing else."""
    request = _submit(email="", callback_channels=["sms"])
    [row] = _send(request)
    [sms] = sms_outbox
    assert sms.to == "+33612345678"
    assert request.display_reference in sms.body and "MDS Belle de Mai" in sms.body
    for word in (SECRET, "ASE", "fils", str(Topic.FAMILY.label), "famille", "PMI", "logement"):
        assert word.lower() not in sms.body.lower()
    log = SentMessage.objects.get(pk=Notification.objects.get(pk=row.pk).sent_message_id)
    assert (log.channel, log.result, log.encoding, log.segments) == ("sms", "sent", "GSM-7", 1)


def test_the_acknowledgement_email_says_neither_the_topic_nor_the_message():
    request = _submit()
    _send(request)
    [message] = mail.outbox
    text = (message.subject + message.body).lower()
    assert "fils" not in text and "ase" not in text.split() and "famille" not in text


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", "has been received by MDS Belle de Mai. We will answer within 3 working days."),
        ("fr", "est bien arrivée à la MDS Belle de Mai. Nous vous répondrons sous 3 jours ouvrés."),
        ("ar", "إلى MDS Belle de Mai. سنرد عليكم خلال 3 أيام عمل."),
        # French for a language the messages are not translated into yet, and for one the portal does not speak.
        ("es", "est bien arrivée à la MDS Belle de Mai. Nous vous répondrons sous 3 jours ouvrés."),
        ("xx", "est bien arrivée à la MDS Belle de Mai. Nous vous répondrons sous 3 jours ouvrés."),
    ],
)
def test_the_person_reads_the_acknowledgement_in_the_language_of_their_request(language, expected, sms_outbox):
    request = _submit(email="", language=language)
    _send(request)
    assert expected in sms_outbox[0].body


def test_the_acknowledgement_names_the_mds_as_the_public_knows_it(sms_outbox):
    """The seeds' names are bare ("Belle de Mai"): the person reads "la MDS Belle de Mai", not "la Belle de Mai"."""
    request = _submit(email="", language="fr")
    Mds.objects.filter(pk=request.mds_id).update(name="Belle de Mai")
    _send(request)
    assert "est bien arrivée à la MDS Belle de Mai." in sms_outbox[0].body


def test_the_mds_alert_is_in_french_to_the_mds_address_without_the_persons_words():
    """Whatever the person's language; the alert says a request came, the inbox tells the rest."""
    request = _submit(language="en")
    [alert] = _send(request, purpose="agent_alert")
    [message] = mail.outbox
    assert message.to == ["accueil.belle-de-mai@departement.test"]
    assert (
        message.subject
        == f"Nouvelle demande {request.display_reference}\u00a0: Un rendez-vous avec un travailleur social"
    )
    assert "Une nouvelle demande a été faite à la MDS Belle de Mai le" in message.body
    assert SECRET not in message.body and request.last_name not in message.body and request.email not in message.body
    assert Notification.objects.get(pk=alert.pk).status == "sent"


def test_an_mds_without_an_address_alerts_its_reception_agents_else_its_managers():
    request = ContactRequestFactory(mds__email="")
    manager = agent_with_role(Role.MDS_MANAGER, request.mds, email="chef@departement.test")
    assert notifications.mds_alert_recipients(request.mds) == [manager.email]
    agent_with_role(Role.RECEPTION, request.mds, email="b.accueil@departement.test")
    agent_with_role(Role.RECEPTION, request.mds, email="a.accueil@departement.test")
    agent_with_role(Role.RECEPTION, request.mds, email="parti@departement.test", is_active=False)
    agent_with_role(Role.RECEPTION, ContactRequestFactory().mds, email="ailleurs@departement.test")
    assert notifications.mds_alert_recipients(request.mds) == [
        "a.accueil@departement.test",
        "b.accueil@departement.test",
    ]


def test_an_alert_with_nobody_to_tell_is_marked_not_sent_rather_than_retried():
    request = _submit(mds__email="")
    [alert] = _send(request, purpose="agent_alert")
    alert.refresh_from_db()
    assert (alert.status, alert.last_error) == ("skipped", "No address to send it to.")
    assert mail.outbox == []


def test_a_row_sent_twice_leaves_once(sms_outbox):
    """The task delivered twice by the broker, or the task and the sweep: the second finds it sent."""
    request = _submit(email="")
    row = Notification.objects.get(request=request, purpose="acknowledgement")
    assert notifications.notification_send(notification_id=row.pk) is None
    assert notifications.notification_send(notification_id=row.pk) is None
    assert len(sms_outbox) == 1
    assert SentMessage.objects.filter(channel="sms").count() == 1


def test_a_message_for_later_is_not_sent_before_its_time(sms_outbox):
    request = ContactRequestFactory()
    row = notifications.notify(
        mds_id=request.mds_id, request=request, purpose="reminder", channel="sms", key="reminder:9:sms",
        template="accueil/messages/acknowledgement", send_after=timezone.now() + timedelta(hours=20),
    )  # fmt: skip
    notifications.notification_send(notification_id=row.pk)
    assert notifications.notifications_sweep() == 0
    assert sms_outbox == [] and Notification.objects.get(pk=row.pk).status == "pending"
    Notification.objects.filter(pk=row.pk).update(send_after=timezone.now() - timedelta(seconds=5))
    assert notifications.notifications_sweep() == 1
    assert len(sms_outbox) == 1 and Notification.objects.get(pk=row.pk).status == "sent"


def test_the_sweep_sends_what_waited_more_than_a_minute_and_leaves_what_the_worker_is_about_to_send():
    old, new = _submit(), _submit()
    Notification.objects.filter(request=old).update(created_at=timezone.now() - timedelta(minutes=2))
    assert notifications.notifications_sweep() == 2
    assert set(Notification.objects.filter(request=old).values_list("status", flat=True)) == {"sent"}
    assert set(Notification.objects.filter(request=new).values_list("status", flat=True)) == {"pending"}
    assert notifications.notifications_sweep() == 0  # nothing sent twice


def test_a_reply_sends_the_agents_text_as_it_is_when_it_leaves(sms_outbox):
    request = ContactRequestFactory(email="")
    event = RequestEventFactory(request=request, kind=RequestEvent.Kind.MESSAGE, text="Premier jet")
    row = notifications.reply_queue(contact_request=request, event=event, channel="sms")
    RequestEvent.objects.filter(pk=event.pk).update(text="Rendez-vous mardi à 10h, apportez vos papiers.")
    notifications.notification_send(notification_id=row.pk)
    [sms] = sms_outbox
    assert sms.body.endswith(": Rendez-vous mardi à 10h, apportez vos papiers.")
    assert request.display_reference in sms.body


def test_a_reply_by_email_keeps_the_text_as_typed_without_html_escaping():
    request = ContactRequestFactory()
    event = RequestEventFactory(request=request, kind=RequestEvent.Kind.MESSAGE, text="L'adresse : 3 rue <Nord> & fils")
    row = notifications.reply_queue(contact_request=request, event=event, channel="email")
    notifications.notification_send(notification_id=row.pk)
    [message] = mail.outbox
    assert "L'adresse : 3 rue <Nord> & fils" in message.body
    assert request.display_reference in message.subject


def test_an_anonymised_request_is_not_written_to():
    request = _submit()
    ContactRequestFactory._meta.model.objects.filter(pk=request.pk).update(anonymised_at=timezone.now())
    [row] = _send(request)
    assert Notification.objects.get(pk=row.pk).status == "skipped"
    assert mail.outbox == []


def test_a_number_no_text_can_reach_fails_at_once_without_retrying(sms_outbox):
    request = ContactRequestFactory()
    row = notifications.notify(
        mds_id=request.mds_id, request=request, purpose="one_time_code", channel="sms", key="otp:1",
        template="accueil/messages/acknowledgement", context={"to": "+33491000000"},
    )  # fmt: skip
    assert notifications.notification_send(notification_id=row.pk) is None
    row.refresh_from_db()
    assert (row.status, row.attempts) == ("failed", 1)
    assert row.last_error and sms_outbox == []


@pytest.fixture
def failing_provider(settings):
    """Brevo played on a local port, answering 500 until told otherwise."""
    simulator = Provider(status=500, answer={"code": "internal_error", "message": "Service unavailable"})
    settings.SMS_BACKEND, settings.SMS_API_URL, settings.SMS_API_KEY = "brevo", simulator.url, API_KEY
    settings.SMS_SENDER, settings.SMS_TIMEOUT = "MDS13", 2.0
    yield simulator
    simulator.stop()


def test_a_failing_sms_provider_is_retried_with_backoff_then_the_row_fails_with_its_error(failing_provider, settings):
    """Each attempt is in the message log; the row waits longer each time, then gives up with the error kept."""
    settings.ACCUEIL_NOTIFY_MAX_ATTEMPTS, settings.ACCUEIL_NOTIFY_RETRY_SECONDS = 3, 30
    request = _submit(email="")
    row = Notification.objects.get(request=request, purpose="acknowledgement")
    delays = []
    for _attempt in range(3):
        delays.append(notifications.notification_send(notification_id=row.pk))
        row.refresh_from_db()
        if row.status == "pending":
            assert row.send_after > timezone.now() + timedelta(seconds=delays[-1] - 5)
            assert notifications.notification_send(notification_id=row.pk) is None  # not due: not tried again
            Notification.objects.filter(pk=row.pk).update(send_after=timezone.now())
    assert delays == [30.0, 60.0, None]
    assert len(failing_provider.requests) == 3
    assert (row.status, row.attempts, row.sent_at) == ("failed", 3, None)
    assert "HTTP 500" in row.last_error and "Service unavailable" in row.last_error
    logs = SentMessage.objects.filter(channel="sms").order_by("pk")
    assert [log.result for log in logs] == ["failed"] * 3
    assert row.sent_message_id == logs.last().pk and "HTTP 500" in logs.last().error


def test_a_provider_back_after_a_failure_sends_the_row_once(failing_provider):
    request = _submit(email="")
    row = Notification.objects.get(request=request, purpose="acknowledgement")
    assert notifications.notification_send(notification_id=row.pk) == 30.0
    failing_provider.status, failing_provider.answer = 201, {"messageId": 42}
    Notification.objects.filter(pk=row.pk).update(send_after=timezone.now())
    assert notifications.notifications_sweep() >= 1
    row.refresh_from_db()
    assert (row.status, row.attempts, row.last_error) == (
        "sent",
        2,
        "Brevo answered HTTP 500: internal_error: Service unavailable",
    )
    assert row.sent_message.provider_message_id == "42"


def test_a_template_that_cannot_render_fails_the_row_instead_of_retrying_it_forever():
    request = ContactRequestFactory()
    row = notifications.notify(
        mds_id=request.mds_id, request=request, purpose="confirmation", channel="email", key="confirmation:1",
        template="accueil/messages/no_such_message",
    )  # fmt: skip
    notifications.notification_send(notification_id=row.pk)
    row.refresh_from_db()
    assert row.status == "failed" and row.last_error.startswith("TemplateDoesNotExist")
    assert notifications.notifications_sweep() == 0 and mail.outbox == []


def test_emails_say_they_are_automatic_so_that_no_out_of_office_answers_them():
    _send(_submit())
    assert mail.outbox[0].extra_headers["Auto-Submitted"] == "auto-generated"


def test_beat_sweeps_the_outbox_every_minute():
    """The sweep is what sends a row the broker never got: without its beat entry, such a row waits forever."""
    from accueil import tasks
    from mds_connectees.celery import app

    entry = app.conf.beat_schedule["accueil-notifications-sweep"]
    assert entry["task"] == "accueil.tasks.sweep_pending_notifications" and entry["schedule"] == 60.0
    assert tasks.sweep_pending_notifications.name == entry["task"] and entry["task"] in app.tasks


def test_an_unreachable_mail_server_is_logged_as_a_failed_email_and_retried_later(settings):
    """SMTP on a closed port: the attempt is in the message log (provider smtp, the error), the row waits."""
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": 1, "timeout": 2},
        }
    }
    request = _submit()
    row = Notification.objects.get(request=request, purpose="acknowledgement")
    assert notifications.notification_send(notification_id=row.pk) == 30.0
    row.refresh_from_db()
    assert (row.status, row.attempts, row.sent_at) == ("pending", 1, None)
    log = SentMessage.objects.get(pk=row.sent_message_id)
    assert (log.channel, log.result, log.provider) == ("email", "failed", "smtp")
    assert log.error == row.last_error and "refused" in log.error.lower()
    assert request.email not in log.error and log.recipient == "d•••@example.org"
