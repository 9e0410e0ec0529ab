"""Who sees funding data: the operation belongs to the Département, not to one MDS.

Funding rows have no MDS (`sites.scoping` follows an `mds_path`): only an agent of a département-wide role sees
them; what they may do there is the business of the permissions (`funding.apps`: finance, programme, admin). An
agent of one MDS sees none of them, so a funding page about an object is a 404 to them and a list a 403.
"""

from typing import Any, Self

from django.db import models


def departement_wide[Q: models.QuerySet[Any]](queryset: Q, agent: Any) -> Q:
    """`queryset` for an active agent of a département-wide role, nothing for anyone else."""
    if agent is None or not agent.is_authenticated or not agent.is_active or not agent.sees_every_mds:
        return queryset.none()
    return queryset


class DepartementWideQuerySet(models.QuerySet[Any]):
    """The `visible_to(agent)` of the back-office's lists and pages (core.permissions) for funding models."""

    def visible_to(self, agent: Any) -> Self:
        return departement_wide(self, agent)
