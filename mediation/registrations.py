"""The one write path of registrations: register (the public or an agent), cancel, the waiting list's offers.

Seats are counted under the session's row lock (`SELECT … FOR UPDATE`): every write that gives or frees a seat
of a session takes it first, so counting the seats and taking one are one step for everyone registering at that
moment, and the capacity is never exceeded (tests/mediation/test_last_seat_concurrent.py fails without it).
Locks are taken session first, then registrations: two writes never wait on each other the other way round.

The waiting list works the pretix way: when a seat frees up, the first person waiting gets an offer (status
"offered") that holds the seat for MEDIATION_OFFER_HOURS; they accept it (confirmed), or it expires and passes to
the next (beat's `offers_expire`, every 10 minutes). Each change is announced on
`mediation.signals.registration_changed`, in the transaction.
"""

import datetime as dt

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from core.phone import InvalidPhoneNumber, phone_normalise
from mediation.models import (
    SEAT_STATUSES,
    Registration,
    RegistrationStatus,
    SessionStatus,
    WorkshopSession,
)
from mediation.signals import registration_changed
from sites.audit import acting_as
from sites.models import Agent

CANCEL_SALT = "mediation.registration.cancel"
OFFER_SALT = "mediation.registration.offer"


class SessionClosed(ValidationError):
    """The session takes no registration (cancelled, held, or already started)."""


class OfferExpired(ValidationError):
    """The seat offered is no longer held for this person."""


# --- Signed links: cancel, accept an offer ------------------------------------------------------------


def cancel_token(registration: Registration) -> str:
    """The secret of a registration's cancel link: its id, signed with the project's key and this salt (a token
    made for another purpose, e.g. an appointment's, does not open it)."""
    return signing.dumps({"r": registration.pk}, salt=CANCEL_SALT, compress=True)


def offer_token(registration: Registration) -> str:
    """The secret of the link that accepts a seat offered: signed as the cancel link but with its own salt, so
    that a cancel link cannot accept a seat nor an offer link cancel one."""
    return signing.dumps({"r": registration.pk}, salt=OFFER_SALT, compress=True)


def _registration_signed(token: str, *, salt: str) -> Registration | None:
    try:
        data = signing.loads(token, salt=salt, max_age=settings.MEDIATION_CANCEL_LINK_MAX_AGE)
    except signing.BadSignature:  # SignatureExpired is one
        return None
    if not isinstance(data, dict) or not isinstance(data.get("r"), int):
        return None
    return Registration.objects.select_related("session__workshop", "session__site").filter(pk=data["r"]).first()


def registration_from_cancel_token(token: str) -> Registration | None:
    """The registration a cancel link names, or None when the link is tampered with or too old."""
    return _registration_signed(token, salt=CANCEL_SALT)


def registration_from_offer_token(token: str) -> Registration | None:
    """The registration an offer link names, or None when the link is tampered with or too old (whether the offer
    still holds is offer_accept's to say)."""
    return _registration_signed(token, salt=OFFER_SALT)


# --- Helpers ---------------------------------------------------------------------------------------------


def locked_session(session_id: int) -> WorkshopSession:
    """The session, its row locked until the transaction ends: the seats' one serialisation point."""
    return WorkshopSession.objects.select_for_update().select_related("workshop").get(pk=session_id)


def seats_taken(session: WorkshopSession) -> int:
    """Confirmed registrations and offers not answered yet (an offer holds its seat)."""
    return session.registrations.filter(status__in=SEAT_STATUSES).count()


def _announce(registration: Registration, event: str) -> None:
    registration_changed.send(sender=Registration, registration=registration, event=event)


def contact_normalise(phone: str, email: str, *, required: bool = True) -> tuple[str, str]:
    """The phone in E.164 and the email in lower case; one of them unless not `required` (a walk-in)."""
    phone, email = phone.strip(), email.strip().lower()
    if phone:
        try:
            phone = phone_normalise(phone)
        except InvalidPhoneNumber as error:
            raise ValidationError({"phone": _("This phone number does not exist.")}, code="invalid_phone") from error
    if required and not phone and not email:
        raise ValidationError(_("Give a phone number or an email address."), code="registration_phone_or_email")
    return phone, email


def registration_insert(registration: Registration, *, actor: Agent | None) -> Registration:
    """Insert with its audit entry; a second live registration of the same phone or email (the partial unique
    index, also when two arrive at once) reads as a sentence."""
    registration.full_clean(validate_constraints=False)
    try:
        with transaction.atomic(), acting_as(actor):  # a savepoint: the caller's transaction stays usable
            registration.save()
    except IntegrityError as error:
        constraint = getattr(getattr(error.__cause__, "diag", None), "constraint_name", "")
        if constraint == "registration_one_live_per_phone":
            raise ValidationError({"phone": _("This phone number is already registered for this session.")},
                                  code=constraint) from error  # fmt: skip
        if constraint == "registration_one_live_per_email":
            raise ValidationError({"email": _("This email address is already registered for this session.")},
                                  code=constraint) from error  # fmt: skip
        raise
    return registration


def _set_status(registration: Registration, status: str, *, actor: Agent | None, **fields: object) -> Registration:
    registration.status = status
    for name, value in fields.items():
        setattr(registration, name, value)
    with acting_as(actor):
        registration.save(update_fields=["status", *fields, "updated_at"])
    _announce(registration, status)
    return registration


# --- Registering -----------------------------------------------------------------------------------------


@transaction.atomic
def registration_create(
    *,
    session: WorkshopSession,
    first_name: str,
    phone: str = "",
    email: str = "",
    actor: Agent | None = None,
    language: str = "fr",
    now: dt.datetime | None = None,
) -> Registration:
    """Register someone: a seat if `confirmed + offered < capacity`, else the end of the waiting list. By the
    person online (no actor: they consent on the form) or by an agent on their behalf (who records it)."""
    now = now or timezone.now()
    phone, email = contact_normalise(phone, email)
    first_name = first_name.strip()
    if not first_name:
        raise ValidationError({"first_name": _("Give a first name.")}, code="first_name_required")
    # Why the lock: without it two people reading "1 seat left" at the same instant would both take it.
    locked = locked_session(session.pk)
    if locked.status != SessionStatus.PLANNED or locked.starts_at <= now:
        raise SessionClosed(_("This session is no longer open for registration."), code="session_closed")
    registration = Registration(
        session=locked,
        first_name=first_name,
        phone=phone,
        email=email,
        consent_at=now,
        registered_by=actor,
        language=language,
    )
    if seats_taken(locked) < locked.capacity:
        registration.status = RegistrationStatus.CONFIRMED
    else:
        registration.status = RegistrationStatus.WAITING
        last = locked.registrations.aggregate(last=Max("position"))["last"] or 0
        registration.position = last + 1
    registration_insert(registration, actor=actor)
    _announce(registration, registration.status)
    return registration


@transaction.atomic
def registration_cancel(
    *, registration: Registration, actor: Agent | None = None, now: dt.datetime | None = None
) -> Registration:
    """Cancel (by an agent, or by the person through the signed link: no actor). The seat it held goes to the
    waiting list at once. Safe to run twice."""
    now = now or timezone.now()
    session = locked_session(registration.session_id)
    registration = Registration.objects.select_for_update().get(pk=registration.pk)
    if not registration.is_live:
        return registration
    held_a_seat = registration.status in SEAT_STATUSES
    _set_status(registration, RegistrationStatus.CANCELLED, actor=actor)
    if held_a_seat:
        _promote(session, now=now)
    return registration


# --- The waiting list ------------------------------------------------------------------------------------


def _promote(session: WorkshopSession, *, now: dt.datetime) -> list[Registration]:
    """Offer every free seat of `session` (locked by the caller) to the next people waiting, in order."""
    if session.status != SessionStatus.PLANNED or session.starts_at <= now:
        return []  # no offer for a session that will not take place or has begun
    free = session.capacity - seats_taken(session)
    if free <= 0:
        return []
    # An offer never outlives the session's start: nobody is offered a seat in a session already begun.
    expires = min(now + dt.timedelta(hours=settings.MEDIATION_OFFER_HOURS), session.starts_at)
    waiting = (
        session.registrations.select_for_update()
        .filter(status=RegistrationStatus.WAITING)
        .order_by("position", "pk")[:free]
    )
    offered = []
    for registration in waiting:
        offered.append(_set_status(registration, RegistrationStatus.OFFERED, actor=None, offer_expires_at=expires))
    return offered


@transaction.atomic
def waiting_list_promote(*, session: WorkshopSession, now: dt.datetime | None = None) -> list[Registration]:
    """The next people waiting get the seats free now, each as an offer valid MEDIATION_OFFER_HOURS (or until the
    session starts). Under the session's lock: run twice or at once, a seat is offered once."""
    return _promote(locked_session(session.pk), now=now or timezone.now())


@transaction.atomic
def offer_accept(
    *, registration: Registration, actor: Agent | None = None, now: dt.datetime | None = None
) -> Registration:
    """The person takes the seat offered. Refused once the offer expired (even before beat noticed it)."""
    now = now or timezone.now()
    locked_session(registration.session_id)
    registration = Registration.objects.select_for_update().get(pk=registration.pk)
    if registration.status == RegistrationStatus.CONFIRMED:
        return registration  # accepted twice (a double tap): nothing more
    if registration.status != RegistrationStatus.OFFERED or (
        registration.offer_expires_at is not None and registration.offer_expires_at <= now
    ):
        raise OfferExpired(_("This seat is no longer held for you."), code="offer_expired")
    return _set_status(registration, RegistrationStatus.CONFIRMED, actor=actor, position=None)


def offers_expire(*, now: dt.datetime | None = None) -> int:
    """Expired offers become "expired" and their seats pass to the next people waiting; one transaction per
    session, so that a long backlog never holds many locks. Safe to run twice (and at once): what is expired
    no longer matches, and each session's work is done under its lock. Returns how many offers expired."""
    now = now or timezone.now()
    session_ids = (
        Registration.objects.filter(status=RegistrationStatus.OFFERED, offer_expires_at__lte=now)
        .order_by("session_id")
        .values_list("session_id", flat=True)
        .distinct()
    )
    expired = 0
    for session_id in list(session_ids):
        with transaction.atomic():
            session = locked_session(session_id)
            due = session.registrations.select_for_update().filter(
                status=RegistrationStatus.OFFERED, offer_expires_at__lte=now
            )
            for registration in due:
                _set_status(registration, RegistrationStatus.EXPIRED, actor=None)  # its audit entry: the change
                expired += 1
            _promote(session, now=now)
    return expired
