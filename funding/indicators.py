"""The operation's indicators, computed live from the other apps (funding is the top layer and reads them all):

- **APs in service**: access points whose lifecycle is "in operation" (wifi), today;
- **sites equipped**: sites with at least one access point in operation, out of every site; **MDS equipped**: MDS
  with at least one such site, out of every MDS;
- **portal connections**: connections through the captive portal, read from its hourly roll-up (which outlives the
  one-year connection log): since the start of the operation's execution period, and over the last 12 months;
- **people helped in mediation**, over the same 12 months and every MDS, counted as the mediation figures page
  counts them (mediation.figures.mediation_figures): people present at held workshops and one-to-one helps. These
  are visits: a person helped twice counts twice (one-to-one help is anonymous by default).

The 12 months are those of the mediation figures' default period: the running month (Paris time) and the 11
before it.
"""

import datetime
from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Q, Sum
from django.utils import timezone

from captive_portal.models import PortalStatsHourly
from funding.models import Operation
from mediation.figures import GroupBy, default_period, mediation_figures, month_add
from sites.models import Mds, Site
from wifi.models import AccessPoint, Lifecycle


@dataclass(frozen=True)
class Indicators:
    aps_in_service: int
    sites_equipped: int
    sites_total: int
    mds_equipped: int
    mds_total: int
    connections_since_start: int
    connections_last_12_months: int
    operation_start: datetime.date
    first_month: datetime.date  # the 12 months: from the first day of this month…
    last_month: datetime.date  # …to the end of this one
    workshop_participants: int
    one_to_one_helps: int

    @property
    def people_helped(self) -> int:
        return self.workshop_participants + self.one_to_one_helps


def _midnight(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(), tzinfo=timezone.get_default_timezone())


def operation_indicators(operation: Operation, *, today: datetime.date | None = None) -> Indicators:
    """Every indicator in twelve queries, whatever the number of sites, APs and connections."""
    first_month, last_month = default_period(today)
    in_service = AccessPoint.objects.filter(lifecycle=Lifecycle.IN_SERVICE)
    sites = Site.objects.aggregate(
        total=Count("pk"), equipped=Count("pk", filter=Exists(in_service.filter(site=OuterRef("pk"))))
    )
    mds = Mds.objects.aggregate(
        total=Count("pk"), equipped=Count("pk", filter=Exists(in_service.filter(site__mds=OuterRef("pk"))))
    )
    since_start = Q(hour__gte=_midnight(operation.execution_start))
    last_12 = Q(hour__gte=_midnight(first_month), hour__lt=_midnight(month_add(last_month, 1)))
    connections = PortalStatsHourly.objects.aggregate(
        since_start=Sum("connections", filter=since_start), last_12=Sum("connections", filter=last_12)
    )
    # Month rows and the total: the same figures as the mediation page's over these months and every MDS.
    mediation = mediation_figures(
        mds_scope=Mds.objects.all(), first_month=first_month, last_month=last_month, group_by=GroupBy.MONTH,
        trainings_without_mds=True,
    )  # fmt: skip
    return Indicators(
        aps_in_service=in_service.count(),
        sites_equipped=sites["equipped"],
        sites_total=sites["total"],
        mds_equipped=mds["equipped"],
        mds_total=mds["total"],
        connections_since_start=connections["since_start"] or 0,
        connections_last_12_months=connections["last_12"] or 0,
        operation_start=operation.execution_start,
        first_month=first_month,
        last_month=last_month,
        workshop_participants=mediation.total.participants,
        one_to_one_helps=mediation.total.accompaniments,
    )
