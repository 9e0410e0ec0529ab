"""Two registrations on one invoice line at once: the second waits for the first, then counts it and refuses."""

import threading
import time
from decimal import Decimal

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction

from funding.assets import access_points_register
from funding.models import Asset
from funding.operations import operation_load
from sites.roles import Role
from tests.factories import agent_with_role
from tests.funding.factories import InvoiceLineFactory
from tests.wifi.factories import AccessPointFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_last_place_of_a_line_goes_to_one_registration_only():
    """Without the line's lock, the second registration would count the line's assets before the first committed
    (none), and the line for one access point would end with two."""
    operation_load(path=settings.FEDER_OPERATION_FILE)
    finance = agent_with_role(Role.FINANCE)
    line = InvoiceLineFactory(quantity=Decimal("1"))
    AccessPointFactory(serial_number="U6-0001")
    AccessPointFactory(serial_number="U6-0002")
    locked, release = threading.Event(), threading.Event()
    outcome: dict[str, object] = {}

    def first_registration():  # registered, and not committed until told to
        try:
            with transaction.atomic():
                access_points_register(actor=finance, invoice_line=line, serial_numbers=["U6-0001"])
                locked.set()
                release.wait(30)
        finally:
            connection.close()

    def second_registration():
        try:
            access_points_register(actor=finance, invoice_line=line, serial_numbers=["U6-0002"])
            outcome["result"] = "registered"
        except ValidationError as error:
            outcome["result"] = error
        finally:
            connection.close()

    holder = threading.Thread(target=first_registration)
    holder.start()
    assert locked.wait(30)
    contender = threading.Thread(target=second_registration)
    contender.start()
    time.sleep(1)  # the second registration now waits on the line's row
    assert contender.is_alive()
    release.set()
    holder.join(30), contender.join(30)

    assert isinstance(outcome["result"], ValidationError)
    assert list(Asset.objects.values_list("serial_number", flat=True)) == ["U6-0001"]
