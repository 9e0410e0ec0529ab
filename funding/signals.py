"""The WiFi inventory's changes the asset register listens to (connected in FundingConfig.ready()).

wifi never imports funding (README, "Layers"): funding subscribes to what wifi sends. One access point saved
through the ORM (the inventory page, a lifecycle move, the admin) sends `pre_save`/`post_save`; the CSV import,
which writes every line in one UPDATE, sends `wifi.signals.access_points_changed` instead. Both end in
`funding.durability.durability_events_record()`, inside the transaction that made the change.
"""

from django.utils import timezone

from funding.durability import AccessPointEvent, durability_events_record
from funding.models import DurabilityEvent
from sites.models import Site
from wifi.models import AccessPoint, Lifecycle
from wifi.signals import AccessPointChange

_WATCHED = {"site", "site_id", "lifecycle"}
_BEFORE = "_funding_durability_before"


def access_point_pre_save(sender, instance: AccessPoint, raw=False, update_fields=None, **kwargs) -> None:
    """Remember where a funded access point was and its step: one query, only when its site or step may change."""
    if raw or instance.pk is None or (update_fields is not None and not _WATCHED & set(update_fields)):
        return
    before = (
        AccessPoint.objects.filter(pk=instance.pk, funded_asset__isnull=False)
        .values_list("site_id", "lifecycle")
        .first()
    )
    if before is not None:
        setattr(instance, _BEFORE, before)


def access_point_post_save(sender, instance: AccessPoint, created=False, raw=False, **kwargs) -> None:
    before = instance.__dict__.pop(_BEFORE, None)
    if before is None or raw or created:
        return
    site_before_id, lifecycle_before = before
    change = AccessPointChange(
        access_point_id=instance.pk,
        serial_number=instance.serial_number,
        site_before_id=site_before_id,
        site_after_id=instance.site_id,
        lifecycle_before=lifecycle_before,
        lifecycle_after=instance.lifecycle,
        retired_on=instance.retired_on,
    )
    durability_events_record(events=_events([change]))


def access_points_changed(sender, changes: list[AccessPointChange], actor=None, **kwargs) -> None:
    """The CSV import's moves and retirements, in bulk."""
    durability_events_record(events=_events(changes), actor=actor)


def _events(changes: list[AccessPointChange]) -> list[AccessPointEvent]:
    """A retirement and a move for each change that is one (a retirement dated by the inventory, or today)."""
    today = timezone.localdate()
    relevant = [c for c in changes if c.moved or (c.lifecycle_changed and c.lifecycle_after == Lifecycle.RETIRED)]
    if not relevant:
        return []
    site_ids = {c.site_before_id for c in relevant} | {c.site_after_id for c in relevant}
    sites = {site.pk: site for site in Site.objects.filter(pk__in=site_ids).select_related("mds")}
    events = []
    for change in relevant:
        if change.lifecycle_changed and change.lifecycle_after == Lifecycle.RETIRED:
            site = sites[change.site_after_id]
            on = change.retired_on or today
            events.append(
                AccessPointEvent(
                    access_point_id=change.access_point_id,
                    event=DurabilityEvent.RETIRED,
                    detail=f"{site.mds.name} — {site}, {on:%d/%m/%Y}",
                    on=on,
                )
            )
        if change.moved:
            before, after = sites[change.site_before_id], sites[change.site_after_id]
            events.append(
                AccessPointEvent(
                    access_point_id=change.access_point_id,
                    event=DurabilityEvent.MOVED,
                    detail=f"{before.mds.name} — {before} → {after.mds.name} — {after}",
                    on=today,
                )
            )
    return events
