"""The one write path of appointments: book (by an agent, or by the person online), cancel, record attendance;
each audited, each queueing the person's messages in the same transaction through the outbox.

What is sent follows the motif's visibility: only a "visible and notified" motif sends anything, and only that
message names the motif. A booking the person has just made on screen gets no confirmation SMS (it costs and
says nothing new): an email confirmation only, which carries the cancel link. The reminder is queued once, for
the day before (`send_after`), unless the appointment is less than a day away.
"""

import datetime as dt
from typing import Any

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from accueil.models import (
    Appointment,
    Attendance,
    BookedBy,
    ContactRequest,
    Motif,
    Notification,
    Person,
    RequestEvent,
    RequestStatus,
)
from accueil.models.appointments import collective_session
from accueil.notifications import context_loader, notify
from sites.audit import acting_as
from sites.models import Agent, Site, Zone

CANCEL_SALT = "accueil.appointment.cancel"
REMINDER_AHEAD = dt.timedelta(days=1)


class SlotTaken(ValidationError):
    """Someone else booked this slot first (the database's exclusion constraint said so)."""


def cancel_token(appointment: Appointment) -> str:
    return signing.dumps({"a": appointment.pk}, salt=CANCEL_SALT, compress=True)


def appointment_from_cancel_token(token: str) -> Appointment | None:
    """The appointment a cancel link names, or None when the link is forged or older than its lifetime."""
    try:
        data = signing.loads(token, salt=CANCEL_SALT, max_age=settings.APPOINTMENT_CANCEL_LINK_MAX_AGE)
    except signing.BadSignature:  # SignatureExpired is one
        return None
    return Appointment.objects.select_related("motif", "site", "mds").filter(pk=data.get("a")).first()


def cancel_url(appointment: Appointment) -> str:
    return settings.APPOINTMENT_LINK_BASE_URL.rstrip("/") + reverse("booking:cancel", args=[cancel_token(appointment)])


def _context(appointment: Appointment, *, with_cancel_link: bool) -> dict[str, Any]:
    context: dict[str, Any] = {
        "appointment_id": appointment.pk,
        "starts_at": appointment.starts_at.isoformat(),  # "when" is written at send time, in the person's language
        "motif": appointment.motif.name,
        "location_type": appointment.motif.location_type,
        "place": appointment.site.name or str(appointment.mds),
        "address": " ".join(part for part in (appointment.site.street, appointment.site.commune) if part),
        "instructions": appointment.motif.instructions_after,
    }
    if appointment.language:
        context["language"] = appointment.language
    if with_cancel_link and appointment.motif.person_may_cancel:
        context["cancel_url"] = cancel_url(appointment)
    return context


def _when_context(notification: Notification) -> dict[str, Any]:
    """The appointment's day and time in the language the message is being written in (called under it)."""
    if "starts_at" not in notification.context:
        return {}  # a row written before the day was written at send time: its "when", in French
    local = timezone.localtime(dt.datetime.fromisoformat(notification.context["starts_at"]))
    return {"when": _("%(day)s at %(time)s") % {"day": formats.date_format(local, "l j F Y"), "time": f"{local:%H:%M}"}}


for _purpose in (Notification.Purpose.CONFIRMATION, Notification.Purpose.REMINDER, Notification.Purpose.CANCELLATION):
    context_loader(_purpose)(_when_context)


def _channels(person: Person) -> list[tuple[str, str]]:
    """(channel, address) for each way the person can be reached; the outbox sends to the address in the context
    (an appointment may have no request behind it: a walk-in, a booking made online)."""
    return [(channel, address) for channel, address in (("sms", person.phone), ("email", person.email)) if address]


def appointment_messages_queue(appointment: Appointment, *, on_screen: bool) -> list[Notification]:
    if not appointment.motif.notifies:
        return []  # "visible, not notified" and "invisible": nothing reaches the person's phone or mailbox
    queued = []
    context = _context(appointment, with_cancel_link=True)
    for channel, address in _channels(appointment.person):
        if not (on_screen and channel == "sms"):
            queued.append(notify(
                mds_id=appointment.mds_id, request=appointment.request, purpose=Notification.Purpose.CONFIRMATION,
                channel=channel, key=f"appointment:{appointment.pk}:confirmation:{channel}",
                template="accueil/messages/appointment_confirmation", context={**context, "to": address},
            ))  # fmt: skip
        reminder_at = appointment.starts_at - REMINDER_AHEAD
        if reminder_at > timezone.now():
            queued.append(notify(
                mds_id=appointment.mds_id, request=appointment.request, purpose=Notification.Purpose.REMINDER,
                channel=channel, key=f"appointment:{appointment.pk}:reminder:{channel}",
                template="accueil/messages/appointment_reminder", context={**context, "to": address},
                send_after=reminder_at,
            ))  # fmt: skip
    return [notification for notification in queued if notification is not None]


@transaction.atomic
def appointment_book(
    *,
    actor: Agent | None,
    motif: Motif,
    agent: Agent,
    site: Site,
    starts_at: dt.datetime,
    person: Person,
    request: ContactRequest | None = None,
    room: Zone | None = None,
    booked_by: str = BookedBy.AGENT,
    language: str = "",
) -> Appointment:
    """Book `person` with `agent` at `starts_at` for the motif's duration. Raises SlotTaken when the agent (or
    the room) is already booked then — by the database, so that two bookings at once cannot both win — or when
    the collective session has no seat left (counted under the motif's row lock, which serialises its bookings)."""
    if site.mds_id != motif.mds_id or person.mds_id != motif.mds_id:
        raise ValidationError(_("The motif, the site and the person must belong to the same MDS."))
    if request is not None and request.mds_id != motif.mds_id:
        raise ValidationError(_("The request belongs to another MDS."))
    if room is not None and room.site_id != site.pk:
        raise ValidationError(_("The room is not at this site."))
    appointment = Appointment(
        mds_id=motif.mds_id, site=site, room=room, agent=agent, motif=motif, person=person, request=request,
        starts_at=starts_at, ends_at=starts_at + dt.timedelta(minutes=motif.duration_minutes),
        booked_by=booked_by, created_by=actor, language=language or (request.language if request else ""),
    )  # fmt: skip
    if motif.collective:
        appointment.session = _seat_in_session(motif=motif, agent=agent, starts_at=starts_at, person=person)
    # Validate the row's own rules, but leave the overlap to the database's constraint (checked in the insert).
    appointment.full_clean(validate_constraints=False)
    try:
        with transaction.atomic(), acting_as(actor):  # a savepoint: the caller's transaction stays usable
            appointment.save()
    except IntegrityError as error:
        constraint = getattr(getattr(error.__cause__, "diag", None), "constraint_name", "")
        if constraint == "appointment_room_free":
            raise SlotTaken(_("This room is already taken at that time."), code="appointment_room_free") from error
        if constraint == "appointment_agent_free":
            raise SlotTaken(_("This slot has just been booked: choose another one."),
                            code="appointment_agent_free") from error  # fmt: skip
        if constraint == "appointment_one_seat_per_person":
            raise ValidationError(_("This person already has a seat in this session."),
                                  code="appointment_one_seat_per_person") from error  # fmt: skip
        raise
    if request is not None:
        with acting_as(actor):
            if request.person_id is None:  # the request's person is now known: the one just booked
                request.person = person
            if request.status != RequestStatus.APPOINTMENT_BOOKED and not request.is_final:
                request.status = RequestStatus.APPOINTMENT_BOOKED
                request.first_answered_at = request.first_answered_at or timezone.now()
            request.save(update_fields=["person", "status", "first_answered_at"])
            local = timezone.localtime(starts_at)
            with translation.override(settings.LANGUAGE_CODE):  # the agents' timeline, whatever page booked it
                text = _("Appointment booked on %(day)s at %(time)s (%(motif)s).") % {
                    "day": formats.date_format(local, "l j F Y"), "time": f"{local:%H:%M}", "motif": motif.name,
                }  # fmt: skip
            RequestEvent.objects.create(request=request, kind=RequestEvent.Kind.APPOINTMENT, author=actor, text=text)
    appointment_messages_queue(appointment, on_screen=booked_by == BookedBy.PUBLIC)
    return appointment


def seats_taken(*, motif: Motif, agent_id: int, starts_at: dt.datetime) -> int:
    session = collective_session(motif_id=motif.pk, agent_id=agent_id, starts_at=starts_at)
    return Appointment.objects.active().filter(session=session).count()


def _seat_in_session(*, motif: Motif, agent: Agent, starts_at: dt.datetime, person: Person) -> str:
    """The session of this collective booking, once a seat is known to be left. The motif's row lock makes the
    count and the insert one step for everyone booking this motif: two last seats are never both given."""
    locked = Motif.objects.select_for_update().get(pk=motif.pk)
    if seats_taken(motif=locked, agent_id=agent.pk, starts_at=starts_at) >= locked.seats:
        raise SlotTaken(_("This session is full: choose another one."), code="session_full")
    return collective_session(motif_id=motif.pk, agent_id=agent.pk, starts_at=starts_at)


class CancelRefused(Exception):
    """The person may not cancel this appointment any more (or never could)."""


@transaction.atomic
def appointment_cancel(*, appointment: Appointment, actor: Agent | None, by_person: bool = False) -> Appointment:
    """Cancel: the slot is free again, the pending reminder is dropped. By the MDS, the person is told (if the
    motif notifies); by the person (the signed link), within the motif's deadline only. Safe to run twice."""
    appointment = Appointment.objects.select_for_update().select_related("motif").get(pk=appointment.pk)
    if appointment.cancelled_at is not None:
        return appointment
    now = timezone.now()
    if by_person:
        deadline = appointment.starts_at - dt.timedelta(hours=appointment.motif.cancel_deadline_hours)
        if not appointment.motif.person_may_cancel or now > deadline:
            raise CancelRefused(_("This appointment can no longer be cancelled online: call the MDS."))
    appointment.cancelled_at = now
    appointment.attendance = Attendance.EXCUSED if by_person else Attendance.CANCELLED
    with acting_as(actor):
        appointment.save(update_fields=["cancelled_at", "attendance"])
    Notification.objects.filter(
        key__startswith=f"appointment:{appointment.pk}:reminder:", status=Notification.Status.PENDING
    ).update(status=Notification.Status.SKIPPED)
    if not by_person and appointment.motif.notifies:
        context = _context(appointment, with_cancel_link=False)
        for channel, address in _channels(appointment.person):
            notify(
                mds_id=appointment.mds_id, request=appointment.request, purpose=Notification.Purpose.CANCELLATION,
                channel=channel, key=f"appointment:{appointment.pk}:cancellation:{channel}",
                template="accueil/messages/appointment_cancellation", context={**context, "to": address},
            )  # fmt: skip
    return appointment


@transaction.atomic
def appointment_attendance_set(*, appointment: Appointment, actor: Agent, attendance: str) -> Appointment:
    """Record whether the person came. Cancelling goes through appointment_cancel (it frees the slot)."""
    if attendance in (Attendance.CANCELLED, Attendance.EXCUSED) or attendance not in Attendance.values:
        raise ValidationError(_("Cancel the appointment to mark it cancelled or excused."))
    appointment = Appointment.objects.select_for_update().get(pk=appointment.pk)
    if appointment.cancelled_at is not None:
        raise ValidationError(_("This appointment is cancelled."))
    if appointment.attendance != attendance:
        appointment.attendance = attendance
        with acting_as(actor):
            appointment.save(update_fields=["attendance"])
    return appointment
