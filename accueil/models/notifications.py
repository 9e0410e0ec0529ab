"""The outbox of what is sent to people and agents: written in the same transaction as what it is about,
sent by Celery after commit, swept by beat when the broker was down, and never sent twice (core.outbox)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from core.models import OutboxMessage, outbox_constraints, outbox_indexes
from sites.scoping import ScopedQuerySet


class Notification(OutboxMessage):
    class Purpose(models.TextChoices):
        ACKNOWLEDGEMENT = "acknowledgement", _("Acknowledgement of a request")
        AGENT_ALERT = "agent_alert", _("New request alert to the MDS")
        REPLY = "reply", _("Reply from the MDS")
        CONFIRMATION = "confirmation", _("Appointment confirmation")
        REMINDER = "reminder", _("Appointment reminder")
        CANCELLATION = "cancellation", _("Appointment cancelled")
        ONE_TIME_CODE = "one_time_code", _("One-time code")

    mds = models.ForeignKey("mds_sites.Mds", on_delete=models.CASCADE, related_name="+", verbose_name=_("MDS"))
    request = models.ForeignKey("accueil.ContactRequest", on_delete=models.CASCADE, null=True, blank=True,
                                related_name="notifications", verbose_name=_("request"))  # fmt: skip
    purpose = models.CharField(_("purpose"), max_length=20, choices=Purpose.choices)

    mds_path = "mds"
    objects = ScopedQuerySet.as_manager()

    class Meta(OutboxMessage.Meta):
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        indexes = outbox_indexes("notification")
        constraints = outbox_constraints("notification")

    def __str__(self) -> str:
        return f"{self.get_purpose_display()} · {self.get_channel_display()} · {self.get_status_display()}"
