"""Infrastructure the platform keeps records of; no model of the programme lives here."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class SentMessage(models.Model):
    """One notification handed to a provider (or refused by it): what left, how, when, at what cost.

    Minimal collection (GDPR art. 5.1.c): the recipient is kept masked (`+33 6 •• •• •• 78`, core.phone.phone_mask)
    and the body is never kept. The body of a confirmation or a reminder holds personal data (a name, an
    appointment at an MDS, which tells a social situation); the template name says which message it was, which
    is all an agent needs to answer "did my reminder go?", and the segments say what the provider billed.
    """

    class Channel(models.TextChoices):
        SMS = "sms", _("SMS")
        EMAIL = "email", _("Email")

    class Result(models.TextChoices):
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    template = models.CharField(_("template"), max_length=200, blank=True)
    recipient = models.CharField(_("recipient (masked)"), max_length=40)
    result = models.CharField(_("result"), max_length=10, choices=Result.choices)
    provider = models.CharField(_("provider"), max_length=40)
    provider_message_id = models.CharField(_("provider's message id"), max_length=100, blank=True)
    error = models.TextField(_("error"), blank=True)
    encoding = models.CharField(_("encoding"), max_length=10, blank=True)
    segments = models.PositiveSmallIntegerField(_("segments"), default=0)
    created_at = models.DateTimeField(_("sent at"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("sent message")
        verbose_name_plural = _("sent messages")
        constraints = [
            models.CheckConstraint(
                condition=Q(channel__in=["sms", "email"]),
                name="sentmessage_channel_known",
                violation_error_code="sentmessage_channel_known",
                violation_error_message=_("The channel must be SMS or email."),
            ),
            models.CheckConstraint(
                condition=Q(result__in=["sent", "failed"]),
                name="sentmessage_result_known",
                violation_error_code="sentmessage_result_known",
                violation_error_message=_("The result must be sent or failed."),
            ),
            # A failure nobody can explain is no record: the backend's error is kept with it.
            models.CheckConstraint(
                condition=Q(result="sent") | ~Q(error=""),
                name="sentmessage_failure_has_error",
                violation_error_code="sentmessage_failure_has_error",
                violation_error_message=_("A failed message must say what went wrong."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} {self.template or '-'} → {self.recipient} ({self.get_result_display()})"


class OutboxMessage(models.Model):
    """One message to send, written in the transaction of what it is about (core.outbox sends it once).

    Abstract: each app that sends messages has its own outbox table, with its foreign keys (the MDS, the request
    or registration the message is about) beside these generic fields. The table's constraint and index are
    declared by the concrete model (`outbox_constraints()`, `outbox_indexes()`): their names are the database's
    and must differ from one table to the other."""

    class Channel(models.TextChoices):
        SMS = "sms", _("SMS")
        EMAIL = "email", _("Email")

    class Status(models.TextChoices):
        PENDING = "pending", _("To be sent")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")
        SKIPPED = "skipped", _("Not sent")  # nobody to send it to any more (anonymised, no address)

    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    # Exactly-once: who writes a message says what makes it unique ("ack:<request id>:email",
    # "offer:<registration id>:<expiry>:sms"); a second write of the same key is refused by the database.
    key = models.CharField(_("key"), max_length=120, unique=True)
    template = models.CharField(_("template"), max_length=200)
    context = models.JSONField(_("context"), default=dict, blank=True)  # ids and labels only, read at send time
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    sent_message = models.ForeignKey("core.SentMessage", on_delete=models.SET_NULL, null=True, blank=True,
                                     related_name="+", verbose_name=_("message log entry"))  # fmt: skip
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    send_after = models.DateTimeField(_("not before"), null=True, blank=True)  # reminders: the day before
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        abstract = True
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.template} · {self.get_channel_display()} · {self.get_status_display()}"


def outbox_indexes(prefix: str) -> list[models.Index]:
    """The sweep reads the pending rows only: a partial index keeps that read small however long the log grows."""
    return [models.Index(fields=["created_at"], condition=Q(status="pending"), name=f"{prefix}_pending_idx")]


def outbox_constraints(prefix: str) -> list[models.BaseConstraint]:
    return [
        models.CheckConstraint(
            condition=Q(status="sent") | Q(sent_at__isnull=True),
            name=f"{prefix}_sent_at_only_when_sent",
            violation_error_code=f"{prefix}_sent_at_only_when_sent",
            violation_error_message=_("Only a sent notification has a sending date."),
        ),
    ]
