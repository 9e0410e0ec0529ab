"""Sessions: plan one (its site must be one of the workshop's MDS), take attendance on the day, let walk-ins in,
mark it held — which fills the activity record by itself (mediation.activities)."""

import datetime as dt
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from mediation.activities import session_activity_sync
from mediation.messages import session_cancelled_messages_queue, session_moved_messages_queue
from mediation.models import (
    AttendanceStatus,
    Registration,
    RegistrationStatus,
    SessionStatus,
    WorkshopSession,
)
from mediation.registrations import contact_normalise, locked_session, registration_insert, seats_taken
from mediation.signals import registration_changed
from sites.audit import acting_as, audited_save
from sites.models import Agent


@transaction.atomic
def session_save(
    *, session: WorkshopSession, actor: Agent | None, facilitators: Iterable[Agent] | None = None
) -> WorkshopSession:
    """Create or change a session, validated (the site of the workshop's MDS, the room of that site: the model's
    clean(); end after start and 1..500 seats: its constraints) and audited, its facilitators too when given. A
    capacity lowered below the seats already given is refused: nobody loses a confirmed seat by an edit. A planned
    session moved to another start or site tells the people registered (mediation.messages)."""
    moved = False
    if session.pk is not None:
        locked = locked_session(session.pk)
        if session.capacity < seats_taken(locked):
            raise ValidationError({"capacity": _("More people already hold a seat than this number.")},
                                  code="capacity_below_seats")  # fmt: skip
        moved = (locked.starts_at, locked.site_id) != (session.starts_at, session.site_id)
    session = audited_save(session, actor=actor)
    if moved and session.status == SessionStatus.PLANNED:
        session_moved_messages_queue(session)  # people go where and when it now is, reminded the right day
    if facilitators is not None:
        with acting_as(actor):
            session.facilitators.set(facilitators)
    return session


@transaction.atomic
def session_cancel(*, session: WorkshopSession, actor: Agent) -> WorkshopSession:
    """Cancel a planned session; the registrations stay, and each person still registered is told (in this
    transaction: the message is committed with the cancellation)."""
    session = locked_session(session.pk)
    if session.status == SessionStatus.HELD:
        raise ValidationError(_("A session already held cannot be cancelled."), code="session_held")
    if session.status != SessionStatus.CANCELLED:
        session.status = SessionStatus.CANCELLED
        with acting_as(actor):
            session.save(update_fields=["status"])
        session_cancelled_messages_queue(session)
    return session


@transaction.atomic
def attendance_set(
    *, registration: Registration, actor: Agent, attendance: str, absence_reason: str = ""
) -> Registration:
    """One tap of the facilitator: present, or absent with a reason. On a session already held, the activity's
    participants follow (attendance is then the activity's record)."""
    if attendance not in AttendanceStatus.values:
        raise ValidationError(_("Unknown attendance."), code="attendance_unknown")
    if attendance != AttendanceStatus.ABSENT:
        absence_reason = ""
    session = locked_session(registration.session_id)
    if session.status == SessionStatus.CANCELLED:
        raise ValidationError(_("This session is cancelled."), code="session_cancelled")
    registration = Registration.objects.select_for_update().get(pk=registration.pk)
    if registration.status != RegistrationStatus.CONFIRMED:
        raise ValidationError(_("Only a confirmed registration is marked present or absent."),
                              code="registration_attendance_of_confirmed")  # fmt: skip
    if (registration.attendance, registration.absence_reason) != (attendance, absence_reason):
        registration.attendance, registration.absence_reason = attendance, absence_reason
        registration.full_clean(validate_constraints=False)
        with acting_as(actor):
            registration.save(update_fields=["attendance", "absence_reason", "updated_at"])
        if session.status == SessionStatus.HELD:
            session_activity_sync(session=session, actor=actor)
    return registration


@transaction.atomic
def walk_in_add(
    *, session: WorkshopSession, actor: Agent, first_name: str = "", phone: str = "", email: str = "",
    anonymous: bool = False, now: dt.datetime | None = None,
) -> Registration:  # fmt: skip
    """Someone who comes without registering: present at once, in a free seat — never beyond the capacity (the
    same lock and count as a registration). A first name is enough (nothing will be sent to them); `anonymous`,
    not even that: the person is counted, and nothing is kept about them."""
    now = now or timezone.now()
    if anonymous:
        first_name = phone = email = ""
    phone, email = contact_normalise(phone, email, required=False)
    if not anonymous and not first_name.strip():
        raise ValidationError({"first_name": _("Give a first name.")}, code="first_name_required")
    session = locked_session(session.pk)
    if session.status == SessionStatus.CANCELLED:
        raise ValidationError(_("This session is cancelled."), code="session_cancelled")
    if seats_taken(session) >= session.capacity:
        raise ValidationError(
            _("No seat is free in this session: a walk-in can only take a free seat (a seat offered to someone on "
              "the waiting list stays theirs until the offer expires)."),
            code="session_full",
        )  # fmt: skip
    registration = Registration(
        session=session, first_name=first_name.strip(), phone=phone, email=email, consent_at=now,
        registered_by=actor, status=RegistrationStatus.CONFIRMED, attendance=AttendanceStatus.PRESENT, walk_in=True,
    )  # fmt: skip
    registration_insert(registration, actor=actor)
    registration_changed.send(sender=Registration, registration=registration, event="walk_in")
    if session.status == SessionStatus.HELD:
        session_activity_sync(session=session, actor=actor)
    return registration


@transaction.atomic
def session_mark_held(*, session: WorkshopSession, actor: Agent, now: dt.datetime | None = None) -> WorkshopSession:
    """The session took place: from then on its attendance is the activity's record. Creates the session's
    collective Activity (participants = those present, themes and duration from the workshop, mediators = the
    facilitators), or brings it up to date when marked again: one Activity per session, never two."""
    now = now or timezone.now()
    session = locked_session(session.pk)
    if session.status == SessionStatus.CANCELLED:
        raise ValidationError(_("A cancelled session cannot be marked held."), code="session_cancelled")
    if session.starts_at > now:
        raise ValidationError(_("A session is marked held once it has started."), code="session_not_started")
    if session.status != SessionStatus.HELD:
        session.status, session.held_at = SessionStatus.HELD, now
        with acting_as(actor):
            session.save(update_fields=["status", "held_at"])
    session_activity_sync(session=session, actor=actor)
    return session
