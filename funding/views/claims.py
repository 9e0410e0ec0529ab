"""The payment claims' pages: the list, a new claim, a claim with its expense statement and the actions of its
status, and the statement's exports (CSV, XLSX, PDF) — page and files read the same selector
(funding.statement.claim_statement), the follow-up figures the same funding.figures.operation_figures.

For département-wide roles only (finance enters, programme staff validate, admins): an agent of one MDS holds
no funding permission (403 on the lists) and sees no claim (404 on a claim's pages, as for any object that is
not theirs). Views are thin: a form parses, a service of funding.claims decides and writes.
"""

from datetime import timedelta
from typing import Any, cast

from django.conf import settings
from django.contrib import messages
from django.db.models import QuerySet, Sum
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import FormView, TemplateView

from core.csv import csv_response, safe_filename
from core.xlsx import EURO_FORMAT, xlsx_response
from funding import claims
from funding.access import FundingPermissionMixin
from funding.figures import operation_figures
from funding.forms_claims import ClaimCreateForm, PaymentForm, RecoveryForm, RetainedForm, SubmitForm
from funding.models import ClaimKind, ClaimStatus, Operation, PaymentClaim
from funding.statement import claim_statement, claim_title, euros
from funding.statement_pdf import statement_pdf
from sites.models import Agent


def _operation() -> Operation:
    """The operation the platform follows (one per deployment: it is loaded from its data file)."""
    operation = Operation.objects.order_by("pk").first()
    if operation is None:
        raise Http404(_("No FEDER operation is loaded."))
    return operation


class _ClaimsPage(FundingPermissionMixin):
    """Signed in, then the permission held in a département-wide role: claims belong to no MDS."""

    permission_required = "funding.view_paymentclaim"


class _ClaimPage(_ClaimsPage):
    """A claim's page: looked up among the claims the agent sees — every claim for a département-wide role, none
    for an agent of one MDS (a 404, as for any object that is not theirs)."""

    scoped_model = PaymentClaim

    def funding_queryset(self) -> QuerySet[PaymentClaim]:
        return PaymentClaim.objects.select_related("operation", "entered_by", "validated_by")

    @property
    def claim(self) -> PaymentClaim:
        return cast(PaymentClaim, self.scoped_object)


class ClaimListView(_ClaimsPage, TemplateView):
    """The operation's claims (a handful over its life: no paging), and whether the next one is worth sending."""

    template_name = "funding/claims/list.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        operation = Operation.objects.order_by("pk").first()
        context: dict[str, Any] = {"operation": operation}
        if operation is not None:
            figures = operation_figures(operation)
            threshold = settings.FUNDING_INTERIM_CLAIM_THRESHOLD
            context |= {
                "claims": operation.claims.select_related("entered_by", "validated_by")
                .annotate(presented=Sum("items__presented_amount"), retained=Sum("items__retained_amount"))
                .order_by("number"),
                "figures": figures,
                "threshold": threshold,
                "threshold_reached": figures.paid_not_claimed >= threshold,
                "next_date": claims.next_claim_date(timezone.localdate()),
            }
        return super().get_context_data(**context, **kwargs)


class ClaimCreateView(_ClaimsPage, FormView):
    permission_required = "funding.add_paymentclaim"
    template_name = "funding/claims/create.html"
    form_class = ClaimCreateForm

    def get_initial(self) -> dict[str, Any]:
        operation = _operation()
        last = operation.claims.order_by("-number").first()
        start = last.period_end + timedelta(days=1) if last else operation.execution_start
        return {"period_start": start, "period_end": min(timezone.localdate(), operation.execution_end)}

    def form_valid(self, form: ClaimCreateForm) -> HttpResponse:
        data = form.cleaned_data
        try:
            claim = claims.claim_create(
                operation=_operation(),
                kind=data["kind"],
                period_start=data["period_start"],
                period_end=data["period_end"],
                actor=cast(Agent, self.request.user),
            )
        except claims.ClaimError as exc:
            form.add_error(None, str(exc))
            return self.form_invalid(form)
        messages.success(
            self.request,
            _("%(claim)s entered with %(count)s invoices. Another person now validates it.")
            % {"claim": claim_title(claim), "count": claim.items.count()},
        )
        return redirect("funding_claims:detail", pk=claim.pk)


def claim_page_context(claim: PaymentClaim, agent: Agent, **forms: Any) -> dict[str, Any]:
    """What the claim's page shows, and the forms of the actions its status allows (bound ones kept)."""
    statement = claim_statement(claim)
    figures = operation_figures(claim.operation)
    actions = {
        "can_validate": claim.status == ClaimStatus.DRAFT
        and agent.has_perm(claims.VALIDATE_PERMISSION)
        and claim.entered_by_id != agent.pk,
        "can_change": agent.has_perm("funding.change_paymentclaim"),
    }
    retained_forms = []
    if claim.status in (ClaimStatus.SUBMITTED, ClaimStatus.INSTRUCTED) and actions["can_change"]:
        bound = forms.pop("retained_form", None)
        for row in statement.rows:
            if bound is not None and bound.claim_item.pk == row.item.pk:
                retained_forms.append((row, bound))
            else:
                retained_forms.append((row, RetainedForm(item=row.item)))
    return {
        "claim": claim,
        "statement": statement,
        "figures": figures,
        "is_final": claim.kind == ClaimKind.FINAL,
        "retained_forms": retained_forms,
        "submit_form": forms.get("submit_form") or SubmitForm(initial={"submitted_on": timezone.localdate()}),
        "payment_form": forms.get("payment_form") or PaymentForm(initial={"received_on": timezone.localdate()}),
        "recovery_form": forms.get("recovery_form") or RecoveryForm(claim=claim),
        "recoveries": claim.recoveries.select_related("invoice__supplier", "recorded_by"),
        "can_record_recovery": agent.has_perm("funding.add_recovery"),
        **actions,
    }


class ClaimDetailView(_ClaimPage, TemplateView):
    template_name = "funding/claims/detail.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(**claim_page_context(self.claim, cast(Agent, self.request.user)), **kwargs)


class _ClaimAction(_ClaimPage, View):
    """A POST from the claim's page: a form, then a service; a refusal is shown on the page, in its words."""

    http_method_names = ["post"]
    form_name = ""

    def form(self, request: HttpRequest) -> Any:
        raise NotImplementedError

    def act(self, form: Any, agent: Agent) -> str:
        """Call the service; the success message."""
        raise NotImplementedError

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        agent = cast(Agent, request.user)
        form = self.form(request)
        if form is not None and not form.is_valid():
            return self.invalid(form)
        try:
            message = self.act(form, agent)
        except claims.ClaimError as exc:
            if form is None:
                messages.error(request, str(exc))
                return redirect("funding_claims:detail", pk=self.claim.pk)
            form.add_error(None, str(exc))
            return self.invalid(form)
        messages.success(request, message)
        return redirect("funding_claims:detail", pk=self.claim.pk)

    def invalid(self, form: Any) -> HttpResponse:
        context = claim_page_context(self.claim, cast(Agent, self.request.user), **{self.form_name: form})
        return render(self.request, "funding/claims/detail.html", context, status=400)


class ClaimValidateView(_ClaimAction):
    permission_required = "funding.validate_paymentclaim"

    def form(self, request: HttpRequest) -> None:
        return None

    def act(self, form: None, agent: Agent) -> str:
        claims.claim_validate(claim=self.claim, actor=agent)  # PermissionDenied (403) without the permission
        return _("The claim is validated.")


class ClaimSubmitView(_ClaimAction):
    permission_required = "funding.change_paymentclaim"
    form_name = "submit_form"

    def form(self, request: HttpRequest) -> SubmitForm:
        return SubmitForm(request.POST)

    def act(self, form: SubmitForm, agent: Agent) -> str:
        claims.claim_submit(claim=self.claim, submitted_on=form.cleaned_data["submitted_on"], actor=agent)
        return _("The claim is recorded as sent to the managing authority.")


class ClaimRetainedView(_ClaimAction):
    permission_required = "funding.change_claimedinvoice"
    form_name = "retained_form"

    def form(self, request: HttpRequest) -> RetainedForm:
        try:
            item = self.claim.items.select_related("invoice__supplier").get(pk=int(request.POST.get("item", "")))
        except (ValueError, self.claim.items.model.DoesNotExist) as exc:
            raise Http404 from exc
        return RetainedForm(request.POST, item=item)

    def act(self, form: RetainedForm, agent: Agent) -> str:
        data = form.cleaned_data
        claims.claim_record_retained(
            claim=self.claim,
            retained={form.claim_item: (data["retained_amount"], data["cut_kind"], data["cut_reason"])},
            actor=agent,
        )
        return _("The amount retained of invoice %(invoice)s is recorded.") % {"invoice": form.claim_item.invoice}


class ClaimPaymentView(_ClaimAction):
    permission_required = "funding.change_paymentclaim"
    form_name = "payment_form"

    def form(self, request: HttpRequest) -> PaymentForm:
        return PaymentForm(request.POST)

    def act(self, form: PaymentForm, agent: Agent) -> str:
        claims.claim_record_payment(
            claim=self.claim, amount=form.cleaned_data["amount"], received_on=form.cleaned_data["received_on"],
            actor=agent,
        )  # fmt: skip
        return _("The FEDER received is recorded: the claim no longer changes.")


class RecoveryCreateView(_ClaimAction):
    permission_required = "funding.add_recovery"
    form_name = "recovery_form"

    def form(self, request: HttpRequest) -> RecoveryForm:
        return RecoveryForm(request.POST, claim=self.claim)

    def act(self, form: RecoveryForm, agent: Agent) -> str:
        data = form.cleaned_data
        recovery = claims.recovery_record(
            claim=self.claim,
            invoice=data["item"].invoice,
            decided_on=data["decided_on"],
            retained_change=-data["retained_change"],
            reason=data["reason"],
            actor=agent,
        )
        return _("The recovery is recorded: %(feder)s of FEDER to repay.") % {"feder": euros(-recovery.feder_change)}


class StatementExportView(_ClaimPage, View):
    """The expense statement as a file: CSV (the default, through core.csv), `?format=xlsx` or `?format=pdf` — one
    URL, so that the project-wide scoping test reaches every format."""

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        statement = claim_statement(self.claim)
        name = f"etat-recapitulatif-demande-{self.claim.number}"
        file_format = request.GET.get("format", "csv")
        if file_format == "xlsx":
            return xlsx_response(
                statement.table(), filename=f"{name}.xlsx", sheet_title=_("Expense statement"),
                decimal_format=EURO_FORMAT,
            )  # fmt: skip
        if file_format == "pdf":
            response = HttpResponse(statement_pdf(statement), content_type="application/pdf")
            response["Content-Disposition"] = content_disposition_header(
                True, safe_filename(name).removesuffix(".csv") + ".pdf"
            )
            response["Cache-Control"] = "no-store"
            return response
        return csv_response(statement.table(), filename=f"{name}.csv")
