"""Back-office page of a site's portal: its gateway at a glance, and its egress networks, edited by ops.

As everywhere in the back-office, the site is looked up among those the agent may see first (404
outside their MDS), then the permission is checked on it (403), by
`core.permissions.ScopedPermissionRequiredMixin`.
"""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views import View

from captive_portal import services
from captive_portal.forms_content import EgressNetworkForm
from captive_portal.models import EgressNetwork, SitePortal
from core.permissions import ScopedPermissionRequiredMixin
from sites.models import Site

VIEW, ADD, DELETE = (f"captive_portal.{action}_egressnetwork" for action in ("view", "add", "delete"))


class SitePortalView(ScopedPermissionRequiredMixin, View):
    scoped_model = Site
    lookup_field = "slug"
    template_name = "captive_portal/backoffice/site_portal.html"

    def get_scoped_queryset(self):
        return super().get_scoped_queryset().select_related("mds")

    def get_permission_required(self):
        return (ADD,) if self.request.method == "POST" else (VIEW,)

    def _render(self, site, form):
        return render(self.request, self.template_name, {
            "site": site, "portal": SitePortal.objects.filter(site=site).first(), "form": form,
            "networks": site.egress_networks.all(), "can_delete": self.request.user.has_perm(DELETE, site),
        })  # fmt: skip

    def get(self, request, slug):
        site = self.scoped_object
        return self._render(site, EgressNetworkForm(site=site) if request.user.has_perm(ADD, site) else None)

    def post(self, request, slug):
        site = self.scoped_object
        form = EgressNetworkForm(request.POST, site=site)
        if not form.is_valid():
            return self._render(site, form)
        egress = services.egress_network_add(actor=request.user, site=site, network=form.cleaned_data["network"],
                                             note=form.cleaned_data["note"])  # fmt: skip
        messages.success(request, _("Visitors of %(site)s may now connect from %(network)s.") % {
            "site": site, "network": egress.network})  # fmt: skip
        return redirect("portal_content:site_portal", slug=site.slug)


class EgressDeleteView(ScopedPermissionRequiredMixin, View):
    scoped_model = EgressNetwork
    permission_required = DELETE
    template_name = "captive_portal/backoffice/egress_confirm_delete.html"

    def get_scoped_queryset(self):
        return super().get_scoped_queryset().select_related("site__mds")

    def _egress(self) -> EgressNetwork:
        return self.scoped_object

    def get(self, request, pk):
        return render(request, self.template_name, {"egress": self._egress()})

    def post(self, request, pk):
        egress = self._egress()
        site = egress.site
        services.egress_network_remove(actor=request.user, egress=egress)
        messages.success(request, _("%(network)s was removed from the egress networks of %(site)s.") % {
            "network": egress.network, "site": site})  # fmt: skip
        return redirect("portal_content:site_portal", slug=site.slug)
