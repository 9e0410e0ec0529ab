"""What personal data the platform keeps, why, and for how long — and the purge that enforces it.

Each app declares its rules here through `register()` (from its AppConfig.ready()); the daily
beat task `sites.tasks.purge_expired_personal_data` deletes what is past its limit, in bounded
batches so that a large backlog never holds a long lock.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.apps import apps
from django.db import transaction
from django.utils import timezone


@dataclass(frozen=True)
class RetentionRule:
    model: str  # "app_label.ModelName"
    date_field: str  # the row expires `keep` after this date
    keep: timedelta
    purpose: str
    legal_basis: str

    def expired(self, now: datetime):
        model = apps.get_model(self.model)
        return model._default_manager.filter(**{f"{self.date_field}__lt": now - self.keep})


_rules: dict[str, RetentionRule] = {}


def register(rule: RetentionRule) -> None:
    _rules[rule.model] = rule


def keep(model: str, *, date_field: str, days: int, purpose: str, legal_basis: str) -> None:
    """Declare a rule: rows of `model` go `days` after their `date_field`."""
    register(RetentionRule(model, date_field, timedelta(days=days), purpose, legal_basis))


def rules() -> list[RetentionRule]:
    return sorted(_rules.values(), key=lambda r: r.model)


def purge_expired(*, now: datetime | None = None, batch_size: int = 1000, dry_run: bool = False) -> dict[str, int]:
    """Delete every row past its retention limit; return how many per model."""
    now = now or timezone.now()
    purged = {}
    for rule in rules():
        expired = rule.expired(now)
        if dry_run:
            purged[rule.model] = expired.count()
            continue
        total = 0
        # No ORDER BY: any expired rows will do, so a batch stops at its first `batch_size` rows found through
        # the date's index instead of sorting every expired row first (the model's default ordering would).
        while ids := list(expired.order_by().values_list("pk", flat=True)[:batch_size]):
            with transaction.atomic():
                deleted, _ = expired.model._default_manager.filter(pk__in=ids).delete()
            total += len(ids)
            if deleted == 0:
                break
        purged[rule.model] = total
    return purged


# The sites app's own rules: sign-in traces (CNIL recommends 6 months to a year for access logs).
for _model in ("axes.AccessAttempt", "axes.AccessLog", "axes.AccessFailureLog"):
    keep(
        _model, date_field="attempt_time", days=183,
        purpose="Detect and block password guessing on agents' accounts",
        legal_basis="Security of processing (GDPR art. 32); CNIL recommendation on access logs",
    )  # fmt: skip
keep(
    "auditlog.LogEntry", date_field="timestamp", days=365,
    purpose="Trace who changed data and who read personal data or legal logs",
    legal_basis="Accountability (GDPR art. 5.2 and 32); CNIL recommendation on traceability logs",
)  # fmt: skip
