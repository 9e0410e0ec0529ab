"""Back-office pages of the site portals: which gateway each site's portal uses, and which are still to configure.

Read-only: ops configure a gateway in the Django admin, which saves through
`site_portals.portal_gateway_save` (and so clears the "to configure" mark). A portal is looked up among
those the agent may see (404 outside their MDS), then the permission is checked (403), by
`core.permissions.ScopedPermissionRequiredMixin`.
"""

from django.views.generic import TemplateView

from captive_portal import egress
from captive_portal.captive_api import gateway_setup, portal_origin
from captive_portal.models import SitePortal
from captive_portal.site_portals import portals_overview
from core.permissions import ScopedPermissionRequiredMixin

VIEW = "captive_portal.view_siteportal"
CHANGE = "captive_portal.change_siteportal"


class PortalListView(ScopedPermissionRequiredMixin, TemplateView):
    permission_required = VIEW
    template_name = "captive_portal/backoffice/portal_list.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(overview=portals_overview(self.request.user), **kwargs)


class PortalDetailView(ScopedPermissionRequiredMixin, TemplateView):
    scoped_model = SitePortal
    lookup_field = "site__slug"
    lookup_url_kwarg = "slug"
    permission_required = VIEW
    template_name = "captive_portal/backoffice/portal_detail.html"

    def get_scoped_queryset(self):
        return super().get_scoped_queryset().select_related("site__mds")

    def get_context_data(self, **kwargs):
        agent = self.request.user
        portal = self.scoped_object
        return super().get_context_data(
            portal=portal, setup=gateway_setup(portal, origin=portal_origin(self.request)),
            can_change=agent.is_staff and agent.has_perm(CHANGE),
            egress_networks=list(portal.site.egress_networks.values_list("network", flat=True)),
            needs_egress=egress.needs_egress_check(portal.gateway_kind), **kwargs,
        )  # fmt: skip
