"""Mediation's outbox: what is sent to the people registered for a workshop (confirmation, waiting list, a seat
offered, the day-before reminder, cancellations), written in the transaction of the change it announces and sent
once by core.outbox (mediation.messages)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from core.models import OutboxMessage, outbox_constraints, outbox_indexes
from sites.scoping import ScopedQuerySet


class Notification(OutboxMessage):
    class Purpose(models.TextChoices):
        CONFIRMED = "confirmed", _("Workshop registration confirmed")
        WAITING = "waiting", _("Put on a workshop's waiting list")
        OFFERED = "offered", _("Workshop seat offered")
        REMINDER = "reminder", _("Workshop reminder")
        CANCELLED = "cancelled", _("Workshop registration cancelled")
        SESSION_CANCELLED = "session_cancelled", _("Workshop session cancelled")
        OFFER_EXPIRED = "offer_expired", _("Workshop seat offer expired")
        SESSION_MOVED = "session_moved", _("Workshop session moved")

    mds = models.ForeignKey("mds_sites.Mds", on_delete=models.CASCADE, related_name="+", verbose_name=_("MDS"))
    # Every message is about one registration, whose phone or email it is sent to (read when it leaves, so that an
    # anonymised registration is sent nothing); deleted with it. Nullable for a message to no registration later.
    registration = models.ForeignKey("mediation.Registration", on_delete=models.CASCADE, null=True, blank=True,
                                     related_name="notifications", verbose_name=_("registration"))  # fmt: skip
    purpose = models.CharField(_("purpose"), max_length=20, choices=Purpose.choices)

    mds_path = "mds"
    objects = ScopedQuerySet.as_manager()

    class Meta(OutboxMessage.Meta):
        verbose_name = _("workshop message")
        verbose_name_plural = _("workshop messages")
        indexes = outbox_indexes("mediation_message")
        constraints = outbox_constraints("mediation_message")

    def __str__(self) -> str:
        return f"{self.get_purpose_display()} · {self.get_channel_display()} · {self.get_status_display()}"
