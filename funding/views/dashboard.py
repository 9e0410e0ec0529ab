"""The FEDER dashboard, /backoffice/funding/: planned, realised and retained per expense line and in total, the
progress rates, the FEDER approved, due, received and remaining, the balance, the paid expense not yet claimed, the
indicators, and the slots other areas fill (funding.dashboard). Every amount comes from funding.figures
(operation_figures), which the claim pages and the exports read too: none of them recomputes a figure.

Funding pages are for département-wide roles (finance, programme, admin): `FundingPageMixin` refuses an agent who
holds a role at one MDS only, even if a permission was given to them by hand.
"""

from typing import Any, cast

from django.conf import settings
from django.db.models import Prefetch
from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.generic import TemplateView

from core.permissions import ScopedPermissionRequiredMixin
from funding import charts
from funding.dashboard import panels_for
from funding.figures import LineFigures, OperationFigures, operation_figures
from funding.indicators import operation_indicators
from funding.models import ExpenseLine, Financer, Operation
from funding.templatetags.funding_dashboard import euros_text, percent_text
from sites.models import Agent

VIEW = "funding.view_operation"


def current_operation() -> Operation | None:
    """The platform's FEDER operation (one per deployment: `load_feder_operation`), its lines and financers loaded."""
    return (
        Operation.objects.prefetch_related(
            Prefetch("lines", queryset=ExpenseLine.objects.order_by("number")),
            Prefetch("financers", queryset=Financer.objects.order_by("position")),
        )
        .order_by("pk")
        .first()
    )


class FundingPageMixin(ScopedPermissionRequiredMixin):
    """Signed in, a département-wide role, the permission (else 403); then the operation (else a page saying how
    to load it)."""

    operation: Operation

    def has_permission(self) -> bool:
        # Belt and braces: funding data is the whole département's, never one MDS's.
        return cast(Agent, self.request.user).sees_every_mds and super().has_permission()

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not request.user.is_authenticated or not self.has_permission():
            return super().dispatch(request, *args, **kwargs)  # the sign-in page or 403
        operation = current_operation()
        if operation is None:
            # A page that says how to load it, not an error: the menu offers the dashboard before the data is loaded.
            return render(request, "funding/dashboard/no_operation.html")
        self.operation = operation
        return super().dispatch(request, *args, **kwargs)


def amounts_charts(figures: OperationFigures) -> list[charts.Chart]:
    """Planned, realised and retained per line and in total; the FEDER approved, due, received and remaining."""
    planned, realised, retained = (pgettext("amount", "Planned"), pgettext("amount", "Realised"),
                                  pgettext("amount", "Retained"))  # fmt: skip

    def group(label: str, item: LineFigures | OperationFigures) -> charts.BarGroup:
        return charts.BarGroup(
            label,
            [charts.Bar(planned, item.planned, "planned"), charts.Bar(realised, item.realised, "realised"),
             charts.Bar(retained, item.retained, "retained")],
        )  # fmt: skip

    groups = [group(f"{line.number}. {line.label}", line) for line in figures.lines] + [group(_("Total"), figures)]
    title = _("Planned, realised and retained amounts per expense line")
    description = _(
        "In total: planned %(planned)s, realised %(realised)s (progress %(realised_rate)s), retained %(retained)s "
        "(progress %(retained_rate)s). The table below gives every figure."
    ) % {
        "planned": euros_text(figures.planned),
        "realised": euros_text(figures.realised),
        "realised_rate": percent_text(figures.realised_progress),
        "retained": euros_text(figures.retained),
        "retained_rate": percent_text(figures.retained_progress),
    }
    feder_title = _("FEDER: approved, due, received and remaining")
    feder_description = _(
        "FEDER approved %(approved)s, due %(due)s, received %(received)s, remaining to receive %(remaining)s; "
        "balance %(balance)s. The table below gives every figure."
    ) % {
        "approved": euros_text(figures.feder_approved),
        "due": euros_text(figures.feder_due),
        "received": euros_text(figures.feder_received),
        "remaining": euros_text(figures.feder_remaining),
        "balance": euros_text(figures.balance),
    }
    feder = charts.BarGroup(
        _("FEDER"),
        [charts.Bar(_("Approved"), figures.feder_approved, "planned"), charts.Bar(_("Due"), figures.feder_due, "due"),
         charts.Bar(_("Received"), figures.feder_received, "received"),
         charts.Bar(_("Remaining to receive"), figures.feder_remaining, "remaining")],
    )  # fmt: skip
    return [
        charts.Chart(title, charts.amounts_chart(chart_id="funding-amounts", title=title, description=description,
                                                 groups=groups)),
        charts.Chart(feder_title, charts.amounts_chart(chart_id="funding-feder", title=feder_title,
                                                       description=feder_description, groups=[feder])),
    ]  # fmt: skip


class DashboardView(FundingPageMixin, TemplateView):
    permission_required = VIEW
    template_name = "funding/dashboard/dashboard.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        figures = operation_figures(self.operation)
        indicators = operation_indicators(self.operation)
        threshold = settings.FUNDING_INTERIM_CLAIM_THRESHOLD
        return super().get_context_data(
            operation=self.operation,
            figures=figures,
            charts=amounts_charts(figures),
            indicators=indicators,
            period=_("from %(first)s to %(last)s") % {
                "first": date_format(indicators.first_month, "YEAR_MONTH_FORMAT"),
                "last": date_format(indicators.last_month, "YEAR_MONTH_FORMAT"),
            },
            threshold=threshold,
            threshold_reached=figures.paid_not_claimed >= threshold,
            slots=panels_for(self.operation),
            **kwargs,
        )  # fmt: skip
