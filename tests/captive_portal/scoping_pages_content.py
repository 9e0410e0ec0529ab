from captive_portal.models import EgressNetwork, WalledGardenDomain
from sites.roles import Role
from tests.captive_portal.factories import ContentBlockFactory, ContentLinkFactory
from tests.factories import SiteFactory
from tests.scoping import ScopedPages


def build(mds) -> dict:
    site = SiteFactory(mds=mds, name=f"Site {mds.name}")
    block = ContentBlockFactory(title=f"Permanence numérique {mds.name}")
    block.sites.set([site])
    ContentLinkFactory(block=block, label=f"Agenda {mds.name}")
    garden = WalledGardenDomain.objects.create(
        site=site, domain=f"{mds.slug}.example.org", note=f"Agenda de {mds.name}"
    )
    egress = EgressNetwork.objects.create(site=site, network=f"203.0.113.{mds.pk % 250}/32", note=f"NAT {mds.name}")
    return {"mds": mds, "site": site, "block": block, "garden": garden, "egress": egress}


PAGES = ScopedPages(
    build=build,
    object_pages={
        "portal_content:block_detail": lambda o: {"pk": o["block"].pk},
        "portal_content:block_edit": lambda o: {"pk": o["block"].pk},
        "portal_content:block_delete": lambda o: {"pk": o["block"].pk},
        "portal_content:garden_site": lambda o: {"slug": o["site"].slug},
        "portal_content:garden_delete": lambda o: {"pk": o["garden"].pk},
        "portal_content:site_portal": lambda o: {"slug": o["site"].slug},
        "portal_content:egress_delete": lambda o: {"pk": o["egress"].pk},
    },
    list_pages=["portal_content:blocks", "portal_content:block_create", "portal_content:garden"],
    closed_to={"portal_content:block_create": frozenset({Role.RECEPTION, Role.SOCIAL_WORKER})},
)
