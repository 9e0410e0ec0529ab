"""What was bought for the operation: suppliers, public contracts and their orders, invoices and their lines.

The one write path of each (the pages, the admin's actions and later imports call these), atomic, with its audit
entry attributed to the actor. The rules of one invoice that a form alone must not be trusted with live here:

- the amount TTC is the amount HT plus the VAT (said with the three amounts);
- the lines of an invoice never add up to more than its amount HT;
- an invoice in a payment claim keeps its amounts, its expense line and its lines: it was presented as it is
  (a correction after payment is a recovery, funding.claims), and it can never be counted twice;
- the status follows the facts: received, paid once the payment date is set; claimed is set by the claims area,
  withdrawn by `invoice_withdraw`.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Max, Sum
from django.utils.translation import gettext as _

from funding.documents import document_file
from funding.formats import euros
from funding.models import (
    ClaimedInvoice,
    DocumentKind,
    Invoice,
    InvoiceLine,
    InvoiceStatus,
    Operation,
    PublicContract,
    PurchaseOrder,
    Supplier,
)
from funding.money import ZERO
from sites.audit import acting_as, audited_save
from sites.models import Agent

# What an invoice presented in a claim keeps as it was presented.
LOCKED_WHEN_CLAIMED = ("amount_excl_vat", "vat", "amount_incl_vat", "eligible_amount", "expense_line_id")


def the_operation() -> Operation | None:
    """The operation the expense pages are about: the platform follows one FEDER operation (data/feder/)."""
    return Operation.objects.order_by("pk").first()


# --- Suppliers, contracts, orders ------------------------------------------------------------------------------


@transaction.atomic
def supplier_create(*, actor: Agent, name: str, siret: str = "") -> Supplier:
    return audited_save(Supplier(name=name.strip(), siret=siret), actor=actor)


@transaction.atomic
def contract_save(
    *, actor: Agent, contract: PublicContract, document_upload: UploadedFile | None = None
) -> PublicContract:
    """Record a public contract (new or changed), with its signed copy filed as a new supporting document."""
    if document_upload is not None:
        contract.document = document_file(contract.operation, document_upload, DocumentKind.CONTRACT, actor)
    return audited_save(contract, actor=actor)


@transaction.atomic
def order_save(*, actor: Agent, order: PurchaseOrder) -> PurchaseOrder:
    return audited_save(order, actor=actor)


# --- Invoices ------------------------------------------------------------------------------------------------


def is_claimed(invoice: Invoice) -> bool:
    """In a payment claim: its amounts and line stay as presented."""
    if invoice.pk is None:
        return False
    return invoice.status == InvoiceStatus.CLAIMED or ClaimedInvoice.objects.filter(invoice=invoice).exists()


def check_amounts(invoice: Invoice, lines_total: Decimal | None) -> None:
    """TTC = HT + VAT, and the lines within the amount HT: a ValidationError on the fields, in French."""
    errors = {}
    ht, vat, ttc = invoice.amount_excl_vat, invoice.vat, invoice.amount_incl_vat
    if None not in (ht, vat, ttc) and ht + vat != ttc:
        errors["amount_incl_vat"] = ValidationError(
            _("The amount TTC (%(ttc)s) must equal the amount HT plus the VAT: %(ht)s + %(vat)s = %(sum)s.")
            % {"ttc": euros(ttc), "ht": euros(ht), "vat": euros(vat), "sum": euros(ht + vat)},
            code="ttc_is_ht_plus_vat",
        )
    if lines_total is not None and ht is not None and lines_total > ht:
        errors["amount_excl_vat"] = ValidationError(
            _("The invoice lines add up to %(lines)s, more than the amount HT (%(ht)s): by %(over)s.")
            % {"lines": euros(lines_total), "ht": euros(ht), "over": euros(lines_total - ht)},
            code="lines_above_ht",
        )
    if errors:
        raise ValidationError(errors)


def _status(invoice: Invoice) -> str:
    if invoice.status in (InvoiceStatus.CLAIMED, InvoiceStatus.WITHDRAWN):
        return invoice.status
    return InvoiceStatus.PAID if invoice.paid_on else InvoiceStatus.RECEIVED


@transaction.atomic
def invoice_save(
    *,
    actor: Agent,
    invoice: Invoice,
    lines: Iterable[InvoiceLine] = (),
    lines_removed: Iterable[InvoiceLine] = (),
    document_upload: UploadedFile | None = None,
) -> Invoice:
    """Record an invoice (new or changed in place) with its lines added or changed and those removed, and its PDF
    filed as a new supporting document; all of it or nothing.

    Refused (ValidationError) when the amounts do not add up, when the lines exceed the amount HT, and, for an
    invoice in a payment claim, when its amounts, expense line or lines would change.
    """
    lines, lines_removed = list(lines), [line for line in lines_removed if line.pk]
    if invoice.pk is not None:
        # Locked first: a claim being built at the same moment sees either the old invoice or the new one.
        filed = Invoice.objects.select_for_update().get(pk=invoice.pk)
        if is_claimed(filed):
            changed = [name for name in LOCKED_WHEN_CLAIMED if getattr(filed, name) != getattr(invoice, name)]
            lines_changed = bool(lines_removed) or any(line.pk is None or _line_amounts_changed(line) for line in lines)
            if changed or lines_changed:
                raise ValidationError(
                    _(
                        "This invoice is in a payment claim: its amounts, its expense line and its lines stay as "
                        "they were presented. A correction after payment is recorded as a recovery."
                    ),
                    code="invoice_claimed",
                )
    invoice.operation = invoice.expense_line.operation
    kept = [line for line in lines if line not in lines_removed]
    removed_ids = {line.pk for line in lines_removed}
    existing = (
        InvoiceLine.objects.filter(invoice=invoice)
        .exclude(pk__in=removed_ids)
        .exclude(pk__in=[line.pk for line in kept if line.pk])
        if invoice.pk
        else InvoiceLine.objects.none()
    )
    lines_total = sum((line.amount for line in kept), ZERO) + (existing.aggregate(t=Sum("amount"))["t"] or ZERO)
    check_amounts(invoice, lines_total)
    if document_upload is not None:
        invoice.document = document_file(invoice.operation, document_upload, DocumentKind.INVOICE, actor)
    invoice.status = _status(invoice)
    audited_save(invoice, actor=actor)
    with acting_as(actor):
        for line in lines_removed:
            line.delete()
        position = InvoiceLine.objects.filter(invoice=invoice).aggregate(p=Max("position"))["p"] or 0
        for line in kept:
            line.invoice = invoice
            if line.pk is None or not line.position:
                position += 1
                line.position = position
            line.full_clean()
            line.save()
    return invoice


def _line_amounts_changed(line: InvoiceLine) -> bool:
    filed = InvoiceLine.objects.filter(pk=line.pk).values("quantity", "unit_price", "amount").first()
    return filed is None or (filed["quantity"], filed["unit_price"], filed["amount"]) != (
        line.quantity,
        line.unit_price,
        line.amount,
    )


@transaction.atomic
def invoice_withdraw(*, actor: Agent, invoice: Invoice) -> Invoice:
    """Take an invoice out of the operation (it stays recorded, counted nowhere); refused once in a claim."""
    invoice = Invoice.objects.select_for_update().get(pk=invoice.pk)
    if is_claimed(invoice):
        raise ValidationError(
            _("This invoice is in a payment claim: it cannot be withdrawn. Record a recovery instead."),
            code="invoice_claimed",
        )
    invoice.status = InvoiceStatus.WITHDRAWN
    return audited_save(invoice, actor=actor)


# --- Reads ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ContractSummary:
    contract: PublicContract
    orders: list[PurchaseOrder]
    invoices: list[Invoice]
    invoiced: Decimal  # HT of the invoices not withdrawn

    @property
    def remaining(self) -> Decimal:
        return self.contract.amount - self.invoiced

    @property
    def over(self) -> Decimal:
        return max(self.invoiced - self.contract.amount, ZERO)

    @property
    def ordered(self) -> Decimal:
        return sum((order.amount for order in self.orders), ZERO)


def contract_summary(contract: PublicContract) -> ContractSummary:
    orders = list(contract.orders.all())
    invoices = list(
        contract.invoices.select_related("supplier", "expense_line", "order").order_by("issued_on", "number")
    )
    invoiced = sum((i.amount_excl_vat for i in invoices if i.status != InvoiceStatus.WITHDRAWN), ZERO)
    return ContractSummary(contract=contract, orders=orders, invoices=invoices, invoiced=invoiced)
