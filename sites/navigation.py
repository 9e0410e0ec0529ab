"""The back-office menu. Each app registers its entries in its AppConfig.ready()."""

from dataclasses import dataclass

from django.urls import reverse


@dataclass(frozen=True)
class NavEntry:
    label: str
    url_name: str
    permission: str | None = None  # shown only to agents holding it
    order: int = 100


_entries: list[NavEntry] = []


def register(entry: NavEntry) -> None:
    if entry not in _entries:
        _entries.append(entry)
        _entries.sort(key=lambda e: e.order)


def entries_for(agent, current_path: str) -> list[dict]:
    items = []
    for entry in _entries:
        if entry.permission and not agent.has_perm(entry.permission):
            continue
        url = reverse(entry.url_name)
        items.append({"label": entry.label, "url": url, "current": current_path == url})
    return items
