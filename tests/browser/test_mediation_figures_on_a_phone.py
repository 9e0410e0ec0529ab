"""The mediation figures on a phone: the filters, the charts and the table fit the screen (the wide table scrolls
in its own region, reachable by keyboard), French numbers and months, no serious axe-core violation."""

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from mediation import activities
from mediation.models import Outcome, SessionStatus
from sites.roles import Role
from tests.browser.axe import assert_no_serious_violations
from tests.browser.conftest import PHONE, _open_page
from tests.conftest import sign_in
from tests.factories import AgentFactory, MdsFactory, SiteFactory, agent_with_role
from tests.mediation.factories import RegistrationFactory, WorkshopFactory, WorkshopSessionFactory
from tests.mediation.scoping_pages_figures import seeded_theme as theme

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def phone_for_axe(browser, request, live_server):
    """The phone, CSP bypassed: axe-core is injected as an inline script, which our CSP forbids."""
    yield from _open_page(browser, request, bypass_csp=True, **PHONE)


@pytest.fixture
def figures_page(phone_for_axe, live_server, settings):
    phone = phone_for_axe
    mds = MdsFactory(name="Martigues")
    site = SiteFactory(mds=mds, name="Martigues centre")
    starts_at = timezone.now() - dt.timedelta(days=1)
    session = WorkshopSessionFactory(
        workshop=WorkshopFactory(mds=mds, themes=[theme("email")]), site=site, starts_at=starts_at, capacity=3,
        status=SessionStatus.HELD, held_at=starts_at,
    )  # fmt: skip
    for attendance in ("present", "present", "absent"):
        RegistrationFactory(
            session=session, attendance=attendance, absence_reason="no_news" if attendance == "absent" else ""
        )
    activities.accompaniment_log(actor=AgentFactory(), site=site, themes=[theme("email")], duration_minutes=20,
                                 outcome=Outcome.COMPLETED)  # fmt: skip
    client = sign_in(Client(), agent_with_role(Role.MDS_MANAGER, mds))
    phone.context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
          "url": live_server.url}]
    )  # fmt: skip
    phone.goto(f"{live_server.url}/backoffice/mediation/")
    return phone


def test_the_figures_fit_a_phone_and_read_in_french(figures_page):
    page = figures_page
    assert page.get_by_role("heading", name="Médiation numérique\u00a0: chiffres").is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert page.get_by_role("img", name="Participants aux ateliers par site").is_visible()
    table = page.get_by_role("table", name="Chiffres par site")
    row = table.get_by_role("row").filter(has_text="Martigues centre")
    assert "100,0\u00a0%" in row.inner_text()  # 3 seats filled of 3 (2 came)
    assert "33,3\u00a0%" in row.inner_text()  # 1 absent of 3 registered
    assert_no_serious_violations(page)


def test_grouping_per_month_keeps_the_choice(figures_page):
    page = figures_page
    page.get_by_label("Chiffres par", exact=True).select_option(label="Mois")
    page.get_by_role("button", name="Afficher").click()
    page.wait_for_url("**group_by=month**")
    assert page.get_by_label("Chiffres par", exact=True).input_value() == "month"
    month = timezone.localdate().strftime("%m")
    names = {"01": "janvier", "02": "février", "03": "mars", "04": "avril", "05": "mai", "06": "juin", "07": "juillet",
             "08": "août", "09": "septembre", "10": "octobre", "11": "novembre", "12": "décembre"}  # fmt: skip
    assert page.get_by_role("table", name="Chiffres par mois").get_by_text(names[month], exact=False).first.is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert_no_serious_violations(page)
