"""What the online reception keeps, why, and for how long.

Two mechanisms, as the data asks:

- **deletion** (`sites.retention.keep()`), for rows that are worth nothing once old: the outbox rows themselves;
- **anonymisation** (`anonymise_after()` below), for rows whose counts the MDS still needs (requests per week by
  kind and topic, appointments and no-shows): the personal fields are blanked and `anonymised_at` is set, kind,
  topic, MDS and dates stay for the statistics. `accueil.privacy.anonymise_expired()` runs every rule daily
  (beat task `accueil.tasks_privacy.anonymise_expired_personal_data`), in bounded batches, idempotent.

Durations are settings (`ACCUEIL_RETENTION_DAYS`), documented in README, "Personal data".

An appointment holds no personal field of its own: its link to the person is what matters. Anonymised 2 years
after it ended, it stops keeping the person's record live (`accueil.privacy`: a record with nothing live left is
anonymised), and counts only in the statistics (attendance, no-shows) from then on.
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.apps import apps
from django.conf import settings
from django.db.models import Model, Q, QuerySet

from sites import retention


@dataclass(frozen=True)
class AnonymisationRule:
    model: str  # "app_label.ModelName"; the model has an `anonymised_at` field
    date_field: str  # the row's clock starts there (a null date: never expires, e.g. a request still open)
    setting: str  # key of ACCUEIL_RETENTION_DAYS
    blank: dict[str, Any]  # personal field -> the value it gets
    purpose: str
    legal_basis: str
    condition: Q = field(default_factory=Q)  # which rows the rule is about at all

    @property
    def model_class(self) -> type[Model]:
        return apps.get_model(self.model)

    @property
    def keep(self) -> timedelta:
        return timedelta(days=settings.ACCUEIL_RETENTION_DAYS[self.setting])

    def expired(self, now: datetime) -> QuerySet[Any]:
        return self.model_class._default_manager.filter(
            self.condition, anonymised_at__isnull=True, **{f"{self.date_field}__lt": now - self.keep}
        )


_rules: dict[str, AnonymisationRule] = {}


def anonymise_after(
    model: str,
    *,
    date_field: str,
    setting: str,
    blank: dict[str, Any],
    purpose: str,
    legal_basis: str,
    condition: Q | None = None,
) -> None:
    """Declare that rows of `model` are anonymised (`blank` applied) ACCUEIL_RETENTION_DAYS[setting] days after
    `date_field`."""
    if setting not in settings.ACCUEIL_RETENTION_DAYS:
        raise ValueError(f"ACCUEIL_RETENTION_DAYS has no {setting!r} duration")
    _rules[model] = AnonymisationRule(model, date_field, setting, blank, purpose, legal_basis, condition or Q())


def anonymisation_rules() -> list[AnonymisationRule]:
    return sorted(_rules.values(), key=lambda r: r.model)


def rule_for(model: type[Model]) -> AnonymisationRule | None:
    return _rules.get(model._meta.label)


def request_rule() -> AnonymisationRule:
    return _rules["accueil.ContactRequest"]


# What a request holds about the person: blanked, the rest (kind, topic, MDS, source, status, dates) kept.
REQUEST_BLANK = {
    "first_name": "",
    "last_name": "",
    "phone": "",
    "email": "",
    "message": "",
    "commune": "",
    "interpreter_language": "",
    "accessibility_needs": "",
    "callback_windows": [],
}

# One year after closing (README, "Personal data"): the CNIL's référentiel on retention in the social and
# medico-social sector (deliberation 2023-095 of 14 September 2023) allows 2 years after the last contact for the
# accompaniment file itself, which the MDS keeps in its own case software; a contact request is only the way in,
# and the public form's notice promises 1 year.
anonymise_after(
    "accueil.ContactRequest", date_field="closed_at", setting="requests", blank=REQUEST_BLANK,
    purpose="Answer the person's request for an appointment or information",
    legal_basis="Public-interest task of departmental social action (GDPR art. 6.1.e; CASF L.123-1)",
)  # fmt: skip

# Two years after the appointment (README, "Personal data"): the length of an accompaniment the MDS may need to
# look back on (who was seen, when, by whom), and the CNIL's 2 years after the last contact (deliberation 2023-095).
anonymise_after(
    "accueil.Appointment", date_field="ends_at", setting="appointments", blank={},
    purpose="Appointments of the public with the MDS: who is seen when, by whom, and whether they came",
    legal_basis="Public-interest task of departmental social action (GDPR art. 6.1.e; CASF L.123-1)",
)  # fmt: skip

# The outbox rows: their context is blanked after 6 months (accueil.privacy.anonymise_message_log); the rows
# themselves, which then say only which message went when and how, are deleted with the requests' clock.
retention.keep(
    "accueil.Notification", date_field="created_at", days=settings.ACCUEIL_RETENTION_DAYS["requests"] + 183,
    purpose="Which message went to a person and its fate (the outbox), for the inbox and its statistics",
    legal_basis="Public-interest task (GDPR art. 6.1.e); context anonymised after 6 months",
)  # fmt: skip
