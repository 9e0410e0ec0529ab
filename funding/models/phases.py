"""The WiFi deployment phases of the operation sheet, planned and actual, for the operation and for each site."""

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from core.constraints import ConstraintErrorsOnFields


def _ordered(prefix: str, name: str):
    return models.CheckConstraint(
        condition=Q(**{f"{prefix}_start__isnull": True})
        | Q(**{f"{prefix}_end__isnull": True})
        | Q(**{f"{prefix}_end__gte": F(f"{prefix}_start")}),
        name=name,
        violation_error_message=_("A phase ends on or after the day it starts."),
        violation_error_code=name,
    )


class DeploymentPhase(ConstraintErrorsOnFields, models.Model):
    operation = models.ForeignKey("funding.Operation", on_delete=models.CASCADE, related_name="phases")
    number = models.PositiveSmallIntegerField(_("number"))
    name = models.CharField(_("phase"), max_length=200)
    description = models.CharField(_("description"), max_length=300, blank=True)
    per_site = models.BooleanField(_("followed site by site"), default=False)
    planned_start = models.DateField(_("planned start"), null=True, blank=True)
    planned_end = models.DateField(_("planned end"), null=True, blank=True)
    actual_start = models.DateField(_("actual start"), null=True, blank=True)
    actual_end = models.DateField(_("actual end"), null=True, blank=True)

    class Meta:
        verbose_name = _("deployment phase")
        verbose_name_plural = _("deployment phases")
        ordering = ["operation", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["operation", "number"],
                name="funding_phase_number_unique",
                violation_error_message=_("This operation already has a phase with this number."),
                violation_error_code="funding_phase_number_unique",
            ),
            _ordered("planned", "funding_phase_planned_ordered"),
            _ordered("actual", "funding_phase_actual_ordered"),
        ]

    constraint_error_fields = {
        "funding_phase_planned_ordered": "planned_end",
        "funding_phase_actual_ordered": "actual_end",
    }

    def __str__(self) -> str:
        return f"{self.number}. {self.name}"


class SitePhase(ConstraintErrorsOnFields, models.Model):
    phase = models.ForeignKey(DeploymentPhase, on_delete=models.CASCADE, related_name="sites", verbose_name=_("phase"))
    site = models.ForeignKey("mds_sites.Site", on_delete=models.PROTECT, related_name="+", verbose_name=_("site"))
    planned_start = models.DateField(_("planned start"), null=True, blank=True)
    planned_end = models.DateField(_("planned end"), null=True, blank=True)
    actual_start = models.DateField(_("actual start"), null=True, blank=True)
    actual_end = models.DateField(_("actual end"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)

    mds_path = "site__mds"

    class Meta:
        verbose_name = _("phase at a site")
        verbose_name_plural = _("phases at the sites")
        ordering = ["phase", "site"]
        constraints = [
            models.UniqueConstraint(
                fields=["phase", "site"],
                name="funding_site_phase_unique",
                violation_error_message=_("This phase is already followed at this site."),
                violation_error_code="funding_site_phase_unique",
            ),
            _ordered("planned", "funding_site_phase_planned_ordered"),
            _ordered("actual", "funding_site_phase_actual_ordered"),
        ]

    constraint_error_fields = {
        "funding_site_phase_planned_ordered": "planned_end",
        "funding_site_phase_actual_ordered": "actual_end",
    }

    def __str__(self) -> str:
        return f"{self.phase} — {self.site}"
