"""The agents' inbox: what agents do to a request (assign, change its status, note, reply) and walk-ins.

Each function is the one write path of what it does: it locks the request, writes the request and its
timeline entry (RequestEvent) with their audit entries in one transaction. The permission is the view's to
check, on the request (scoped to its MDS); the services check what a view cannot: who may be given a
request, which statuses follow which, which channel can reach the person.

**First answer** (`first_answered_at`, read by the "median time to first answer" indicator): the first time
an agent answers the person, which is either a reply sent from the inbox (email or SMS) or a change of status
out of "new" (taking it in hand, booking an appointment, closing it…): both mean the MDS has acted on the
request. Notes and assignments alone do not count (nothing happened for the person), and the moment is never
moved once set. A walk-in is answered at the desk: its first answer is the moment it is recorded.
"""

import datetime
import uuid

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accueil import notifications
from accueil.models import ContactRequest, Notification, RequestEvent, RequestKind, RequestSource, RequestStatus, Topic
from accueil.models.requests import FINAL_STATUSES
from accueil.people import person_from_request
from core.phone import InvalidPhoneNumber, phone_normalise
from sites.audit import audited_save
from sites.models import Agent, Mds, Site
from sites.roles import Role

# The per-MDS roles that answer requests (accueil/apps.py grants them the inbox).
ANSWERING_ROLES = (Role.RECEPTION, Role.SOCIAL_WORKER, Role.MDS_MANAGER)
REPLY_MAX_LENGTH = 1000
NOTE_MAX_LENGTH = 4000

# Where a request may go from each status. Nothing goes back to "new": once an agent has acted, the
# request is no longer unread. A final status may be reopened (taken again) when the person calls back.
TRANSITIONS: dict[str, tuple[str, ...]] = {
    RequestStatus.NEW: (RequestStatus.TAKEN, RequestStatus.APPOINTMENT_BOOKED, RequestStatus.NOT_REACHABLE,
                        RequestStatus.REDIRECTED, RequestStatus.CLOSED),
    RequestStatus.TAKEN: (RequestStatus.APPOINTMENT_BOOKED, RequestStatus.NOT_REACHABLE, RequestStatus.REDIRECTED,
                          RequestStatus.CLOSED),
    RequestStatus.APPOINTMENT_BOOKED: (RequestStatus.TAKEN, RequestStatus.CLOSED, RequestStatus.NOT_REACHABLE),
    RequestStatus.NOT_REACHABLE: (RequestStatus.TAKEN, RequestStatus.CLOSED),
    RequestStatus.REDIRECTED: (RequestStatus.TAKEN, RequestStatus.CLOSED),
    RequestStatus.CLOSED: (RequestStatus.TAKEN,),
}  # fmt: skip


def answering_agents(mds_id: int) -> QuerySet[Agent]:
    """The agents a request of that MDS may be given to: active, answering requests at that MDS."""
    return (
        Agent.objects.filter(is_active=True, memberships__mds_id=mds_id, memberships__role__in=ANSWERING_ROLES)
        .distinct()
        .order_by("last_name", "first_name", "email")
    )


def _locked(contact_request: ContactRequest) -> ContactRequest:
    # Two agents working the same request at once: the second sees the first's change instead of erasing it.
    return ContactRequest.objects.select_for_update().get(pk=contact_request.pk)


def _event(
    *, request: ContactRequest, kind: str, actor: Agent | None, text: str, form_token: uuid.UUID | None = None
) -> RequestEvent:
    return audited_save(
        RequestEvent(request=request, kind=kind, author=actor, text=text, form_token=form_token), actor=actor
    )


def _already_written(request: ContactRequest, form_token: uuid.UUID | None) -> RequestEvent | None:
    """The event this very form already wrote (the request is locked: a second POST waits for the first)."""
    if form_token is None:
        return None
    return RequestEvent.objects.filter(request=request, form_token=form_token).first()


def _mark_answered(request: ContactRequest, now: datetime.datetime) -> list[str]:
    if request.first_answered_at is None:
        request.first_answered_at = now
        return ["first_answered_at"]
    return []


def _label(status: str) -> str:
    # The timeline is read in the back-office, which is French only: the entry is written in French whatever
    # language the agent's request came in (a command, a test).
    with translation.override("fr"):
        return str(RequestStatus(status).label)


@transaction.atomic
def request_assign(*, actor: Agent, contact_request: ContactRequest, assignee: Agent | None) -> ContactRequest:
    """Give the request to an agent who answers requests at its MDS (None: nobody has it any more)."""
    if assignee is not None and not answering_agents(contact_request.mds_id).filter(pk=assignee.pk).exists():
        raise ValidationError(_("Only an agent of this MDS who answers requests can be given it."), code="not_agent")
    locked = _locked(contact_request)
    if locked.assigned_to_id == (assignee.pk if assignee else None):
        return locked
    locked.assigned_to = assignee
    audited_save(locked, actor=actor, update_fields=["assigned_to"])
    with translation.override("fr"):
        text = _("Assigned to %(agent)s.") % {"agent": assignee} if assignee else _("Nobody has it any more.")
    _event(request=locked, kind=RequestEvent.Kind.ASSIGNED, actor=actor, text=text)
    return locked


@transaction.atomic
def request_set_status(
    *, actor: Agent, contact_request: ContactRequest, status: str, note: str = "", now: datetime.datetime | None = None
) -> ContactRequest:
    """Move the request to `status` (see TRANSITIONS), with an optional note on the timeline.

    A final status (closed, redirected, not reachable) dates the closing, which starts the retention clock;
    reopening clears it. Leaving "new" is the first answer (see the module's docstring).
    """
    now = now or timezone.now()
    locked = _locked(contact_request)
    if status not in TRANSITIONS.get(locked.status, ()):
        raise ValidationError(
            _("A request that is “%(current)s” cannot become “%(status)s”.")
            % {"current": _label(locked.status), "status": _label(status) if status in RequestStatus else status},
            code="transition",
        )
    previous = locked.status
    locked.status = status
    locked.closed_at = now if status in FINAL_STATUSES else None
    fields = ["status", "closed_at", *(_mark_answered(locked, now) if previous == RequestStatus.NEW else [])]
    audited_save(locked, actor=actor, update_fields=fields)
    text = f"{_label(previous)} → {_label(status)}"
    if note.strip():
        text += "\n" + note.strip()[:NOTE_MAX_LENGTH]
    _event(request=locked, kind=RequestEvent.Kind.STATUS, actor=actor, text=text)
    return locked


@transaction.atomic
def request_take(*, actor: Agent, contact_request: ContactRequest) -> ContactRequest:
    """Take it: the request becomes the actor's and, if it was new, taken in hand."""
    request = request_assign(actor=actor, contact_request=contact_request, assignee=actor)
    if request.status == RequestStatus.NEW:
        request = request_set_status(actor=actor, contact_request=request, status=RequestStatus.TAKEN)
    return request


@transaction.atomic
def request_note(
    *, actor: Agent, contact_request: ContactRequest, text: str, form_token: uuid.UUID | None = None
) -> RequestEvent:
    """An internal note on the timeline (never shown to the person); once per `form_token`."""
    text = text.strip()
    if not text:
        raise ValidationError(_("Write the note."), code="empty")
    locked = _locked(contact_request)  # in line with the request's other writes
    if (done := _already_written(locked, form_token)) is not None:
        return done
    return _event(
        request=locked, kind=RequestEvent.Kind.NOTE, actor=actor, text=text[:NOTE_MAX_LENGTH], form_token=form_token
    )


def reply_channels(contact_request: ContactRequest) -> list[str]:
    """The channels a reply can reach the person by: email if they gave one, SMS if they gave a mobile."""
    channels = []
    if contact_request.email:
        channels.append(Notification.Channel.EMAIL)
    if contact_request.phone:
        try:
            phone_normalise(contact_request.phone, mobile=True)
        except InvalidPhoneNumber:
            pass
        else:
            channels.append(Notification.Channel.SMS)
    return channels


@transaction.atomic
def request_reply(
    *,
    actor: Agent,
    contact_request: ContactRequest,
    channel: str,
    text: str,
    form_token: uuid.UUID | None = None,
    now: datetime.datetime | None = None,
) -> RequestEvent:
    """Send the person `text` by `channel`: the timeline keeps the message as sent, the outbox sends it once
    this transaction commits (accueil.notifications), and the reply is the first answer if none came before.
    The same form sent twice (`form_token`) sends one message: the second gets the first's event."""
    text = text.strip()
    if not text:
        raise ValidationError(_("Write the reply."), code="empty")
    if len(text) > REPLY_MAX_LENGTH:
        raise ValidationError(
            _("A reply holds at most %(max)d characters.") % {"max": REPLY_MAX_LENGTH}, code="too_long"
        )
    locked = _locked(contact_request)
    if (done := _already_written(locked, form_token)) is not None:
        return done
    if locked.anonymised_at is not None:
        raise ValidationError(_("This request has been anonymised: nobody can be answered."), code="anonymised")
    if channel not in reply_channels(locked):
        raise ValidationError(_("The person gave no address for this channel."), code="channel")
    fields = _mark_answered(locked, now or timezone.now())
    if fields:
        audited_save(locked, actor=actor, update_fields=fields)
    event = _event(request=locked, kind=RequestEvent.Kind.MESSAGE, actor=actor, text=text, form_token=form_token)
    notifications.reply_queue(contact_request=locked, event=event, channel=channel)
    return event


@transaction.atomic
def request_record_walk_in(
    *,
    actor: Agent,
    mds: Mds,
    kind: str,
    topic: str,
    last_name: str,
    first_name: str = "",
    phone: str = "",
    email: str = "",
    message: str = "",
    site: Site | None = None,
    now: datetime.datetime | None = None,
) -> ContactRequest:
    """A request taken at the desk: the agent reads the information notice to the person and acknowledges it
    on their behalf; the request is the agent's, taken in hand and answered as it is recorded."""
    if kind not in RequestKind.values or topic not in Topic.values:
        raise ValidationError(_("Choose what the request is for and its topic."), code="choices")
    if site is not None and site.mds_id != mds.pk:
        raise ValidationError(_("This site belongs to another MDS."), code="site")
    now = now or timezone.now()
    request = audited_save(
        ContactRequest(
            mds=mds, site=site, source=RequestSource.AGENT, kind=kind, topic=topic, message=message.strip(),
            first_name=first_name.strip(), last_name=last_name.strip(), phone=phone, email=email.strip(),
            notice_acknowledged_at=now, status=RequestStatus.TAKEN, assigned_to=actor, first_answered_at=now,
        ),
        actor=actor,
    )  # fmt: skip
    with translation.override("fr"):
        text = _("Recorded at the desk by %(agent)s; information notice read to the person.") % {"agent": actor}
    _event(request=request, kind=RequestEvent.Kind.NOTE, actor=actor, text=text)
    person_from_request(actor=actor, contact_request=request)  # the person's record, found or created
    return request
