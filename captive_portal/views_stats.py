"""The captive portal's usage statistics in the back-office, and their CSV: both read stats.portal_stats.

Scoped like every back-office page: a per-MDS agent sees the sites of their MDS, a département-wide
role every site. Only counts are shown — never a MAC, an IP or a device hash.
"""

import datetime

from django.http import HttpResponseBadRequest
from django.utils.dates import WEEKDAYS
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from captive_portal import stats
from captive_portal.forms_stats import StatsPeriodForm
from core.csv import csv_response
from core.permissions import ScopedPermissionRequiredMixin
from wifi import charts

PERMISSION = "captive_portal.view_portalstatshourly"


class _CanSeeStats(ScopedPermissionRequiredMixin):
    """Signed in first (redirect to sign-in), then the permission in at least one role (403)."""

    permission_required = PERMISSION


def _read(request) -> tuple[StatsPeriodForm, stats.PortalStats | None]:
    form = StatsPeriodForm(request.GET, agent=request.user)
    if not form.is_valid():
        return form, None
    data = form.cleaned_data
    report = stats.portal_stats(request.user, first_day=data["first_day"], last_day=data["last_day"], site=data["site"])
    return form, report


# (attribute of stats.Counts, title)
_DAY_MEASURES = (
    ("connections", lambda: _("Connections per day")),
    ("new_devices", lambda: _("Devices on their first visit of the month, per day")),
    ("returning_devices", lambda: _("Returning devices per day")),
)


def day_charts(report: stats.PortalStats) -> list[charts.Chart]:
    """One line chart per measure, a point per day (drawn at midday, Paris time), through wifi.charts; none for
    a period without a connection (the page says so in a sentence rather than drawing flat lines)."""
    if not any(d.counts.connections or d.counts.new_devices or d.counts.returning_devices for d in report.days):
        return []
    starts_at, ends_at = stats.period_bounds(report.first_day, report.last_day)
    # Through the localisation, as everywhere dates are read: "1 novembre 2026 to 30 novembre 2026" in French.
    period = _("%(first)s to %(last)s") % {"first": date_format(report.first_day, "DATE_FORMAT"),
                                           "last": date_format(report.last_day, "DATE_FORMAT")}  # fmt: skip
    result = []
    for attribute, title in _DAY_MEASURES:
        points = [
            (datetime.datetime.combine(d.day, datetime.time(12), tzinfo=starts_at.tzinfo), getattr(d.counts, attribute))
            for d in report.days
        ]
        full_title = str(title())
        result.append(
            charts.Chart(
                title=full_title,
                svg=charts.line_chart(
                    chart_id=f"portal-{attribute}",
                    title=full_title,
                    description=charts.describe([v for _at, v in points], what=full_title, unit="", period=period),
                    starts_at=starts_at,
                    ends_at=ends_at,
                    points=points,
                    tick_format="d/m",
                    dots=len(points) <= 31,
                ),
            )
        )
    return result


class StatsView(_CanSeeStats, TemplateView):
    template_name = "captive_portal/backoffice/stats.html"

    def get_context_data(self, **kwargs):
        form, report = _read(self.request)
        query = self.request.GET.copy()
        query.pop("table", None)
        if form.is_valid():
            query.update({"first_day": report.first_day.isoformat(), "last_day": report.last_day.isoformat()})
        return super().get_context_data(
            form=form,
            report=report,
            charts=day_charts(report) if report else [],
            week=[(WEEKDAYS[i], row) for i, row in enumerate(report.week_hours)] if report else [],
            busiest=[(WEEKDAYS[d], h, n) for d, h, n in report.busiest_hours] if report else [],
            hours=range(24),
            csv_query=query.urlencode(),
            **kwargs,
        )


class StatsCsvView(_CanSeeStats, View):
    def get(self, request):
        form, report = _read(request)
        if report is None:
            return HttpResponseBadRequest(_("Give a period of at most one year, as YYYY-MM-DD dates."))
        table = form.cleaned_data["table"] or stats.CsvTable.DAILY
        name = f"portal-{table}-{report.first_day:%Y-%m-%d}-{report.last_day:%Y-%m-%d}.csv"
        return csv_response(stats.csv_rows(report, table), filename=name)
