"""Who reaches the FEDER pages: département-wide roles holding the page's permission (finance, programme, admin).

Funding rows belong to no MDS, so the one scoping mechanism (`visible_to`) reads here as: every row for an agent
who sees every MDS, none for an agent of one MDS. A page about one object is then a 404 for an MDS's agent (as for
an object of another MDS), and a list page a 403 (the permission is held in no role of theirs).
"""

from typing import Any, cast

from django.db.models import Model, QuerySet

from core.lists import ScopedCsvView, ScopedListView
from core.permissions import ScopedPermissionRequiredMixin
from funding.scoping import departement_wide


def funding_rows(model: type[Model], agent: Any) -> QuerySet[Any]:
    """The rows of a funding model `agent` may be shown: all of them for a département-wide role, else none."""
    return departement_wide(model._default_manager.all(), agent)


class FundingPermissionMixin(ScopedPermissionRequiredMixin):
    """The project's permission mixin over funding rows; the permission is checked without object (held in a
    département-wide role: funding.apps grants it to no per-MDS role)."""

    object_permission = False

    def funding_queryset(self) -> QuerySet[Any]:
        """The page's rows before scoping (a page adds its select_related here)."""
        return cast(type[Model], self.scoped_model)._default_manager.all()

    def get_scoped_queryset(self) -> QuerySet[Any]:
        if self.scoped_model is None:
            return super().get_scoped_queryset()  # says what is missing
        return departement_wide(self.funding_queryset(), self.request.user)

    def visible[Q: QuerySet[Any]](self, queryset: Q) -> Q:
        return departement_wide(queryset, self.request.user)


class FundingListView(FundingPermissionMixin, ScopedListView):
    def get_queryset(self) -> QuerySet[Any]:
        return self.refine_queryset(funding_rows(self.model, self.request.user))


class FundingCsvView(FundingPermissionMixin, ScopedCsvView):
    def get_queryset(self) -> QuerySet[Any]:
        return self.refine_queryset(funding_rows(self.model, self.request.user))
