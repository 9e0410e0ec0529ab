"""Who reaches the FEDER pages: département-wide roles holding the page's permission (finance, programme, admin).

Funding rows belong to no MDS, so the one scoping mechanism (`visible_to`) reads here as: every row for an agent
who sees every MDS, none for an agent of one MDS. A page about one object is then a 404 for an MDS's agent (as for
an object of another MDS), and a list page a 403 (the permission is held in no role of theirs).
"""

from typing import Any

from django.db.models import Model, QuerySet

from core.lists import ScopedCsvView, ScopedListView
from core.permissions import ScopedPermissionRequiredMixin


def funding_rows(model: type[Model], agent: Any) -> QuerySet[Any]:
    """The rows of a funding model `agent` may be shown: all of them for a département-wide role, else none."""
    rows = model._default_manager.all()
    if agent is None or not agent.is_authenticated or not agent.is_active or not agent.sees_every_mds:
        return rows.none()
    return rows


class FundingPermissionMixin(ScopedPermissionRequiredMixin):
    """The project's permission mixin over funding rows; the permission is checked without object (held in a
    département-wide role: funding.apps grants it to no per-MDS role)."""

    object_permission = False

    def get_scoped_queryset(self) -> QuerySet[Any]:
        if self.scoped_model is None:
            return super().get_scoped_queryset()  # says what is missing
        return funding_rows(self.scoped_model, self.request.user)


class FundingListView(FundingPermissionMixin, ScopedListView):
    def get_queryset(self) -> QuerySet[Any]:
        return self.refine_queryset(funding_rows(self.model, self.request.user))


class FundingCsvView(FundingPermissionMixin, ScopedCsvView):
    def get_queryset(self) -> QuerySet[Any]:
        return self.refine_queryset(funding_rows(self.model, self.request.user))
