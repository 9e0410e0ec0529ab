"""Durability of the funded equipment (art. 71 of Regulation (EU) 1303/2013): the window, the warnings, finance told.

An investment co-financed by the ERDF must stay in place, doing what it was bought for, for `durability_years`
(5) after the final payment to the beneficiary. The final payment is the day the FEDER of the final claim was
received (`PaymentClaim`, kind final, `received_on`). Until then the window has not started, yet the equipment is
already funded: a move or a retirement is reported all the same, since it may cost the FEDER of its invoice.

A funded access point is one the asset register points at. When the WiFi inventory retires it or moves it to
another site — one access point saved (`post_save`, funding.signals) or many in a CSV import
(`wifi.signals.access_points_changed`) — `durability_events_record()` writes a `DurabilityWarning` in the same
transaction and emails the finance agents once it commits. Finance acknowledges each warning, who and when kept
in the audit trail.
"""

import calendar
import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from funding.models import (
    Asset,
    ClaimKind,
    DurabilityEvent,
    DurabilityWarning,
    InvoiceStatus,
    Operation,
    PaymentClaim,
)
from sites.audit import acting_as
from sites.models import Agent
from sites.notifications import email_send_after_commit
from sites.roles import Role


class WindowState:
    NOT_STARTED = "not_started"
    OPEN = "open"
    CLOSED = "closed"


_STATE_LABELS = {
    WindowState.NOT_STARTED: gettext_lazy("Not started (until the final payment)"),
    WindowState.OPEN: pgettext_lazy("durability window", "Open"),
    WindowState.CLOSED: pgettext_lazy("durability window", "Over"),
}


def years_after(day: datetime.date, years: int) -> datetime.date:
    """The same date `years` later; a 29 February with no match gives the last day of February.

    Regulation (EEC, Euratom) No 1182/71, art. 3(2)(c), on periods in EU law: a period in years ends with the
    day of the last year that has the same date as the day it runs from, or, when that month has no such day,
    with the last day of that month.
    """
    year = day.year + years
    return day.replace(year=year, day=min(day.day, calendar.monthrange(year, day.month)[1]))


@dataclass(frozen=True)
class DurabilityWindow:
    """The years the funded equipment stays in place: from the final payment to `ends_on`, that day included."""

    years: int
    final_payment_on: datetime.date | None

    @property
    def started(self) -> bool:
        return self.final_payment_on is not None

    @property
    def ends_on(self) -> datetime.date | None:
        if self.final_payment_on is None:
            return None
        return years_after(self.final_payment_on, self.years)

    def covers(self, day: datetime.date) -> bool:
        """Whether a move or retirement on `day` is to be reported: before the final payment, or up to `ends_on`."""
        return self.ends_on is None or day <= self.ends_on

    def state(self, today: datetime.date | None = None) -> str:
        if self.ends_on is None:
            return WindowState.NOT_STARTED
        return WindowState.OPEN if (today or timezone.localdate()) <= self.ends_on else WindowState.CLOSED

    def state_label(self, today: datetime.date | None = None) -> str:
        return str(_STATE_LABELS[self.state(today)])


def durability_window(operation: Operation) -> DurabilityWindow:
    """The operation's durability window, from the day the FEDER of its final claim was received (one query)."""
    received_on = (
        PaymentClaim.objects.filter(operation=operation, kind=ClaimKind.FINAL, received_on__isnull=False)
        .values_list("received_on", flat=True)
        .first()
    )
    return DurabilityWindow(years=operation.durability_years, final_payment_on=received_on)


def open_warnings_count(operation: Operation) -> int:
    """The warnings finance has not acknowledged yet: the dashboard's badge."""
    return DurabilityWarning.objects.of_operation(operation).open().count()


# --- Recording -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AccessPointEvent:
    """An access point retired or moved, as the WiFi inventory recorded it; `on` decides whether it is inside."""

    access_point_id: int
    event: str  # DurabilityEvent
    detail: str
    on: datetime.date


def durability_events_record(
    *, events: Iterable[AccessPointEvent], actor: Agent | None = None
) -> list[DurabilityWarning]:
    """A warning for each event on a funded access point inside its operation's window (or before its final
    payment); the finance agents get one email for all of them once the transaction commits.

    Events on access points nobody funded (or on an invoice withdrawn from the operation) are ignored. An access
    point is retired once: a second retirement of the same asset (an import setting the step again) is not warned
    twice. Each warning is saved with its audit entry, attributed to `actor` (or to whoever the audit context
    already names: the agent of the request).
    """
    events = list(events)
    if not events:
        return []
    assets = {
        asset.access_point_id: asset
        for asset in Asset.objects.filter(access_point__in={e.access_point_id for e in events})
        # An invoice withdrawn from the operation no longer funds what it bought.
        .exclude(invoice_line__invoice__status=InvoiceStatus.WITHDRAWN)
        .select_related("invoice_line__invoice__operation", "access_point")
    }
    if not assets:
        return []
    already_retired = set(
        DurabilityWarning.objects.filter(asset__in=assets.values(), event=DurabilityEvent.RETIRED).values_list(
            "asset_id", flat=True
        )
    )
    windows: dict[int, DurabilityWindow] = {}
    now = timezone.now()
    created = []
    with transaction.atomic(), acting_as(actor):
        for event in events:
            asset = assets.get(event.access_point_id)
            if asset is None:
                continue
            operation = asset.invoice_line.invoice.operation
            if operation.pk not in windows:
                windows[operation.pk] = durability_window(operation)
            window = windows[operation.pk]
            if not window.covers(event.on):
                continue
            if event.event == DurabilityEvent.RETIRED:
                if asset.pk in already_retired:
                    continue
                already_retired.add(asset.pk)
            warning = DurabilityWarning(
                asset=asset, event=event.event, detail=event.detail[:300], occurred_at=now,
                window_ends_on=window.ends_on,
            )  # fmt: skip
            warning.save()
            created.append(warning)
        if created:
            _finance_email(created)
    return created


def _finance_email(warnings: list[DurabilityWarning]) -> None:
    """One email to every finance agent for the warnings of one change (a CSV import may retire thirty APs)."""
    to = sorted(
        set(
            Agent.objects.filter(is_active=True, memberships__role=Role.FINANCE)
            .exclude(email="")
            .values_list("email", flat=True)
        )
    )
    if not to:
        return
    with translation.override(settings.LANGUAGE_CODE), timezone.override(settings.TIME_ZONE):
        context = {"warnings": warnings, "count": len(warnings)}
        subject = "".join(render_to_string("funding/email/durability_subject.txt", context).splitlines())
        body = render_to_string("funding/email/durability_body.txt", context)
    email_send_after_commit(subject=subject, body=body, to=to)


# --- Acknowledging ---------------------------------------------------------------------------------


@transaction.atomic
def durability_warning_acknowledge(*, actor: Agent, warning: DurabilityWarning) -> DurabilityWarning:
    """Finance has seen the warning (and will deal with the managing authority): who and when, in the audit trail.

    The row is locked and read again, so that two people acknowledging at once leave the first one's name."""
    locked = DurabilityWarning.objects.select_for_update().get(pk=warning.pk)
    if locked.acknowledged_at is not None:
        raise ValidationError(
            _("This warning was already acknowledged by %(who)s on %(date)s.")
            % {
                "who": locked.acknowledged_by,
                "date": date_format(timezone.localtime(locked.acknowledged_at), "DATETIME_FORMAT"),
            },
            code="already_acknowledged",
        )
    locked.acknowledged_by = actor
    locked.acknowledged_at = timezone.now()
    with acting_as(actor):
        locked.save(update_fields=["acknowledged_by", "acknowledged_at"])
    return locked
