"""Reads of the WiFi inventory (coverage per site and zone, the access points to export) and of the rounds.

The inventory page and its CSV export both start from `visible_access_points()`, so they cannot
disagree. Every function costs a fixed number of queries whatever the number of sites.
"""

import datetime
import re
from dataclasses import dataclass, field

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from sites.models import Site, Zone
from wifi.models import LIFECYCLE_DATE_FIELDS, AccessPoint, Lifecycle, Outage, PollingRound

# Counted as "installed" in the coverage: the AP is on the wall, whatever its health.
INSTALLED_LIFECYCLES = frozenset({Lifecycle.INSTALLED, Lifecycle.ACCEPTED, Lifecycle.IN_SERVICE, Lifecycle.FAULTY})

# Bootstrap colour of each step's badge; the step's name is always written in it (never colour alone).
_BADGE_CSS = {
    Lifecycle.PLANNED: "text-bg-light border",
    Lifecycle.ORDERED: "text-bg-info",
    Lifecycle.INSTALLED: "text-bg-warning",
    Lifecycle.ACCEPTED: "text-bg-secondary",
    Lifecycle.IN_SERVICE: "text-bg-success",
    Lifecycle.FAULTY: "text-bg-danger",
    Lifecycle.RETIRED: "text-bg-dark",
}


@dataclass(frozen=True)
class LifecycleBadge:
    value: str
    label: str
    on: datetime.date | None
    css: str


def lifecycle_badge(ap: AccessPoint) -> LifecycleBadge:
    """The step an AP is at, with the date it got there."""
    step = Lifecycle(ap.lifecycle)
    return LifecycleBadge(step.value, step.label, getattr(ap, LIFECYCLE_DATE_FIELDS[step]), _BADGE_CSS[step])


@dataclass(frozen=True)
class ApRow:
    ap: AccessPoint
    badge: LifecycleBadge

    @property
    def steps(self) -> list[tuple[str, datetime.date]]:
        """Every step the AP has a date for, in lifecycle order."""
        return [
            (Lifecycle(step).label, getattr(self.ap, name))
            for step, name in LIFECYCLE_DATE_FIELDS.items()
            if getattr(self.ap, name)
        ]


@dataclass
class ZoneCoverage:
    zone: Zone | None  # None: the APs of the site not placed in a zone
    aps: list[ApRow] = field(default_factory=list)

    @property
    def planned(self) -> int:
        return sum(1 for row in self.aps if row.ap.lifecycle != Lifecycle.RETIRED)

    @property
    def installed(self) -> int:
        return sum(1 for row in self.aps if row.ap.lifecycle in INSTALLED_LIFECYCLES)


@dataclass
class SiteCoverage:
    site: Site
    zones: list[ZoneCoverage]
    unzoned: ZoneCoverage

    @property
    def planned(self) -> int:
        return sum(z.planned for z in self.zones) + self.unzoned.planned

    @property
    def installed(self) -> int:
        return sum(z.installed for z in self.zones) + self.unzoned.installed

    @property
    def ap_count(self) -> int:
        return sum(len(z.aps) for z in self.zones) + len(self.unzoned.aps)


@dataclass
class Inventory:
    sites: list[SiteCoverage]

    @property
    def planned(self) -> int:
        return sum(s.planned for s in self.sites)

    @property
    def installed(self) -> int:
        return sum(s.installed for s in self.sites)


def visible_access_points(agent) -> QuerySet[AccessPoint]:
    return AccessPoint.objects.visible_to(agent).select_related("site__mds", "zone")


_MAC_SEPARATORS = re.compile(r"[\s:.\-]")
_HEX_PAIRS = re.compile(r"(?:[0-9a-f]{2}){2,6}")


def access_point_search(text: str, *, prefix: str = "") -> Q:
    """APs whose label, serial number or MAC address contains `text`; `prefix` leads from the queried model.

    The MAC is stored as f0:9f:c2:12:34:56: a fragment typed without separators, with dashes or in Cisco
    dots ("f09f.c212") is respelt that way, so a pasted address is found however the tool printed it.
    """
    text = text.strip()
    if not text:
        return Q()
    bare = _MAC_SEPARATORS.sub("", text.lower())
    mac = ":".join(bare[i : i + 2] for i in range(0, len(bare), 2)) if _HEX_PAIRS.fullmatch(bare) else text
    return (
        Q(**{f"{prefix}label__icontains": text})
        | Q(**{f"{prefix}serial_number__icontains": text})
        | Q(**{f"{prefix}mac_address__icontains": mac})
    )


INVENTORY_DEFAULT_ORDER = ("site__mds__number", "site__number", "label", "pk")  # the flat list's, unsorted


def inventory_sites(agent) -> QuerySet[Site]:
    """The sites the agent may see, with their zones and access points loaded (three queries)."""
    return (
        Site.objects.visible_to(agent)
        .select_related("mds")
        .prefetch_related(
            Prefetch("zones", queryset=Zone.objects.order_by("name")),
            Prefetch("access_points", queryset=AccessPoint.objects.order_by("label")),
        )
    )


def site_coverage(site: Site) -> SiteCoverage:
    """One site's zones and APs; `site` comes from `inventory_sites()`, so nothing more is queried."""
    zones = {zone.pk: zone for zone in site.zones.all()}
    by_zone: dict[int | None, list[ApRow]] = {}
    for ap in site.access_points.all():
        if ap.zone_id in zones:
            ap.zone = zones[ap.zone_id]  # already loaded: no query per AP when a template reads ap.zone
        by_zone.setdefault(ap.zone_id, []).append(ApRow(ap, lifecycle_badge(ap)))
    return SiteCoverage(
        site=site,
        zones=[ZoneCoverage(zone, by_zone.get(pk, [])) for pk, zone in zones.items()],
        unzoned=ZoneCoverage(None, by_zone.get(None, [])),
    )


def inventory(agent) -> Inventory:
    """Every visible site with, per zone, its APs and how many are planned and installed."""
    return Inventory([site_coverage(site) for site in inventory_sites(agent)])


# --- Polling rounds ---------------------------------------------------------------------------------


def last_finished_round() -> PollingRound | None:
    """The last round of the whole fleet that probed and recorded (not skipped, not `poll_aps --site`)."""
    return (
        PollingRound.objects.filter(finished_at__isnull=False, skipped=False, partial=False)
        .order_by("-finished_at")
        .first()
    )


@dataclass(frozen=True)
class RoundStatus:
    last: PollingRound | None
    skipped_last_day: int
    outages: list[Outage]  # open now, those the agent may see


def round_status(agent) -> RoundStatus:
    """What the board says of polling: the last round, the rounds skipped in 24 h, open outages. Three queries.

    A poller outage concerns every site, so every agent who sees the board sees it.
    """
    since = timezone.now() - datetime.timedelta(hours=24)
    visible_sites = Site.objects.visible_to(agent).values("pk")
    outages = (
        Outage.objects.open()
        .filter(Q(site__isnull=True) | Q(site__in=visible_sites))
        .select_related("site")
        .order_by("started_at")
    )
    return RoundStatus(
        last=last_finished_round(),
        skipped_last_day=PollingRound.objects.filter(skipped=True, started_at__gte=since).count(),
        outages=list(outages),
    )
