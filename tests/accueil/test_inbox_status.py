"""The inbox's writes: statuses and their timeline, assignment, notes, the first answer, walk-ins."""

import datetime

import pytest
from auditlog.models import LogEntry
from django.core.exceptions import ValidationError
from django.utils import timezone

from accueil import inbox
from accueil.models import ContactRequest, RequestEvent, RequestSource, RequestStatus
from sites.roles import Role
from tests.accueil.factories import ContactRequestFactory
from tests.factories import MdsFactory, agent_with_role

pytestmark = pytest.mark.django_db

S = RequestStatus


@pytest.fixture
def mds():
    return MdsFactory(name="Alpha")


@pytest.fixture
def agent(mds):
    return agent_with_role(Role.RECEPTION, mds, first_name="Inès", last_name="Agent")


@pytest.mark.parametrize(
    ("path", "final"),
    [
        ([S.TAKEN], False),
        ([S.TAKEN, S.APPOINTMENT_BOOKED], False),
        ([S.TAKEN, S.APPOINTMENT_BOOKED, S.CLOSED], True),
        ([S.NOT_REACHABLE], True),
        ([S.TAKEN, S.REDIRECTED], True),
        ([S.CLOSED], True),
        ([S.CLOSED, S.TAKEN], False),
        ([S.NOT_REACHABLE, S.TAKEN, S.CLOSED], True),
    ],
)
def test_each_status_change_is_stored_with_its_timeline_entry_and_closing_date(agent, mds, path, final):
    """Every allowed change writes the status, one STATUS line naming both, and closed_at only when final."""
    request = ContactRequestFactory(mds=mds)
    previous = S.NEW
    for status in path:
        request = inbox.request_set_status(actor=agent, contact_request=request, status=status)
        event = request.events.order_by("-pk").first()
        assert event.kind == RequestEvent.Kind.STATUS
        assert event.author == agent
        assert event.text == f"{S(previous).label} → {S(status).label}"
        previous = status
    stored = ContactRequest.objects.get(pk=request.pk)
    assert stored.status == path[-1]
    assert (stored.closed_at is not None) is final
    assert stored.events.filter(kind=RequestEvent.Kind.STATUS).count() == len(path)


def test_a_status_change_keeps_its_note_on_the_timeline(agent, mds):
    """The optional note goes with the status line."""
    request = ContactRequestFactory(mds=mds)
    inbox.request_set_status(actor=agent, contact_request=request, status=S.REDIRECTED, note="Vers la CAF.")
    assert request.events.get().text.endswith("\nVers la CAF.")


@pytest.mark.parametrize(("start", "target"), [(S.TAKEN, S.NEW), (S.CLOSED, S.CLOSED), (S.TAKEN, S.TAKEN),
                                               (S.CLOSED, S.APPOINTMENT_BOOKED), (S.NEW, "bogus")])  # fmt: skip
def test_a_change_the_rules_do_not_allow_is_refused_and_writes_nothing(agent, mds, start, target):
    """Nothing goes back to new, nor stays where it is, nor goes to an unknown status."""
    request = ContactRequestFactory(mds=mds, status=start, closed_at=timezone.now() if start == S.CLOSED else None)
    with pytest.raises(ValidationError):
        inbox.request_set_status(actor=agent, contact_request=request, status=target)
    assert ContactRequest.objects.get(pk=request.pk).status == start
    assert not request.events.exists()


def test_leaving_new_is_the_first_answer_and_it_is_never_moved(agent, mds):
    """first_answered_at is set by the first change out of NEW and kept by later changes."""
    request = ContactRequestFactory(mds=mds)
    first = timezone.now() - datetime.timedelta(hours=2)
    inbox.request_set_status(actor=agent, contact_request=request, status=S.TAKEN, now=first)
    inbox.request_set_status(actor=agent, contact_request=request, status=S.CLOSED)
    assert ContactRequest.objects.get(pk=request.pk).first_answered_at == first


def test_notes_and_assignments_are_not_an_answer(agent, mds):
    """Nothing happened for the person: the request stays unanswered."""
    request = ContactRequestFactory(mds=mds)
    inbox.request_note(actor=agent, contact_request=request, text="Appel sans réponse.")
    inbox.request_assign(actor=agent, contact_request=request, assignee=agent)
    stored = ContactRequest.objects.get(pk=request.pk)
    assert stored.first_answered_at is None
    assert stored.assigned_to == agent
    assert list(stored.events.values_list("kind", flat=True)) == [RequestEvent.Kind.NOTE, RequestEvent.Kind.ASSIGNED]


def test_reopening_clears_the_closing_date(agent, mds):
    """A closed request taken again is open: no closing date, so the retention clock stops."""
    request = ContactRequestFactory(mds=mds)
    inbox.request_set_status(actor=agent, contact_request=request, status=S.CLOSED)
    inbox.request_set_status(actor=agent, contact_request=request, status=S.TAKEN)
    assert ContactRequest.objects.get(pk=request.pk).closed_at is None


def test_taking_a_request_assigns_it_and_takes_it_in_hand(agent, mds):
    """ "Take it": assigned to me, status taken, two timeline lines, with audit entries by me."""
    request = ContactRequestFactory(mds=mds)
    inbox.request_take(actor=agent, contact_request=request)
    stored = ContactRequest.objects.get(pk=request.pk)
    assert (stored.assigned_to, stored.status) == (agent, S.TAKEN)
    assert stored.first_answered_at is not None
    assert stored.events.count() == 2
    assert LogEntry.objects.filter(object_pk=str(request.pk), actor=agent, action=LogEntry.Action.UPDATE).exists()


def test_a_request_cannot_be_given_to_an_agent_of_another_mds(agent, mds):
    """The assignee must answer requests at the request's MDS: an agent of MDS B, or a mediator, is refused."""
    request = ContactRequestFactory(mds=mds)
    other = agent_with_role(Role.RECEPTION, MdsFactory(name="Bravo"))
    mediator = agent_with_role(Role.MEDIATOR, mds)
    for assignee in (other, mediator):
        with pytest.raises(ValidationError):
            inbox.request_assign(actor=agent, contact_request=request, assignee=assignee)
    assert ContactRequest.objects.get(pk=request.pk).assigned_to is None
    assert not request.events.exists()


def test_a_walk_in_is_recorded_as_taken_by_the_agent_with_the_notice_acknowledged(agent, mds):
    """Source AGENT, notice acknowledged now, taken and answered by the agent, a note on the timeline."""
    request = inbox.request_record_walk_in(
        actor=agent, mds=mds, kind="question", topic="housing", last_name="Durand", phone="06 12 34 56 78"
    )
    stored = ContactRequest.objects.get(pk=request.pk)
    assert stored.source == RequestSource.AGENT
    assert stored.phone == "+33612345678"
    assert stored.notice_acknowledged_at is not None
    assert (stored.status, stored.assigned_to) == (S.TAKEN, agent)
    assert stored.first_answered_at == stored.notice_acknowledged_at
    assert stored.events.get().kind == RequestEvent.Kind.NOTE
    assert LogEntry.objects.filter(object_pk=str(stored.pk), actor=agent, action=LogEntry.Action.CREATE).exists()


def test_a_walk_in_needs_a_way_to_answer(agent, mds):
    """The model's constraint holds for walk-ins too."""
    with pytest.raises(ValidationError):
        inbox.request_record_walk_in(actor=agent, mds=mds, kind="question", topic="housing", last_name="Durand")
    assert not ContactRequest.objects.exists()
