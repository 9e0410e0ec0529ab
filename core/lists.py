"""Every back-office list the same way: scoped, filtered, searched, sorted and paged, with django-filter and
django-tables2 rather than hand-written query-string handling.

An app declares a list in three parts:

- a `Table` (django-tables2): its columns, which of them sort and on which fields (`order_by=`, a whitelist:
  only declared columns reach `order_by()`, so nothing a visitor types in `?sort=` becomes a lookup);
- a `django_filters.FilterSet`: its filters, `SearchFilter` for the search box, and `visible(Model)` as the
  queryset of every model choice, so that a dropdown lists only what the agent sees and a forged id is an
  invalid choice;
- a `ScopedListView`: `model`, `table_class`, `filterset_class`, `permission_required`, `template_name`.
  Its rows always start from `model.objects.visible_to(agent)`: `refine_queryset` may only narrow them
  (select_related, annotations, the default order), so no filter ever reaches another MDS.

A CSV export of the same rows is a `ScopedCsvView` subclass of the list's view: the filtered rows, same
filters and search, written by `core.csv`. The template renders `{% render_table table %}`, which uses
`templates/includes/table.html`: a horizontally scrollable, focusable region named by the table's caption,
sortable headers with `aria-sort`, and pagination links that keep the filters, the search and the sort.
"""

from collections.abc import Callable, Sequence
from functools import reduce
from operator import or_
from typing import Any

import django_filters
import django_tables2 as tables
from django.core.paginator import Paginator
from django.db.models import Model, Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy
from django_filters.views import FilterView
from django_tables2.data import TableData
from django_tables2.views import SingleTableMixin

from core.permissions import ScopedPermissionRequiredMixin, VisibleToManager

PAGE_SIZE = 50
MAX_PAGE_SIZE = 100  # ?per_page= may ask for fewer or more rows, never a page that loads a whole table


def visible(
    model: type[Model], *, select_related: Sequence[str] = (), order_by: Sequence[str] = ()
) -> Callable[[HttpRequest | None], QuerySet[Any]]:
    """A filter's choices: the rows of `model` the signed-in agent sees (django-filter calls it with the
    request), so an agent's dropdown lists only their MDS and an id of another MDS is an invalid choice."""

    def queryset(request: HttpRequest | None) -> QuerySet[Any]:
        if request is None:
            return model._default_manager.none()
        manager: VisibleToManager = model.objects  # type: ignore[attr-defined]
        rows = manager.visible_to(request.user)
        if select_related:
            rows = rows.select_related(*select_related)
        return rows.order_by(*order_by) if order_by else rows

    return queryset


class SearchFilter(django_filters.CharFilter):
    """The list's search box: each word of it found in one of `fields` (case-insensitive, anywhere in the text).

    `query` builds the condition for one word instead, when a plain `icontains` is not enough (a MAC address
    typed in any spelling). `distinct` for fields across a many-to-many relation.
    """

    def __init__(
        self,
        *,
        fields: Sequence[str] = (),
        query: Callable[[str], Q] | None = None,
        distinct: bool = False,
        **kwargs: Any,
    ):
        kwargs.setdefault("label", gettext_lazy("Search"))
        super().__init__(**kwargs)
        self.search_fields = tuple(fields)
        self.query = query
        self.distinct = distinct

    def _condition(self, word: str) -> Q:
        if self.query is not None:
            return self.query(word)
        return reduce(or_, (Q(**{f"{field}__icontains": word}) for field in self.search_fields))

    def filter(self, qs: QuerySet[Any], value: str) -> QuerySet[Any]:
        words = (value or "").split()
        if not words:
            return qs
        if self.query is not None:  # its own matching (a MAC, a serial): the whole text at once
            words = [" ".join(words)]
        for word in words:
            qs = qs.filter(self._condition(word))
        return qs.distinct() if self.distinct else qs


class Table(tables.Table):
    """The base of every back-office table: our template, `?sort=` and `?page=`, a bounded page size.

    `caption` (a class attribute or a keyword) names the table and its scrolling region; the first column is
    each row's header (`<th scope="row">`): put the link to the row's page there, so that the row's action
    stays reachable on a phone even before scrolling.
    """

    caption: Any = ""

    class Meta:  # a subclass's own Meta replaces this one (django-tables2): DJANGO_TABLES2_* settings say the same
        template_name = "includes/table.html"
        attrs = {"class": "table table-sm align-middle"}
        order_by_field = "sort"
        page_field = "page"
        per_page_field = "per_page"

    def __init__(self, *args: Any, caption: Any = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        if caption is not None:
            self.caption = caption

    @property
    def caption_id(self) -> str:
        return f"{self.prefix}list-caption" if self.prefix else "list-caption"

    def paginate(
        self,
        paginator_class: type[Paginator] = Paginator,
        per_page: int | None = None,
        page: int = 1,
        *args: Any,
        **kwargs: Any,
    ) -> None:
        per_page = max(1, min(per_page or PAGE_SIZE, MAX_PAGE_SIZE))
        super().paginate(paginator_class, per_page, page, *args, **kwargs)


def phone_column() -> tables.TemplateColumn:
    """A person's phone number as people write it (`06 12 34 56 78`), or a dash; sorted on the stored number."""
    return tables.TemplateColumn(
        "{% load phone %}{% if record.phone %}{{ record.phone|phone_display }}{% else %}—{% endif %}",
        verbose_name=gettext_lazy("Phone"), order_by=("phone", "pk"),
    )  # fmt: skip


def email_column() -> tables.TemplateColumn:
    """A person's email address, isolated for right-to-left text, or a dash."""
    return tables.TemplateColumn(
        "{% if record.email %}<bdi>{{ record.email }}</bdi>{% else %}—{% endif %}",
        verbose_name=gettext_lazy("Email"), order_by=("email", "pk"),
    )  # fmt: skip


class PagedData(TableData):
    """Rows that are counted and read by page only, never listed whole nor sorted here (`legal_log.Records`:
    a sequence with `count()` and slices, in the one order its indexes serve). Its table sets `orderable = False`."""

    def __len__(self) -> int:
        if not hasattr(self, "_count"):
            self._count: int = self.data.count()
        return self._count

    def order_by(self, aliases: Any) -> None:
        raise TypeError("these rows keep their own order")


class ScopedListView(ScopedPermissionRequiredMixin, SingleTableMixin, FilterView):
    """A list page: the permission held in a role, rows among `model.objects.visible_to(agent)`, then the
    filterset, then the table's sort and page. A filter the form refuses (a forged id of another MDS's site)
    lists nothing and says why, rather than ignoring it (django-filter's strict mode)."""

    model: type[Model]
    table_pagination = {"per_page": PAGE_SIZE}

    def get_queryset(self) -> QuerySet[Any]:
        manager: VisibleToManager = self.model.objects  # type: ignore[attr-defined]
        return self.refine_queryset(manager.visible_to(self.request.user))

    def refine_queryset(self, queryset: QuerySet[Any]) -> QuerySet[Any]:
        """What the rows load with them and their default order; it may narrow, never widen the queryset."""
        return queryset

    def get_filterset_kwargs(self, filterset_class: Any) -> dict[str, Any]:
        # Always bound, even on the first visit: a filter's default (active agents only) applies then too.
        kwargs: dict[str, Any] = super().get_filterset_kwargs(filterset_class)
        kwargs["data"] = self.request.GET
        return kwargs

    def filtered_rows(self) -> QuerySet[Any]:
        """The rows the filters and search keep, in the default order (the CSV export writes these)."""
        self.filterset = self.get_filterset(self.get_filterset_class())
        if self.filterset.is_bound and not self.filterset.is_valid():
            return self.model._default_manager.none()
        rows: QuerySet[Any] = self.filterset.qs
        return rows

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context: dict[str, Any] = super().get_context_data(**kwargs)
        context["filtered"] = any(value for key, value in self.request.GET.items() if key in self.filterset.filters)
        context["list_query"] = query_without(self.request, "page")  # for the CSV link: these rows, not this page
        return context


class ScopedCsvView(ScopedListView):
    """The rows of a list, filtered and searched as on its page, as a CSV download (`core.csv`)."""

    def csv_response(self, rows: QuerySet[Any]) -> HttpResponse:
        raise NotImplementedError

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return self.csv_response(self.filtered_rows())


def query_without(request: HttpRequest, *names: str) -> str:
    """The page's query string without `names`: a CSV link carries the page's filters, not its page number."""
    query = request.GET.copy()
    for name in names:
        query.pop(name, None)
    return query.urlencode()


__all__ = [
    "MAX_PAGE_SIZE",
    "PAGE_SIZE",
    "PagedData",
    "ScopedCsvView",
    "ScopedListView",
    "SearchFilter",
    "Table",
    "email_column",
    "phone_column",
    "query_without",
    "visible",
]
