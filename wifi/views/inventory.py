"""The access-point inventory: coverage per site and zone, adding and editing APs, lifecycle moves, CSV export.

As everywhere in the back-office, an object is looked up in `visible_to(request.user)` first (404
outside the agent's MDS), then the object permission is checked (403).
"""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from sites.models import Site
from wifi import selectors
from wifi.forms import AccessPointForm, LifecycleMoveForm
from wifi.inventory import access_point_move, access_point_save, aps_csv_response
from wifi.models import AccessPoint, Lifecycle


def _require(request, permission: str, obj=None) -> None:
    if not request.user.has_perm(permission, obj):
        raise PermissionDenied


def _site_url(site: Site) -> str:
    return reverse("wifi:site_inventory", kwargs={"slug": site.slug})


class InventoryView(LoginRequiredMixin, TemplateView):
    template_name = "wifi/inventory.html"

    def get_context_data(self, **kwargs):
        _require(self.request, "wifi.view_accesspoint")
        return super().get_context_data(inventory=selectors.inventory(self.request.user), **kwargs)


class InventoryCsvView(LoginRequiredMixin, View):
    def get(self, request):
        _require(request, "wifi.view_accesspoint")
        return aps_csv_response(selectors.visible_access_points(request.user))


class SiteInventoryView(LoginRequiredMixin, TemplateView):
    template_name = "wifi/site_inventory.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        site = get_object_or_404(selectors.inventory_sites(user), slug=self.kwargs["slug"])
        _require(self.request, "wifi.view_accesspoint", site)
        return super().get_context_data(
            coverage=selectors.site_coverage(site),
            site=site,
            can_add=user.has_perm("wifi.add_accesspoint", site),
            can_change=user.has_perm("wifi.change_accesspoint", site),
            **kwargs,
        )


class _AccessPointFormView(LoginRequiredMixin, View):
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
    def get_instance(self) -> AccessPoint:
        site = get_object_or_404(
            Site.objects.visible_to(self.request.user).select_related("mds"), slug=self.kwargs["slug"]
        )
        _require(self.request, "wifi.add_accesspoint", site)
        return AccessPoint(site=site)


class AccessPointEditView(_AccessPointFormView):
    def get_instance(self) -> AccessPoint:
        aps = AccessPoint.objects.visible_to(self.request.user).select_related("site__mds", "zone")
        ap = get_object_or_404(aps, pk=self.kwargs["pk"])
        _require(self.request, "wifi.change_accesspoint", ap)
        return ap


class AccessPointLifecycleView(LoginRequiredMixin, View):
    """Move one access point to its next lifecycle step; the rule is `wifi.inventory.access_point_move`."""

    template_name = "wifi/ap_lifecycle.html"

    def _access_point(self) -> AccessPoint:
        aps = AccessPoint.objects.visible_to(self.request.user).select_related("site__mds", "zone")
        ap = get_object_or_404(aps, pk=self.kwargs["pk"])
        _require(self.request, "wifi.change_accesspoint", ap)
        return ap

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
