"""Sortable table columns from a `sort` query parameter, through a whitelist.

The parameter names a column key ("site", "-started"); only keys the page declares reach `order_by()`,
each mapped to its own field list, so nothing a visitor types becomes a lookup (a raw `order_by` would let
anyone sort on, and so probe, any field reachable through relations, password hashes included).
"""

from collections.abc import Mapping
from dataclasses import dataclass

from django.http import QueryDict


@dataclass(frozen=True)
class SortLink:
    """One column header: the query string that sorts by it (or reverses it) and its `aria-sort` value."""

    query: str
    aria_sort: str  # "ascending", "descending" or "none"


@dataclass(frozen=True)
class Sort:
    key: str  # the column asked for and found in the whitelist, "" for the page's default order
    descending: bool
    order_by: tuple[str, ...]

    @property
    def param(self) -> str:
        return f"-{self.key}" if self.descending else self.key

    def links(self, columns: Mapping[str, tuple[str, ...]], query: QueryDict) -> dict[str, SortLink]:
        """For each column, the link its header carries; `query` is the page's other parameters (filters)."""
        result = {}
        for key in columns:
            params = query.copy()
            params.pop("page", None)
            current = key == self.key
            params["sort"] = f"-{key}" if current and not self.descending else key
            state = ("descending" if self.descending else "ascending") if current else "none"
            result[key] = SortLink(query=params.urlencode(), aria_sort=state)
        return result


def parse_sort(value: str | None, columns: Mapping[str, tuple[str, ...]], *, default: tuple[str, ...]) -> Sort:
    """The order asked by `value` ("key" or "-key") if its key is in `columns`, else the `default` order.

    A key's fields are reversed together for "-key"; "pk" ends each column's order so that pages never overlap
    (the default order is the page's to make total).
    """
    value = (value or "").strip()
    descending = value.startswith("-")
    key = value.removeprefix("-")
    if key not in columns:
        return Sort(key="", descending=False, order_by=default)
    fields = tuple(_reverse(f) if descending else f for f in columns[key])
    return Sort(key=key, descending=descending, order_by=(*fields, "-pk" if descending else "pk"))


def _reverse(field: str) -> str:
    return field.removeprefix("-") if field.startswith("-") else f"-{field}"
