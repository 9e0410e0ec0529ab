"""A reply or a note sent twice from the same form (a double click, a reload of a slow answer) is written and sent
once; the same text sent again from a new form is a new message."""

import re

import pytest
from django.urls import reverse

from accueil import inbox
from accueil.models import Notification, RequestEvent
from sites.roles import Role
from tests.accueil.factories import ContactRequestFactory
from tests.factories import MdsFactory, agent_with_role
from tests.support import at_once

TOKEN = re.compile(r'name="form_token" value="([0-9a-f-]{36})"')


def _page_tokens(client, request) -> list[str]:
    page = client.get(reverse("accueil:request_detail", args=[request.pk]))
    assert page.status_code == 200
    return TOKEN.findall(page.content.decode())


@pytest.mark.django_db
def test_the_reply_form_sent_twice_sends_one_message(signed_in):
    mds = MdsFactory()
    request = ContactRequestFactory(mds=mds, email="nadia@example.org")
    client = signed_in(agent_with_role(Role.RECEPTION, mds))
    tokens = _page_tokens(client, request)
    assert len(tokens) == 2 and len(set(tokens)) == 2  # the note's and the reply's, each its own
    reply = {"channel": "email", "text": "Votre rendez-vous est confirmé.", "form_token": tokens[-1]}
    first = client.post(reverse("accueil:request_reply", args=[request.pk]), reply)
    second = client.post(reverse("accueil:request_reply", args=[request.pk]), reply)
    assert first.status_code == second.status_code == 302
    assert RequestEvent.objects.filter(request=request, kind=RequestEvent.Kind.MESSAGE).count() == 1
    assert Notification.objects.filter(request=request, purpose=Notification.Purpose.REPLY).count() == 1
    # The same words from a fresh form are a second message, on purpose.
    reply["form_token"] = _page_tokens(client, request)[-1]
    client.post(reverse("accueil:request_reply", args=[request.pk]), reply)
    assert Notification.objects.filter(request=request, purpose=Notification.Purpose.REPLY).count() == 2


@pytest.mark.django_db
def test_the_note_form_sent_twice_writes_one_note(signed_in):
    mds = MdsFactory()
    request = ContactRequestFactory(mds=mds)
    client = signed_in(agent_with_role(Role.RECEPTION, mds))
    note = {"text": "Rappeler après 14 h.", "form_token": _page_tokens(client, request)[0]}
    for _ in range(2):
        assert client.post(reverse("accueil:request_note", args=[request.pk]), note).status_code == 302
    assert RequestEvent.objects.filter(request=request, kind=RequestEvent.Kind.NOTE).count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_clicks_arriving_together_send_one_message():
    """Both POSTs at the same instant: the request's row lock makes the second wait and find the first's event,
    where the unique constraint alone would answer the second with an error."""
    mds = MdsFactory()
    agent = agent_with_role(Role.RECEPTION, mds)
    request = ContactRequestFactory(mds=mds, email="nadia@example.org")
    token = "5f0c7a52-0d55-4c57-9a3f-3f2b3d9d7e11"

    def click(_, start):
        start()
        return inbox.request_reply(actor=agent, contact_request=request, channel="email", text="Bonjour.",
                                   form_token=token).pk  # fmt: skip

    outcomes = at_once(click, [1, 2])
    assert len(outcomes) == 2 and outcomes[0] == outcomes[1], outcomes
    assert Notification.objects.filter(request=request, purpose=Notification.Purpose.REPLY).count() == 1
