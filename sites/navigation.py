"""The back-office menu. Each app registers its entries in its AppConfig.ready().

An entry is shown only to whom its page would open: a permission, or for pages guarded by something else (a
role that even a superuser does not hold by default, the admin's staff flag) the same test as the page's.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.urls import reverse


@dataclass(frozen=True)
class NavEntry:
    label: str
    url_name: str
    permission: str | None = None  # shown only to agents holding it
    order: int = 100
    may_open: Callable | None = None  # agent -> bool, when the page checks more than a permission


_entries: list[NavEntry] = []


def register(entry: NavEntry) -> None:
    if entry not in _entries:
        _entries.append(entry)
        _entries.sort(key=lambda e: e.order)


def entries_for(agent, current_path: str) -> list[dict]:
    items = [
        {"label": entry.label, "url": reverse(entry.url_name), "current": False}
        for entry in _entries
        if (not entry.permission or agent.has_perm(entry.permission)) and (not entry.may_open or entry.may_open(agent))
    ]
    # The current section is the entry whose URL is the longest prefix of the page's path, so that
    # /backoffice/wifi/aps/3/ highlights "WiFi", not the dashboard at /backoffice/.
    matching = [item for item in items if current_path.startswith(item["url"])]
    if matching:
        max(matching, key=lambda item: len(item["url"]))["current"] = True
    return items
