"""The asset register on a phone, as on an on-the-spot check: the list fits the screen (the wide table scrolls in
its own region), French words and amounts, a serial number typed leads to its access point and back to its invoice
line; no serious axe-core violation."""

from decimal import Decimal

import pytest
from django.conf import settings as django_settings
from django.test import Client

from funding.operations import operation_load
from sites.roles import Role
from tests.browser.axe import assert_no_serious_violations
from tests.browser.conftest import PHONE, _open_page
from tests.conftest import sign_in
from tests.factories import MdsFactory, SiteFactory, ZoneFactory, agent_with_role
from tests.funding.factories import (
    AssetFactory,
    DurabilityWarningFactory,
    InvoiceFactory,
    InvoiceLineFactory,
    SupplierFactory,
)
from tests.wifi.factories import AccessPointFactory
from wifi.models import Lifecycle

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def phone_for_axe(browser, request, live_server):
    """The phone, CSP bypassed: axe-core is injected as an inline script, which our CSP forbids."""
    yield from _open_page(browser, request, bypass_csp=True, **PHONE)


@pytest.fixture
def register_page(phone_for_axe, live_server, settings):
    phone = phone_for_axe
    operation_load(path=django_settings.FEDER_OPERATION_FILE)
    site = SiteFactory(mds=MdsFactory(name="Martigues"), name="Martigues centre")
    zone = ZoneFactory(site=site, name="Salle d’attente")
    invoice = InvoiceFactory(number="F-2021-117", supplier=SupplierFactory(name="Réseaux du Sud"))
    line = InvoiceLineFactory(
        invoice=invoice, position=1, description="Borne WiFi 6 intérieure", quantity=Decimal("3"),
        unit_price=Decimal("412.50"), amount=Decimal("1237.50"),
    )  # fmt: skip
    hall = AccessPointFactory(site=site, zone=zone, label="Borne accueil", serial_number="U6-MAR-1")
    AssetFactory(invoice_line=line, access_point=hall)
    retired = AccessPointFactory(site=site, label="Borne bureau", serial_number="U6-MAR-2", lifecycle=Lifecycle.RETIRED)
    DurabilityWarningFactory(asset=AssetFactory(invoice_line=line, access_point=retired))
    client = sign_in(Client(), agent_with_role(Role.FINANCE))
    phone.context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
          "url": live_server.url}]
    )  # fmt: skip
    phone.goto(f"{live_server.url}/backoffice/funding/assets/")
    return phone


def test_the_register_fits_a_phone_and_reads_in_french(register_page):
    page = register_page
    assert page.get_by_role("heading", name="Registre des biens FEDER").is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    table = page.get_by_role("table", name="Registre des biens")
    row = table.get_by_role("row").filter(has_text="U6-MAR-2")
    assert "Retirée" in row.inner_text()
    assert page.get_by_role("link", name="Alertes de pérennité 1 à prendre en compte").is_visible()
    assert_no_serious_violations(page)


def test_a_serial_number_typed_on_the_spot_leads_to_the_invoice_line_and_back(register_page):
    page = register_page
    page.get_by_label("Numéro de série d’une borne").fill("u6-mar-1")
    page.get_by_role("button", name="Trouver").click()
    page.wait_for_url("**/ap/U6-MAR-1/")
    assert page.get_by_role("heading", name="Borne U6-MAR-1").is_visible()
    assert "412,50\u00a0€" in page.inner_text("main")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert_no_serious_violations(page)
    page.get_by_role("link", name="Facture F-2021-117, ligne 1").click()
    assert page.get_by_role("heading", name="Facture F-2021-117, ligne 1").is_visible()
    places = page.get_by_role("table", name="Où sont les articles de cette ligne")
    assert "Salle d’attente" in places.get_by_role("row").filter(has_text="U6-MAR-1").inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert_no_serious_violations(page)
