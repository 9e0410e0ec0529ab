"""The FEDER invoices on a phone: the list (filters, the over-plan warning, the table scrolling in its own region)
and the invoice form (amounts typed the French way, a line added, the TTC check's message) fit the screen, read
in French and have no serious axe-core violation."""

from decimal import Decimal

import pytest
from django.conf import settings as django_settings
from django.test import Client

from funding.models import Invoice
from funding.operations import operation_load
from sites.roles import Role
from tests.browser.axe import assert_no_serious_violations
from tests.browser.conftest import PHONE, _open_page
from tests.conftest import sign_in
from tests.factories import agent_with_role
from tests.funding.factories import ClaimedInvoiceFactory, InvoiceFactory, SupplierFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def phone_for_axe(browser, request, live_server):
    """The phone, CSP bypassed: axe-core is injected as an inline script, which our CSP forbids."""
    yield from _open_page(browser, request, bypass_csp=True, **PHONE)


@pytest.fixture
def finance_phone(phone_for_axe, live_server, settings):
    operation_load(path=django_settings.FEDER_OPERATION_FILE)
    supplier = SupplierFactory(name="Acme Réseaux")
    line1 = Invoice._meta.get_field("expense_line").related_model.objects.get(number=1)
    InvoiceFactory(supplier=supplier, number="FA-001", expense_line=line1, amount_excl_vat=Decimal("50000.00"))
    ClaimedInvoiceFactory(invoice=InvoiceFactory(supplier=supplier, number="FA-002"))
    InvoiceFactory(number="FA-003", paid_on=None, payment_reference="", status="received")
    client = sign_in(Client(), agent_with_role(Role.FINANCE))
    phone_for_axe.context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
          "url": live_server.url}]
    )  # fmt: skip
    return phone_for_axe


def test_the_invoice_list_fits_a_phone_and_warns_of_the_line_over_plan(finance_phone, live_server):
    page = finance_phone
    page.goto(f"{live_server.url}/backoffice/funding/expenses/")
    assert page.get_by_role("heading", name="Factures FEDER").is_visible()
    assert page.get_by_text("dépasse son montant prévu de 49\u00a0200,00\u00a0€ de 800,00\u00a0€").is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    table = page.get_by_role("table", name="Factures")
    assert table.get_by_role("row").filter(has_text="FA-003").get_by_text("Non payée", exact=False).count()
    page.get_by_label("Paiement", exact=True).select_option(label="Factures non payées")
    page.get_by_role("button", name="Filtrer").click()
    page.wait_for_url("**paid=no**")
    assert page.get_by_role("status").filter(has_text="1 facture.").is_visible()
    assert_no_serious_violations(page)


def test_the_invoice_form_fits_a_phone_and_says_when_the_ttc_is_wrong(finance_phone, live_server):
    page = finance_phone
    page.goto(f"{live_server.url}/backoffice/funding/expenses/invoices/new/")
    assert page.get_by_role("heading", name="Enregistrer une facture").is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert_no_serious_violations(page)
    invoice = page.get_by_role("group", name="La facture", exact=True)
    invoice.get_by_label("Fournisseur").select_option(label="Acme Réseaux")
    invoice.get_by_label("Numéro de facture").fill("FA-100")
    invoice.get_by_label("Date de facture").fill("2021-04-12")
    invoice.get_by_label("Montant HT").fill("1 000,00")
    invoice.get_by_label("Montant de TVA").fill("200,00")
    invoice.get_by_label("Montant TTC").fill("1 200,01")
    invoice.get_by_label("Montant éligible HT").fill("1 000,00")
    invoice.get_by_label("Poste de dépense").select_option(index=2)
    page.get_by_role("button", name="Enregistrer la facture").click()
    error = page.get_by_text("Le montant TTC (1\u00a0200,01\u00a0€) doit être égal au montant HT plus la TVA")
    assert error.is_visible()
    assert not Invoice.objects.filter(number="FA-100").exists()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert_no_serious_violations(page)
    page.get_by_role("group", name="La facture", exact=True).get_by_label("Montant TTC").fill("1 200,00")
    page.get_by_role("button", name="Enregistrer la facture").click()
    page.wait_for_url("**/invoices/*/")
    assert page.get_by_role("heading", name="Facture FA-100 de Acme Réseaux").is_visible()
    assert Invoice.objects.get(number="FA-100").amount_incl_vat == Decimal("1200.00")
    assert_no_serious_violations(page)
