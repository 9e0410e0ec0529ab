"""The programme's mediation figures in the back-office, and their CSV and XLSX exports: all three read
mediation.figures.mediation_figures with the same filters, so the files hold exactly the page's figures.

Scoped like every back-office page: the MDS and sites offered are the agent's (Mds/Site.objects.visible_to), and the
figures are computed over those MDS only; a département-wide role (programme staff) sees every MDS. Only counts
are shown and exported — no person —, so an export leaves no personal-data audit entry.
"""

from typing import Any, cast

from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponseBadRequest
from django.http.response import HttpResponseBase
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from core.csv import csv_response
from core.permissions import ScopedPermissionRequiredMixin
from core.xlsx import xlsx_response
from mediation.figures import GroupBy, MediationFigures, mediation_figures
from mediation.forms_figures import FiguresFilterForm
from sites.models import Agent, Mds
from wifi import charts

# Mediators, MDS managers, programme staff and admins read the activity records (mediation.apps): their figures too.
PERMISSION = "mediation.view_activity"


def _read(request: HttpRequest) -> tuple[FiguresFilterForm, MediationFigures | None]:
    """The filters of the request, and the figures they ask for (None when a filter is refused)."""
    agent = cast(Agent, request.user)  # signed in: the mixin's dispatch sends anyone else to the sign-in page
    form = FiguresFilterForm(request.GET, agent=agent)
    if not form.is_valid():
        return form, None
    data = form.cleaned_data
    scope: QuerySet[Mds] = Mds.objects.visible_to(agent)
    if data["mds"] is not None:
        scope = scope.filter(pk=data["mds"].pk)
    if data["site"] is not None:
        scope = scope.filter(pk=data["site"].mds_id)
    figures = mediation_figures(
        mds_scope=scope,
        first_month=data["first_month"],
        last_month=data["last_month"],
        group_by=data["group_by"],
        site=data["site"],
        # Online trainings of no MDS belong to everyone: counted for whoever sees every MDS and looks at them all.
        trainings_without_mds=agent.sees_every_mds and data["mds"] is None,
    )
    return form, figures


# (attribute of Figures, chart title, unit); training hours have no theme.
_CHARTED = (
    ("participants", lambda: _("Workshop participants"), ""),
    ("accompaniments", lambda: _("Accompaniments"), ""),
    ("training_hours", lambda: _("Agent training hours"), " h"),
)


def figures_charts(figures: MediationFigures) -> list[charts.Chart]:
    """A bar chart per main measure, a bar per row; the table below them is their accessible alternative."""
    period = _("from %(first)s to %(last)s") % {
        "first": date_format(figures.first_month, "YEAR_MONTH_FORMAT"),
        "last": date_format(figures.last_month, "YEAR_MONTH_FORMAT"),
    }
    result = []
    for attribute, title, unit in _CHARTED:
        if figures.group_by == GroupBy.THEME and attribute == "training_hours":
            continue
        # The period is the page's, said above the charts; the <desc> repeats it for a screen reader.
        full_title = _("%(what)s per %(group)s") % {"what": title(), "group": figures.group_header.lower()}
        bars = [(row.label, getattr(row.figures, attribute)) for row in figures.rows]
        description = _("%(summary)s The table below gives every figure.") % {
            "summary": charts.describe([v for _label, v in bars], what=str(title()), unit=unit, period=period)
        }
        result.append(
            charts.Chart(
                title=full_title,
                svg=charts.bar_chart(
                    chart_id=f"figures-{attribute}", title=full_title, description=description, bars=bars, unit=unit
                ),
            )
        )
    return result


class _CanSeeFigures(ScopedPermissionRequiredMixin):
    """Signed in first (the sign-in page), then the permission in at least one role (403)."""

    permission_required = PERMISSION


class FiguresView(_CanSeeFigures, TemplateView):
    template_name = "mediation/backoffice/figures.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        form, figures = _read(self.request)
        query = self.request.GET.copy()
        query.pop("format", None)
        if figures is not None:  # the period shown, written in the links (the default one included)
            query.update({"first_month": f"{figures.first_month:%Y-%m}", "last_month": f"{figures.last_month:%Y-%m}",
                          "group_by": figures.group_by})  # fmt: skip
        return super().get_context_data(
            form=form,
            figures=figures,
            charts=figures_charts(figures) if figures is not None else [],
            export_query=query.urlencode(),
            **kwargs,
        )


class FiguresExportView(_CanSeeFigures, View):
    """The page's table as a file: CSV (the default, through core.csv) or XLSX (`?format=xlsx`)."""

    def get(self, request: HttpRequest) -> HttpResponseBase:
        _form, figures = _read(request)
        if figures is None:
            return HttpResponseBadRequest(_("Choose an MDS and a site among yours and a period of months (YYYY-MM)."))
        name = f"mediation-{figures.group_by}-{figures.first_month:%Y-%m}-{figures.last_month:%Y-%m}"
        if request.GET.get("format") == "xlsx":
            return xlsx_response(figures.table(), filename=f"{name}.xlsx", sheet_title=_("Mediation figures"))
        return csv_response(figures.table(), filename=f"{name}.csv")
