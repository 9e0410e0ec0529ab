"""Two claims created at the same instant over the same invoices: each invoice goes into exactly one of them."""

from datetime import date
from decimal import Decimal

import pytest
from django.db import transaction

from funding.claims import ClaimError, claim_create
from funding.models import ClaimedInvoice, ClaimKind, Invoice, InvoiceStatus, Operation
from tests.funding.factories import InvoiceFactory, finance_agent
from tests.support import at_once

pytestmark = pytest.mark.django_db(transaction=True)


def test_two_claims_created_at_once_never_share_an_invoice(operation):
    """Both transactions are open before either reads the invoices; the operation's and the invoices' row locks
    make the second wait and then find them claimed. Without them both would gather the same five invoices and the
    unique constraint would be all that is left between the operation and a double claim."""
    invoices = [InvoiceFactory(amount_excl_vat=Decimal("1000.00") * (n + 1)) for n in range(5)]
    agents = [finance_agent(), finance_agent()]
    operation = Operation.objects.get(pk=operation.pk)

    def create(agent, start):
        with transaction.atomic():
            start()
            return claim_create(operation=operation, kind=ClaimKind.INTERIM, period_start=date(2019, 10, 1),
                                period_end=date(2022, 10, 1), actor=agent)  # fmt: skip

    outcomes = at_once(create, agents)
    created = [o for o in outcomes if not isinstance(o, Exception)]
    refused = [o for o in outcomes if isinstance(o, Exception)]
    assert len(created) == 1 and len(refused) == 1
    assert isinstance(refused[0], ClaimError)
    per_invoice = {pk: ClaimedInvoice.objects.filter(invoice_id=pk).count() for pk in (i.pk for i in invoices)}
    assert per_invoice == {invoice.pk: 1 for invoice in invoices}
    assert set(Invoice.objects.values_list("status", flat=True)) == {InvoiceStatus.CLAIMED}


def test_overlapping_periods_created_at_once_split_the_invoices_without_sharing_one(operation):
    """Claim A covers 2020, claim B 2020-07 to 2021: the invoices of the second half of 2020 go to one of them."""
    paid = [date(2020, 3, 1), date(2020, 8, 1), date(2020, 11, 1), date(2021, 4, 1)]
    invoices = [InvoiceFactory(issued_on=day, paid_on=day) for day in paid]
    periods = [(date(2020, 1, 1), date(2020, 12, 31)), (date(2020, 7, 1), date(2021, 12, 31))]

    def create(period, start):
        with transaction.atomic():
            start()
            return claim_create(operation=operation, kind=ClaimKind.INTERIM, period_start=period[0],
                                period_end=period[1], actor=finance_agent())  # fmt: skip

    outcomes = at_once(create, periods)
    assert [o for o in outcomes if isinstance(o, Exception)] == []
    assert sorted(c.number for c in outcomes) == [1, 2]
    for invoice in invoices:
        assert ClaimedInvoice.objects.filter(invoice=invoice).count() == 1
