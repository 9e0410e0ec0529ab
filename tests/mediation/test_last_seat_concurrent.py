"""Several people taking the last seats at the same instant: the capacity is never exceeded."""

import datetime as dt

import pytest
from django.db import transaction
from django.utils import timezone

from mediation import registrations
from mediation.models import Registration
from tests.mediation.factories import RegistrationFactory, WorkshopFactory, WorkshopSessionFactory
from tests.support import at_once

CAPACITY, TAKEN, ATTEMPTS = 5, 3, 5


@pytest.mark.django_db(transaction=True)
def test_five_people_taking_the_last_two_seats_at_once_two_get_them_three_wait():
    """Without the session's row lock the five counts would all read 3 seats taken and all five would be
    confirmed (7 for 5 seats): checked by removing the lock once."""
    session = WorkshopSessionFactory(workshop=WorkshopFactory(themes=[]), capacity=CAPACITY,
                                     starts_at=timezone.now() + dt.timedelta(days=2))  # fmt: skip
    for _ in range(TAKEN):
        RegistrationFactory(session=session)

    def register(n, start):
        with transaction.atomic():
            start()  # the five transactions are open before any counts the seats
            return registrations.registration_create(session=session, first_name=f"P{n}", phone=f"06 98 76 54 {n:02d}")

    outcomes = at_once(register, list(range(ATTEMPTS)))
    assert [o for o in outcomes if isinstance(o, Exception)] == []
    assert sorted(o.status for o in outcomes) == ["confirmed"] * 2 + ["waiting"] * 3
    confirmed = Registration.objects.filter(session=session, status="confirmed").count()
    assert confirmed == CAPACITY
    positions = sorted(Registration.objects.filter(status="waiting").values_list("position", flat=True))
    assert positions == [1, 2, 3]
