"""What was bought: public contracts and their procedure, purchase orders, invoices and their lines."""

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from core.constraints import ConstraintErrorsOnFields
from funding.models.operation import MONEY


class Supplier(models.Model):
    name = models.CharField(_("name"), max_length=200)
    siret = models.CharField(_("SIRET"), max_length=14, blank=True)

    class Meta:
        verbose_name = _("supplier")
        verbose_name_plural = _("suppliers")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["siret"],
                condition=~Q(siret=""),
                name="funding_supplier_siret_unique",
                violation_error_message=_("A supplier with this SIRET already exists."),
                violation_error_code="funding_supplier_siret_unique",
            )
        ]

    def __str__(self) -> str:
        return self.name


class Procedure(models.TextChoices):
    """Procurement procedures of the Code de la commande publique, with the articles that open them."""

    DIRECT = "direct", _("Purchase without advertising or competition (R2122-8)")
    ADAPTED = "adapted", _("Adapted procedure, MAPA (R2123-1)")
    OPEN_TENDER = "open_tender", _("Open call for tenders (R2124-2)")
    RESTRICTED_TENDER = "restricted_tender", _("Restricted call for tenders (R2124-2)")
    NEGOTIATED = "negotiated", _("Competitive procedure with negotiation (R2124-3)")
    FRAMEWORK_ORDER = "framework_order", _("Order under a framework agreement (R2162-1)")
    CENTRAL_PURCHASING = "central_purchasing", _("Central purchasing body, e.g. UGAP (L2113-2)")


class PublicContract(ConstraintErrorsOnFields, models.Model):
    """A marché public; `procedure_reason` tells a controller why this procedure was the right one."""

    operation = models.ForeignKey("funding.Operation", on_delete=models.PROTECT, related_name="contracts")
    number = models.CharField(_("contract number"), max_length=60)
    subject = models.CharField(_("subject"), max_length=300)
    supplier = models.ForeignKey(
        Supplier, on_delete=models.PROTECT, related_name="contracts", verbose_name=_("supplier")
    )
    procedure = models.CharField(_("procedure"), max_length=20, choices=Procedure.choices)
    procedure_reason = models.TextField(
        _("why this procedure"), blank=True, help_text=_("Estimated value against the thresholds in force, lots…")
    )
    estimated_amount = models.DecimalField(_("estimated value (HT)"), **MONEY, null=True, blank=True)
    notified_on = models.DateField(_("notification date"))
    amount = models.DecimalField(_("amount (HT)"), **MONEY)
    expense_line = models.ForeignKey(
        "funding.ExpenseLine",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="contracts",
        verbose_name=_("expense line"),
    )
    document = models.ForeignKey(
        "funding.Document",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("contract"),
    )

    class Meta:
        verbose_name = _("public contract")
        verbose_name_plural = _("public contracts")
        ordering = ["notified_on", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["operation", "number"],
                name="funding_contract_number_unique",
                violation_error_message=_("A contract with this number is already recorded."),
                violation_error_code="funding_contract_number_unique",
            ),
            models.CheckConstraint(
                condition=Q(amount__gte=0),
                name="funding_contract_amount_not_negative",
                violation_error_message=_("A contract amount cannot be negative."),
                violation_error_code="funding_contract_amount_not_negative",
            ),
        ]

    constraint_error_fields = {
        "funding_contract_number_unique": "number",
        "funding_contract_amount_not_negative": "amount",
    }

    def __str__(self) -> str:
        return f"{self.number} — {self.subject}"


class PurchaseOrder(ConstraintErrorsOnFields, models.Model):
    contract = models.ForeignKey(
        PublicContract, on_delete=models.PROTECT, related_name="orders", verbose_name=_("contract")
    )
    number = models.CharField(_("order number"), max_length=60)
    ordered_on = models.DateField(_("order date"))
    amount = models.DecimalField(_("amount (HT)"), **MONEY)

    class Meta:
        verbose_name = _("purchase order")
        verbose_name_plural = _("purchase orders")
        ordering = ["ordered_on", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["contract", "number"],
                name="funding_order_number_unique",
                violation_error_message=_("This contract already has an order with this number."),
                violation_error_code="funding_order_number_unique",
            )
        ]

    constraint_error_fields = {"funding_order_number_unique": "number"}

    def __str__(self) -> str:
        return self.number


class InvoiceStatus(models.TextChoices):
    RECEIVED = "received", _("Received")
    PAID = "paid", _("Paid")
    CLAIMED = "claimed", _("Claimed")
    WITHDRAWN = "withdrawn", _("Withdrawn from the operation")


class Invoice(ConstraintErrorsOnFields, models.Model):
    operation = models.ForeignKey("funding.Operation", on_delete=models.PROTECT, related_name="invoices")
    supplier = models.ForeignKey(
        Supplier, on_delete=models.PROTECT, related_name="invoices", verbose_name=_("supplier")
    )
    contract = models.ForeignKey(
        PublicContract,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="invoices",
        verbose_name=_("contract"),
    )
    order = models.ForeignKey(
        PurchaseOrder,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="invoices",
        verbose_name=_("purchase order"),
    )
    number = models.CharField(_("invoice number"), max_length=60)
    issued_on = models.DateField(_("invoice date"))
    amount_excl_vat = models.DecimalField(_("amount HT"), **MONEY)
    vat = models.DecimalField(_("VAT"), **MONEY)
    amount_incl_vat = models.DecimalField(_("amount TTC"), **MONEY)
    eligible_amount = models.DecimalField(
        _("eligible amount HT"), **MONEY, help_text=_("The part of the HT amount that the operation pays for.")
    )
    expense_line = models.ForeignKey(
        "funding.ExpenseLine", on_delete=models.PROTECT, related_name="invoices", verbose_name=_("expense line")
    )
    paid_on = models.DateField(_("payment date"), null=True, blank=True)
    payment_reference = models.CharField(
        _("payment reference"), max_length=60, blank=True, help_text=_("The mandate number of the payment.")
    )
    document = models.ForeignKey(
        "funding.Document",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("invoice (PDF)"),
    )
    status = models.CharField(_("status"), max_length=10, choices=InvoiceStatus.choices, default=InvoiceStatus.RECEIVED)
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("invoice")
        verbose_name_plural = _("invoices")
        ordering = ["issued_on", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["supplier", "number"],
                name="funding_invoice_number_unique",
                violation_error_message=_("This supplier's invoice with this number is already recorded."),
                violation_error_code="funding_invoice_number_unique",
            ),
            models.CheckConstraint(
                condition=Q(amount_incl_vat=F("amount_excl_vat") + F("vat")),
                name="funding_invoice_ttc_is_ht_plus_vat",
                violation_error_message=_("The amount TTC must equal the amount HT plus the VAT."),
                violation_error_code="funding_invoice_ttc_is_ht_plus_vat",
            ),
            models.CheckConstraint(
                condition=Q(eligible_amount__gte=0, eligible_amount__lte=F("amount_excl_vat")),
                name="funding_invoice_eligible_within_ht",
                violation_error_message=_("The eligible amount is between 0 and the amount HT."),
                violation_error_code="funding_invoice_eligible_within_ht",
            ),
            models.CheckConstraint(
                condition=Q(paid_on__isnull=True) | ~Q(payment_reference=""),
                name="funding_invoice_paid_has_reference",
                violation_error_message=_("A paid invoice needs its payment reference (mandate number)."),
                violation_error_code="funding_invoice_paid_has_reference",
            ),
        ]

    constraint_error_fields = {
        "funding_invoice_number_unique": "number",
        "funding_invoice_ttc_is_ht_plus_vat": "amount_incl_vat",
        "funding_invoice_eligible_within_ht": "eligible_amount",
        "funding_invoice_paid_has_reference": "payment_reference",
    }

    def __str__(self) -> str:
        return f"{self.supplier} {self.number}"


class ItemKind(models.TextChoices):
    ACCESS_POINT = "access_point", _("Access point")
    SERVER = "server", _("Server")
    LICENCE = "licence", _("Licence")
    SERVICE = "service", _("Service")
    OTHER = "other", _("Other equipment")


class InvoiceLine(models.Model):
    """A line of an invoice: what the asset register links each access point, server or licence to."""

    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE, related_name="lines", verbose_name=_("invoice"))
    position = models.PositiveSmallIntegerField(_("position"))
    description = models.CharField(_("description"), max_length=300)
    kind = models.CharField(_("kind"), max_length=14, choices=ItemKind.choices)
    quantity = models.DecimalField(_("quantity"), max_digits=9, decimal_places=2, default=1)
    unit_price = models.DecimalField(_("unit price HT"), **MONEY)
    amount = models.DecimalField(_("amount HT"), **MONEY)

    class Meta:
        verbose_name = _("invoice line")
        verbose_name_plural = _("invoice lines")
        ordering = ["invoice", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["invoice", "position"],
                name="funding_invoice_line_position_unique",
                violation_error_message=_("This invoice already has a line at this position."),
                violation_error_code="funding_invoice_line_position_unique",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.invoice} #{self.position} {self.description}"
