"""The access-point inventory: adding and editing one access point, CSV export, lifecycle moves.

The export writes the columns the import reads (wifi/inventory_import.py), so an export can be edited and
imported back.
"""

import datetime
from collections.abc import Iterator
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core import csv as core_csv
from core.csv import escape_cell
from sites.audit import acting_as, audited_save
from sites.models import Agent
from wifi.inventory_import import COLUMNS, PROBE_SETTING_COLUMNS
from wifi.models import LIFECYCLE_DATE_FIELDS, AccessPoint, Lifecycle

# --- Export ----------------------------------------------------------------------------------------


def _export_cell(value: Any) -> str:
    return str(escape_cell(value))


def _probe_cell(ap: AccessPoint, column: str) -> Any:
    value = (ap.probe_settings or {}).get(PROBE_SETTING_COLUMNS[column])
    if column == "interfaces" and isinstance(value, list):
        return " ".join(str(i) for i in value)
    if column == "clients_oid_walk" and isinstance(value, bool):
        return "yes" if value else "no"
    return value


def aps_export(queryset: models.QuerySet[AccessPoint]) -> Iterator[list[str]]:
    """The header, then one row per access point, in the columns `aps_import` reads."""
    yield list(COLUMNS)
    for ap in queryset.select_related("site", "zone").order_by("site__mds__number", "site__number", "label"):
        values = {
            "site": ap.site.slug,
            "zone": ap.zone.name if ap.zone else "",
            **{column: getattr(ap, model_field) for column, model_field in COLUMNS.items()
               if column not in ("site", "zone") and column not in PROBE_SETTING_COLUMNS},
            **{column: _probe_cell(ap, column) for column in PROBE_SETTING_COLUMNS},
        }  # fmt: skip
        yield [_export_cell(values[column]) for column in COLUMNS]


def aps_csv_response(queryset: models.QuerySet[AccessPoint]):
    """The inventory CSV of `queryset` as a download (the page and the admin action send the same file); the
    import skips the BOM and the apostrophes core.csv puts before formulas."""
    return core_csv.csv_response(aps_export(queryset), filename=f"bornes-wifi-{timezone.localdate():%Y-%m-%d}.csv")


# --- Lifecycle -------------------------------------------------------------------------------------

_FORWARD = [Lifecycle.PLANNED, Lifecycle.ORDERED, Lifecycle.INSTALLED, Lifecycle.ACCEPTED, Lifecycle.IN_SERVICE]


def allowed_moves(current: str) -> list[Lifecycle]:
    """The steps an access point at `current` may move to.

    Forward along planned → ordered → installed → accepted → in service (skipping steps is
    allowed: an AP delivered and installed the same day), in service ↔ faulty, and any step to
    retired. Never backwards: a step reached stays recorded with its date.
    """
    current = Lifecycle(current)
    if current == Lifecycle.RETIRED:
        return []
    moves = []
    if current in _FORWARD:
        moves += _FORWARD[_FORWARD.index(current) + 1 :]
    if current == Lifecycle.IN_SERVICE:
        moves.append(Lifecycle.FAULTY)
    if current == Lifecycle.FAULTY:
        moves.append(Lifecycle.IN_SERVICE)
    moves.append(Lifecycle.RETIRED)
    return moves


# --- One access point ------------------------------------------------------------------------------


@transaction.atomic
def access_point_save(*, actor: Agent, access_point: AccessPoint) -> AccessPoint:
    """Add an access point, or save one changed in place, from the inventory page or the admin.

    Checked as a whole first (its zone on its site, an address to poll once it is in service, the MAC
    written one way), so a caller that skipped a form's checks cannot store what polling would misread.
    """
    return audited_save(access_point, actor=actor)


@transaction.atomic
def access_point_move(*, actor: Agent, access_point: AccessPoint, to: str, on: datetime.date) -> AccessPoint:
    """Move an access point to the lifecycle step `to`, recording `on` as the date it got there.

    The row is locked and its step read again, so two agents moving the same AP at once cannot
    both move it from the same step. Raises ValidationError when the move is not allowed.
    """
    to = Lifecycle(to)
    locked = AccessPoint.objects.select_for_update(of=("self",)).select_related("site", "zone").get(pk=access_point.pk)
    if to not in allowed_moves(locked.lifecycle):
        raise ValidationError(
            _("An access point cannot go from “%(current)s” to “%(target)s”.")
            % {"current": Lifecycle(locked.lifecycle).label, "target": to.label},
            code="lifecycle_move",
        )
    locked.lifecycle = to
    setattr(locked, LIFECYCLE_DATE_FIELDS[to], on)
    locked.full_clean()
    with acting_as(actor):
        locked.save()
    access_point.refresh_from_db()
    return locked
