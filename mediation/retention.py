"""What digital mediation keeps about people, why, and for how long (README, "Digital mediation").

- **Registrations**: a first name and a phone or an email, to hold the seat, offer a freed one, remind and let
  the person cancel. Once the session is a year past, none of that serves: the personal fields are blanked and
  `anonymised_at` is set; status, attendance and dates stay for the figures (fill rate, no-shows, waiting-list
  demand). MEDIATION_RETENTION_DAYS["registrations"] (365) after the session's start.
- **Beneficiaries** recorded with their consent for follow-up: 2 years after their last accompaniment (the CNIL's
  social-sector référentiel, deliberation 2023-095: 2 years after the last contact), then anonymised; their
  accompaniments stay, anonymous as the others.

- **Messages** (the outbox, mediation.Notification): which message went to a registration, when, by which
  channel and its fate; no text nor address (read from the registration when sent). Deleted with the
  registrations' clock after their creation (`sites.retention.keep()`, beat's daily purge); the provider log's
  masked recipient is blanked with the registration.

Anonymised by `mediation.privacy.anonymise_expired()`, daily (beat: mediation.tasks.anonymise_expired_registrations).
The activity records (Activity, Accompaniment) hold no personal data: kept for the programme's reporting.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db.models import QuerySet

from mediation.models import Beneficiary, Registration
from sites import retention

LEGAL_BASIS = "Public-interest task of departmental social action (GDPR art. 6.1.e; CASF L.123-1)"


@dataclass(frozen=True)
class Rule:
    model: type[Registration] | type[Beneficiary]
    date_field: str  # the clock starts there
    setting: str  # key of MEDIATION_RETENTION_DAYS
    blank: dict[str, Any]
    purpose: str
    legal_basis: str = LEGAL_BASIS

    @property
    def keep(self) -> timedelta:
        return timedelta(days=settings.MEDIATION_RETENTION_DAYS[self.setting])

    def expired(self, now: datetime) -> QuerySet[Any]:
        return self.model._default_manager.filter(
            anonymised_at__isnull=True, **{f"{self.date_field}__lt": now - self.keep}
        )


RULES = (
    Rule(
        Registration, date_field="session__starts_at", setting="registrations",
        blank={"first_name": "", "phone": "", "email": ""},
        purpose="Hold a person's seat in a workshop, offer them a freed seat, remind them, let them cancel",
    ),
    Rule(
        Beneficiary, date_field="last_seen_on", setting="beneficiaries",
        blank={"first_name": "", "last_name": "", "phone": "", "email": ""},
        purpose="Follow up a person helped one-to-one who agreed to be recorded",
    ),
)  # fmt: skip

retention.keep(
    "mediation.Notification", date_field="created_at", days=settings.MEDIATION_RETENTION_DAYS["registrations"],
    purpose="Which message went to a person registered for a workshop and its fate (the outbox)",
    legal_basis=LEGAL_BASIS,
)  # fmt: skip
