"""One outage, one duration: every line of a page measures it from the same start and the same "now"."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from sites.roles import Role
from tests.factories import agent_with_role
from tests.wifi.factories import AccessPointFactory, IncidentFactory
from wifi.models import Health

pytestmark = pytest.mark.django_db


def test_the_access_point_page_says_the_same_duration_for_its_health_and_its_open_incident(signed_in):
    now = timezone.now()
    # The health changed a minute ago (the state machine's last step), the incident opened four minutes ago.
    ap = AccessPointFactory(health=Health.DOWN, health_since=now - datetime.timedelta(minutes=1), last_seen_at=now)
    IncidentFactory(access_point=ap, started_at=now - datetime.timedelta(minutes=4, seconds=10))
    html = signed_in(agent_with_role(Role.OPS)).get(reverse("wifi:ap_detail", kwargs={"pk": ap.pk})).content.decode()
    durations = set(re.findall(r"depuis (\d+\xa0minutes?)", html))
    assert durations == {"4\xa0minutes"}
