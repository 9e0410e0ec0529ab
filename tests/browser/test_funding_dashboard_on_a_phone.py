"""The FEDER dashboard and the deployment phases on a phone: the figures, the charts, the tables (which scroll in their
own region, reachable by keyboard) and the timeline fit the screen, in French, with no serious axe-core violation."""

import datetime as dt

import pytest
from django.conf import settings as django_settings
from django.test import Client

from funding.models import DeploymentPhase, Operation
from funding.operations import operation_load
from sites.roles import Role
from tests.browser.axe import assert_no_serious_violations
from tests.browser.conftest import PHONE, _open_page
from tests.conftest import sign_in
from tests.factories import MdsFactory, SiteFactory, agent_with_role
from tests.wifi.factories import AccessPointFactory

pytestmark = pytest.mark.django_db(transaction=True)
NBSP = "\u00a0"


@pytest.fixture
def phone_for_axe(browser, request, live_server):
    """The phone, CSP bypassed: axe-core is injected as an inline script, which our CSP forbids."""
    yield from _open_page(browser, request, bypass_csp=True, **PHONE)


@pytest.fixture
def programme_phone(phone_for_axe, live_server, settings):
    operation_load(path=django_settings.FEDER_OPERATION_FILE)
    operation = Operation.objects.get(reference="mds-connectees")
    mds = MdsFactory(name="Durance Alpilles", number=16)
    for number in (1, 2, 3):
        site = SiteFactory(mds=mds, number=number, name="")
        if number == 1:
            AccessPointFactory(site=site)
    DeploymentPhase.objects.filter(operation=operation, number=1).update(
        planned_start=dt.date(2019, 10, 1), planned_end=dt.date(2020, 3, 31), actual_start=dt.date(2019, 10, 15),
        actual_end=dt.date(2020, 4, 30),
    )  # fmt: skip
    DeploymentPhase.objects.filter(operation=operation, number=5).update(
        planned_start=dt.date(2021, 9, 1), planned_end=dt.date(2022, 6, 30), actual_start=dt.date(2021, 10, 1)
    )
    client = sign_in(Client(), agent_with_role(Role.PROGRAMME))
    phone = phone_for_axe
    phone.context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
          "url": live_server.url}]
    )  # fmt: skip
    return phone


def test_the_dashboard_fits_a_phone_and_reads_in_french(programme_phone, live_server):
    page = programme_phone
    page.goto(f"{live_server.url}/backoffice/funding/")
    assert page.get_by_role("heading", name=f"Financement FEDER{NBSP}: tableau de bord").is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert page.get_by_role("img", name="Montants prévus, réalisés et retenus par poste de dépense").is_visible()
    table = page.get_by_role("table", name="Prévu, réalisé et retenu par poste de dépense (HT)")
    assert f"260{NBSP}510,16{NBSP}€" in table.get_by_role("row").filter(has_text="Total").inner_text()
    assert "1 sur 1" in page.locator('[data-figure="mds-equipped"]').inner_text()
    assert_no_serious_violations(page)


def test_the_phases_and_their_timeline_fit_a_phone(programme_phone, live_server):
    page = programme_phone
    page.goto(f"{live_server.url}/backoffice/funding/phases/")
    assert page.get_by_role("heading", name="Phases de déploiement", exact=True).is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert page.get_by_role("img", name="Calendrier des phases de déploiement").is_visible()
    phases = page.get_by_role("table", name="Les phases pour l’ensemble de l’opération")
    assert "Terminée en retard" in phases.get_by_role("row").filter(has_text="Étude générale").inner_text()
    assert "En retard" in phases.get_by_role("row").filter(has_text="Installation et paramétrage").inner_text()
    assert page.get_by_role("table", name="Les phases suivies site par site, sur 3 sites").is_visible()
    assert_no_serious_violations(page)


def test_the_per_site_dates_form_fits_a_phone(programme_phone, live_server):
    page = programme_phone
    page.goto(f"{live_server.url}/backoffice/funding/phases/sites/?phase=2")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    group = page.get_by_role("group", name="16. Durance Alpilles — site 1, à nommer")
    group.get_by_label("Début prévu").fill("2021-01-04")
    group.get_by_label("Fin prévue").fill("2021-02-26")
    assert_no_serious_violations(page)
    page.get_by_role("button", name="Enregistrer").click()
    page.wait_for_url("**/backoffice/funding/phases/#sites")
    row = page.get_by_role("table", name="Les phases suivies site par site, sur 3 sites").get_by_role("row").nth(1)
    assert "04/01/2021" in row.inner_text()
