"""Mediators (staff and interns) and the agents' trainings in the common digital culture: the records' write
path, each with its audit entry, and the figures their pages show (a mediator's activity by month, an agent's
training hours). A record of an MDS only names that MDS's agents and sites."""

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, F, Q, QuerySet, Sum
from django.db.models.functions import TruncMonth
from django.utils.translation import gettext as _

from mediation.models import Activity, ActivityKind, AgentTraining, Mediator
from sites.audit import acting_as, audited_save
from sites.models import Agent, Mds, Site

_INDIVIDUAL = Q(kind=ActivityKind.INDIVIDUAL)
_COLLECTIVE = Q(kind=ActivityKind.COLLECTIVE)


def agents_of(mds: Mds | None) -> QuerySet[Agent]:
    """The active agents holding a role in `mds`: those a mediator record or a training's attendance may name."""
    if mds is None:
        return Agent.objects.none()
    rows: QuerySet[Agent] = Agent.objects.filter(is_active=True, memberships__mds=mds).distinct()
    return rows.order_by("last_name", "first_name", "email")


def _check_of_mds(mds: Mds | None, *, agents: Iterable[Agent] = (), sites: Iterable[Site] = ()) -> None:
    members = set(agents_of(mds).values_list("pk", flat=True))
    if any(agent.pk not in members for agent in agents):
        raise ValidationError(_("Only agents of this MDS can be named."), code="agent_other_mds")
    if any(mds is None or site.mds_id != mds.pk for site in sites):
        raise ValidationError(_("Only sites of this MDS can be named."), code="site_other_mds")


# --- Mediators -------------------------------------------------------------------------------------------


@transaction.atomic
def mediator_save(*, actor: Agent, mediator: Mediator, sites: Iterable[Site]) -> Mediator:
    """Create or edit a mediator record (fields set by a form) and the sites they work at."""
    sites = list(sites)
    _check_of_mds(mediator.mds, agents=[mediator.agent], sites=sites)
    if mediator.tutor is not None:
        _check_of_mds(mediator.mds, agents=[mediator.tutor])
    audited_save(mediator, actor=actor)
    with acting_as(actor):
        mediator.sites.set(sites)
    return mediator


def mediators_list(queryset: QuerySet[Mediator]) -> QuerySet[Mediator]:
    """The list's rows, with their accompaniments and workshops counted (one query, sites prefetched)."""
    rows = queryset.select_related("agent", "tutor", "mds").prefetch_related("sites")
    kind = "agent__mediation_activities__kind"
    return rows.annotate(
        accompaniment_count=Count("agent__mediation_activities", filter=Q(**{kind: ActivityKind.INDIVIDUAL})),
        workshop_count=Count("agent__mediation_activities", filter=Q(**{kind: ActivityKind.COLLECTIVE})),
    )


@dataclass(frozen=True)
class MonthOfActivity:
    month: dt.date
    accompaniments: int
    accompaniment_hours: float
    workshops: int
    workshop_hours: float


def mediator_activity(mediator: Mediator, viewer: Agent) -> list[MonthOfActivity]:
    """A mediator's activity by month, latest first: one-to-one help given and held workshops facilitated, among
    the activities the viewer sees (one query)."""
    rows = (
        Activity.objects.visible_to(viewer)
        .filter(mediators=mediator.agent)
        .annotate(month=TruncMonth("date"))
        .values("month")
        .annotate(
            accompaniments=Count("pk", filter=_INDIVIDUAL),
            accompaniment_minutes=Sum("duration_minutes", filter=_INDIVIDUAL, default=0),
            workshops=Count("pk", filter=_COLLECTIVE),
            workshop_minutes=Sum("duration_minutes", filter=_COLLECTIVE, default=0),
        )
        .order_by("-month")
    )
    return [
        MonthOfActivity(
            month=row["month"],
            accompaniments=row["accompaniments"],
            accompaniment_hours=round(row["accompaniment_minutes"] / 60, 1),
            workshops=row["workshops"],
            workshop_hours=round(row["workshop_minutes"] / 60, 1),
        )
        for row in rows
    ]


# --- Agent trainings -------------------------------------------------------------------------------------


@transaction.atomic
def training_save(*, actor: Agent, training: AgentTraining, attendees: Iterable[Agent]) -> AgentTraining:
    """Create or edit a training (fields set by a form) and who attended it, among the agents of its MDS."""
    attendees = list(attendees)
    _check_of_mds(training.mds, agents=attendees, sites=[training.site] if training.site else [])
    audited_save(training, actor=actor)
    with acting_as(actor):
        training.attendees.set(attendees)
    return training


def trainings_list(queryset: QuerySet[AgentTraining]) -> QuerySet[AgentTraining]:
    return queryset.select_related("mds", "site").annotate(attendee_count=Count("attendees"))


def agents_training_totals(viewer: Agent) -> QuerySet[Agent]:
    """The agents the viewer sees, with the trainings they attended among those the viewer sees: how many, and
    their minutes (`training_minutes`, 0 without any)."""
    seen = Q(trainings_attended__in=AgentTraining.objects.visible_to(viewer).values("pk"))
    rows: QuerySet[Agent] = Agent.objects.visible_to(viewer).filter(is_active=True)
    rows = rows.annotate(
        training_count=Count("trainings_attended", filter=seen),
        training_minutes=Sum("trainings_attended__duration_minutes", filter=seen, default=0),
    )
    return rows.annotate(training_hours=F("training_minutes") / 60.0)


def agent_trainings(agent: Agent, viewer: Agent) -> QuerySet[AgentTraining]:
    """The trainings `agent` attended, among those the viewer sees, latest first."""
    rows: QuerySet[AgentTraining] = AgentTraining.objects.visible_to(viewer).filter(attendees=agent)
    return rows.select_related("site", "mds").order_by("-date", "-pk")
