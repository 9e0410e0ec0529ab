"""Content blocks: click counters (and, with the back-office, editing)."""

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from captive_portal.models import ContentClickDaily


def click_count(*, link_id: int, site_id: int) -> None:
    day = timezone.localdate()
    rows = ContentClickDaily.objects.filter(link_id=link_id, site_id=site_id, day=day)
    if rows.update(clicks=F("clicks") + 1):
        return
    try:
        with transaction.atomic():
            ContentClickDaily.objects.create(link_id=link_id, site_id=site_id, day=day, clicks=1)
    except IntegrityError:  # created meanwhile by a concurrent click
        rows.update(clicks=F("clicks") + 1)
