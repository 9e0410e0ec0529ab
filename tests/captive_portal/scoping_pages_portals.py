from sites.roles import Role
from tests.captive_portal.factories import SitePortalFactory
from tests.factories import SiteFactory
from tests.scoping import ScopedPages


def build(mds) -> dict:
    site = SiteFactory(mds=mds, name=f"Site {mds.name}")
    portal = SitePortalFactory(site=site, gateway_name=f"passerelle-{mds.slug}", needs_setup=True)
    SiteFactory(mds=mds, number=2, name=f"Annexe {mds.name}")  # no portal: listed so, in its own MDS only
    return {"mds": mds, "site": site, "portal": portal}


PAGES = ScopedPages(
    build=build,
    object_pages={"portal_sites:detail": lambda o: {"slug": o["site"].slug}},
    list_pages=["portal_sites:list"],
    closed_to={"portal_sites:list": frozenset({Role.RECEPTION, Role.SOCIAL_WORKER, Role.MEDIATOR})},
)
