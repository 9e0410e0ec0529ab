"""Publicity obligations (Regulation 1303/2013 Annex XII, Regulation 821/2014 art. 4) and their dated evidence."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class PublicityRequirement(models.Model):
    operation = models.ForeignKey("funding.Operation", on_delete=models.CASCADE, related_name="publicity_requirements")
    code = models.SlugField(_("code"), max_length=40)
    position = models.PositiveSmallIntegerField(_("position"))
    label = models.CharField(_("obligation"), max_length=300)
    legal_reference = models.CharField(_("legal reference"), max_length=200)
    # An A3 poster is due in every MDS: one piece of evidence per MDS, not one for the operation.
    per_mds = models.BooleanField(_("evidence per MDS"), default=False)

    class Meta:
        verbose_name = _("publicity obligation")
        verbose_name_plural = _("publicity obligations")
        ordering = ["operation", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["operation", "code"],
                name="funding_publicity_code_unique",
                violation_error_message=_("This operation already has an obligation with this code."),
                violation_error_code="funding_publicity_code_unique",
            )
        ]

    def __str__(self) -> str:
        return self.label


class PublicityEvidence(models.Model):
    requirement = models.ForeignKey(
        PublicityRequirement, on_delete=models.PROTECT, related_name="evidence", verbose_name=_("obligation")
    )
    mds = models.ForeignKey(
        "mds_sites.Mds", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("MDS")
    )
    site = models.ForeignKey(
        "mds_sites.Site", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("site")
    )
    observed_on = models.DateField(_("observed on"))
    document = models.ForeignKey("funding.Document", on_delete=models.PROTECT, related_name="+", verbose_name=_("file"))
    note = models.CharField(_("note"), max_length=300, blank=True)
    automatic = models.BooleanField(_("taken by the platform"), default=False)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("publicity evidence")
        verbose_name_plural = _("publicity evidence")
        ordering = ["-observed_on", "-recorded_at"]

    def __str__(self) -> str:
        return f"{self.requirement} — {self.observed_on}"
