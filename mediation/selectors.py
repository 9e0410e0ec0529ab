"""What the public pages read: the sessions still open for registration, with their seats left, in one query."""

import datetime as dt

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from mediation.models import SEAT_STATUSES, SessionStatus, Theme, WorkshopSession

PUBLIC_SESSIONS_SHOWN = 200  # a page of the whole département's next sessions; more is noise on a phone


def sessions_open(now: dt.datetime | None = None) -> QuerySet[WorkshopSession]:
    """Planned sessions not started yet, of active workshops: what the public may register to (the portal's
    workshops block reads it too)."""
    now = now or timezone.now()
    return WorkshopSession.objects.filter(status=SessionStatus.PLANNED, starts_at__gt=now, workshop__active=True)


def sessions_with_seats(*, now: dt.datetime | None = None) -> QuerySet[WorkshopSession]:
    """sessions_open(), each with `seats_taken` (confirmed and offered: what registration_create counts) — the
    list, the session page and the iCal feed read the same."""
    return (
        sessions_open(now)
        .select_related("workshop__mds", "site", "zone")
        .annotate(seats_taken=Count("registrations", filter=Q(registrations__status__in=SEAT_STATUSES)))
        .order_by("starts_at", "pk")
    )


def public_sessions(
    *, mds_slug: str = "", theme: str = "", commune: str = "", now: dt.datetime | None = None
) -> list[WorkshopSession]:
    """The sessions the public list shows, filtered by MDS, theme (its code) and the site's commune, grouped by
    MDS (ordered by its name, then by date)."""
    sessions = sessions_with_seats(now=now)
    if mds_slug:
        sessions = sessions.filter(workshop__mds__slug=mds_slug)
    if theme:
        sessions = sessions.filter(workshop__themes__code=theme)
    if commune:
        sessions = sessions.filter(site__commune__iexact=commune)
    return list(sessions.order_by("workshop__mds__name", "starts_at", "pk")[:PUBLIC_SESSIONS_SHOWN])


def public_themes() -> QuerySet[Theme]:
    """The themes of the sessions open now: a filter offers no choice that gives an empty page."""
    return (
        Theme.objects.filter(workshops__sessions__in=sessions_open().values("pk")).distinct().order_by("order", "label")
    )


def public_communes() -> list[str]:
    return sorted(set(sessions_open().exclude(site__commune="").values_list("site__commune", flat=True)))
