"""The outbox of what is sent to people and agents: written in the same transaction as what it is about,
sent by Celery after commit, swept by beat when the broker was down, and never sent twice."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from sites.scoping import ScopedQuerySet


class Notification(models.Model):
    class Purpose(models.TextChoices):
        ACKNOWLEDGEMENT = "acknowledgement", _("Acknowledgement of a request")
        AGENT_ALERT = "agent_alert", _("New request alert to the MDS")
        REPLY = "reply", _("Reply from the MDS")
        CONFIRMATION = "confirmation", _("Appointment confirmation")
        REMINDER = "reminder", _("Appointment reminder")
        CANCELLATION = "cancellation", _("Appointment cancelled")
        ONE_TIME_CODE = "one_time_code", _("One-time code")

    class Channel(models.TextChoices):
        SMS = "sms", _("SMS")
        EMAIL = "email", _("Email")

    class Status(models.TextChoices):
        PENDING = "pending", _("To be sent")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")
        SKIPPED = "skipped", _("Not sent")  # nobody to send it to any more (anonymised, no address)

    mds = models.ForeignKey("mds_sites.Mds", on_delete=models.CASCADE, related_name="+", verbose_name=_("MDS"))
    request = models.ForeignKey("accueil.ContactRequest", on_delete=models.CASCADE, null=True, blank=True,
                                related_name="notifications", verbose_name=_("request"))  # fmt: skip
    purpose = models.CharField(_("purpose"), max_length=20, choices=Purpose.choices)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    # Exactly-once: who writes a notification says what makes it unique ("ack:<request id>:email",
    # "reply:<event id>:sms"); a second write of the same key is refused by the database.
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

    mds_path = "mds"
    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        indexes = [
            models.Index(fields=["created_at"], condition=Q(status="pending"), name="notification_pending_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="sent") | Q(sent_at__isnull=True),
                name="notification_sent_at_only_when_sent",
                violation_error_code="notification_sent_at_only_when_sent",
                violation_error_message=_("Only a sent notification has a sending date."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_purpose_display()} · {self.get_channel_display()} · {self.get_status_display()}"
