"""The facilitator takes attendance on a phone: signed in with the second factor, today's session opened from the
list, three people marked present, one absent with a reason, a walk-in added, the session marked held — its
activity recorded with 4 participants. One column at 390 px, every button at least 44 px, axe-core clean."""

import datetime as dt
import time

import pytest
from django.utils import timezone

from mediation.models import Activity, AttendanceStatus, Registration, SessionStatus
from sites.roles import Role
from tests.browser.axe import assert_no_serious_violations
from tests.browser.conftest import PHONE, _open_page, sign_in_with_second_factor
from tests.factories import MdsFactory, SiteFactory, agent_with_role
from tests.mediation.conftest import _taxonomy  # noqa: F401  (the seeded themes, put back after a flush)
from tests.mediation.factories import RegistrationFactory, WorkshopFactory, WorkshopSessionFactory, theme

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def phone(browser, request, live_server):
    """The phone of conftest, with the CSP bypassed so that axe can be injected; with JavaScript or without
    (request.param)."""
    yield from _open_page(browser, request, **PHONE, bypass_csp=True, java_script_enabled=request.param)


def _fits_the_phone(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    small = page.evaluate(
        """() => [...document.querySelectorAll('.attendance button, .attendance summary')]
                 .filter(e => e.offsetParent !== null)
                 .map(e => e.getBoundingClientRect())
                 .filter(r => r.height < 44 || r.width < 44).length"""
    )
    assert small == 0


@pytest.mark.parametrize("phone", [True, False], ids=["script", "no-script"], indirect=True)
def test_a_facilitator_takes_attendance_and_marks_the_session_held_on_a_phone(phone, live_server, request):
    mds = MdsFactory(name="Belle de Mai")
    facilitator = agent_with_role(Role.MEDIATOR, mds, email="animatrice@departement.test", first_name="Inès")
    workshop = WorkshopFactory(mds=mds, title="Mes démarches en ligne", duration_minutes=120,
                               themes=[theme("email"), theme("securite_numerique")])  # fmt: skip
    session = WorkshopSessionFactory(workshop=workshop, site=SiteFactory(mds=mds), capacity=8,
                                     facilitators=[facilitator],
                                     starts_at=timezone.now() - dt.timedelta(minutes=5))  # fmt: skip
    people = {name: RegistrationFactory(session=session, first_name=name)
              for name in ("Amel", "Bruno", "Chloé", "Driss")}  # fmt: skip

    sign_in_with_second_factor(phone, live_server, facilitator)

    phone.goto(f"{live_server.url}/backoffice/mediation/workshops/sessions/?period=upcoming")
    scripted = request.node.callspec.params["phone"]
    if scripted:
        assert_no_serious_violations(phone)
    taps, started_at, checking = 0, time.monotonic(), 0.0

    def tap(locator) -> None:
        nonlocal taps
        locator.click()
        taps += 1

    def check() -> None:
        """axe-core and the phone's width, their time left out of the facilitator's."""
        nonlocal checking
        begun = time.monotonic()
        _fits_the_phone(phone)
        if scripted:  # axe-core runs in the page: the page without script shows the same HTML to the run with
            assert_no_serious_violations(phone)
        checking += time.monotonic() - begun

    tap(phone.get_by_role("link", name=timezone.localtime(session.starts_at).strftime("%H:%M"), exact=False))
    phone.get_by_role("heading", name="Mes démarches en ligne").wait_for()
    check()
    tap(phone.get_by_role("link", name="Faire l'appel"))
    phone.get_by_role("heading", name="Présence").wait_for()
    check()
    phone.evaluate("() => { window.sameDocument = true; }")  # with the script, no tap reloads the page
    for name in ("Amel", "Bruno", "Chloé"):
        tap(phone.get_by_role("button", name=f"Présent — {name}"))
        phone.locator(f"#r{people[name].pk}").get_by_text("Présent", exact=True).wait_for()
    tap(phone.locator(f"#r{people['Driss'].pk} summary"))
    tap(phone.get_by_role("button", name="Maladie ou urgence — Driss"))
    phone.locator(f"#r{people['Driss'].pk}").get_by_text("Absent — Maladie ou urgence").wait_for()
    tap(phone.get_by_label("Prénom"))
    phone.get_by_label("Prénom").fill("Lina")
    tap(phone.get_by_role("button", name="Ajouter, présent"))
    phone.get_by_text("Lina ajouté(e), présent(e).").wait_for()
    check()
    tap(phone.get_by_role("button", name="Séance tenue"))
    phone.get_by_text("Séance tenue : son activité est enregistrée avec 4 participants.").wait_for()
    seconds = time.monotonic() - started_at - checking
    assert phone.evaluate("() => window.sameDocument === true") is scripted
    check()

    session.refresh_from_db()
    assert session.status == SessionStatus.HELD
    present = Registration.objects.filter(session=session, attendance=AttendanceStatus.PRESENT)
    assert sorted(present.values_list("first_name", flat=True)) == ["Amel", "Bruno", "Chloé", "Lina"]
    driss = Registration.objects.get(pk=people["Driss"].pk)
    assert (driss.attendance, driss.absence_reason) == (AttendanceStatus.ABSENT, "illness")
    activity = Activity.objects.get(session=session)
    assert (activity.participants, activity.duration_minutes) == (4, 120)
    assert set(activity.themes.values_list("national_code", flat=True)) == {"email", "securite_numerique"}
    script = "with JavaScript" if scripted else "without JavaScript"
    print(f"\nattendance on a phone, {script}: {taps} taps, {seconds:.1f} s (4 registered, 1 walk-in, held)")
    assert taps == 10
