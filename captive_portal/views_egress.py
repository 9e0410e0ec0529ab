"""Back-office page of a site's portal: its gateway at a glance, and its egress networks, edited by ops.

As everywhere in the back-office, the site is looked up among those the agent may see first (404
outside their MDS), then the permission is checked (403).
"""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views import View

from captive_portal import services
from captive_portal.forms_content import EgressNetworkForm
from captive_portal.models import EgressNetwork, SitePortal
from sites.models import Site

VIEW, ADD, DELETE = (f"captive_portal.{action}_egressnetwork" for action in ("view", "add", "delete"))


def _require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied


class SitePortalView(LoginRequiredMixin, View):
    template_name = "captive_portal/backoffice/site_portal.html"

    def _site(self, permission: str) -> Site:
        site = get_object_or_404(Site.objects.visible_to(self.request.user).select_related("mds"),
                                 slug=self.kwargs["slug"])  # fmt: skip
        _require(self.request.user.has_perm(permission))
        return site

    def _render(self, site, form):
        return render(self.request, self.template_name, {
            "site": site, "portal": SitePortal.objects.filter(site=site).first(), "form": form,
            "networks": site.egress_networks.all(), "can_delete": self.request.user.has_perm(DELETE),
        })  # fmt: skip

    def get(self, request, slug):
        site = self._site(VIEW)
        return self._render(site, EgressNetworkForm(site=site) if request.user.has_perm(ADD) else None)

    def post(self, request, slug):
        site = self._site(ADD)
        form = EgressNetworkForm(request.POST, site=site)
        if not form.is_valid():
            return self._render(site, form)
        egress = services.egress_network_add(actor=request.user, site=site, network=form.cleaned_data["network"],
                                             note=form.cleaned_data["note"])  # fmt: skip
        messages.success(request, _("Visitors of %(site)s may now connect from %(network)s.") % {
            "site": site, "network": egress.network})  # fmt: skip
        return redirect("portal_content:site_portal", slug=site.slug)


class EgressDeleteView(LoginRequiredMixin, View):
    template_name = "captive_portal/backoffice/egress_confirm_delete.html"

    def _egress(self) -> EgressNetwork:
        egress = get_object_or_404(EgressNetwork.objects.visible_to(self.request.user).select_related("site__mds"),
                                   pk=self.kwargs["pk"])  # fmt: skip
        _require(self.request.user.has_perm(DELETE))
        return egress

    def get(self, request, pk):
        return render(request, self.template_name, {"egress": self._egress()})

    def post(self, request, pk):
        egress = self._egress()
        site = egress.site
        services.egress_network_remove(actor=request.user, egress=egress)
        messages.success(request, _("%(network)s was removed from the egress networks of %(site)s.") % {
            "network": egress.network, "site": site})  # fmt: skip
        return redirect("portal_content:site_portal", slug=site.slug)
