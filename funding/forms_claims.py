"""The forms of the payment claims' pages: they parse and bound what is typed; the rules are funding.claims'."""

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from funding.models import ClaimedInvoice, ClaimKind, CutKind

_DATE = {"widget": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}
# Amounts typed the French way (« 12000,50 ») or with a point; shown back with a comma.
_MONEY = {
    "max_digits": 12,
    "decimal_places": 2,
    "localize": True,
    "widget": forms.TextInput(attrs={"inputmode": "decimal"}),
}


class ClaimCreateForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind of claim"), choices=ClaimKind.choices, initial=ClaimKind.INTERIM)
    period_start = forms.DateField(label=_("Expenses paid from"), **_DATE)
    period_end = forms.DateField(label=_("Expenses paid until"), **_DATE)

    def clean(self):
        data = super().clean()
        start, end = data.get("period_start"), data.get("period_end")
        if start and end and end < start:
            self.add_error("period_end", pgettext_lazy("payment claims", "The period must end on or after its start."))
        return data


class SubmitForm(forms.Form):
    submitted_on = forms.DateField(label=_("Sent to the managing authority on"), **_DATE)


class RetainedForm(forms.Form):
    """The retained amount of one invoice of the claim: one such form per invoice on the claim's page, each with
    its own prefix (ids stay unique on the page); the page posts the item's id beside it, unprefixed."""

    retained_amount = forms.DecimalField(label=_("Amount retained HT (€)"), min_value=Decimal(0), **_MONEY)
    cut_kind = forms.ChoiceField(label=_("Kind of cut"), choices=[("", "—"), *CutKind.choices], required=False)
    cut_reason = forms.CharField(
        label=_("Reason for the cut"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, item: ClaimedInvoice | None = None, **kwargs):
        if item is not None:
            kwargs.setdefault("prefix", f"item-{item.pk}")
            kwargs.setdefault(
                "initial",
                {
                    "retained_amount": item.retained_amount
                    if item.retained_amount is not None
                    else item.presented_amount,
                    "cut_kind": item.cut_kind,
                    "cut_reason": item.cut_reason,
                },
            )
        super().__init__(*args, **kwargs)
        self.claim_item = item

    def clean(self):
        data = super().clean()
        item = self.claim_item
        amount = data.get("retained_amount")
        if item is not None and amount is not None:
            if amount > item.presented_amount:
                self.add_error("retained_amount", _("The amount retained cannot exceed the amount presented."))
            elif amount < item.presented_amount:
                if not data.get("cut_kind"):
                    self.add_error("cut_kind", _("Give the kind of the cut."))
                if not (data.get("cut_reason") or "").strip():
                    self.add_error("cut_reason", _("Give the reason for the cut."))
        return data


class PaymentForm(forms.Form):
    amount = forms.DecimalField(label=_("FEDER received (€)"), min_value=Decimal(0), **_MONEY)
    received_on = forms.DateField(label=_("Received on"), **_DATE)


class RecoveryForm(forms.Form):
    item = forms.ModelChoiceField(
        label=pgettext_lazy("payment claims", "Invoice"), queryset=ClaimedInvoice.objects.none()
    )
    decided_on = forms.DateField(label=_("Decided on"), **_DATE)
    retained_change = forms.DecimalField(
        label=_("Retained expense taken back HT (€)"),
        min_value=Decimal("0.01"),
        help_text=_("The amount the correction takes back from the retained expense, e.g. 1200.00."),
        **_MONEY,
    )
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, claim, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["item"].queryset = claim.items.select_related("invoice__supplier")
        self.fields["item"].label_from_instance = lambda item: str(item.invoice)
