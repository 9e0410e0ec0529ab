"""Ops working an incident: acknowledging it, assigning it to one of them, commenting on it.

Polling opens and closes incidents (wifi.services.round_record); people only say who has one and what
they did. Each write leaves its audit entry. The permission ("wifi.change_incident", ops only) is the
view's to check, on the incident, so that it stays scoped to the incident's MDS.
"""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from sites.audit import audited_save
from sites.models import Agent
from sites.roles import Role
from wifi.models import Incident, IncidentComment


def ops_agents() -> QuerySet[Agent]:
    """The agents an incident may be assigned to: active, holding the ops role."""
    return (
        Agent.objects.filter(is_active=True, memberships__role=Role.OPS)
        .distinct()
        .order_by("last_name", "first_name", "email")
    )


def _locked(incident: Incident) -> Incident:
    # Two ops clicking at once: the second sees the first's acknowledgement instead of overwriting it.
    return Incident.objects.select_for_update().get(pk=incident.pk)


@transaction.atomic
def incident_acknowledge(*, actor: Agent, incident: Incident, now: datetime.datetime | None = None) -> Incident:
    """Say someone has seen the incident; the first acknowledgement stays. Unassigned, it goes to `actor`."""
    locked = _locked(incident)
    if locked.acknowledged_at is not None:
        return locked
    locked.acknowledged_at = now or timezone.now()
    locked.acknowledged_by = actor
    if locked.assigned_to_id is None:
        locked.assigned_to = actor
    return audited_save(locked, actor=actor, update_fields=["acknowledged_at", "acknowledged_by", "assigned_to"])


@transaction.atomic
def incident_assign(*, actor: Agent, incident: Incident, assignee: Agent | None) -> Incident:
    """Give the incident to an ops agent (None: nobody has it any more)."""
    if assignee is not None and not ops_agents().filter(pk=assignee.pk).exists():
        raise ValidationError(_("Only an active ops agent can be given an incident."), code="not_ops")
    locked = _locked(incident)
    locked.assigned_to = assignee
    return audited_save(locked, actor=actor, update_fields=["assigned_to"])


@transaction.atomic
def incident_comment(*, actor: Agent, incident: Incident, body: str) -> IncidentComment:
    """Add a note to the incident's log, open or closed."""
    return audited_save(IncidentComment(incident=incident, author=actor, body=body.strip()), actor=actor)
