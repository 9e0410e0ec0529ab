"""What a person registered for a workshop is told, through mediation's outbox (core.outbox; mediation.Notification).

Each change of a registration (`mediation.signals.registration_changed`, sent inside the write's transaction)
queues its message in that same transaction: registered (with, for a seat, the day-before reminder), put on the
waiting list, a seat offered (until when, and the link to take it), cancelled, the offer expired; a session
cancelled by the MDS tells every person still registered. A message is committed with the change or not at all,
and its key makes it exactly-once: the same offer announced twice (beat's expiry and a cancellation at once, a
retry) is one row, sent once.

One channel per person: an SMS when they gave a mobile number (an offer lasts hours and a reminder is for
tomorrow: both are read on the phone), else an email; a landline alone receives nothing. The address, the
workshop's title, date and place are read when the message leaves, so an anonymised registration is sent nothing
and a reminder whose registration is no longer confirmed is not sent (Undeliverable). No message names more than
the workshop's title: what a person registers for is theirs to tell.

Written in the registration's language when the messages are translated into it (MEDIATION_MESSAGE_LANGUAGES),
else in French: templates under mediation/templates/mediation/messages/, strings in mediation/locale/.
"""

import datetime as dt
from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from core.outbox import Outbox, Undeliverable, is_mobile
from mediation.models import (
    LIVE_STATUSES,
    Notification,
    Registration,
    RegistrationStatus,
    SessionStatus,
    WorkshopSession,
)
from mediation.registrations import cancel_token, offer_token

TEMPLATES = "mediation/messages"
# The day before, at 10:00 in the platform's time zone: late enough not to wake anyone, early enough to cancel
# in time for the seat to be offered to someone waiting.
REMINDER_HOUR = 10

Purpose = Notification.Purpose

# registration_changed's event (the registration's new status) → what the person is told.
_PURPOSE_OF_EVENT: dict[str, str] = {
    RegistrationStatus.CONFIRMED: Purpose.CONFIRMED,
    RegistrationStatus.WAITING: Purpose.WAITING,
    RegistrationStatus.OFFERED: Purpose.OFFERED,
    RegistrationStatus.CANCELLED: Purpose.CANCELLED,
    RegistrationStatus.EXPIRED: Purpose.OFFER_EXPIRED,
}


def public_link(name: str, token: str) -> str:
    """The absolute address of a public page of registrations (`mediation_public:cancel`, `:accept`)."""
    base: str = settings.MEDIATION_LINK_BASE_URL
    return base.rstrip("/") + reverse(f"mediation_public:{name}", kwargs={"token": token})


def message_channel(registration: Registration) -> str | None:
    """The one way the person is written to: SMS to a mobile number, else email, else none."""
    if registration.phone and is_mobile(registration.phone):
        return Notification.Channel.SMS
    if registration.email:
        return Notification.Channel.EMAIL
    return None


def reminder_time(starts_at: dt.datetime) -> dt.datetime:
    """The day before the session, at REMINDER_HOUR local time."""
    platform = timezone.get_default_timezone()  # not the active one: a request may have activated another
    day_before = timezone.localtime(starts_at, platform).date() - dt.timedelta(days=1)
    return timezone.make_aware(dt.datetime.combine(day_before, dt.time(REMINDER_HOUR)), platform)


def _queue(
    registration: Registration,
    purpose: str,
    *,
    mds_id: int,
    key_detail: str = "",
    send_after: dt.datetime | None = None,
) -> Notification | None:
    channel = message_channel(registration)
    if channel is None:
        return None
    key = ":".join(part for part in (purpose, str(registration.pk), key_detail, channel) if part)
    return OUTBOX.write(
        mds_id=mds_id, registration=registration, purpose=purpose, channel=channel, key=key,
        template=f"{TEMPLATES}/{purpose}", send_after=send_after,
    )  # fmt: skip


def registration_messages_queue(*, registration: Registration, event: str, **_kwargs: Any) -> list[Notification]:
    """Queue what a change of `registration` tells the person (receiver of registration_changed, inside the
    change's transaction). Calling it twice for the same change queues nothing more."""
    purpose = _PURPOSE_OF_EVENT.get(event)  # a walk-in is there already: nothing to tell
    if purpose is None:
        return []
    session = registration.session
    mds_id = session.workshop.mds_id
    queued = []
    if purpose == Purpose.OFFERED:
        # The offer's expiry is in its key: a later offer to the same registration would be a message of its own.
        assert registration.offer_expires_at is not None  # noqa: S101 (an offer always has its expiry)
        expires = registration.offer_expires_at.isoformat()
        queued.append(_queue(registration, purpose, mds_id=mds_id, key_detail=expires))
    else:
        queued.append(_queue(registration, purpose, mds_id=mds_id))
    if purpose == Purpose.CONFIRMED and (remind_at := reminder_time(session.starts_at)) > timezone.now():
        queued.append(_queue(registration, Purpose.REMINDER, mds_id=mds_id, send_after=remind_at))
    return [message for message in queued if message is not None]


def session_cancelled_messages_queue(session: WorkshopSession) -> list[Notification]:
    """Tell everyone still registered (a seat, an offer, the waiting list) that the MDS cancelled the session.
    Call it inside the cancellation's transaction."""
    registrations = session.registrations.filter(status__in=LIVE_STATUSES).order_by("pk")
    queued = [
        _queue(registration, Purpose.SESSION_CANCELLED, mds_id=session.workshop.mds_id)
        for registration in registrations
    ]
    return [message for message in queued if message is not None]


def session_moved_messages_queue(session: WorkshopSession) -> list[Notification]:
    """The MDS moved a planned session (another day, time or site): tell everyone still registered, once per new
    start and site, and move the pending day-before reminders to the new day (a reminder that would be due already
    leaves at once). Call it inside the change's transaction."""
    registrations = list(session.registrations.filter(status__in=LIVE_STATUSES).order_by("pk"))
    mds_id = session.workshop.mds_id
    moved_to = f"{session.starts_at.isoformat()}@{session.site_id}"
    queued = [
        _queue(registration, Purpose.SESSION_MOVED, mds_id=mds_id, key_detail=moved_to)
        for registration in registrations
    ]
    remind_at = max(reminder_time(session.starts_at), timezone.now())
    Notification.objects.filter(
        registration__in=registrations, purpose=Purpose.REMINDER, status=Notification.Status.PENDING
    ).update(send_after=remind_at)
    return [message for message in queued if message is not None]


def messages_of_registration(registration: Registration) -> QuerySet[Notification]:
    """The registration's messages, oldest first, with their message log entry joined."""
    return (
        Notification.objects.filter(registration=registration)
        .select_related("sent_message")
        .order_by("created_at", "pk")
    )


# --- Rendering: mediation's hooks of the outbox ------------------------------------------------------------


def _recipients(message: Notification) -> list[str]:
    registration = message.registration
    if registration is None or registration.anonymised_at:
        return []
    address = registration.phone if message.channel == Notification.Channel.SMS else registration.email
    return [address] if address else []


def _language(message: Notification) -> str:
    language = message.registration.language if message.registration else ""
    return language if language in settings.MEDIATION_MESSAGE_LANGUAGES else str(settings.LANGUAGE_CODE)


def _when(moment: dt.datetime) -> str:
    local = timezone.localtime(moment)
    # No year: a workshop is weeks ahead at most, and an SMS is billed by the character.
    return _("%(day)s at %(time)s") % {"day": formats.date_format(local, "l j F"), "time": f"{local:%H:%M}"}


def _still_true(message: Notification, registration: Registration) -> None:
    """A reminder or an offer that no longer holds is not sent (it would send the person to a seat they left)."""
    session = registration.session
    if message.purpose == Purpose.REMINDER and (
        registration.status != RegistrationStatus.CONFIRMED or session.status != SessionStatus.PLANNED
    ):
        raise Undeliverable("The registration is no longer confirmed for a planned session.")
    if message.purpose == Purpose.OFFERED and (
        registration.status != RegistrationStatus.OFFERED
        or registration.offer_expires_at is None
        or registration.offer_expires_at <= timezone.now()
    ):
        raise Undeliverable("The offer was answered or has expired.")


def _context(message: Notification) -> dict[str, Any]:
    registration = message.registration
    if registration is None:
        raise Undeliverable("The registration is gone.")
    _still_true(message, registration)
    session = registration.session
    site = session.site
    context: dict[str, Any] = {
        "workshop": session.workshop.title,
        "when": _when(session.starts_at),
        "place": site.name or str(message.mds),
        "address": " ".join(part for part in (site.street, site.commune) if part),
        "mds": message.mds,
    }
    if registration.is_live:
        context["cancel_url"] = public_link("cancel", cancel_token(registration))
    if message.purpose == Purpose.OFFERED:
        assert registration.offer_expires_at is not None  # noqa: S101 (_still_true checked it)
        context["expires"] = _when(registration.offer_expires_at)
        context["accept_url"] = public_link("accept", offer_token(registration))
    return context


OUTBOX: Outbox[Notification] = Outbox(
    model=Notification, task="mediation.tasks.send_message", settings_prefix="MEDIATION_NOTIFY",
    recipients=_recipients, language=_language, context=_context,
    related=("registration__session__workshop", "registration__session__site", "mds"), plain_sms=True,
)  # fmt: skip


def message_send(*, message_id: int) -> float | None:
    """Send one row once (core.outbox.Outbox.send); the seconds before a retry, or None."""
    return OUTBOX.send(message_id=message_id)


def messages_sweep(*, seconds: float | None = None) -> int:
    """Send what is pending and due: reminders of the day, what the broker never got (beat, every minute)."""
    return OUTBOX.sweep(seconds=seconds)
