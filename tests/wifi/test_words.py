"""Lifecycle and health never look alike: "Exploitée" is a stage of the AP's life, "Injoignable" its health now."""

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import translation

from sites.roles import Role
from tests.factories import agent_with_role
from tests.wifi.factories import AccessPointFactory, IncidentFactory
from wifi import services
from wifi.models import Health, IncidentNotification, Lifecycle

pytestmark = pytest.mark.django_db


def test_no_health_word_reads_like_a_lifecycle_stage_in_french():
    """No health label is, contains or is contained in a lifecycle label, and "service" names neither."""
    with translation.override("fr"):
        stages = {str(label).lower() for label in Lifecycle.labels}
        healths = {str(label).lower() for label in Health.labels}
    assert healths == {"inconnue", "joignable", "dégradée", "injoignable"}
    assert "exploitée" in stages
    for health in healths:
        assert not any(health in stage or stage in health for stage in stages)
    assert not any("service" in word for word in stages | healths)


def test_the_board_and_the_down_email_use_the_health_words(settings, signed_in):
    """The French board says "Injoignable", and the alert email says "Borne injoignable", never "hors service"."""
    settings.WIFI_ALERT_EMAILS = ["ops@example.org"]
    ap = AccessPointFactory(health=Health.DOWN, lifecycle=Lifecycle.IN_SERVICE, label="Hall")
    IncidentNotification.objects.create(incident=IncidentFactory(access_point=ap), event="opened")
    html = signed_in(agent_with_role(Role.OPS)).get(reverse("wifi:board")).content.decode()
    assert "Injoignable" in html and "ors service" not in html
    with translation.override("fr"):
        services.incident_alerts_send()
    assert mail.outbox[0].subject.startswith("[WiFi] Borne injoignable\xa0: Hall")
    assert "ors service" not in mail.outbox[0].body
