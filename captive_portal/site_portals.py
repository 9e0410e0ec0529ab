"""Site portals: the portal a new install gives every site, its "to configure" marker, and the write of a
gateway configuration.

A fresh install knows the sites (load_mds) but none of their gateways. Rather than a 404 where a phone
expects a splash, `load_portal_content` gives each site without a portal a click-through one, marked
`needs_setup`; it stays marked, in the back-office and the admin, until ops save that site's gateway.
"""

from dataclasses import dataclass

from django.core.exceptions import ImproperlyConfigured
from django.db import transaction

from captive_portal.gateways.base import kinds_of
from captive_portal.gateways.click_through import ClickThrough
from captive_portal.models import SitePortal
from sites.audit import audited_save
from sites.models import Agent, Site


@transaction.atomic
def portals_create_missing() -> list[SitePortal]:
    """A click-through portal, marked to configure, for each site that has none.

    Only sites without a portal: one that ops configured, or switched off ("enabled" unticked), is
    never touched. Saved one by one so that the audit log and the portal's page cache see each.
    """
    kinds = kinds_of(ClickThrough)
    if not kinds:
        raise ImproperlyConfigured("PORTAL_GATEWAYS has no click-through gateway: a new site's portal needs one.")
    created = []
    for site in Site.objects.filter(portal__isnull=True).order_by("mds__number", "number"):
        portal = SitePortal(site=site, gateway_kind=kinds[0], needs_setup=True)
        portal.full_clean()
        portal.save()
        created.append(portal)
    return created


@transaction.atomic
def portal_gateway_save(*, actor: Agent, portal: SitePortal) -> SitePortal:
    """Save a site's gateway configuration as ops set it: from then on the portal is no longer "to configure".

    The admin, the one form that edits a portal's gateway, saves through here.
    """
    portal.needs_setup = False
    return audited_save(portal, actor=actor)


@dataclass(frozen=True)
class PortalsOverview:
    portals: list[SitePortal]
    to_configure: int
    sites_without_portal: list[Site]


def portals_overview(agent) -> PortalsOverview:
    """The back-office list: the portals of the sites `agent` sees, and those sites that have none."""
    portals = list(SitePortal.objects.visible_to(agent).select_related("site__mds"))
    missing = list(Site.objects.visible_to(agent).filter(portal__isnull=True).select_related("mds"))
    return PortalsOverview(
        portals=portals, to_configure=sum(portal.needs_setup for portal in portals), sites_without_portal=missing
    )
