"""The access-point inventory: coverage per site and zone, adding and editing APs, lifecycle moves, CSV export.

As everywhere in the back-office, an object is looked up in `visible_to(request.user)` first (404
outside the agent's MDS), then the object permission is checked (403), by
`core.permissions.ScopedPermissionRequiredMixin`.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView
from django_tables2.views import SingleTableMixin

from core.lists import ScopedCsvView, ScopedListView
from core.permissions import ScopedPermissionRequiredMixin
from sites.models import Site
from wifi import selectors
from wifi.forms import AccessPointForm, LifecycleMoveForm
from wifi.inventory import access_point_move, access_point_save, aps_csv_response
from wifi.lists import AccessPointFilter, AccessPointTable
from wifi.models import AccessPoint, Lifecycle


def _site_url(site: Site) -> str:
    return reverse("wifi:site_inventory", kwargs={"slug": site.slug})


class InventoryView(ScopedListView):
    """Coverage per site and zone; with a search, a filter or a sort, a flat list of the APs found instead."""

    model = AccessPoint
    permission_required = "wifi.view_accesspoint"
    template_name = "wifi/inventory.html"
    table_class = AccessPointTable
    filterset_class = AccessPointFilter

    def refine_queryset(self, queryset):
        return queryset.select_related("site__mds", "zone").order_by(*selectors.INVENTORY_DEFAULT_ORDER)

    def listing(self) -> bool:
        sort = self.request.GET.get("sort", "").removeprefix("-")
        return sort in self.table_class.base_columns or any(
            self.request.GET.get(name) for name in self.filterset_class.base_filters
        )

    def get_context_data(self, **kwargs):
        if self.listing():
            return super().get_context_data(**kwargs)
        # The coverage page: no table (nor its count query), the filters' form only.
        return super(SingleTableMixin, self).get_context_data(
            inventory=selectors.inventory(self.request.user), **kwargs
        )


class InventoryCsvView(ScopedCsvView, InventoryView):
    """The access points of the inventory, filtered and searched as on its page, in the columns the import reads."""

    def csv_response(self, rows):
        return aps_csv_response(rows)


class SiteInventoryView(ScopedPermissionRequiredMixin, TemplateView):
    scoped_model = Site
    lookup_field = "slug"
    permission_required = "wifi.view_accesspoint"
    template_name = "wifi/site_inventory.html"

    def get_scoped_queryset(self):
        return selectors.inventory_sites(self.request.user)

    def get_context_data(self, **kwargs):
        user = self.request.user
        site = self.scoped_object
        return super().get_context_data(
            coverage=selectors.site_coverage(site),
            site=site,
            can_add=user.has_perm("wifi.add_accesspoint", site),
            can_change=user.has_perm("wifi.change_accesspoint", site),
            **kwargs,
        )


class _AccessPointFormView(ScopedPermissionRequiredMixin, View):
    template_name = "wifi/ap_form.html"

    def get_instance(self) -> AccessPoint:
        raise NotImplementedError

    def _render(self, form):
        return render(self.request, self.template_name, {"form": form, "site": form.instance.site})

    def get(self, request, **kwargs):
        return self._render(AccessPointForm(instance=self.get_instance()))

    def post(self, request, **kwargs):
        instance = self.get_instance()
        creating = instance.pk is None
        form = AccessPointForm(request.POST, instance=instance)
        if not form.is_valid():
            return self._render(form)
        ap = access_point_save(actor=request.user, access_point=form.instance)
        text = _("The access point %(label)s was added.") if creating else _("The access point %(label)s was updated.")
        messages.success(request, text % {"label": ap.label})
        return redirect(_site_url(ap.site))


class AccessPointCreateView(_AccessPointFormView):
    """An access point added to a site: the permission is checked on that site."""

    scoped_model = Site
    lookup_field = "slug"
    permission_required = "wifi.add_accesspoint"

    def get_scoped_queryset(self):
        return super().get_scoped_queryset().select_related("mds")

    def get_instance(self) -> AccessPoint:
        return AccessPoint(site=self.scoped_object)


class _OneAccessPoint(ScopedPermissionRequiredMixin):
    scoped_model = AccessPoint
    permission_required = "wifi.change_accesspoint"

    def get_scoped_queryset(self):
        return super().get_scoped_queryset().select_related("site__mds", "zone")


class AccessPointEditView(_OneAccessPoint, _AccessPointFormView):
    def get_instance(self) -> AccessPoint:
        return self.scoped_object


class AccessPointLifecycleView(_OneAccessPoint, View):
    """Move one access point to its next lifecycle step; the rule is `wifi.inventory.access_point_move`."""

    template_name = "wifi/ap_lifecycle.html"

    def _access_point(self) -> AccessPoint:
        return self.scoped_object

    def _render(self, ap, form):
        context = {"ap": ap, "form": form, "site": ap.site, "badge": selectors.lifecycle_badge(ap)}
        return render(self.request, self.template_name, context)

    def get(self, request, pk):
        ap = self._access_point()
        return self._render(ap, LifecycleMoveForm(access_point=ap))

    def post(self, request, pk):
        ap = self._access_point()
        form = LifecycleMoveForm(request.POST, access_point=ap)
        if not form.is_valid():
            return self._render(ap, form)
        try:
            ap = access_point_move(
                actor=request.user, access_point=ap, to=form.cleaned_data["to"], on=form.cleaned_data["on"]
            )
        except ValidationError as exc:
            for message in exc.messages:
                form.add_error(None, message)
            return self._render(ap, form)
        messages.success(
            request,
            _("The access point %(label)s is now “%(step)s”.")
            % {"label": ap.label, "step": Lifecycle(ap.lifecycle).label},
        )
        return redirect(_site_url(ap.site))
