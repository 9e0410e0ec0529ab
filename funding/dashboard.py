"""Slots of the FEDER dashboard that other areas fill: the open durability warnings and the publicity checklist.

An area registers its panel in `FundingConfig.ready()`: `dashboard.register_panel(Panel(slot="durability",
template="funding/assets/_dashboard_panel.html", context=lambda operation: {...}))`. The dashboard renders, in
each slot, the panels registered for it with their context (an empty slot says nothing yet). A panel's context
function should run a constant number of queries: the dashboard's query count is pinned.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from funding.models import Operation

SLOTS = ("durability", "publicity")


@dataclass(frozen=True)
class Panel:
    slot: str  # one of SLOTS
    template: str
    context: Callable[[Operation], dict[str, Any]]
    order: int = 100


_panels: list[Panel] = []


def register_panel(panel: Panel) -> None:
    if panel.slot not in SLOTS:
        raise ValueError(f"unknown dashboard slot {panel.slot!r}: one of {', '.join(SLOTS)}")
    if panel not in _panels:
        _panels.append(panel)
        _panels.sort(key=lambda p: p.order)


def panels_for(operation: Operation) -> dict[str, list[tuple[str, dict[str, Any]]]]:
    """Per slot, the (template, context) of each panel registered for it."""
    return {
        slot: [(panel.template, panel.context(operation)) for panel in _panels if panel.slot == slot] for slot in SLOTS
    }
