"""The operation as approved (/backoffice/funding/operation/): its identity, its expense lines, its co-financing plan
with the platform's computed shares beside the approved amounts, the amendments' history; and the form finance
uses to record an amendment (funding.operations.amendment_record, the one writer of the plan)."""

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any, cast

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import TemplateView

from funding.models import Amendment, FinancerKind, Operation
from funding.money import ZERO
from funding.operations import AmendmentError, amendment_record
from funding.views.dashboard import VIEW, FundingPageMixin
from sites.models import Agent

ADD_AMENDMENT = "funding.add_amendment"


@dataclass(frozen=True)
class PlanChange:
    label: str
    before: Decimal | None
    after: Decimal | None
    rate_before: Decimal | None = None
    rate_after: Decimal | None = None

    @property
    def changed(self) -> bool:
        return self.before != self.after or self.rate_before != self.rate_after


def _decimal(text: str | None) -> Decimal | None:
    try:
        return None if text is None else Decimal(text)
    except InvalidOperation:
        return None


def amendment_changes(operation: Operation, amendment: Amendment) -> tuple[list[PlanChange], list[PlanChange]]:
    """The plan before → after of an amendment, per expense line and per financer (from its JSON snapshots)."""
    labels = {str(line.number): f"{line.number}. {line.label}" for line in operation.lines.all()}
    names = {f.kind: f.name for f in operation.financers.all()}
    before, after = amendment.before or {}, amendment.after or {}
    line_numbers = sorted({*before.get("lines", {}), *after.get("lines", {})}, key=int)
    lines = [
        PlanChange(labels.get(n, n), _decimal(before.get("lines", {}).get(n)), _decimal(after.get("lines", {}).get(n)))
        for n in line_numbers
    ]
    financers = []
    for kind in dict.fromkeys([*before.get("financers", {}), *after.get("financers", {})]):
        old, new = before.get("financers", {}).get(kind, {}), after.get("financers", {}).get(kind, {})
        financers.append(
            PlanChange(
                names.get(kind) or (str(FinancerKind(kind).label) if kind in FinancerKind.values else kind),
                _decimal(old.get("amount")), _decimal(new.get("amount")),
                _decimal(old.get("rate")), _decimal(new.get("rate")),
            )
        )  # fmt: skip
    return lines, financers


class OperationView(FundingPageMixin, TemplateView):
    permission_required = VIEW
    template_name = "funding/dashboard/operation.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        operation = self.operation
        shares = cast(dict[str, Decimal], operation.shares())
        plan = [
            {"financer": f, "computed": shares[f.kind], "agrees": shares[f.kind] == f.approved_amount}
            for f in operation.financers.all()
        ]
        amendments = [
            (amendment, *amendment_changes(operation, amendment))
            for amendment in operation.amendments.select_related("recorded_by").order_by("-number")
        ]
        return super().get_context_data(
            operation=operation,
            lines=operation.lines.all(),
            total_planned=operation.total_planned,
            plan=plan,
            plan_total=sum((f.approved_amount for f in operation.financers.all()), ZERO),
            computed_total=sum(shares.values(), ZERO),
            rates_total=sum((f.rate for f in operation.financers.all()), Decimal(0)),
            amendments=amendments,
            may_amend=self.request.user.has_perm(ADD_AMENDMENT),
            **kwargs,
        )


class EuroField(forms.DecimalField):
    """An amount in euros as people type it: « 49 200,00 », « 49200,00 » or « 49200.00 »."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(max_digits=12, decimal_places=2, min_value=Decimal(0), localize=True, **kwargs)

    def to_python(self, value: Any) -> Any:
        if isinstance(value, str):
            value = value.replace("\u00a0", "").replace("\u202f", "").replace(" ", "").replace("€", "")
        return super().to_python(value)


class AmendmentForm(forms.Form):
    signed_on = forms.DateField(label=gettext_lazy("Signed on"), widget=forms.DateInput(attrs={"type": "date"}))
    reason = forms.CharField(label=gettext_lazy("Reason"), widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, operation: Operation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.operation = operation
        for line in operation.lines.all():
            self.fields[f"line_{line.number}"] = EuroField(
                label=_("Planned amount of line %(number)s (HT, €): %(label)s")
                % {"number": line.number, "label": line.label},
                initial=line.planned_amount,
            )
        for financer in operation.financers.all():
            self.fields[f"rate_{financer.kind}"] = forms.DecimalField(
                label=_("Rate of %(financer)s (%%)") % {"financer": financer.name},
                max_digits=5, decimal_places=2, min_value=Decimal(0), max_value=Decimal(100), localize=True,
                initial=financer.rate,
            )  # fmt: skip

    def clean_reason(self) -> str:
        reason = str(self.cleaned_data["reason"]).strip()
        if not reason:
            raise ValidationError(_("Give the reason of the amendment."))
        return reason

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        rates = [data.get(f"rate_{f.kind}") for f in self.operation.financers.all()]
        given = [rate for rate in rates if rate is not None]
        if len(given) == len(rates) and sum(given, Decimal(0)) != 100:
            raise ValidationError(
                _("The rates must sum to 100 %% (they sum to %(total)s %%).") % {"total": sum(given, Decimal(0))}
            )
        return data

    def planned_amounts(self) -> dict[int, Decimal]:
        return {line.number: self.cleaned_data[f"line_{line.number}"] for line in self.operation.lines.all()}

    def rates(self) -> dict[str, Decimal]:
        return {f.kind: self.cleaned_data[f"rate_{f.kind}"] for f in self.operation.financers.all()}


class AmendmentCreateView(FundingPageMixin, View):
    """Finance records an avenant: the new plan, its date and reason; the shares are recomputed to the cent."""

    permission_required = ADD_AMENDMENT
    template_name = "funding/dashboard/amendment_form.html"

    def _render(self, form: AmendmentForm) -> HttpResponse:
        return render(self.request, self.template_name, {"form": form, "operation": self.operation})

    def get(self, request: HttpRequest) -> HttpResponse:
        return self._render(AmendmentForm(operation=self.operation))

    def post(self, request: HttpRequest) -> HttpResponse:
        form = AmendmentForm(request.POST, operation=self.operation)
        if not form.is_valid():
            return self._render(form)
        try:
            amendment = amendment_record(
                operation=self.operation, signed_on=form.cleaned_data["signed_on"],
                reason=form.cleaned_data["reason"], planned_amounts=form.planned_amounts(), rates=form.rates(),
                actor=cast(Agent, request.user),
            )  # fmt: skip
        except (AmendmentError, ValidationError) as error:
            form.add_error(None, error.messages if isinstance(error, ValidationError) else str(error))
            return self._render(form)
        messages.success(request, _("Amendment %(number)s recorded.") % {"number": amendment.number})
        return redirect("funding_dashboard:operation")
