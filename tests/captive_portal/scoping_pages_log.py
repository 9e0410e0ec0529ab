"""The legal connection log's and the statistics' pages for the project-wide scoping test.

Also the one place the log's and statistics' tests build connection records from.
"""

import datetime

from django.utils import timezone

from captive_portal import legal_log, services
from captive_portal.gateways import Arrival
from captive_portal.models import (
    ConnectionRecord,
    ContentClickDaily,
    PortalRejection,
    PortalStatsHourly,
    SitePortal,
)
from sites.roles import Role
from tests.captive_portal.factories import ContentLinkFactory, TermsVersionFactory
from tests.factories import SiteFactory, agent_with_role
from tests.scoping import ScopedPages


def connection_record(site, *, started_at, mac="", ip="", port=None, ended_at=None, language="fr",
                      access_point=None) -> ConnectionRecord:  # fmt: skip
    """A record written as the portal writes it (chained, the device hash from the MAC, else the IP), at
    `started_at`, then closed at `ended_at` when given."""
    portal = SitePortal(site_id=site.pk, gateway_kind="click_through", session_minutes=480)
    arrival = Arrival(client_mac=mac or None, client_ip=ip or None, client_port=port,
                      ap_mac=access_point.mac_address if access_point else None)  # fmt: skip
    record = services.connection_record_append(
        portal=portal, arrival=arrival, terms_id=TermsVersionFactory(language="fr").pk, language=language,
        now=started_at,
    )  # fmt: skip
    if ended_at:
        services.connection_close(record=record, at=ended_at)
    return record


def build(mds) -> dict:
    now = timezone.now()
    yesterday = now - datetime.timedelta(days=1)
    site = SiteFactory(mds=mds, name=f"Site portail {mds.name}")
    record = connection_record(site, started_at=yesterday, mac=f"02:00:00:00:00:{mds.pk % 100:02d}", ip="10.1.2.3")
    hour = yesterday.replace(minute=0, second=0, microsecond=0)
    PortalStatsHourly.objects.create(site=site, hour=hour, connections=3, unique_devices=2, languages={"fr": 3})
    link = ContentLinkFactory(label=f"Lien {mds.name}")
    ContentClickDaily.objects.create(link=link, site=site, day=timezone.localdate(yesterday), clicks=4)
    PortalRejection.objects.create(site=site, day=timezone.localdate(yesterday), reason="bad_token", count=2)
    officer = agent_with_role(Role.LEGAL_REQUISITION)
    search = legal_log.log_search(
        agent=officer,
        criteria=legal_log.LogCriteria(starts_at=now - datetime.timedelta(days=2), ends_at=now, site_id=site.pk),
        reference=f"PV {mds.name}",
        reason=f"Réquisition {mds.name}",
    )
    return {"mds": mds, "site": site, "record": record, "search": search, "officer": officer}


PAGES = ScopedPages(
    build=build,
    # A search is looked up among the signed-in officer's own: anybody else's is a 404.
    object_pages={
        "portal_log:results": lambda o: {"pk": o["search"].pk},
        "portal_log:export": lambda o: {"pk": o["search"].pk},
    },
    list_pages=["portal_stats:stats", "portal_stats:stats_csv"],
    closed_to={
        "portal_stats:stats": frozenset({Role.RECEPTION, Role.SOCIAL_WORKER}),
        "portal_stats:stats_csv": frozenset({Role.RECEPTION, Role.SOCIAL_WORKER}),
    },
    # The legal log opens to the legal-requisition role only (département-wide): 403 to everyone else.
    departement_wide_pages=["portal_log:search"],
)
