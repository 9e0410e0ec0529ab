"""The daily anonymisation of mediation's expired personal data (the rules of mediation.retention).

Writes with `QuerySet.update()` on purpose, as the reception does: the audit trail keeps no copy of the blanked
values (the models are registered with auditlog without their personal fields, mediation.apps). Bounded batches,
each its own transaction; rows being edited are skipped until the next run. Safe to run twice.
"""

import logging
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from core.outbox import outbox_blank
from mediation.models import Notification, Registration
from mediation.retention import RULES

BATCH = 500
logger = logging.getLogger(__name__)


def anonymise_expired(*, now: datetime | None = None, batch_size: int = BATCH) -> dict[str, int]:
    """Anonymise every row past its limit; return how many per model."""
    now = now or timezone.now()
    done: dict[str, int] = {}
    for rule in RULES:
        total = 0
        while True:
            with transaction.atomic():
                locked = rule.expired(now).order_by("pk").select_for_update(skip_locked=True, of=("self",))
                ids = list(locked.values_list("pk", flat=True)[:batch_size])
                if not ids:
                    break
                total += rule.model._default_manager.filter(pk__in=ids).update(**rule.blank, anonymised_at=now)
                if rule.model is Registration:  # what their messages' log still says of them
                    outbox_blank(Notification.objects.filter(registration_id__in=ids))
        done[rule.model._meta.label] = total
    if any(done.values()):
        logger.info("mediation anonymisation: %s", done)
    return done
