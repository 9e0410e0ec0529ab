"""A mediator logs one-to-one help on a phone (390×844, touch): signed in with the second factor, the quick log
opens with today, their site and 30 minutes chosen; a duration, two themes, an age band and an outcome, then save.

The time from the form on screen to the success message and the number of taps are printed (run with -s), not
asserted: a timed assertion would fail on a slow machine, not on a slow page. axe-core finds nothing serious, on
the empty form and after saving with every folded part open; nothing is wider than the phone, every chip is a
44 px target at least."""

import re
import time

import pytest

from mediation.activities import accompaniment_log
from mediation.models import Accompaniment, AgeBand, Outcome
from sites.roles import Role
from tests.browser.axe import assert_no_serious_violations
from tests.browser.conftest import PHONE, _open_page, sign_in_with_second_factor
from tests.factories import SiteFactory, agent_with_role
from tests.mediation.factories import seed_taxonomy, theme

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def phone(browser, request, live_server):
    """The phone of conftest, with the CSP bypassed so that axe can be injected."""
    yield from _open_page(browser, request, **PHONE, bypass_csp=True)


def test_a_mediator_logs_an_accompaniment_on_a_phone(phone, live_server):
    seed_taxonomy()  # a flush emptied the taxonomy
    site = SiteFactory(name="Marseille Belle de Mai")
    mediator = agent_with_role(Role.MEDIATOR, site.mds, email="mediatrice@departement.test", first_name="Inès",
                               last_name="Médiatrice")  # fmt: skip
    # Last week's help: the themes she logs most come first as chips.
    for _ in range(2):
        accompaniment_log(actor=mediator, site=site, themes=[theme("aide_aux_demarches_administratives"),
                                                             theme("social_sante")], duration_minutes=30)  # fmt: skip

    sign_in_with_second_factor(phone, live_server, mediator)

    phone.goto(f"{live_server.url}/backoffice/mediation/activities/")
    phone.get_by_role("heading", name="Saisir un accompagnement").wait_for()
    assert_no_serious_violations(phone)
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    chips = phone.locator(".chip:visible")
    heights = [chips.nth(i).bounding_box()["height"] for i in range(chips.count())]
    assert heights and min(heights) >= 44

    taps = 0

    def tap(locator) -> None:
        nonlocal taps
        locator.tap()
        taps += 1

    started = time.perf_counter()
    tap(phone.get_by_role("radio", name=re.compile(r"^45\s*min$")))
    tap(phone.get_by_role("checkbox", name="Aide aux démarches administratives"))
    tap(phone.get_by_role("checkbox", name="Social - Santé"))
    tap(phone.get_by_role("radio", name="60 à 69 ans"))
    tap(phone.get_by_role("radio", name="Rendez-vous pris"))
    tap(phone.get_by_role("button", name="Enregistrer l'accompagnement"))
    phone.get_by_role("status").filter(has_text="Accompagnement enregistré").wait_for()
    seconds = time.perf_counter() - started
    print(f"\nAccompaniment logged on a 390×844 phone: {taps} taps, {seconds:.2f} s from the form on screen "
          f"to the success message")  # fmt: skip

    logged = Accompaniment.objects.select_related("activity").latest("activity__created_at")
    assert (logged.activity.duration_minutes, logged.activity.site, logged.age_band, logged.outcome) == (
        45, site, AgeBand.FROM_60_TO_69, Outcome.APPOINTMENT)  # fmt: skip
    assert {t.national_code for t in logged.activity.themes.all()} == {"aide_aux_demarches_administratives",
                                                                       "social_sante"}  # fmt: skip
    assert logged.beneficiary is None and list(logged.activity.mediators.all()) == [mediator]
    # The form again, empty, for the next one; the one just logged heads "my last accompaniments".
    assert not phone.get_by_role("checkbox", name="Social - Santé").is_checked()
    assert phone.locator(".quick-log__recent li").first.inner_text().count("45") == 1

    for summary in phone.locator("details.quick-log__more > summary").all():
        if summary.is_visible():
            summary.tap()
    assert_no_serious_violations(phone)
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
