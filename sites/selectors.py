"""Reads for the back-office pages of the sites app, with their prefetches.

Each page costs a constant number of queries whatever the number of MDS, sites and zones:
the querysets below load sites, zones, services and opening hours in one query each.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext as _

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
    codes: set[str] = field(default_factory=set)  # what is missing that the agent may fill in (TodoKind codes)


@dataclass
class MdsCard:
    mds: Mds
    missing: list[str] | None  # as SiteCard.missing
    sites: list[SiteCard]
    todo: int = 0  # how many items of the MDS and its sites the agent may fill in
    open: bool = False  # sites shown unfolded (one MDS, or what a filter picked)
    codes: set[str] = field(default_factory=set)  # as SiteCard.codes


@dataclass
class TodoKind:
    """One kind of missing information on the dashboard's summary: how many, who may fill it in."""

    code: str  # "mds-phone", "site-zones": the dashboard's `missing` filter
    label: str  # "MDS: phone"
    item: str  # "phone"
    of_sites: bool  # counts sites, else MDS
    count: int = 0  # how many MDS or sites lack it among those the agent may fill in
    roles: list[str] = field(default_factory=list)


@dataclass
class Dashboard:
    cards: list[MdsCard]  # those the filters keep
    todo: list[TodoKind]  # kinds the agent may fill in that are missing somewhere, most frequent first
    mds_count: int  # visible, before filtering
    site_count: int
    mds_choices: list[tuple[str, str]]
    missing_choices: list[tuple[str, str]]  # only what the agent may fill in
    filtered: bool = False
    can_fill: bool = False  # the agent may fill something in, missing or not

    @property
    def todo_groups(self) -> list[dict]:
        """The summary by who may do it: the MDS's own record, then the sites."""
        groups = []
        for of_sites, title in ((False, _("MDS records")), (True, _("Sites"))):
            kinds = [kind for kind in self.todo if kind.of_sites == of_sites]
            if kinds:
                groups.append({"title": title, "roles": kinds[0].roles, "kinds": kinds, "key": kinds[0].code[:4]})
        return groups


def mds_with_sites(agent) -> QuerySet[Mds]:
    """The MDS the agent may see, with sites, zones and opening hours already loaded."""
    return Mds.objects.visible_to(agent).prefetch_related(
        Prefetch("sites", queryset=Site.objects.prefetch_related("zones")),
        "opening_periods",
    )


def mds_detail_queryset(agent) -> QuerySet[Mds]:
    """What the MDS page needs; the view picks one row from it, so scoping comes first."""
    return mds_with_sites(agent).prefetch_related("services")


def _roles_holding(permission: str) -> list[str]:
    """Who may fill an item in, as the roles named in the UI (the administrator, who may do all, left out)."""
    from sites.roles import ROLE_PERMISSIONS, Role

    return [str(role.label) for role, perms in ROLE_PERMISSIONS.items() if permission in perms and role != Role.ADMIN]


def dashboard(agent, *, mds: str = "", missing: str = "") -> Dashboard:
    """The dashboard: what is missing where, summed up by kind, and one card per visible MDS (each with a card
    per site) that the filters keep: `mds` (a slug), `missing` (a TodoKind code). Unknown values filter nothing;
    the view's form shows them."""
    mds_list = list(mds_with_sites(agent))
    sites = [site for mds_ in mds_list for site in mds_.sites.all()]
    kinds = {f"mds-{code}": TodoKind(f"mds-{code}", _("MDS: %(item)s") % {"item": label}, label, False,
                                     roles=_roles_holding("mds_sites.change_mds"))
             for code, label in Mds.MISSING_LABELS.items()}  # fmt: skip
    kinds |= {f"site-{code}": TodoKind(f"site-{code}", _("Site: %(item)s") % {"item": label}, label, True,
                                       roles=_roles_holding("mds_sites.change_site"))
              for code, label in Site.MISSING_LABELS.items()}  # fmt: skip
    cards, can_fill = [], False
    for mds_ in mds_list:
        may_mds = agent.has_perm("mds_sites.change_mds", mds_)
        can_fill = can_fill or may_mds
        mds_codes = [f"mds-{code}" for code in mds_.missing_codes()]
        card = MdsCard(mds=mds_, missing=mds_.missing_information() if may_mds else None, sites=[],
                       codes=set(mds_codes) if may_mds else set())  # fmt: skip
        for code in mds_codes:
            kinds[code].count += may_mds
        card.todo = len(mds_codes) if may_mds else 0
        for site in mds_.sites.all():
            may_site = agent.has_perm("mds_sites.change_site", site)
            can_fill = can_fill or may_site
            site_codes = [f"site-{code}" for code in site.missing_codes()]
            for code in site_codes:
                kinds[code].count += may_site
            site_card = SiteCard(site=site, missing=site.missing_information() if may_site else None,
                                 codes=set(site_codes) if may_site else set())  # fmt: skip
            card.sites.append(site_card)
            card.todo += len(site_codes) if may_site else 0
        cards.append(card)
    todo = sorted((kind for kind in kinds.values() if kind.count), key=lambda kind: (-kind.count, kind.label))
    board = Dashboard(
        cards=cards,
        todo=todo,
        mds_count=len(mds_list),
        site_count=len(sites),
        mds_choices=[(mds_.slug, str(mds_)) for mds_ in mds_list],
        missing_choices=[(kind.code, kind.label) for kind in todo],
        can_fill=can_fill,
    )
    if mds and mds in dict(board.mds_choices):
        board.cards = [card for card in board.cards if card.mds.slug == mds]
        board.filtered = True
    if missing and missing in dict(board.missing_choices):
        kept = []
        for card in board.cards:
            if missing.startswith("site-"):
                card.sites = [site_card for site_card in card.sites if missing in site_card.codes]
                if card.sites:
                    kept.append(card)
            elif missing in card.codes:
                kept.append(card)
        board.cards = kept
        board.filtered = True
    for card in board.cards:
        card.open = board.filtered or len(mds_list) == 1
    # Panels (WiFi status…) only for the sites shown: one query per panel, whatever their number.
    panels = _panels_for(agent, [site_card.site for card in board.cards for site_card in card.sites])
    for card in board.cards:
        for site_card in card.sites:
            site_card.panels = [PanelView(template, data.get(site_card.site.pk)) for template, data in panels]
    return board


def site_panels(agent, sites: Iterable[Site]) -> dict[int, list[PanelView]]:
    """The panels of each of `sites` (WiFi status…) by site id, as on the dashboard's cards: one query per panel
    for all of them (the sites list shows them for the rows of its page)."""
    sites = list(sites)
    panels = _panels_for(agent, sites)
    return {site.pk: [PanelView(template, data.get(site.pk)) for template, data in panels] for site in sites}


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
