"""What the public pages' tests share: a MDS with a site and its sessions, and a valid registration form."""

from tests.factories import MdsFactory, SiteFactory
from tests.mediation.factories import WorkshopFactory, WorkshopSessionFactory


def arles_session(**kwargs):
    """A planned session of "mds-arles" at its site "arles", three days ahead (factories' default)."""
    from sites.models import Mds

    mds = Mds.objects.filter(slug="mds-arles").first() or MdsFactory(slug="mds-arles", name="MDS Arles",
                                                                      commune="Arles")  # fmt: skip
    site = mds.sites.first() or SiteFactory(mds=mds, slug="arles", name="MDS Arles", commune="Arles",
                                            street="2 rue Parmentier", postal_code="13200")  # fmt: skip
    kwargs.setdefault("workshop", WorkshopFactory(mds=mds, title=kwargs.pop("title", "Mes premiers emails"), themes=[]))
    return WorkshopSessionFactory(site=site, **kwargs)


def registration_post(**overrides) -> dict:
    return {"first_name": "Nadia", "phone": "06 12 34 56 78", "email": "", "consent": "on", "lang": "fr"} | overrides
