"""The Django admin of mediation: every page opens; what the services own (registrations, activities) is
read-only there, and its actions go through the services."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from mediation import activities
from mediation.models import Activity, Registration, WorkshopSession
from sites.roles import Role
from tests.factories import AgentFactory, SiteFactory, agent_with_role
from tests.mediation.factories import (
    AgentTrainingFactory,
    BeneficiaryFactory,
    MediatorFactory,
    NotificationFactory,
    RegistrationFactory,
    WorkshopSessionFactory,
    theme,
)

pytestmark = pytest.mark.django_db

MODELS = ("theme", "workshop", "workshopsession", "registration", "activity", "accompaniment", "beneficiary",
          "mediator", "agenttraining", "notification")  # fmt: skip


@pytest.fixture
def admin_client(client):
    from tests.conftest import sign_in

    superuser = agent_with_role(Role.ADMIN, is_superuser=True, is_staff=True)
    return sign_in(client, superuser)


def test_every_mediation_admin_page_opens(admin_client):
    registration = RegistrationFactory()
    site = SiteFactory()
    activities.accompaniment_log(actor=AgentFactory(), site=site, themes=[theme("email")], duration_minutes=15)
    BeneficiaryFactory(), MediatorFactory(), AgentTrainingFactory(), NotificationFactory(registration=registration)
    assert registration.pk
    for model in MODELS:
        assert admin_client.get(reverse(f"admin:mediation_{model}_changelist")).status_code == 200, model
    for model in ("theme", "workshop", "workshopsession", "beneficiary", "mediator", "agenttraining"):
        assert admin_client.get(reverse(f"admin:mediation_{model}_add")).status_code == 200, model
    for model in ("registration", "activity", "accompaniment", "notification"):
        assert admin_client.get(reverse(f"admin:mediation_{model}_add")).status_code == 403, model


def test_a_session_at_a_site_of_another_mds_is_refused_in_the_admin(admin_client):
    session = WorkshopSessionFactory()
    start = timezone.localtime(session.starts_at)
    response = admin_client.post(reverse("admin:mediation_workshopsession_change", args=[session.pk]), {
        "workshop": session.workshop_id, "site": SiteFactory().pk, "starts_at_0": start.strftime("%d/%m/%Y"),
        "starts_at_1": start.strftime("%H:%M:%S"), "ends_at_0": start.strftime("%d/%m/%Y"),
        "ends_at_1": (start + dt.timedelta(hours=1)).strftime("%H:%M:%S"), "capacity": 8, "notes": "",
    })  # fmt: skip
    assert response.status_code == 200
    assert "appartient à une autre MDS" in response.content.decode()
    assert WorkshopSession.objects.get().site == session.site


def test_the_admin_actions_go_through_the_services(admin_client):
    session = WorkshopSessionFactory(capacity=1, starts_at=timezone.now() - dt.timedelta(minutes=30))
    seated = RegistrationFactory(session=session, attendance="present")
    admin_client.post(reverse("admin:mediation_workshopsession_changelist"),
                      {"action": "mark_held", "_selected_action": [session.pk]})  # fmt: skip
    assert Activity.objects.get(session=session).participants == 1
    future = WorkshopSessionFactory(capacity=1)
    first = RegistrationFactory(session=future)
    waiting = RegistrationFactory(session=future, status="waiting", position=1)
    admin_client.post(reverse("admin:mediation_registration_changelist"),
                      {"action": "cancel", "_selected_action": [first.pk]})  # fmt: skip
    assert Registration.objects.get(pk=waiting.pk).status == "offered"
    assert seated.pk


def test_a_workshop_message_is_read_only_in_the_admin(admin_client):
    message = NotificationFactory()
    page = admin_client.get(reverse("admin:mediation_notification_change", args=[message.pk]))
    assert page.status_code == 200 and 'name="_save"' not in page.content.decode()
    admin_client.post(reverse("admin:mediation_notification_change", args=[message.pk]), {"status": "sent"})
    message.refresh_from_db()
    assert message.status == "pending"
