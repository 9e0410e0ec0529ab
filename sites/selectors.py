"""Reads for the back-office pages of the sites app, with their prefetches.

Each page costs a constant number of queries whatever the number of MDS, sites and zones:
the querysets below load sites, zones, services and opening hours in one query each.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Prefetch, QuerySet

from sites.models import Mds, Membership, Site

# --- Site card panels ---------------------------------------------------------------------------
# Later apps (WiFi: access-point status; accueil: open requests; mediation: next workshops) add a
# panel to each site card of the dashboard without `sites` importing them: they register one in
# their AppConfig.ready(). `load` is called ONCE per page with every site shown and returns the
# data of each site by id, so a panel costs one query per page, not one per site.


@dataclass(frozen=True)
class SiteCardPanel:
    template_name: str  # rendered with `site` and `data` (what `load` returned for that site)
    load: Callable[[Any, list[Site]], dict[int, Any]] | None = None
    permission: str | None = None  # shown only to agents holding it
    order: int = 100


_panels: list[SiteCardPanel] = []


def register_site_card_panel(panel: SiteCardPanel) -> None:
    if panel not in _panels:
        _panels.append(panel)
        _panels.sort(key=lambda p: p.order)


@dataclass
class PanelView:
    template_name: str
    data: Any = None


@dataclass
class SiteCard:
    site: Site
    missing: list[str] | None  # None: the agent may not edit it, so is asked for nothing
    panels: list[PanelView] = field(default_factory=list)


@dataclass
class MdsCard:
    mds: Mds
    missing: list[str] | None  # as SiteCard.missing
    sites: list[SiteCard]


def mds_with_sites(agent) -> QuerySet[Mds]:
    """The MDS the agent may see, with sites, zones and opening hours already loaded."""
    return Mds.objects.visible_to(agent).prefetch_related(
        Prefetch("sites", queryset=Site.objects.prefetch_related("zones")),
        "opening_periods",
    )


def mds_detail_queryset(agent) -> QuerySet[Mds]:
    """What the MDS page needs; the view picks one row from it, so scoping comes first."""
    return mds_with_sites(agent).prefetch_related("services")


def dashboard(agent) -> list[MdsCard]:
    """One card per visible MDS, each with a card per site saying what is still missing."""
    mds_list = list(mds_with_sites(agent))
    sites = [site for mds in mds_list for site in mds.sites.all()]
    panels = _panels_for(agent, sites)
    return [
        MdsCard(
            mds=mds,
            missing=mds.missing_information() if agent.has_perm("mds_sites.change_mds", mds) else None,
            sites=[
                SiteCard(
                    site=site,
                    missing=site.missing_information() if agent.has_perm("mds_sites.change_site", site) else None,
                    panels=[PanelView(template, data.get(site.pk)) for template, data in panels],
                )
                for site in mds.sites.all()
            ],
        )
        for mds in mds_list
    ]


def _panels_for(agent, sites: Iterable[Site]) -> list[tuple[str, dict[int, Any]]]:
    sites = list(sites)
    result = []
    for panel in _panels:
        if panel.permission and not agent.has_perm(panel.permission):
            continue
        data = panel.load(agent, sites) if panel.load and sites else {}
        result.append((panel.template_name, data))
    return result


# --- Agents ---------------------------------------------------------------------------------------


def agents_holding(actor, agents: QuerySet, *, mds=None, role: str = "") -> QuerySet:
    """Those of `agents` holding `role` (any, if empty) in `mds` (any `actor` sees, if None), as `actor` sees."""
    held = Membership.objects.visible_to(actor)
    if mds is not None:
        held = held.filter(mds=mds)
    if role:
        held = held.filter(role=role)
    return agents.filter(pk__in=held.values("agent_id"))


def agents_with_visible_roles(actor, agents: QuerySet) -> QuerySet:
    """Each agent with the roles `actor` may see in `visible_memberships` (one query for all rows)."""
    visible = Membership.objects.visible_to(actor).select_related("mds")
    return agents.prefetch_related(Prefetch("memberships", queryset=visible, to_attr="visible_memberships"))


def agent_memberships(actor, agent) -> QuerySet:
    """The roles of `agent` that `actor` may see: those of the MDS `actor` sees."""
    return Membership.objects.visible_to(actor).filter(agent=agent).select_related("mds")


def agent_sign_ins(agent, *, limit: int = 10) -> QuerySet:
    """The agent's last successful sign-ins, as django-axes recorded them (it keeps the email typed,
    in whatever case, hence iexact)."""
    from axes.models import AccessLog

    return AccessLog.objects.filter(username__iexact=agent.email).order_by("-attempt_time")[:limit]
