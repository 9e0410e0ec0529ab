"""Back-office pages of the site portals: which gateway each site's portal uses, and which are still to configure.

Read-only: ops configure a gateway in the Django admin, which saves through
`site_portals.portal_gateway_save` (and so clears the "to configure" mark). A portal is looked up among
those the agent may see (404 outside their MDS), then the permission is checked (403).
"""

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from django.views.generic import TemplateView

from captive_portal import egress
from captive_portal.captive_api import gateway_setup, portal_origin
from captive_portal.models import SitePortal
from captive_portal.site_portals import portals_overview

VIEW = "captive_portal.view_siteportal"
CHANGE = "captive_portal.change_siteportal"


class PortalListView(LoginRequiredMixin, TemplateView):
    template_name = "captive_portal/backoffice/portal_list.html"

    def get_context_data(self, **kwargs):
        if not self.request.user.has_perm(VIEW):
            raise PermissionDenied
        return super().get_context_data(overview=portals_overview(self.request.user), **kwargs)


class PortalDetailView(LoginRequiredMixin, TemplateView):
    template_name = "captive_portal/backoffice/portal_detail.html"

    def get_context_data(self, **kwargs):
        agent = self.request.user
        portals = SitePortal.objects.visible_to(agent).select_related("site__mds")
        portal = get_object_or_404(portals, site__slug=self.kwargs["slug"])
        if not agent.has_perm(VIEW, portal):
            raise PermissionDenied
        return super().get_context_data(
            portal=portal, setup=gateway_setup(portal, origin=portal_origin(self.request)),
            can_change=agent.is_staff and agent.has_perm(CHANGE),
            egress_networks=list(portal.site.egress_networks.values_list("network", flat=True)),
            needs_egress=egress.needs_egress_check(portal.gateway_kind), **kwargs,
        )  # fmt: skip
