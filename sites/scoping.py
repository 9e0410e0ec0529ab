"""Who may see what: the one place where back-office data is restricted to an agent's MDS.

Each model whose rows belong to an MDS says so once, as `mds_path`: the lookup from the model to
its MDS ("mds", "site__mds"…, "" for the MDS itself). Two readers follow it: `scope()`, reached as
`Model.objects.visible_to(agent)` on a `ScopedQuerySet`, and `mds_id_of()`, which the permission
backend (`sites.backends`) asks for one object's MDS. An agent holding a per-MDS role sees the MDS
of those memberships; a département-wide role (programme, finance, ops, legal requisition, admin)
sees every MDS. What they may *do* there is the business of permissions.
"""

from django.apps import apps
from django.db import models


def scope(queryset: models.QuerySet, agent, *, mds_path: str) -> models.QuerySet:
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


def mds_id_of(obj) -> int | None:
    """The id of the MDS `obj` belongs to, found by following its model's `mds_path` on the instance.

    None when a link on the way is empty (a département-wide membership, a walled-garden domain of
    every site): only département-wide roles then hold a permission on it.
    """
    path = getattr(obj, "mds_path", None)
    if path is None:
        raise TypeError(f"{type(obj).__name__} does not say which MDS it belongs to (no mds_path)")
    if path == "":
        return obj.pk
    *hops, last = path.split("__")
    for hop in hops:
        obj = getattr(obj, hop)
        if obj is None:
            return None
    return getattr(obj, f"{last}_id")  # the foreign key's column: the MDS row itself is never loaded


class ScopedQuerySet(models.QuerySet):
    """A queryset of a model whose rows belong to an MDS, by the model's `mds_path`."""

    def visible_to(self, agent) -> models.QuerySet:
        return scope(self, agent, mds_path=self.model.mds_path)
