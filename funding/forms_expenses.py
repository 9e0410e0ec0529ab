"""The expense forms: a supplier, a public contract, an order, an invoice and its lines.

Amounts are typed the French way (« 1 234,56 »: localized fields). The rules that a service repeats are checked
here first only to show their message next to the field (funding.expenses is the last word).
"""

import re

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Layout, Row
from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core.forms import LaidOutInlineFormSet
from funding import expenses
from funding.documents import MAX_SIZE, check_upload
from funding.models import ExpenseLine, Invoice, InvoiceLine, PublicContract, PurchaseOrder, Supplier
from funding.money import to_cents

_DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
_PDF = forms.ClearableFileInput(attrs={"accept": "application/pdf,.pdf"})
_MONEY_HELP = _("In euros, e.g. 1 234,56.")


class MoneyField(forms.DecimalField):
    """An amount typed as people write it: « 1 234,56 » (spaces between the thousands, a decimal comma)."""

    def __init__(self, **kwargs):
        kwargs["localize"] = True
        super().__init__(**kwargs)
        self.widget.attrs.setdefault("inputmode", "decimal")

    def to_python(self, value):
        if isinstance(value, str):
            value = re.sub(r"[\s\u00a0\u202f]", "", value)
        return super().to_python(value)


def _helper() -> FormHelper:
    helper = FormHelper()
    helper.form_tag = False
    helper.disable_csrf = True
    return helper


def _checked_pdf(form: forms.Form, name: str):
    """The uploaded PDF, its first bytes and size checked now, so that the message shows next to the field."""
    uploaded = form.cleaned_data.get(name)
    if uploaded:
        check_upload(uploaded)
    return uploaded


def _pdf_field(label) -> forms.FileField:
    return forms.FileField(
        label=label,
        required=False,
        widget=_PDF,
        help_text=_("A PDF of at most %(max)s MB. It is kept unchanged; a new file is filed as a new document.")
        % {"max": MAX_SIZE // 1024 // 1024},
    )


class SupplierForm(forms.ModelForm):
    class Meta:
        model = Supplier
        fields = ["name", "siret"]
        labels = {"name": _("Supplier name"), "siret": _("SIRET number")}
        help_texts = {"siret": _("Optional: the 14 digits, spaces allowed.")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Typed with its spaces (« 123 456 789 00012 »): the length is checked once they are taken off.
        self.fields["siret"].max_length = 20
        self.fields["siret"].validators = []
        self.fields["siret"].widget.attrs.update({"inputmode": "numeric", "maxlength": 20, "autocomplete": "off"})
        self.helper = _helper()

    def clean_siret(self) -> str:
        siret = re.sub(r"\s", "", self.cleaned_data["siret"] or "")
        if siret and not re.fullmatch(r"\d{14}", siret):
            raise ValidationError(_("A SIRET number has exactly 14 digits."), code="siret_digits")
        return siret


class ContractForm(forms.ModelForm):
    signed_copy = _pdf_field(_("The contract (PDF)"))

    class Meta:
        model = PublicContract
        fields = [
            "number", "subject", "supplier", "procedure", "estimated_amount", "procedure_reason", "notified_on",
            "amount", "expense_line",
        ]  # fmt: skip
        field_classes = {"estimated_amount": MoneyField, "amount": MoneyField}
        widgets = {"notified_on": _DATE, "procedure_reason": forms.Textarea(attrs={"rows": 3})}
        labels = {
            "number": _("Contract number"), "subject": _("Subject"), "supplier": _("Supplier"),
            "procedure": _("Procedure"), "estimated_amount": _("Estimated value HT"),
            "procedure_reason": _("Why this procedure"), "notified_on": _("Notification date"),
            "amount": _("Amount HT"), "expense_line": _("Expense line"),
        }  # fmt: skip
        help_texts = {
            "procedure_reason": _(
                "The estimated value against the thresholds in force, the lots, the urgency: what a controller needs "
                "to see that this procedure was the right one."
            )
        }

    def __init__(self, *args, operation, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.operation = operation
        self.fields["expense_line"].queryset = ExpenseLine.objects.filter(operation=operation)
        for name in ("estimated_amount", "amount"):
            self.fields[name].help_text = _MONEY_HELP
        self.fields["estimated_amount"].help_text = _(
            "The value estimated before the procedure, compared with the thresholds in force (in euros HT)."
        )
        self.helper = _helper()

    def clean_signed_copy(self):
        return _checked_pdf(self, "signed_copy")


class OrderForm(forms.ModelForm):
    class Meta:
        model = PurchaseOrder
        fields = ["number", "ordered_on", "amount"]
        field_classes = {"amount": MoneyField}
        widgets = {"ordered_on": _DATE}
        labels = {"number": _("Order number"), "ordered_on": _("Order date"), "amount": _("Amount HT")}

    def __init__(self, *args, contract, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.contract = contract
        self.helper = _helper()


class InvoiceForm(forms.ModelForm):
    pdf = _pdf_field(_("The invoice (PDF)"))

    class Meta:
        model = Invoice
        fields = [
            "supplier", "number", "issued_on", "amount_excl_vat", "vat", "amount_incl_vat", "eligible_amount",
            "expense_line", "contract", "order", "paid_on", "payment_reference",
        ]  # fmt: skip
        field_classes = dict.fromkeys(("amount_excl_vat", "vat", "amount_incl_vat", "eligible_amount"), MoneyField)
        widgets = {"issued_on": _DATE, "paid_on": _DATE}
        labels = {
            "supplier": _("Supplier"), "number": _("Invoice number"), "issued_on": _("Invoice date"),
            "amount_excl_vat": _("Amount HT"), "vat": _("VAT amount"), "amount_incl_vat": _("Amount TTC"),
            "eligible_amount": _("Eligible amount HT"), "expense_line": _("Expense line"),
            "contract": _("Public contract"), "order": pgettext_lazy("purchase order", "Order"),
            "paid_on": _("Payment date"), "payment_reference": _("Payment reference"),
        }  # fmt: skip
        help_texts = {
            "eligible_amount": _("The part of the amount HT the operation pays for (all of it, usually)."),
            "payment_reference": _("The mandate number of the payment, as the accounting software gives it."),
            "paid_on": _("Left empty until the invoice is paid."),
        }

    def __init__(self, *args, claimed: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["expense_line"].queryset = ExpenseLine.objects.select_related("operation").order_by(
            "operation", "number"
        )
        self.fields["contract"].queryset = PublicContract.objects.order_by("number")
        self.fields["order"].queryset = PurchaseOrder.objects.select_related("contract").order_by(
            "contract__number", "number"
        )
        self.fields["order"].label_from_instance = lambda order: f"{order.contract.number} / {order.number}"
        for name in ("amount_excl_vat", "vat", "amount_incl_vat"):
            self.fields[name].help_text = _MONEY_HELP
        self.claimed = claimed
        if claimed:  # presented in a claim: shown, not changeable (funding.expenses refuses it anyway)
            for name in ("amount_excl_vat", "vat", "amount_incl_vat", "eligible_amount", "expense_line"):
                self.fields[name].disabled = True
                self.fields[name].help_text = _("In a payment claim: kept as presented.")
        self.helper = _helper()
        self.helper.layout = Layout(
            Row(Column("supplier", css_class="col-12 col-md-6"), Column("number", css_class="col-6 col-md-3"),
                Column("issued_on", css_class="col-6 col-md-3")),
            Row(Column("amount_excl_vat", css_class="col-12 col-sm-4"), Column("vat", css_class="col-12 col-sm-4"),
                Column("amount_incl_vat", css_class="col-12 col-sm-4")),
            Row(Column("eligible_amount", css_class="col-12 col-md-6"),
                Column("expense_line", css_class="col-12 col-md-6")),
            Row(Column("contract", css_class="col-12 col-md-6"), Column("order", css_class="col-12 col-md-6")),
            Row(Column("paid_on", css_class="col-12 col-md-6"),
                Column("payment_reference", css_class="col-12 col-md-6")),
            "pdf",
        )  # fmt: skip

    def clean(self):
        data = super().clean()
        order, contract = data.get("order"), data.get("contract")
        if order is not None:
            if contract is None:
                data["contract"] = self.instance.contract = order.contract
            elif order.contract_id != contract.pk:
                self.add_error("order", _("This order is not under the chosen contract."))
        if data.get("paid_on") and not data.get("payment_reference"):
            self.add_error("payment_reference", _("Give the payment reference (mandate number) of a paid invoice."))
        if not data.get("paid_on") and data.get("payment_reference"):
            self.add_error("paid_on", _("Give the payment date that goes with this payment reference."))
        try:
            expenses.check_amounts(self.instance_with(data), None)
        except ValidationError as error:
            for field, messages in error.error_dict.items():
                for message in messages:
                    if field not in self.errors:
                        self.add_error(field, message)
        return data

    def clean_pdf(self):
        return _checked_pdf(self, "pdf")

    def instance_with(self, data) -> Invoice:
        return Invoice(**{name: data.get(name) for name in ("amount_excl_vat", "vat", "amount_incl_vat")})


class InvoiceLineForm(forms.ModelForm):
    class Meta:
        model = InvoiceLine
        fields = ["description", "kind", "quantity", "unit_price", "amount"]
        localized_fields = ["quantity"]
        field_classes = {"unit_price": MoneyField, "amount": MoneyField}
        labels = {
            "description": _("Description"), "kind": _("Kind of item"), "quantity": _("Quantity"),
            "unit_price": _("Unit price HT"), "amount": _("Amount HT"),
        }  # fmt: skip

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["amount"].required = False
        self.fields["amount"].help_text = _("Left empty: quantity × unit price.")
        self.helper = _helper()
        self.set_layout()

    def set_layout(self):
        columns = [
            Column("description", css_class="col-12 col-md-4"),
            Column("kind", css_class="col-12 col-md-2"),
            Column("quantity", css_class="col-4 col-md-1"),
            Column("unit_price", css_class="col-8 col-md-2"),
            Column("amount", css_class="col-12 col-md-2"),
        ]
        if "DELETE" in self.fields:
            columns.append(Column("DELETE", css_class="col-12 col-md-1 align-self-center"))
        self.helper.layout = Layout(Row(*columns))

    def clean(self):
        data = super().clean()
        if data.get("amount") is None and data.get("quantity") is not None and data.get("unit_price") is not None:
            data["amount"] = to_cents(data["quantity"] * data["unit_price"])
            self.instance.amount = data["amount"]
        elif data.get("amount") is None and not self.errors:
            self.add_error("amount", _("Give the amount, or the quantity and the unit price."))
        return data


InvoiceLineFormSet = forms.inlineformset_factory(
    Invoice,
    InvoiceLine,
    form=InvoiceLineForm,
    formset=LaidOutInlineFormSet,
    extra=1,
    can_delete=True,
    max_num=200,
    validate_max=True,
)
