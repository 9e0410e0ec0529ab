"""A payment claim on a phone: the expense statement and the follow-up columns fit the screen (the wide tables
scroll in their own regions), amounts read the French way, a retained amount with its cut is entered through the
invoice's form, and axe-core finds no serious violation."""

from datetime import date
from decimal import Decimal

import pytest
from django.test import Client

from funding.claims import claim_create, claim_submit, claim_validate
from funding.models import ClaimedInvoice, ClaimKind, Operation
from funding.operations import operation_load
from tests.browser.axe import assert_no_serious_violations
from tests.browser.conftest import PHONE, _open_page
from tests.conftest import sign_in
from tests.funding.factories import InvoiceFactory, SupplierFactory, finance_agent, programme_agent

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def phone_for_axe(browser, request, live_server):
    """The phone, CSP bypassed: axe-core is injected as an inline script, which our CSP forbids."""
    yield from _open_page(browser, request, bypass_csp=True, **PHONE)


@pytest.fixture
def claim_page(phone_for_axe, live_server, settings):
    phone = phone_for_axe
    operation_load(path=settings.FEDER_OPERATION_FILE)
    operation = Operation.objects.get(reference="mds-connectees")
    finance = finance_agent()
    InvoiceFactory(amount_excl_vat=Decimal("12345.67"), supplier=SupplierFactory(name="Réseaux du Sud"))
    InvoiceFactory(amount_excl_vat=Decimal("4000.00"), expense_line=operation.lines.get(number=1),
                   supplier=SupplierFactory(name="Études et conseil"))  # fmt: skip
    claim = claim_create(operation=operation, kind=ClaimKind.INTERIM, period_start=date(2019, 10, 1),
                         period_end=date(2022, 10, 1), actor=finance)  # fmt: skip
    claim_validate(claim=claim, actor=programme_agent())
    claim_submit(claim=claim, submitted_on=date(2022, 1, 10), actor=finance)
    client = sign_in(Client(), finance)
    phone.context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
          "url": live_server.url}]
    )  # fmt: skip
    phone.goto(f"{live_server.url}/backoffice/funding/claims/{claim.pk}/")
    return phone


def test_the_claim_fits_a_phone_reads_in_french_and_takes_a_retained_amount(claim_page):
    page = claim_page
    assert page.get_by_role("heading", name="Demande de paiement n°\u00a01", exact=False).is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    line2 = page.get_by_role("table", name="Poste de dépense 2", exact=False)
    assert "12\u00a0345,67\u00a0€" in line2.inner_text()
    assert "16\u00a0345,67\u00a0€" in page.locator("#total-presented").inner_text()
    assert page.get_by_role("table", name="Montants prévus, réalisés et retenus", exact=False).is_visible()
    assert_no_serious_violations(page)

    form = page.get_by_role("form", name="Facture Réseaux du Sud", exact=False)
    form.get_by_label("Montant retenu HT (€)").fill("12000.00")
    form.get_by_label("Nature de la réfaction").select_option(value="missing_proof")
    form.get_by_label("Motif de la réfaction").fill("PV de réception absent")
    form.get_by_role("button", name="Enregistrer le montant retenu").click()
    page.wait_for_load_state()
    assert "12\u00a0000,00\u00a0€" in page.get_by_role("table", name="Poste de dépense 2", exact=False).inner_text()
    item = ClaimedInvoice.objects.get(invoice__supplier__name="Réseaux du Sud")
    assert (item.retained_amount, item.cut_kind, item.cut_reason) == (
        Decimal("12000.00"), "missing_proof", "PV de réception absent",
    )  # fmt: skip
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert_no_serious_violations(page)
