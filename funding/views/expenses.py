"""The expenses of the FEDER operation in the back-office: invoices (list, CSV, page with its checks, form with its
lines and PDF), the public contracts register (list, CSV, page with its orders and invoices, form), suppliers, the
expense lines against their plan, and the download of a supporting document (recorded in the audit trail).

For département-wide roles only (funding.access); every write goes through funding.expenses / funding.documents.
"""

from typing import Any

import django_filters
import django_tables2 as tables
from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Prefetch, Q, QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import TemplateView

from core.csv import csv_response
from core.lists import SearchFilter, Table
from funding import documents, eligibility, expenses
from funding.access import FundingCsvView, FundingListView, FundingPermissionMixin
from funding.forms_expenses import ContractForm, InvoiceForm, InvoiceLineFormSet, OrderForm, SupplierForm
from funding.models import (
    ClaimedInvoice,
    Document,
    ExpenseLine,
    Invoice,
    InvoiceStatus,
    Procedure,
    PublicContract,
    Supplier,
)
from funding.procurement import procedure_check

_SEARCH = forms.TextInput(attrs={"type": "search", "spellcheck": "false", "autocomplete": "off", "maxlength": 80})
# What an invoice's checks read of its claims, loaded with it (funding.eligibility).
_CLAIMS = (Prefetch("claim_items", queryset=ClaimedInvoice.objects.select_related("claim")),)
_PAID = (("yes", gettext_lazy("Paid invoices")), ("no", gettext_lazy("Unpaid invoices")))
_CLAIMED = (("yes", gettext_lazy("In a claim")), ("no", gettext_lazy("In no claim")))


def _operation_or_404():
    operation = expenses.the_operation()
    if operation is None:
        raise Http404(_("No FEDER operation is loaded."))
    return operation


def _lines(request: HttpRequest | None) -> QuerySet[ExpenseLine]:
    return ExpenseLine.objects.order_by("operation", "number")


def _suppliers(request: HttpRequest | None) -> QuerySet[Supplier]:
    return Supplier.objects.order_by("name")


def _claim_summary(invoice: Invoice) -> str:
    items = invoice.claim_items.all()
    return ", ".join(str(item.claim) for item in items)


# --- Invoices ------------------------------------------------------------------------------------------------


class InvoiceFilter(django_filters.FilterSet):
    q = SearchFilter(
        label=gettext_lazy("Search"), help_text=gettext_lazy("Invoice number, supplier, payment reference, contract."),
        widget=_SEARCH, fields=("number", "supplier__name", "payment_reference", "contract__number"),
    )  # fmt: skip
    line = django_filters.ModelChoiceFilter(label=gettext_lazy("Expense line"), field_name="expense_line",
                                            queryset=_lines, empty_label=gettext_lazy("All"))  # fmt: skip
    status = django_filters.ChoiceFilter(label=gettext_lazy("Status"), choices=InvoiceStatus.choices,
                                         empty_label=gettext_lazy("All"))  # fmt: skip
    supplier = django_filters.ModelChoiceFilter(label=gettext_lazy("Supplier"), queryset=_suppliers,
                                                empty_label=gettext_lazy("All"))  # fmt: skip
    paid = django_filters.ChoiceFilter(label=gettext_lazy("Payment"), choices=_PAID, method="filter_paid",
                                       empty_label=gettext_lazy("All"))  # fmt: skip
    claimed = django_filters.ChoiceFilter(label=gettext_lazy("Payment claim status"), choices=_CLAIMED,
                                          method="filter_claimed", empty_label=gettext_lazy("All"))  # fmt: skip

    class Meta:
        model = Invoice
        fields = ["q", "line", "status", "supplier", "paid", "claimed"]

    def filter_paid(self, queryset: QuerySet[Invoice], name: str, value: str) -> QuerySet[Invoice]:
        return queryset.filter(paid_on__isnull=value != "yes")

    def filter_claimed(self, queryset: QuerySet[Invoice], name: str, value: str) -> QuerySet[Invoice]:
        in_claim = Q(claim_items__isnull=False) | Q(status=InvoiceStatus.CLAIMED)
        return queryset.filter(in_claim).distinct() if value == "yes" else queryset.exclude(in_claim)


_MONEY = "{% load funding_money %}{{ value|euros }}"


class InvoiceTable(Table):
    caption = gettext_lazy("Invoices")
    number = tables.TemplateColumn(
        '<a href="{% url \'funding_expenses:invoice\' record.pk %}"><bdi translate="no">{{ record.number }}</bdi></a>',
        verbose_name=gettext_lazy("Number"), order_by=("number", "pk"),
    )  # fmt: skip
    supplier = tables.Column(verbose_name=gettext_lazy("Supplier"), accessor="supplier__name",
                             order_by=("supplier__name", "pk"))  # fmt: skip
    issued_on = tables.DateColumn(verbose_name=gettext_lazy("Date"), short=True, order_by=("issued_on", "pk"))
    amount_excl_vat = tables.TemplateColumn(_MONEY, verbose_name=gettext_lazy("HT"),
                                            order_by=("amount_excl_vat", "pk"))  # fmt: skip
    eligible_amount = tables.TemplateColumn(_MONEY, verbose_name=gettext_lazy("Eligible HT"),
                                            order_by=("eligible_amount", "pk"))  # fmt: skip
    expense_line = tables.Column(verbose_name=gettext_lazy("Expense line"), accessor="expense_line__number",
                                 order_by=("expense_line__number", "pk"))  # fmt: skip
    status = tables.Column(verbose_name=gettext_lazy("Status"), order_by=("status", "pk"))
    paid_on = tables.DateColumn(verbose_name=gettext_lazy("Paid on"), short=True, order_by=("paid_on", "pk"))
    checks = tables.Column(verbose_name=gettext_lazy("Checks"), accessor="pk", orderable=False,
                           attrs={"td": {"class": "funding-checks"}})  # fmt: skip

    def __init__(self, *args: Any, overruns: dict | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.overruns = overruns or {}

    def render_status(self, record: Invoice) -> str:
        return record.get_status_display()

    def render_checks(self, record: Invoice) -> str:
        record.problems = eligibility.invoice_problems(record, overruns=self.overruns)
        return render_to_string("funding/expenses/_checks_cell.html", {"record": record})


class InvoiceListView(FundingListView):
    model = Invoice
    permission_required = "funding.view_invoice"
    template_name = "funding/expenses/invoice_list.html"
    table_class = InvoiceTable
    filterset_class = InvoiceFilter

    def refine_queryset(self, queryset: QuerySet[Invoice]) -> QuerySet[Invoice]:
        return (
            queryset.select_related("operation", "supplier", "expense_line", "contract")
            .prefetch_related(*_CLAIMS)
            .order_by("-issued_on", "-pk")
        )

    def get_table_kwargs(self) -> dict[str, Any]:
        operation = expenses.the_operation()
        self.lines = list(operation.lines.all()) if operation else []
        self.overruns = eligibility.line_overruns(operation, self.lines) if operation else {}
        return {"overruns": self.overruns}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["overruns"] = [(line, self.overruns[line.pk]) for line in self.lines if line.pk in self.overruns]
        return context


class InvoiceCsvView(FundingCsvView, InvoiceListView):
    """The invoices as filtered on the list, one line each, with their checks in words."""

    def csv_response(self, rows: QuerySet[Invoice]) -> HttpResponse:
        operation = expenses.the_operation()
        overruns = eligibility.line_overruns(operation) if operation else {}
        header = [
            _("Supplier"), _("SIRET number"), _("Invoice number"), _("Invoice date"), _("Amount HT"), _("VAT amount"),
            _("Amount TTC"), _("Eligible amount HT"), _("Expense line"), _("Contract"), _("Payment date"),
            _("Payment reference"), _("Status"), _("Claims"), _("Blocking problems"), _("Warnings"),
        ]  # fmt: skip
        lines = []
        for invoice in rows.select_related("supplier"):
            problems = eligibility.invoice_problems(invoice, overruns=overruns)
            lines.append([
                invoice.supplier.name, invoice.supplier.siret, invoice.number, invoice.issued_on,
                invoice.amount_excl_vat, invoice.vat, invoice.amount_incl_vat, invoice.eligible_amount,
                invoice.expense_line.number, invoice.contract.number if invoice.contract else "", invoice.paid_on,
                invoice.payment_reference, invoice.get_status_display(), _claim_summary(invoice),
                " | ".join(p.message for p in problems if p.blocking),
                " | ".join(p.message for p in problems if not p.blocking),
            ])  # fmt: skip
        return csv_response([header, *lines], filename=f"factures-feder-{timezone.localdate():%Y-%m-%d}.csv")


class _InvoicePage(FundingPermissionMixin):
    scoped_model = Invoice

    def get_scoped_queryset(self) -> QuerySet[Invoice]:
        return (
            super()
            .get_scoped_queryset()
            .select_related("operation", "supplier", "expense_line", "contract", "order", "document")
            .prefetch_related(*_CLAIMS)
        )

    @property
    def invoice(self) -> Invoice:
        return self.scoped_object  # type: ignore[return-value]


class InvoiceDetailView(_InvoicePage, TemplateView):
    permission_required = "funding.view_invoice"
    template_name = "funding/expenses/invoice_detail.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        invoice = self.invoice
        problems = eligibility.invoice_problems(invoice)
        document = invoice.document
        return super().get_context_data(
            invoice=invoice,
            lines=list(invoice.lines.all()),
            lines_total=sum((line.amount for line in invoice.lines.all()), start=0),
            problems=problems,
            blocking=[p for p in problems if p.blocking],
            warnings=[p for p in problems if not p.blocking],
            claims=[item.claim for item in invoice.claim_items.all()],
            document=document,
            intact=_intact(document),
            can_change=self.request.user.has_perm("funding.change_invoice"),
            **kwargs,
        )


def _intact(document: Document | None) -> bool | None:
    """Whether the stored file still has its recorded hash; None when there is no document or no file."""
    if document is None:
        return None
    try:
        return document.intact()
    except (FileNotFoundError, OSError):
        return False


class _InvoiceFormPage(View):
    template_name = "funding/expenses/invoice_form.html"
    request: HttpRequest

    def _render(self, form: InvoiceForm, formset: Any, invoice: Invoice | None, status: int = 200) -> HttpResponse:
        context = {"form": form, "formset": formset, "invoice": invoice}
        return render(self.request, self.template_name, context, status=status)

    def _save(self, form: InvoiceForm, formset: Any, invoice: Invoice | None) -> HttpResponse:
        if not (form.is_valid() and formset.is_valid()):
            return self._render(form, formset, invoice, status=400)
        try:
            saved = expenses.invoice_save(
                actor=self.request.user, invoice=form.instance, lines=formset.save(commit=False),
                lines_removed=formset.deleted_objects, document_upload=form.cleaned_data.get("pdf"),
            )  # fmt: skip
        except ValidationError as error:
            if hasattr(error, "error_dict"):
                for field, errors in error.error_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                form.add_error(None, error)
            return self._render(form, formset, invoice, status=400)
        messages.success(self.request, _("The invoice %(number)s was saved.") % {"number": saved.number})
        return redirect("funding_expenses:invoice", saved.pk)


class InvoiceCreateView(FundingPermissionMixin, _InvoiceFormPage):
    permission_required = "funding.add_invoice"

    def get(self, request: HttpRequest) -> HttpResponse:
        _operation_or_404()
        return self._render(InvoiceForm(), InvoiceLineFormSet(instance=Invoice()), None)

    def post(self, request: HttpRequest) -> HttpResponse:
        _operation_or_404()
        form = InvoiceForm(request.POST, request.FILES)
        return self._save(form, InvoiceLineFormSet(request.POST, instance=form.instance), None)


class InvoiceEditView(_InvoicePage, _InvoiceFormPage):
    permission_required = "funding.change_invoice"

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        invoice = self.invoice
        claimed = expenses.is_claimed(invoice)
        form = InvoiceForm(instance=invoice, claimed=claimed)
        return self._render(form, InvoiceLineFormSet(instance=invoice), invoice)

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        invoice = self.invoice
        form = InvoiceForm(request.POST, request.FILES, instance=invoice, claimed=expenses.is_claimed(invoice))
        return self._save(form, InvoiceLineFormSet(request.POST, instance=invoice), invoice)


class InvoiceWithdrawView(_InvoicePage, View):
    """Take an invoice out of the operation (it stays recorded, counted against nothing); refused once claimed."""

    permission_required = "funding.change_invoice"
    template_name = "funding/expenses/invoice_withdraw.html"

    def _render(self, error: str = "", status: int = 200) -> HttpResponse:
        context = {"invoice": self.invoice, "claimed": expenses.is_claimed(self.invoice), "error": error}
        return render(self.request, self.template_name, context, status=status)

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        return self._render()

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        try:
            expenses.invoice_withdraw(actor=request.user, invoice=self.invoice)
        except ValidationError as error:
            return self._render(error=" ".join(error.messages), status=400)
        messages.success(request, _("The invoice %(number)s was withdrawn from the operation.")
                         % {"number": self.invoice.number})  # fmt: skip
        return redirect("funding_expenses:invoice", self.invoice.pk)


# --- The expense lines against their plan ---------------------------------------------------------------------


class LinesView(FundingPermissionMixin, TemplateView):
    """Each expense line: planned, the eligible invoices counted against it, and by how much it is over."""

    permission_required = "funding.view_invoice"
    template_name = "funding/expenses/lines.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        operation = _operation_or_404()
        totals = eligibility.line_totals(operation)
        rows = []
        for line in operation.lines.all():
            invoiced = totals.get(line.pk, 0)
            rows.append({"line": line, "invoiced": invoiced, "remaining": line.planned_amount - invoiced,
                         "over": max(invoiced - line.planned_amount, 0)})  # fmt: skip
        return super().get_context_data(operation=operation, rows=rows, **kwargs)


# --- Public contracts ----------------------------------------------------------------------------------------


class ContractFilter(django_filters.FilterSet):
    q = SearchFilter(label=gettext_lazy("Search"), help_text=gettext_lazy("Number, subject or supplier."),
                     widget=_SEARCH, fields=("number", "subject", "supplier__name"))  # fmt: skip
    procedure = django_filters.ChoiceFilter(label=gettext_lazy("Procedure"), choices=Procedure.choices,
                                            empty_label=gettext_lazy("All"))  # fmt: skip

    class Meta:
        model = PublicContract
        fields = ["q", "procedure"]


class ContractTable(Table):
    caption = gettext_lazy("Public contracts")
    number = tables.TemplateColumn(
        '<a href="{% url \'funding_expenses:contract\' record.pk %}"><bdi translate="no">{{ record.number }}</bdi></a>',
        verbose_name=gettext_lazy("Number"), order_by=("number", "pk"),
    )  # fmt: skip
    subject = tables.Column(verbose_name=gettext_lazy("Subject"), order_by=("subject", "pk"))
    supplier = tables.Column(verbose_name=gettext_lazy("Supplier"), accessor="supplier__name",
                             order_by=("supplier__name", "pk"))  # fmt: skip
    procedure = tables.Column(verbose_name=gettext_lazy("Procedure"), order_by=("procedure", "pk"))
    notified_on = tables.DateColumn(verbose_name=gettext_lazy("Notified on"), short=True,
                                    order_by=("notified_on", "pk"))  # fmt: skip
    amount = tables.TemplateColumn(_MONEY, verbose_name=gettext_lazy("Amount HT"), order_by=("amount", "pk"))

    def render_procedure(self, record: PublicContract) -> str:
        return record.get_procedure_display()


class ContractListView(FundingListView):
    model = PublicContract
    permission_required = "funding.view_publiccontract"
    template_name = "funding/expenses/contract_list.html"
    table_class = ContractTable
    filterset_class = ContractFilter

    def refine_queryset(self, queryset: QuerySet[PublicContract]) -> QuerySet[PublicContract]:
        return queryset.select_related("supplier", "expense_line").order_by("notified_on", "number")


class ContractCsvView(FundingCsvView, ContractListView):
    def csv_response(self, rows: QuerySet[PublicContract]) -> HttpResponse:
        header = [
            _("Contract number"), _("Subject"), _("Supplier"), _("SIRET number"), _("Procedure"),
            _("Why this procedure"), _("Estimated value HT"), _("Notification date"), _("Amount HT"), _("Expense line"),
            _("Estimated value against the thresholds"), _("Procedure warning"),
        ]  # fmt: skip
        lines = (
            [c.number, c.subject, c.supplier.name, c.supplier.siret, c.get_procedure_display(), c.procedure_reason,
             c.estimated_amount, c.notified_on, c.amount, c.expense_line.number if c.expense_line else "",
             *((check.band, check.warning) if (check := procedure_check(c)) else ("", ""))]
            for c in rows
        )  # fmt: skip
        return csv_response([header, *lines], filename=f"marches-feder-{timezone.localdate():%Y-%m-%d}.csv")


class _ContractPage(FundingPermissionMixin):
    scoped_model = PublicContract

    def get_scoped_queryset(self) -> QuerySet[PublicContract]:
        return super().get_scoped_queryset().select_related("supplier", "expense_line", "document", "operation")

    @property
    def contract(self) -> PublicContract:
        return self.scoped_object  # type: ignore[return-value]


class ContractDetailView(_ContractPage, TemplateView):
    permission_required = "funding.view_publiccontract"
    template_name = "funding/expenses/contract_detail.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(summary=expenses.contract_summary(self.contract), contract=self.contract,
                                        procedure_check=procedure_check(self.contract), **kwargs)  # fmt: skip


class _ContractForm(View):
    template_name = "funding/expenses/contract_form.html"
    request: HttpRequest

    def _handle(self, form: ContractForm, contract: PublicContract | None) -> HttpResponse:
        if self.request.method == "POST" and form.is_valid():
            try:
                saved = expenses.contract_save(actor=self.request.user, contract=form.instance,
                                               document_upload=form.cleaned_data.get("signed_copy"))  # fmt: skip
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(self.request, _("The contract %(number)s was saved.") % {"number": saved.number})
                return redirect("funding_expenses:contract", saved.pk)
        status = 400 if self.request.method == "POST" else 200
        return render(self.request, self.template_name, {"form": form, "contract": contract}, status=status)


class ContractCreateView(FundingPermissionMixin, _ContractForm):
    permission_required = "funding.add_publiccontract"

    def get(self, request: HttpRequest) -> HttpResponse:
        return self._handle(ContractForm(operation=_operation_or_404()), None)

    def post(self, request: HttpRequest) -> HttpResponse:
        return self._handle(ContractForm(request.POST, request.FILES, operation=_operation_or_404()), None)


class ContractEditView(_ContractPage, _ContractForm):
    permission_required = "funding.change_publiccontract"

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        contract = self.contract
        return self._handle(ContractForm(instance=contract, operation=contract.operation), contract)

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        contract = self.contract
        form = ContractForm(request.POST, request.FILES, instance=contract, operation=contract.operation)
        return self._handle(form, contract)


class OrderCreateView(_ContractPage, View):
    """A purchase order under a contract."""

    permission_required = "funding.add_purchaseorder"
    template_name = "funding/expenses/order_form.html"

    def _render(self, form: OrderForm, status: int = 200) -> HttpResponse:
        return render(self.request, self.template_name, {"form": form, "contract": self.contract}, status=status)

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        return self._render(OrderForm(contract=self.contract))

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        form = OrderForm(request.POST, contract=self.contract)
        if not form.is_valid():
            return self._render(form, status=400)
        order = expenses.order_save(actor=request.user, order=form.instance)
        messages.success(request, _("The order %(number)s was saved.") % {"number": order.number})
        return redirect("funding_expenses:contract", self.contract.pk)


# --- Suppliers -----------------------------------------------------------------------------------------------


class SupplierFilter(django_filters.FilterSet):
    q = SearchFilter(label=gettext_lazy("Search"), help_text=gettext_lazy("Name or SIRET."), widget=_SEARCH,
                     fields=("name", "siret"))  # fmt: skip

    class Meta:
        model = Supplier
        fields = ["q"]


class SupplierTable(Table):
    caption = gettext_lazy("Suppliers")
    name = tables.Column(verbose_name=gettext_lazy("Name"), order_by=("name", "pk"))
    siret = tables.TemplateColumn('<span translate="no">{{ record.siret|default:"—" }}</span>',
                                  verbose_name=gettext_lazy("SIRET number"), order_by=("siret", "pk"))  # fmt: skip


class SupplierListView(FundingListView):
    model = Supplier
    permission_required = "funding.view_supplier"
    template_name = "funding/expenses/supplier_list.html"
    table_class = SupplierTable
    filterset_class = SupplierFilter

    def refine_queryset(self, queryset: QuerySet[Supplier]) -> QuerySet[Supplier]:
        return queryset.order_by("name", "pk")


class SupplierCreateView(FundingPermissionMixin, View):
    permission_required = "funding.add_supplier"
    template_name = "funding/expenses/supplier_form.html"

    def get(self, request: HttpRequest) -> HttpResponse:
        return render(request, self.template_name, {"form": SupplierForm()})

    def post(self, request: HttpRequest) -> HttpResponse:
        form = SupplierForm(request.POST)
        if not form.is_valid():
            return render(request, self.template_name, {"form": form}, status=400)
        supplier = expenses.supplier_create(actor=request.user, **form.cleaned_data)
        messages.success(request, _("The supplier %(name)s was added.") % {"name": supplier.name})
        return redirect(reverse("funding_expenses:suppliers"))


# --- Supporting documents ------------------------------------------------------------------------------------


class DocumentDownloadView(FundingPermissionMixin, View):
    """The stored file, as it was filed, to funding roles only; each download is in the audit trail."""

    scoped_model = Document
    permission_required = "funding.view_document"

    def get(self, request: HttpRequest, pk: int) -> FileResponse:
        document: Document = self.scoped_object  # type: ignore[assignment]
        try:
            stored = document.file.open("rb")
        except FileNotFoundError as exc:
            raise Http404(_("The file of this document is missing from the storage.")) from exc
        documents.document_read(document=document, actor=request.user)
        response = FileResponse(
            stored, content_type=document.content_type, as_attachment=False, filename=document.original_name
        )
        response["Cache-Control"] = "private, no-store"
        response["X-Content-Type-Options"] = "nosniff"
        return response
