"""The asset register in the back-office (/backoffice/funding/assets/): the register and its CSV, the invoice lines
of equipment and their assets, an access point read back to what paid for it, the durability warnings.

Funding pages are for département-wide roles (funding.scoping): an agent of one MDS gets a 403 on a list and a
404 on an object. Writes go through funding.assets and funding.durability.
"""

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views import View
from django.views.generic import TemplateView

from core.csv import csv_response
from core.lists import ScopedCsvView, ScopedListView
from core.permissions import ScopedPermissionRequiredMixin
from funding import assets, durability
from funding.forms_assets import AccessPointsRegisterForm, EquipmentRegisterForm, SerialLookupForm
from funding.lists_assets import AssetFilter, AssetTable, LineFilter, LineTable, WarningFilter, WarningTable
from funding.models import Asset, DurabilityWarning, InvoiceLine, ItemKind
from funding.scoping import departement_wide
from wifi.models import AccessPoint

VIEW = "funding.view_asset"
REGISTER = "funding.add_asset"
VIEW_WARNINGS = "funding.view_durabilitywarning"
ACKNOWLEDGE = "funding.change_durabilitywarning"


def _open_warnings(request: HttpRequest) -> int:
    return DurabilityWarning.objects.visible_to(request.user).open().count()


class _AreaContext:
    """The area's menu shows how many warnings wait (one COUNT)."""

    request: HttpRequest

    def area_context(self) -> dict[str, Any]:
        return {"open_warnings": _open_warnings(self.request), "lookup_form": SerialLookupForm()}


# --- The register ----------------------------------------------------------------------------------


class RegisterView(_AreaContext, ScopedListView):
    model = Asset
    permission_required = VIEW
    template_name = "funding/assets/register.html"
    table_class = AssetTable
    filterset_class = AssetFilter

    def refine_queryset(self, queryset: QuerySet[Asset]) -> QuerySet[Asset]:
        return queryset.with_register().order_by(
            "invoice_line__invoice__issued_on", "invoice_line__invoice__number", "invoice_line__position",
            "serial_number", "pk",
        )  # fmt: skip

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(**self.area_context(), **kwargs)


class RegisterCsvView(ScopedCsvView, RegisterView):
    """The register, filtered and searched as on its page."""

    def csv_response(self, rows: QuerySet[Asset]) -> HttpResponse:
        return csv_response(
            assets.register_csv_rows(rows), filename=f"registre-des-biens-feder-{timezone.localdate():%Y-%m-%d}.csv"
        )


# --- Invoice lines ---------------------------------------------------------------------------------


class LinesView(_AreaContext, ScopedListView):
    """The invoice lines of equipment, each with how many of its items are registered: where to register."""

    model = InvoiceLine
    permission_required = VIEW
    template_name = "funding/assets/lines.html"
    table_class = LineTable
    filterset_class = LineFilter

    def get_queryset(self) -> QuerySet[InvoiceLine]:
        # Invoice lines belong to no MDS: the funding scoping stands for `visible_to` (funding.scoping).
        return assets.equipment_lines(departement_wide(InvoiceLine.objects.all(), self.request.user))

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(**self.area_context(), **kwargs)


class _LineMixin(ScopedPermissionRequiredMixin):
    scoped_model = InvoiceLine
    object_permission = False  # an invoice line belongs to no MDS: funding permissions are held département-wide

    def get_scoped_queryset(self) -> QuerySet[InvoiceLine]:
        return departement_wide(InvoiceLine.objects.all(), self.request.user)


def _line_page(request: HttpRequest, line: InvoiceLine, form=None, *, status: int = 200) -> HttpResponse:
    found = assets.line_assets(line)
    can_register = request.user.has_perm(REGISTER) and found.line.kind in assets.EQUIPMENT_KINDS and found.room > 0
    if form is None and can_register:
        if found.line.kind == ItemKind.ACCESS_POINT:
            form = AccessPointsRegisterForm()
        else:
            form = EquipmentRegisterForm(agent=request.user)
    context = {
        "found": found,
        "line": found.line,
        "invoice": found.line.invoice,
        "form": form,
        "access_points": found.line.kind == ItemKind.ACCESS_POINT,
        "open_warnings": _open_warnings(request),
        "lookup_form": SerialLookupForm(),
    }
    return render(request, "funding/assets/line.html", context, status=status)


class LineView(_LineMixin, View):
    """An invoice line, as a check reads it: what it bought, at what price, and where each item is now."""

    permission_required = VIEW

    def get(self, request: HttpRequest, **kwargs: Any) -> HttpResponse:
        return _line_page(request, self.scoped_object)


class LineRegisterView(_LineMixin, View):
    """Register items of the line: access points by serial number, other equipment one by one."""

    permission_required = REGISTER
    http_method_names = ["post"]

    def post(self, request: HttpRequest, **kwargs: Any) -> HttpResponse:
        line: InvoiceLine = self.scoped_object
        is_aps = line.kind == ItemKind.ACCESS_POINT
        form = (
            AccessPointsRegisterForm(request.POST)
            if is_aps
            else EquipmentRegisterForm(request.POST, agent=request.user)
        )
        if not form.is_valid():
            return _line_page(request, line, form, status=400)
        data = form.cleaned_data
        try:
            if is_aps:
                registered = assets.access_points_register(
                    actor=request.user, invoice_line=line, serial_numbers=data["serial_numbers"]
                )
            else:
                registered = [
                    assets.asset_register(
                        actor=request.user,
                        invoice_line=line,
                        label=data["label"],
                        serial_number=data["serial_number"],
                        site=data["site"],
                    )
                ]
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                for field, errors in exc.error_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                form.add_error(None, exc.messages)
            return _line_page(request, line, form, status=400)
        messages.success(
            request,
            ngettext("%(count)s asset registered on this line.", "%(count)s assets registered on this line.",
                     len(registered)) % {"count": len(registered)},
        )  # fmt: skip
        return redirect("funding_assets:line", pk=line.pk)


# --- An access point, read back --------------------------------------------------------------------


class AccessPointFundingView(ScopedPermissionRequiredMixin, TemplateView):
    """The access point on the wall (its site, zone and step) and what paid for it: invoice, line, supplier,
    price, contract, payment claim, durability window and warnings."""

    scoped_model = AccessPoint
    lookup_field = "serial_number"
    lookup_url_kwarg = "serial"
    permission_required = VIEW
    object_permission = False  # funding permissions are held département-wide only
    template_name = "funding/assets/access_point.html"

    def get_scoped_queryset(self) -> QuerySet[AccessPoint]:
        return super().get_scoped_queryset().select_related("site__mds", "zone")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(
            funding=assets.access_point_funding(self.scoped_object),
            open_warnings=_open_warnings(self.request),
            lookup_form=SerialLookupForm(),
            **kwargs,
        )


class AccessPointLookupView(ScopedPermissionRequiredMixin, View):
    """A serial number typed or scanned on the spot, to its access point's funding page."""

    permission_required = VIEW

    def get(self, request: HttpRequest) -> HttpResponse:
        form = SerialLookupForm(request.GET or None)
        if form.is_valid():
            serial = form.cleaned_data["serial"].strip()
            ap = AccessPoint.objects.visible_to(request.user).filter(serial_number__iexact=serial).first()
            if ap is not None:
                return redirect("funding_assets:access_point", serial=ap.serial_number)
            form.add_error(
                "serial",
                _("No access point of the WiFi inventory has the serial number “%(serial)s”.") % {"serial": serial},
            )
        return render(
            request,
            "funding/assets/lookup.html",
            {"lookup_form": form, "open_warnings": _open_warnings(request)},
            status=400 if form.is_bound else 200,
        )


# --- Durability warnings ---------------------------------------------------------------------------


class WarningsView(_AreaContext, ScopedListView):
    model = DurabilityWarning
    permission_required = VIEW_WARNINGS
    template_name = "funding/assets/warnings.html"
    table_class = WarningTable
    filterset_class = WarningFilter

    def refine_queryset(self, queryset: QuerySet[DurabilityWarning]) -> QuerySet[DurabilityWarning]:
        return queryset.select_related(
            "asset__access_point", "asset__invoice_line__invoice__operation", "acknowledged_by"
        ).order_by("acknowledged_at", "-occurred_at", "-pk")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**self.area_context(), **kwargs)
        context["can_acknowledge"] = self.request.user.has_perm(ACKNOWLEDGE)
        return context


class WarningAcknowledgeView(ScopedPermissionRequiredMixin, View):
    scoped_model = DurabilityWarning
    permission_required = ACKNOWLEDGE
    object_permission = False
    http_method_names = ["post"]

    def post(self, request: HttpRequest, **kwargs: Any) -> HttpResponse:
        warning: DurabilityWarning = self.scoped_object
        try:
            durability.durability_warning_acknowledge(actor=request.user, warning=warning)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("Warning acknowledged: %(asset)s.") % {"asset": warning.asset})
        back = request.POST.get("next", "")
        if not url_has_allowed_host_and_scheme(
            back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            back = reverse("funding_assets:warnings")
        return redirect(back)
