"""Payment claims (demandes de paiement): what was presented, what the instructing service retained, what came in.

A claim is never edited after the FEDER is paid: a later correction is a `Recovery` of its own. An invoice is in
at most one claim (a unique constraint, not a check in a view): it can never be counted twice.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from core.constraints import ConstraintErrorsOnFields
from funding.models.operation import MONEY


class ClaimKind(models.TextChoices):
    INTERIM = "interim", _("Interim claim")
    FINAL = "final", _("Final claim")


class ClaimStatus(models.TextChoices):
    DRAFT = "draft", _("Being entered")
    VALIDATED = "validated", _("Validated")
    SUBMITTED = "submitted", _("Sent to the managing authority")
    INSTRUCTED = "instructed", _("Retained amounts received")
    PAID = "paid", _("FEDER received")


class PaymentClaim(ConstraintErrorsOnFields, models.Model):
    operation = models.ForeignKey("funding.Operation", on_delete=models.PROTECT, related_name="claims")
    number = models.PositiveSmallIntegerField(_("number"))
    kind = models.CharField(_("kind"), max_length=8, choices=ClaimKind.choices, default=ClaimKind.INTERIM)
    period_start = models.DateField(_("expenses paid from"))
    period_end = models.DateField(_("expenses paid until"))
    status = models.CharField(_("status"), max_length=10, choices=ClaimStatus.choices, default=ClaimStatus.DRAFT)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("entered by")
    )
    entered_at = models.DateTimeField(_("entered at"), auto_now_add=True)
    validated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("validated by"),
    )
    validated_at = models.DateTimeField(_("validated at"), null=True, blank=True)
    submitted_on = models.DateField(_("sent on"), null=True, blank=True)
    instructed_on = models.DateField(_("retained amounts notified on"), null=True, blank=True)
    feder_received = models.DecimalField(_("FEDER received"), **MONEY, null=True, blank=True)
    received_on = models.DateField(_("FEDER received on"), null=True, blank=True)

    class Meta:
        verbose_name = _("payment claim")
        verbose_name_plural = _("payment claims")
        ordering = ["operation", "number"]
        # Finance enters a claim, programme staff validate it (sites.roles): two roles, and two people.
        permissions = [("validate_paymentclaim", _("Can validate a payment claim"))]
        constraints = [
            models.UniqueConstraint(
                fields=["operation", "number"],
                name="funding_claim_number_unique",
                violation_error_message=_("This operation already has a claim with this number."),
                violation_error_code="funding_claim_number_unique",
            ),
            models.UniqueConstraint(
                fields=["operation"],
                condition=Q(kind="final"),
                name="funding_claim_one_final",
                violation_error_message=_("This operation already has its final claim."),
                violation_error_code="funding_claim_one_final",
            ),
            models.CheckConstraint(
                condition=Q(period_end__gte=F("period_start")),
                name="funding_claim_period_ordered",
                violation_error_message=_("The period must end on or after its start."),
                violation_error_code="funding_claim_period_ordered",
            ),
            # Entry and validation are two people's (the four-eyes rule).
            models.CheckConstraint(
                condition=Q(validated_by__isnull=True) | ~Q(validated_by=F("entered_by")),
                name="funding_claim_validated_by_another",
                violation_error_message=_("A claim is validated by someone other than the person who entered it."),
                violation_error_code="funding_claim_validated_by_another",
            ),
        ]

    constraint_error_fields = {"funding_claim_period_ordered": "period_end"}

    def __str__(self) -> str:
        return _("Claim no. %(number)s (%(kind)s)") % {"number": self.number, "kind": self.get_kind_display()}

    @property
    def locked(self) -> bool:
        """Invoices and retained amounts no longer change (corrections go through a Recovery)."""
        return self.status == ClaimStatus.PAID


class CutKind(models.TextChoices):
    INELIGIBLE = "ineligible", _("Ineligible expense")
    OUT_OF_PERIOD = "out_of_period", _("Outside the execution period")
    MISSING_PROOF = "missing_proof", _("Missing supporting document")
    PROCUREMENT = "procurement", _("Public procurement irregularity")
    OVER_PLAN = "over_plan", _("Above the planned amount of the line")
    PRO_RATA = "pro_rata", _("Pro-rata")
    OTHER = "other", _("Other")


class ClaimedInvoice(ConstraintErrorsOnFields, models.Model):
    claim = models.ForeignKey(PaymentClaim, on_delete=models.CASCADE, related_name="items", verbose_name=_("claim"))
    invoice = models.ForeignKey(
        "funding.Invoice", on_delete=models.PROTECT, related_name="claim_items", verbose_name=_("invoice")
    )
    presented_amount = models.DecimalField(_("amount presented HT"), **MONEY)
    retained_amount = models.DecimalField(_("amount retained HT"), **MONEY, null=True, blank=True)
    cut_kind = models.CharField(_("kind of cut"), max_length=14, choices=CutKind.choices, blank=True)
    cut_reason = models.TextField(_("reason for the cut"), blank=True)

    class Meta:
        verbose_name = _("claimed invoice")
        verbose_name_plural = _("claimed invoices")
        ordering = ["claim", "invoice__expense_line__number", "invoice__issued_on", "invoice__number"]
        constraints = [
            models.UniqueConstraint(
                fields=["invoice"],
                name="funding_invoice_claimed_once",
                violation_error_message=_("This invoice is already in a payment claim: it cannot be counted twice."),
                violation_error_code="funding_invoice_claimed_once",
            ),
            models.CheckConstraint(
                condition=Q(retained_amount__isnull=True)
                | Q(retained_amount__gte=0, retained_amount__lte=F("presented_amount")),
                name="funding_retained_within_presented",
                violation_error_message=_("The amount retained is between 0 and the amount presented."),
                violation_error_code="funding_retained_within_presented",
            ),
            models.CheckConstraint(
                condition=Q(retained_amount__isnull=True)
                | Q(retained_amount=F("presented_amount"))
                | (~Q(cut_kind="") & ~Q(cut_reason="")),
                name="funding_cut_has_reason",
                violation_error_message=_("Give the kind and the reason of the cut."),
                violation_error_code="funding_cut_has_reason",
            ),
        ]

    constraint_error_fields = {
        "funding_invoice_claimed_once": "invoice",
        "funding_retained_within_presented": "retained_amount",
        "funding_cut_has_reason": "cut_reason",
    }

    def __str__(self) -> str:
        return f"{self.claim} — {self.invoice}"

    @property
    def cut(self):
        return None if self.retained_amount is None else self.presented_amount - self.retained_amount


class Recovery(models.Model):
    """A correction after payment: retained expense taken back (a negative change) and the FEDER to repay."""

    claim = models.ForeignKey(
        PaymentClaim, on_delete=models.PROTECT, related_name="recoveries", verbose_name=_("claim")
    )
    # A correction is about an invoice (and so an expense line): the figures per line stay true after it.
    invoice = models.ForeignKey(
        "funding.Invoice", on_delete=models.PROTECT, related_name="recoveries", verbose_name=_("invoice")
    )
    decided_on = models.DateField(_("decided on"))
    retained_change = models.DecimalField(_("change of the amount retained HT"), **MONEY)
    feder_change = models.DecimalField(_("change of the FEDER"), **MONEY)
    reason = models.TextField(_("reason"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("recorded by")
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("recovery")
        verbose_name_plural = _("recoveries")
        ordering = ["decided_on", "id"]

    def __str__(self) -> str:
        return _("Recovery of %(date)s") % {"date": self.decided_on}
