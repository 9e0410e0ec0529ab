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
    # For rows appended in date order (ids grow with the date): deleted by ranges of ids, see purge_rule().
    by_id_ranges: bool = False

    def expired(self, now: datetime):
        model = apps.get_model(self.model)
        return model._default_manager.filter(**{f"{self.date_field}__lt": now - self.keep})


_rules: dict[str, RetentionRule] = {}


def register(rule: RetentionRule) -> None:
    _rules[rule.model] = rule


def keep(model: str, *, date_field: str, days: int, purpose: str, legal_basis: str, by_id_ranges: bool = False) -> None:
    """Declare a rule: rows of `model` go `days` after their `date_field`."""
    register(RetentionRule(model, date_field, timedelta(days=days), purpose, legal_basis, by_id_ranges))


def rules() -> list[RetentionRule]:
    return sorted(_rules.values(), key=lambda r: r.model)


# Ids per batch of a purge by id ranges: 50,000 rows is ~0.1-0.3 s of row locks nobody else wants.
ID_RANGE_BATCH = 50_000


def purge_expired(*, now: datetime | None = None, batch_size: int = 1000, dry_run: bool = False) -> dict[str, int]:
    """Delete every row past its retention limit; return how many per model."""
    now = now or timezone.now()
    purged = {}
    for rule in rules():
        if dry_run:
            purged[rule.model] = rule.expired(now).count()
        elif rule.by_id_ranges:
            purged[rule.model] = purge_by_id_ranges(rule, now=now)
        else:
            purged[rule.model] = purge_rule(rule, now=now, batch_size=batch_size)
    return purged


def purge_rule(rule: RetentionRule, *, now: datetime, batch_size: int = 1000) -> int:
    expired = rule.expired(now)
    total = 0
    # No ORDER BY: any expired rows will do, so a batch stops at its first `batch_size` rows found through
    # the date's index instead of sorting every expired row first (the model's default ordering would).
    while ids := list(expired.order_by().values_list("pk", flat=True)[:batch_size]):
        with transaction.atomic():
            deleted, _ = expired.model._default_manager.filter(pk__in=ids).delete()
        total += len(ids)
        if deleted == 0:
            break
    return total


def purge_by_id_ranges(rule: RetentionRule, *, now: datetime, batch_size: int = ID_RANGE_BATCH) -> int:
    """Delete expired rows `batch_size` ids at a time, from the oldest id to the newest expired row's.

    Each batch is one DELETE over a range of the primary key (no ids fetched into Python, no IN list): at
    10,000 access points a day of samples is 14 M rows (benchmarks/README.md, "Roll-ups and purge at
    10,000 APs"). A row past that last id yet expired (recorded late) goes at the next purge.
    """
    expired = rule.expired(now)
    first = expired.order_by("pk").values_list("pk", flat=True).first()
    last = expired.order_by(f"-{rule.date_field}").values_list("pk", flat=True).first()
    if first is None or last is None:
        return 0
    total = 0
    for low in range(first, last + 1, batch_size):
        with transaction.atomic():
            deleted, _ = expired.filter(pk__gte=low, pk__lt=min(low + batch_size, last + 1)).delete()
        total += deleted
    return total


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
