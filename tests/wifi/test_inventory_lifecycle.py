"""An access point moves forward along its lifecycle, in service ↔ faulty, and to retired; never back."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from tests.factories import AgentFactory
from tests.wifi.factories import AccessPointFactory
from wifi.inventory import access_point_move
from wifi.models import AccessPoint, Lifecycle

pytestmark = pytest.mark.django_db

DAY = datetime.date(2025, 4, 7)


@pytest.mark.parametrize(
    ("start", "to", "date_field"),
    [
        (Lifecycle.PLANNED, Lifecycle.ORDERED, "ordered_on"),
        (Lifecycle.PLANNED, Lifecycle.INSTALLED, "installed_on"),
        (Lifecycle.ORDERED, Lifecycle.INSTALLED, "installed_on"),
        (Lifecycle.INSTALLED, Lifecycle.ACCEPTED, "accepted_on"),
        (Lifecycle.ACCEPTED, Lifecycle.IN_SERVICE, "in_service_on"),
        (Lifecycle.IN_SERVICE, Lifecycle.FAULTY, "faulty_on"),
        (Lifecycle.FAULTY, Lifecycle.IN_SERVICE, "in_service_on"),
        (Lifecycle.ORDERED, Lifecycle.RETIRED, "retired_on"),
        (Lifecycle.FAULTY, Lifecycle.RETIRED, "retired_on"),
    ],
)
def test_allowed_moves_record_the_step_and_its_date(start, to, date_field):
    ap = AccessPointFactory(lifecycle=start)
    access_point_move(actor=AgentFactory(), access_point=ap, to=to, on=DAY)
    stored = AccessPoint.objects.get(pk=ap.pk)
    assert (stored.lifecycle, getattr(stored, date_field)) == (to, DAY)
    assert ap.lifecycle == to  # the caller's object follows


@pytest.mark.parametrize(
    ("start", "to"),
    [
        (Lifecycle.INSTALLED, Lifecycle.ORDERED),
        (Lifecycle.IN_SERVICE, Lifecycle.PLANNED),
        (Lifecycle.PLANNED, Lifecycle.FAULTY),
        (Lifecycle.ACCEPTED, Lifecycle.FAULTY),
        (Lifecycle.FAULTY, Lifecycle.ACCEPTED),
        (Lifecycle.RETIRED, Lifecycle.IN_SERVICE),
        (Lifecycle.IN_SERVICE, Lifecycle.IN_SERVICE),
    ],
)
def test_other_moves_are_refused_and_nothing_changes(start, to):
    ap = AccessPointFactory(lifecycle=start)
    with pytest.raises(ValidationError):
        access_point_move(actor=AgentFactory(), access_point=ap, to=to, on=DAY)
    stored = AccessPoint.objects.get(pk=ap.pk)
    assert stored.lifecycle == start
    assert all(getattr(stored, f) is None for f in ("ordered_on", "in_service_on", "faulty_on", "planned_on"))


def test_going_in_service_needs_an_address_to_poll():
    ap = AccessPointFactory(lifecycle=Lifecycle.ACCEPTED, management_address="")
    with pytest.raises(ValidationError):
        access_point_move(actor=AgentFactory(), access_point=ap, to=Lifecycle.IN_SERVICE, on=DAY)
    assert AccessPoint.objects.get(pk=ap.pk).lifecycle == Lifecycle.ACCEPTED
