"""The WiFi status board, each access point's health, maintenance windows and the monthly report.

As everywhere in the back-office: an object is looked up among those the agent sees first (404
outside their MDS), then the object permission is checked (403), by
`core.permissions.ScopedPermissionRequiredMixin`. Reads come from wifi.reports.
"""

import datetime
import hashlib

from django.contrib import messages
from django.http import HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.cache import get_conditional_response
from django.utils.decorators import method_decorator
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.cache import never_cache
from django.views.generic import TemplateView

from core.csv import csv_response
from core.permissions import ScopedPermissionRequiredMixin
from sites.models import Site
from wifi import charts, reports, services
from wifi.forms_board import MaintenanceWindowForm, MonthForm, SnoozeForm
from wifi.maintenance import maintenance_window_cancel, maintenance_window_declare, maintenance_window_update
from wifi.models import AccessPoint, MaintenanceWindow

REFRESH_SECONDS = 30


# --- Status board ----------------------------------------------------------------------------------


def board_summary(counts: reports.HealthCounts) -> str:
    """The sentence the page shows and the live region announces after a refresh."""
    return _("%(up)d up, %(degraded)d degraded, %(down)d down, %(unknown)d unknown") % counts.as_dict()


class BoardView(ScopedPermissionRequiredMixin, TemplateView):
    permission_required = "wifi.view_accesspoint"
    template_name = "wifi/board.html"

    def get_context_data(self, **kwargs):
        board = reports.board(self.request.user)
        return super().get_context_data(
            board=board, summary=board_summary(board.counts), refresh_seconds=REFRESH_SECONDS, **kwargs
        )


def content_etag(body: bytes) -> str:
    return f'"{hashlib.sha256(body).hexdigest()[:32]}"'


@method_decorator(never_cache, name="dispatch")
class BoardFragmentView(BoardView):
    """The board's content alone, fetched every 30 s by static/wifi/board.js.

    Its ETag is a hash of the content: board.js sends back the last one it got (If-None-Match; no-store
    keeps the browser's own cache out of it) and gets an empty 304 while nothing on the board changed.
    """

    template_name = "wifi/board_fragment.html"

    def render_to_response(self, context, **response_kwargs):
        response = super().render_to_response(context, **response_kwargs).render()
        response["ETag"] = content_etag(response.content)
        return get_conditional_response(self.request, etag=response["ETag"], response=response)


class BoardSiteView(ScopedPermissionRequiredMixin, TemplateView):
    """One site's access points, opened from its line on the board."""

    scoped_model = Site
    permission_required = "wifi.view_accesspoint"
    template_name = "wifi/board_site.html"

    def get_scoped_queryset(self):
        return Site.objects.visible_to(self.request.user).select_related("mds")

    def get_context_data(self, **kwargs):
        return super().get_context_data(site_board=reports.board_site(self.request.user, self.scoped_object), **kwargs)


# --- One access point ------------------------------------------------------------------------------


class _AccessPointMixin(ScopedPermissionRequiredMixin):
    scoped_model = AccessPoint

    def get_scoped_queryset(self):
        return reports.access_point_queryset(self.request.user)


class AccessPointDetailView(_AccessPointMixin, TemplateView):
    permission_required = "wifi.view_accesspoint"
    template_name = "wifi/ap_detail.html"

    def get_context_data(self, **kwargs):
        ap = self.scoped_object
        detail = reports.access_point_detail(ap)
        can_snooze = self.request.user.has_perm("wifi.change_accesspoint", ap)
        return super().get_context_data(
            ap=ap,
            detail=detail,
            charts_day=charts.series_charts(
                detail.last_24_hours, chart_id="day", period=_("the last 24 hours"), tick_format="H:i"
            ),
            charts_month=charts.series_charts(
                detail.last_30_days, chart_id="month", period=_("the last 30 days"), tick_format="d/m", dots=True
            ),
            snooze_form=SnoozeForm() if can_snooze else None,
            can_declare_maintenance=self.request.user.has_perm("wifi.add_maintenancewindow", ap),
            **kwargs,
        )


class AccessPointSnoozeView(_AccessPointMixin, View):
    """Silence an AP's alerts for a while, or wake it up. GET shows the form alone (no JavaScript needed)."""

    template_name = "wifi/board_snooze.html"
    permission_required = "wifi.change_accesspoint"

    def get(self, request, pk):
        ap = self.scoped_object
        return render(request, self.template_name, {"ap": ap, "form": SnoozeForm()})

    def post(self, request, pk):
        ap = self.scoped_object
        form = SnoozeForm(request.POST)
        if not form.is_valid():
            return render(request, self.template_name, {"ap": ap, "form": form})
        until = form.snoozed_until()
        services.access_point_snooze(actor=request.user, access_point=ap, until=until)
        if until is None:
            messages.success(request, _("The alerts of %(ap)s are back on.") % {"ap": ap.label})
        else:
            when = date_format(timezone.localtime(until), "DATETIME_FORMAT")
            text = _("The alerts of %(ap)s are silenced until %(when)s.") % {"ap": ap.label, "when": when}
            messages.success(request, text)
        return redirect(ap)


# --- Maintenance windows ---------------------------------------------------------------------------


class MaintenanceListView(ScopedPermissionRequiredMixin, TemplateView):
    permission_required = "wifi.view_maintenancewindow"
    template_name = "wifi/maintenance.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            windows=reports.maintenance_windows(self.request.user),
            can_add=self.request.user.has_perm("wifi.add_maintenancewindow"),
            can_change=self.request.user.has_perm("wifi.change_maintenancewindow"),
            **kwargs,
        )


class MaintenanceCreateView(ScopedPermissionRequiredMixin, View):
    permission_required = "wifi.add_maintenancewindow"
    template_name = "wifi/maintenance_form.html"

    def get(self, request):
        initial = {key: request.GET[key] for key in ("site", "access_point") if request.GET.get(key, "").isdigit()}
        now = timezone.localtime().replace(second=0, microsecond=0)
        initial |= {"starts_at": now, "ends_at": now + datetime.timedelta(hours=2)}
        form = MaintenanceWindowForm(initial=initial, agent=request.user)
        return render(request, self.template_name, {"form": form})

    def post(self, request):
        form = MaintenanceWindowForm(request.POST, agent=request.user)
        if not form.is_valid():
            return render(request, self.template_name, {"form": form})
        self.check_object_permission(form.cleaned_data["site"])
        window = maintenance_window_declare(actor=request.user, **form.cleaned_data)
        messages.success(request, _("Maintenance declared: %(window)s.") % {"window": window})
        return redirect("wifi:maintenance")


class _MaintenanceWindowMixin(ScopedPermissionRequiredMixin):
    scoped_model = MaintenanceWindow
    permission_required = "wifi.change_maintenancewindow"

    def get_scoped_queryset(self):
        return super().get_scoped_queryset().select_related("site__mds", "access_point")


class MaintenanceUpdateView(_MaintenanceWindowMixin, View):
    """Change a window's dates, reason, site or AP; a cancelled one stays as it was."""

    template_name = "wifi/maintenance_form.html"

    def _render(self, form):
        return render(self.request, self.template_name, {"form": form, "window": self.scoped_object})

    def get(self, request, pk):
        window = self.scoped_object
        initial = {
            "site": window.site_id, "access_point": window.access_point_id, "reason": window.reason,
            "starts_at": timezone.localtime(window.starts_at), "ends_at": timezone.localtime(window.ends_at),
        }  # fmt: skip
        return self._render(MaintenanceWindowForm(initial=initial, agent=request.user))

    def post(self, request, pk):
        window = self.scoped_object
        form = MaintenanceWindowForm(request.POST, agent=request.user)
        if window.cancelled_at is not None:
            form.add_error(None, _("This maintenance was cancelled: declare a new one instead."))
        if not form.is_valid():
            return self._render(form)
        self.check_object_permission(form.cleaned_data["site"])
        for name, value in form.cleaned_data.items():
            setattr(window, name, value)
        maintenance_window_update(actor=request.user, window=window)
        messages.success(request, _("Maintenance changed: %(window)s.") % {"window": window})
        return redirect("wifi:maintenance")


class MaintenanceCancelView(_MaintenanceWindowMixin, View):
    """Call planned works off. GET asks for confirmation (no JavaScript needed), POST cancels."""

    template_name = "wifi/maintenance_cancel.html"

    def get(self, request, pk):
        return render(request, self.template_name, {"window": self.scoped_object})

    def post(self, request, pk):
        window = maintenance_window_cancel(actor=request.user, window=self.scoped_object)
        messages.success(request, _("Maintenance cancelled: %(window)s.") % {"window": window})
        return redirect("wifi:maintenance")


# --- Monthly availability report -----------------------------------------------------------------


def _report_month(request) -> tuple[MonthForm, datetime.date | None]:
    """The month asked for (None if malformed), or the current month (Paris time) when none is: an agent opening
    the report wants to know how this month goes; the month before is one click away."""
    data = request.GET.copy()
    if not data.get("month"):
        data["month"] = f"{reports.current_month():%Y-%m}"  # shown in the field, so the page says which
    form = MonthForm(data)
    if not form.is_valid():
        return form, None
    return form, form.cleaned_data["month"]


def _shift(month: datetime.date, months: int) -> datetime.date:
    index = month.year * 12 + month.month - 1 + months
    return datetime.date(index // 12, index % 12 + 1, 1)


class ReportView(ScopedPermissionRequiredMixin, TemplateView):
    permission_required = "wifi.view_hourlyrollup"
    template_name = "wifi/report.html"

    def get_context_data(self, **kwargs):
        form, month = _report_month(self.request)
        month = month or reports.current_month()
        report = reports.availability_report(sites=Site.objects.visible_to(self.request.user), month=month)
        return super().get_context_data(
            form=form,
            report=report,
            in_progress=month == reports.current_month(),
            previous_month=_shift(month, -1),
            next_month=_shift(month, 1) if _shift(month, 1) <= timezone.localdate() else None,
            **kwargs,
        )


class ReportCsvView(ScopedPermissionRequiredMixin, View):
    permission_required = "wifi.view_hourlyrollup"

    def get(self, request):
        _form, month = _report_month(request)
        if month is None:
            return HttpResponseBadRequest(_("Give a month as YYYY-MM, e.g. 2026-03."))
        report = reports.availability_report(sites=Site.objects.visible_to(request.user), month=month)
        return csv_response(reports.report_csv_rows(report), filename=f"wifi-availability-{month:%Y-%m}.csv")
