"""Replies to the person: kept on the timeline, queued once in the outbox, the first answer; templates."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from accueil import inbox, notifications
from accueil.models import ContactRequest, Notification, ReplyTemplate, RequestEvent
from accueil.selectors import reply_fill
from sites.roles import Role
from tests.accueil.factories import ContactRequestFactory
from tests.factories import MdsFactory, agent_with_role

pytestmark = pytest.mark.django_db


@pytest.fixture
def mds():
    return MdsFactory(name="Alpha")


@pytest.fixture
def agent(mds):
    return agent_with_role(Role.RECEPTION, mds)


@pytest.mark.parametrize("channel", ["email", "sms"])
def test_a_reply_is_kept_on_the_timeline_and_queued_once(agent, mds, channel):
    """One MESSAGE event with the text as sent, one REPLY outbox row keyed by event and channel."""
    request = ContactRequestFactory(mds=mds, phone="+33612345678", email="nadia@example.org")
    event = inbox.request_reply(actor=agent, contact_request=request, channel=channel, text=" Bonjour Nadia. ")
    assert (event.kind, event.text, event.author) == (RequestEvent.Kind.MESSAGE, "Bonjour Nadia.", agent)
    row = Notification.objects.get()
    assert (row.purpose, row.channel, row.request, row.mds) == (Notification.Purpose.REPLY, channel, request, mds)
    assert row.key == f"reply:{event.pk}:{channel}"
    assert row.context == {"event_id": event.pk}
    # Queued again (a retried task, a double call): still one row.
    assert notifications.reply_queue(contact_request=request, event=event, channel=channel) is None
    assert Notification.objects.count() == 1


def test_a_reply_is_the_first_answer(agent, mds):
    """A new request answered by a reply gets first_answered_at; its status is left to the agent."""
    request = ContactRequestFactory(mds=mds)
    inbox.request_reply(actor=agent, contact_request=request, channel="email", text="Bonjour.")
    stored = ContactRequest.objects.get(pk=request.pk)
    assert stored.first_answered_at is not None
    assert stored.status == "new"


@pytest.mark.parametrize(
    ("phone", "email", "channel"),
    [("", "a@example.org", "sms"), ("+33612345678", "", "email"), ("+33491000000", "a@example.org", "sms")],
)
def test_a_reply_by_a_channel_the_person_cannot_receive_is_refused(agent, mds, phone, email, channel):
    """No email address, no phone, or a landline for an SMS: refused, nothing written."""
    request = ContactRequestFactory(mds=mds, phone=phone, email=email)
    with pytest.raises(ValidationError):
        inbox.request_reply(actor=agent, contact_request=request, channel=channel, text="Bonjour.")
    assert not Notification.objects.exists()
    assert not request.events.exists()
    assert ContactRequest.objects.get(pk=request.pk).first_answered_at is None


def test_an_empty_or_too_long_reply_is_refused(agent, mds):
    """Bounded: nothing empty, nothing longer than an SMS of a few segments."""
    request = ContactRequestFactory(mds=mds)
    for text in ("  ", "x" * (inbox.REPLY_MAX_LENGTH + 1)):
        with pytest.raises(ValidationError):
            inbox.request_reply(actor=agent, contact_request=request, channel="email", text=text)
    assert not Notification.objects.exists()


def test_a_template_is_filled_with_the_persons_and_mds_details(mds):
    """{prenom}, {mds}, {reference} are replaced; an unknown placeholder stays as typed."""
    request = ContactRequestFactory(mds=mds, first_name="Nadia")
    template = ReplyTemplate.objects.create(name="Rappel", body="Bonjour {prenom}, la {mds} ({reference}) {inconnu}")
    assert reply_fill(template, request) == f"Bonjour Nadia, la Alpha ({request.display_reference}) {{inconnu}}"


def test_the_reply_form_starts_from_a_template_of_the_mds_or_the_departement_only(agent, mds, signed_in):
    """The page offers the MDS's and the global templates, never another MDS's, and fills the chosen one."""
    request = ContactRequestFactory(mds=mds, first_name="Nadia")
    own = ReplyTemplate.objects.create(mds=mds, name="Modèle Alpha", body="Bonjour {prenom}")
    ReplyTemplate.objects.create(name="Modèle global", body="Madame, Monsieur")
    other = ReplyTemplate.objects.create(mds=MdsFactory(name="Bravo"), name="Modèle Bravo", body="Secret {prenom}")
    client = signed_in(agent)
    url = reverse("accueil:request_detail", args=[request.pk])
    html = client.get(url).content.decode()
    assert "Modèle Alpha" in html and "Modèle global" in html and "Modèle Bravo" not in html
    assert "Bonjour Nadia" in client.get(url, {"template": own.pk}).content.decode()
    assert "Secret Nadia" not in client.get(url, {"template": other.pk}).content.decode()


def test_replying_from_the_page_queues_the_edited_text(agent, mds, signed_in):
    """The agent's edited text is what the timeline keeps and the outbox sends."""
    request = ContactRequestFactory(mds=mds)
    response = signed_in(agent).post(
        reverse("accueil:request_reply", args=[request.pk]), {"channel": "email", "text": "Texte relu."}
    )
    assert response.status_code == 302
    event = RequestEvent.objects.get(request=request, kind=RequestEvent.Kind.MESSAGE)
    assert event.text == "Texte relu."
    assert Notification.objects.get().key == f"reply:{event.pk}:email"


def test_a_mediator_cannot_reply(mds, signed_in):
    """The reply needs accueil.change_contactrequest on the request: a mediator of the same MDS gets 403."""
    request = ContactRequestFactory(mds=mds)
    response = signed_in(agent_with_role(Role.MEDIATOR, mds)).post(
        reverse("accueil:request_reply", args=[request.pk]), {"channel": "email", "text": "Bonjour."}
    )
    assert response.status_code == 403
    assert not Notification.objects.exists()
