"""What wifi tells the apps above it without knowing them (README, "Layers": wifi never imports them).

`access_points_changed` is sent when access points move to another site or to another lifecycle step in bulk,
written without `save()` — the inventory CSV import writes one UPDATE for the whole file, so that Django's
`pre_save`/`post_save` never fire for those rows. A single access point saved through the ORM sends the usual
`pre_save`/`post_save` instead, never this. The FEDER asset register (funding) listens to both: a funded access
point retired or moved during its durability window must be reported to finance (art. 71 of Regulation
1303/2013).

Sent inside the transaction that writes the change: a receiver's writes commit or roll back with it.
"""

import datetime
from dataclasses import dataclass

from django.dispatch import Signal


@dataclass(frozen=True)
class AccessPointChange:
    """One access point whose site or lifecycle step a bulk write changed (`…_before` → `…_after`)."""

    access_point_id: int
    serial_number: str
    site_before_id: int
    site_after_id: int
    lifecycle_before: str
    lifecycle_after: str
    retired_on: datetime.date | None = None

    @property
    def moved(self) -> bool:
        return self.site_before_id != self.site_after_id

    @property
    def lifecycle_changed(self) -> bool:
        return self.lifecycle_before != self.lifecycle_after


# Sent with `changes`: a list of AccessPointChange, and `actor`: the agent who made them (None for a command).
access_points_changed = Signal()
