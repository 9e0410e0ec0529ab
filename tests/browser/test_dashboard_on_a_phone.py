"""The dashboard of the 27 MDS on a phone: the summary first, a page a few screens tall rather than ten
thousand pixels, nothing wider than the phone; an MDS's sites open with a tap or through the filter form."""

import pytest
from django.core.management import call_command
from django.test import Client

from sites.roles import Role
from tests.conftest import sign_in
from tests.factories import agent_with_role

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def dashboard(phone, live_server, settings):
    call_command("load_mds", verbosity=0)
    client = sign_in(Client(), agent_with_role(Role.OPS))
    phone.context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
          "url": live_server.url}]
    )  # fmt: skip
    phone.goto(f"{live_server.url}/backoffice/")
    return phone


def test_the_27_mds_fit_in_a_few_screens_with_the_summary_first(dashboard):
    page = dashboard
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    # Before: 10,664 px of orange site cards. Now the summary, the filters and one line per MDS.
    assert page.evaluate("document.documentElement.scrollHeight") < 4500
    todo = page.get_by_role("heading", name="À faire")
    assert todo.bounding_box()["y"] < 844  # in the first screen
    assert page.get_by_role("link", name="Site\u00a0: zones").is_visible()
    site = page.get_by_role("heading", name="Durance Alpilles — site 1, à nommer")
    assert not site.is_visible()  # sites folded

    page.locator("summary", has_text="Durance Alpilles").click()
    assert site.is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


def test_the_filter_form_shows_one_mds_and_keeps_the_choice(dashboard):
    page = dashboard
    page.get_by_label("MDS\u00a0:").select_option(label="15. Arles")
    page.get_by_label("Information manquante").select_option(label="Site\u00a0: zones")
    page.get_by_role("button", name="Afficher").click()
    page.wait_for_url("**/backoffice/?mds=arles&missing=site-zones")
    assert page.get_by_label("MDS\u00a0:").input_value() == "arles"
    assert page.get_by_label("Information manquante").input_value() == "site-zones"
    assert page.get_by_role("heading", name="1 MDS correspond").is_visible()
    assert page.get_by_role("link", name="Compléter MDS Arles").is_visible()  # the site's card, open
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.get_by_role("link", name="Afficher toutes les MDS").click()
    page.wait_for_url("**/backoffice/")
    assert page.get_by_role("heading", name="Vos MDS (27)").is_visible()
