"""Who may see what: the one place where back-office data is restricted to an agent's MDS.

Every back-office queryset goes through `scope()`, usually as `Model.objects.visible_to(agent)`
on a `ScopedQuerySet`. An agent holding a per-MDS role sees the MDS of those memberships; a
département-wide role (programme, finance, ops, legal requisition, admin) sees every MDS.
What they may *do* there is the business of permissions (see `sites.backends`).
"""

from typing import TYPE_CHECKING, Any, Self

from django.apps import apps
from django.contrib.auth.models import AnonymousUser
from django.db import models

if TYPE_CHECKING:  # sites.models builds its querysets on this module
    from sites.models import Agent


def scope[Q: models.QuerySet[Any]](queryset: Q, agent: "Agent | AnonymousUser | None", *, mds_path: str) -> Q:
    """Restrict `queryset` to the rows of the MDS `agent` may see.

    `mds_path` is the lookup from the queryset's model to its MDS ("mds", "site__mds"…), or ""
    for the MDS model itself.
    """
    if agent is None or not agent.is_authenticated or not agent.is_active:
        return queryset.none()
    if agent.sees_every_mds:
        return queryset
    membership = apps.get_model("mds_sites", "Membership")
    mds_ids = membership.objects.filter(agent=agent, mds__isnull=False).values("mds_id")
    lookup = f"{mds_path}__in" if mds_path else "pk__in"
    return queryset.filter(**{lookup: mds_ids})


class ScopedQuerySet[M: models.Model](models.QuerySet[M]):
    """A queryset whose rows belong to an MDS; subclasses name the path to it."""

    mds_path = "mds"

    def visible_to(self, agent: "Agent | AnonymousUser | None") -> Self:
        return scope(self, agent, mds_path=self.mds_path)
