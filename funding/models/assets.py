"""The asset register: each access point, server and licence bought, tied to its invoice line."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from funding.models.expenses import ItemKind
from funding.scoping import DepartementWideQuerySet


class AssetQuerySet(DepartementWideQuerySet):
    def of_operation(self, operation) -> "AssetQuerySet":
        return self.filter(invoice_line__invoice__operation=operation)

    def with_register(self) -> "AssetQuerySet":
        """What a line of the register shows: the invoice, its supplier and contract, the AP and its place."""
        return self.select_related(
            "invoice_line__invoice__supplier",
            "invoice_line__invoice__contract",
            "access_point__site__mds",
            "access_point__zone",
            "site__mds",
        )


class Asset(models.Model):
    invoice_line = models.ForeignKey(
        "funding.InvoiceLine", on_delete=models.PROTECT, related_name="assets", verbose_name=_("invoice line")
    )
    kind = models.CharField(_("kind"), max_length=14, choices=ItemKind.choices)
    label = models.CharField(_("label"), max_length=200, blank=True)
    serial_number = models.CharField(_("serial number"), max_length=80, blank=True)
    # An access point's serial number and place come from the WiFi inventory (wifi.AccessPoint); a server or a
    # licence has no access point and says where it is itself.
    access_point = models.OneToOneField(
        "wifi.AccessPoint",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="funded_asset",
        verbose_name=_("access point"),
    )
    site = models.ForeignKey(
        "mds_sites.Site", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("site")
    )

    objects = AssetQuerySet.as_manager()

    class Meta:
        verbose_name = _("funded asset")
        verbose_name_plural = _("asset register")
        ordering = ["invoice_line", "serial_number"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "serial_number"],
                condition=~Q(serial_number=""),
                name="funding_asset_serial_unique",
                violation_error_message=_("This serial number is already in the register."),
                violation_error_code="funding_asset_serial_unique",
            )
        ]

    def __str__(self) -> str:
        if self.access_point_id:
            return str(self.access_point)
        return self.label or self.serial_number or str(self.invoice_line)

    @property
    def place(self):
        """Where it is: the access point's site (from the WiFi inventory), or the site recorded for it."""
        return self.access_point.site if self.access_point_id else self.site


class DurabilityEvent(models.TextChoices):
    RETIRED = "retired", _("Retired")
    MOVED = "moved", _("Moved to another site")


class DurabilityWarningQuerySet(DepartementWideQuerySet):
    def open(self) -> "DurabilityWarningQuerySet":
        """Not yet acknowledged by finance."""
        return self.filter(acknowledged_at__isnull=True)

    def of_operation(self, operation) -> "DurabilityWarningQuerySet":
        return self.filter(asset__invoice_line__invoice__operation=operation)


class DurabilityWarning(models.Model):
    """A funded asset retired or moved while the durability window is open: finance must know (art. 71)."""

    asset = models.ForeignKey(Asset, on_delete=models.PROTECT, related_name="warnings", verbose_name=_("asset"))
    event = models.CharField(_("event"), max_length=8, choices=DurabilityEvent.choices)
    detail = models.CharField(_("detail"), max_length=300)
    occurred_at = models.DateTimeField(_("occurred at"))
    window_ends_on = models.DateField(_("durability window ends on"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("acknowledged by"),
    )
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)

    objects = DurabilityWarningQuerySet.as_manager()

    class Meta:
        verbose_name = _("durability warning")
        verbose_name_plural = _("durability warnings")
        ordering = ["-occurred_at"]

    def __str__(self) -> str:
        return f"{self.asset} — {self.get_event_display()}"
