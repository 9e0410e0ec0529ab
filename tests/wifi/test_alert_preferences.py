"""Each ops agent chooses which alerts they receive, by email and in their team's chat ("Mes notifications")."""

import datetime

import pytest
from auditlog.models import LogEntry
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from sites.roles import Role
from tests.factories import MdsFactory, agent_with_role
from tests.wifi.factories import AccessPointFactory, OpsTeamFactory
from wifi import notifications, services
from wifi.forms_board import AlertPreferencesForm
from wifi.models import (
    AlertPreference,
    ErrorKind,
    Health,
    IncidentNotification,
    RebootNotification,
    WebhookDelivery,
)
from wifi.probes.base import ProbeResult

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _settings(settings):
    settings.WIFI_DOWN_AFTER_FAILURES = 1
    settings.WIFI_WEBHOOK_SECRETS = {"astreinte": "secret"}
    settings.WIFI_ALERT_EMAILS = []


def _down_then_up():
    ap = AccessPointFactory(health=Health.UP)
    services.round_record(results=[ProbeResult(ap_id=ap.pk, reachable=False, error_kind=ErrorKind.TIMEOUT)])
    services.round_record(results=[ProbeResult(ap_id=ap.pk, reachable=True)])
    services.round_record(results=[ProbeResult(ap_id=ap.pk, reachable=True)])
    return ap


def _choose(agent, **choices):
    notifications.alert_preferences_set(actor=agent, agent=agent, choices=choices)


def test_until_they_choose_ops_agents_get_down_up_and_storms_by_email_and_in_the_chat_but_not_reboots():
    agent = agent_with_role(Role.OPS)
    assert notifications.alert_choices(agent) == {
        "ap_down": {"email", "webhook"}, "ap_up": {"email", "webhook"}, "storm": {"email", "webhook"}, "reboot": set(),
    }  # fmt: skip
    assert notifications.email_recipients("reboot") == []


def test_an_agent_who_turns_down_alerts_off_by_email_gets_only_the_back_up_one(settings):
    settings.WIFI_ALERT_EMAILS = ["mainteneur@prestataire.test"]
    quiet = agent_with_role(Role.OPS, email="quiet@departement.test")
    agent_with_role(Role.OPS, email="other@departement.test")
    _choose(quiet, ap_down=set(), ap_up={"email"})
    _down_then_up()
    assert services.incident_alerts_send() == 2
    down, up = mail.outbox
    assert down.to == ["mainteneur@prestataire.test", "other@departement.test"]
    assert up.to == ["mainteneur@prestataire.test", "other@departement.test", "quiet@departement.test"]
    opened = IncidentNotification.objects.get(event="opened")
    assert opened.recipients == "mainteneur@prestataire.test, other@departement.test"


def test_an_agent_who_asks_for_reboots_gets_them_and_the_others_do_not():
    agent_with_role(Role.OPS, email="a@departement.test")
    curious = agent_with_role(Role.OPS, email="b@departement.test")
    _choose(curious, reboot={"email"})
    assert notifications.email_recipients("reboot") == ["b@departement.test"]


def test_agents_without_the_ops_role_get_nothing_whatever_they_stored():
    mediator = agent_with_role(Role.MEDIATOR, MdsFactory())
    AlertPreference.objects.create(agent=mediator, event="ap_down", email=True, webhook=True)
    OpsTeamFactory(members=[mediator])
    assert notifications.email_recipients("ap_down") == []
    assert notifications.webhook_teams("ap_down") == []


def test_a_team_webhook_gets_an_event_only_when_a_member_wants_it_in_the_chat():
    """Team A's only member turned chat off for "down": A gets the "back up" alert only; team B gets both."""
    email_only = agent_with_role(Role.OPS)
    _choose(email_only, ap_down={"email"}, ap_up={"email", "webhook"})
    team_a = OpsTeamFactory(members=[email_only])
    team_b = OpsTeamFactory(members=[agent_with_role(Role.OPS)])
    OpsTeamFactory(members=[agent_with_role(Role.OPS)], webhook_active=False)  # switched off by an admin
    OpsTeamFactory(members=[agent_with_role(Role.OPS)], webhook_url="")  # a team without a webhook
    _down_then_up()
    services.incident_alerts_send()
    deliveries = sorted(WebhookDelivery.objects.values_list("team__name", "event"))
    assert deliveries == sorted([(team_a.name, "ap_up"), (team_b.name, "ap_down"), (team_b.name, "ap_up")])
    assert "webhook: " + team_b.name in IncidentNotification.objects.get(event="opened").recipients


def test_an_alert_sent_again_makes_no_second_delivery_for_a_team():
    """The outbox is read with a lock; should the same alert be composed twice, each team still gets it once."""
    OpsTeamFactory(members=[agent_with_role(Role.OPS)])
    _down_then_up()
    services.incident_alerts_send()
    notification = IncidentNotification.objects.select_related("incident__access_point__site__mds").first()
    assert notifications.alert_send(notifications.incident_alert(notification)).teams == []
    assert WebhookDelivery.objects.count() == 2


def test_the_page_shows_the_agents_choices_and_saves_them_with_an_audit_entry(signed_in, django_assert_max_num_queries):
    agent = agent_with_role(Role.OPS)
    OpsTeamFactory(name="Astreinte Marseille", members=[agent])
    client = signed_in(agent)
    url = reverse("wifi:my_notifications")
    with django_assert_max_num_queries(12):
        page = client.get(url).content.decode()
    assert "Astreinte Marseille" in page
    assert 'name="ap_down__email" id="id_ap_down__email" value="on" checked' in page
    assert 'name="reboot__email" id="id_reboot__email" value="on">' in page  # not checked by default
    assert page.count('<label class="visually-hidden" for="id_') == len(AlertPreferencesForm().fields) == 8

    response = client.post(url, {"ap_down__webhook": "on", "reboot__email": "on"}, follow=True)
    assert response.redirect_chain[-1][0] == url
    assert notifications.alert_choices(agent) == {
        "ap_down": {"webhook"}, "ap_up": set(), "storm": set(), "reboot": {"email"},
    }  # fmt: skip
    assert LogEntry.objects.get_for_model(AlertPreference).filter(actor=agent).count() == 4
    assert 'name="reboot__email" id="id_reboot__email" value="on" checked' in response.content.decode()
    client.post(url, {"ap_down__webhook": "on", "reboot__email": "on"})  # the same again: nothing to record
    assert LogEntry.objects.get_for_model(AlertPreference).count() == 4


@pytest.mark.parametrize("role", [Role.PROGRAMME, Role.FINANCE, Role.LEGAL_REQUISITION])
def test_the_page_is_for_ops_only(role, signed_in):
    client = signed_in(agent_with_role(role))
    assert client.get(reverse("wifi:my_notifications")).status_code == 403
    assert client.post(reverse("wifi:my_notifications"), {"ap_down__email": "on"}).status_code == 403
    assert not AlertPreference.objects.exists()


def _reboot(ap):
    for uptime in (86400, 30):
        services.round_record(results=[ProbeResult(ap_id=ap.pk, reachable=True, uptime_seconds=uptime)])


def test_a_reboot_reaches_only_the_agents_who_asked_for_it_by_email_and_in_their_chat():
    agent_with_role(Role.OPS, email="a@departement.test")
    curious = agent_with_role(Role.OPS, email="b@departement.test")
    _choose(curious, reboot={"email", "webhook"})
    team = OpsTeamFactory(members=[curious])
    ap = AccessPointFactory(health=Health.UP, label="Borne salle d'attente")
    _reboot(ap)
    assert services.incident_alerts_send() == 1
    assert services.incident_alerts_send() == 0  # once
    [message] = mail.outbox
    assert message.to == ["b@departement.test"]
    assert "Borne salle d'attente" in message.subject
    delivery = WebhookDelivery.objects.get(team=team)
    assert delivery.event == "reboot" and delivery.payload["uptime_seconds"] == 30
    assert RebootNotification.objects.get().recipients == f"b@departement.test, webhook: {team.name}"


def test_without_anyone_asking_a_reboot_queues_nothing():
    """Reboots are off by default: no outbox row, no email."""
    agent_with_role(Role.OPS)
    _reboot(AccessPointFactory(health=Health.UP))
    assert not RebootNotification.objects.exists()
    assert services.incident_alerts_send() == 0


def test_a_reboot_during_planned_works_is_not_announced():
    _choose(agent_with_role(Role.OPS), reboot={"email"})
    ap = AccessPointFactory(health=Health.UP)
    services.access_point_snooze(actor=agent_with_role(Role.OPS), access_point=ap,
                                 until=timezone.now() + datetime.timedelta(hours=1))  # fmt: skip
    _reboot(ap)
    assert not RebootNotification.objects.exists()
