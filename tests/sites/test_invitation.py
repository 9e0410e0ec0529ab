"""The invitation email: a one-time, expiring link with which a new agent chooses their password."""

import re
import time

import pytest
from auditlog.models import LogEntry
from django.contrib.auth.tokens import default_token_generator
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from sites import services
from sites.models import Agent
from sites.roles import Role
from tests.factories import AgentFactory, MdsFactory, agent_with_role
from tests.support import wait_until

NEW_PASSWORD = "Une phrase de passe assez longue 2026"


def _link(agent, token=None) -> str:
    uid = urlsafe_base64_encode(force_bytes(agent.pk))
    token = token or services.invitation_tokens.make_token(agent)
    return reverse("sites:invitation_accept", kwargs={"uidb64": uid, "token": token})


def _choose_password(client: Client, link: str):
    """Open the link as the email's reader would, then send the form; return the last response."""
    response = client.get(link)
    if response.status_code == 302:  # Django moves the token into the session, out of the URL
        response = client.get(response["Location"])
    if "new_password1" not in response.content.decode():
        return response
    return client.post(response.wsgi_request.path, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})


@pytest.mark.django_db(transaction=True)
def test_an_invited_agent_chooses_a_password_once_then_must_enrol_an_authenticator(celery_worker, signed_in):
    """The email leaves through the worker; its link sets the password once; sign-in then asks for TOTP setup."""
    mds = MdsFactory(name="Alpha")
    manager = agent_with_role(Role.MDS_MANAGER, mds, first_name="Dominique", last_name="Chef")
    response = signed_in(manager).post(
        reverse("sites:agent_create"),
        {"email": "Nouvelle.Agente@Departement.test", "first_name": "Nina", "last_name": "Nouvelle",
         "role": "reception", "mds": mds.pk},
    )  # fmt: skip
    assert response.status_code == 302
    agent = Agent.objects.get(email="nouvelle.agente@departement.test")
    assert not agent.has_usable_password()
    assert agent.memberships.filter(role=Role.RECEPTION, mds=mds).exists()

    assert wait_until(lambda: mail.outbox)
    time.sleep(0.3)  # a second email would have arrived by now
    assert len(mail.outbox) == 1
    email = mail.outbox[0]
    assert email.to == ["nouvelle.agente@departement.test"]
    assert "Dominique Chef" in email.body
    link = re.search(r"https?://testserver(/backoffice/invitation/\S+)", email.body).group(1)

    invitee = Client()
    response = _choose_password(invitee, link)
    assert response.status_code == 302
    assert response["Location"] == reverse("sites:login")
    agent.refresh_from_db()
    assert agent.check_password(NEW_PASSWORD)

    again = _choose_password(Client(), link)
    assert "Ce lien ne fonctionne plus" in again.content.decode()

    response = invitee.post(reverse("sites:login"), {"username": agent.email, "password": NEW_PASSWORD})
    assert response.status_code == 302
    response = invitee.get(reverse("sites:dashboard"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("sites:two_factor"))


@pytest.mark.django_db
def test_an_invitation_link_works_for_seven_days_and_not_after():
    """A link of six days ago still works; one of eight days ago says it no longer works."""
    agent = agent_with_role(Role.RECEPTION, MdsFactory())
    agent.set_unusable_password()
    agent.save()
    tokens = services.invitation_tokens
    now = tokens._num_seconds(tokens._now())
    old = tokens._make_token_with_timestamp(agent, now - 8 * 86400, tokens.secret)
    response = _choose_password(Client(), _link(agent, old))
    assert "Ce lien ne fonctionne plus" in response.content.decode()
    assert re.search(r"<title>\s*Ce lien ne fonctionne plus", response.content.decode())  # not "Choisissez…"
    recent = tokens._make_token_with_timestamp(agent, now - 6 * 86400, tokens.secret)
    client = Client()
    assert _choose_password(client, _link(agent, recent)).status_code == 302
    assert "Votre mot de passe est enregistré" in client.get(reverse("sites:login")).content.decode()
    agent.refresh_from_db()
    assert agent.check_password(NEW_PASSWORD)


@pytest.mark.django_db
def test_a_password_reset_link_is_not_an_invitation_link():
    """The two links are signed apart: one cannot be used for the other."""
    agent = AgentFactory()
    response = _choose_password(Client(), _link(agent, default_token_generator.make_token(agent)))
    assert "Ce lien ne fonctionne plus" in response.content.decode()
    agent.refresh_from_db()
    assert not agent.check_password(NEW_PASSWORD)


@pytest.mark.django_db
def test_sending_the_invitation_again_makes_the_previous_link_useless(django_capture_on_commit_callbacks):
    """Only the newest email's link works."""
    mds = MdsFactory()
    agent = services.agent_invite(
        actor=agent_with_role(Role.MDS_MANAGER, mds), email="invite@departement.test", first_name="I",
        last_name="Nvité", role="reception", mds=mds, base_url="http://testserver/",
    )  # fmt: skip
    first = _link(agent)
    services.agent_invitation_send(actor=agent_with_role(Role.PROGRAMME), agent=agent, base_url="http://testserver/")
    agent.refresh_from_db()
    assert "Ce lien ne fonctionne plus" in _choose_password(Client(), first).content.decode()
    assert _choose_password(Client(), _link(agent)).status_code == 302


@pytest.mark.django_db
def test_a_deactivated_agent_cannot_use_their_invitation():
    """Deactivating before the agent answered closes the link too."""
    agent = agent_with_role(Role.RECEPTION, MdsFactory(), is_active=False)
    agent.set_unusable_password()
    agent.save()
    response = _choose_password(Client(), _link(agent))
    assert "Ce lien ne fonctionne plus" in response.content.decode()
    agent.refresh_from_db()
    assert not agent.has_usable_password()


@pytest.mark.django_db
def test_an_agent_who_chose_a_password_is_not_invited_again(signed_in):
    """They would use the forgotten-password link instead: the page says so and sends nothing."""
    mds = MdsFactory()
    agent = agent_with_role(Role.RECEPTION, mds)
    response = signed_in(agent_with_role(Role.MDS_MANAGER, mds)).post(
        reverse("sites:agent_invitation_resend", kwargs={"pk": agent.pk}), follow=True
    )
    assert "a déjà choisi son mot de passe" in response.content.decode()
    agent.refresh_from_db()
    assert agent.has_usable_password()


@pytest.mark.django_db
def test_who_re_sent_an_invitation_and_when_it_was_accepted_are_in_the_audit_trail():
    """Neither writes a field the audit trail keeps (the password is excluded): each leaves its own entry."""
    mds = MdsFactory()
    agent = services.agent_invite(
        actor=agent_with_role(Role.MDS_MANAGER, mds), email="trace@departement.test", first_name="T",
        last_name="Race", role="reception", mds=mds, base_url="http://testserver/",
    )  # fmt: skip
    programme = agent_with_role(Role.PROGRAMME)
    services.agent_invitation_send(actor=programme, agent=agent, base_url="http://testserver/")
    services.invitation_accept(agent=agent, password=NEW_PASSWORD)
    entries = LogEntry.objects.get_for_object(agent).filter(changes__invitation__isnull=False).order_by("pk")
    assert [(entry.changes["invitation"][1], entry.actor) for entry in entries] == [
        ("invitation_sent", programme),
        ("invitation_accepted", agent),
    ]
