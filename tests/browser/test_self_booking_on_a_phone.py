"""Self-booking on a phone, without an account: a free slot, the code received by SMS, the confirmation, then
the cancel link; in Arabic, right to left, axe-core finds nothing serious either."""

import datetime as dt

import pytest
from django.utils import timezone

from accueil.models import Appointment, Attendance, BookableBy, Notification
from tests.accueil.factories import MotifFactory, OpeningRuleFactory
from tests.browser.axe import assert_no_serious_violations
from tests.browser.conftest import ARTIFACTS, PHONE, _open_page
from tests.factories import MdsFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def phone(browser, request, live_server):
    """The phone of conftest, with the CSP bypassed so that axe can be injected."""
    yield from _open_page(browser, request, **PHONE, bypass_csp=True)


def test_a_person_books_a_slot_with_a_code_and_cancels_it_by_the_link(phone, live_server):
    """Pick the motif and the first slot, give a mobile, type the code, see the confirmation, cancel."""
    mds = MdsFactory(name="Belle de Mai", slug="belle-de-mai")
    motif = MotifFactory(mds=mds, name="Premier accueil social", bookable_by=BookableBy.PUBLIC)
    in_three_days = timezone.localdate() + dt.timedelta(days=3)
    OpeningRuleFactory(mds=mds, motifs=[motif], weekday=in_three_days.isoweekday(), valid_from=in_three_days)

    phone.goto(f"{live_server.url}/rendez-vous/belle-de-mai/")
    assert_no_serious_violations(phone)
    phone.get_by_label("Pourquoi venez-vous").select_option(str(motif.pk))
    phone.get_by_role("button", name="Voir les créneaux libres").click()
    phone.get_by_role("link", name="09:00").first.click()

    phone.locator("#id_last_name").fill("Benali")
    phone.get_by_label("Téléphone portable").fill("06 12 34 56 78")
    assert_no_serious_violations(phone)
    phone.get_by_role("button", name="Recevoir le code").click()

    phone.wait_for_url("**/code/**")
    code = Notification.objects.get(purpose=Notification.Purpose.ONE_TIME_CODE).context["code"]
    phone.get_by_label("Code reçu").fill(code)
    phone.get_by_role("button", name="Confirmer le rendez-vous").click()

    phone.wait_for_url("**/confirme/**")
    assert phone.get_by_role("heading", name="Rendez-vous confirmé").is_visible()
    assert_no_serious_violations(phone)
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    appointment = Appointment.objects.get()
    assert timezone.localtime(appointment.starts_at).hour == 9

    phone.get_by_role("link", name="Annuler ce rendez-vous").click()
    phone.get_by_role("button", name="Annuler ce rendez-vous").click()
    assert phone.get_by_role("status").inner_text() == "Ce rendez-vous est annulé."
    appointment.refresh_from_db()
    assert appointment.attendance == Attendance.EXCUSED


def test_the_booking_pages_in_arabic_read_right_to_left_and_pass_axe(phone, live_server):
    """The portal's Arabic link opens the index in Arabic: right to left, no horizontal scroll at 390 px, axe-core
    clean; the slot chosen leads to the details page, still in Arabic."""
    mds = MdsFactory(name="Belle de Mai", slug="belle-de-mai")
    motif = MotifFactory(mds=mds, name="Premier accueil social", bookable_by=BookableBy.PUBLIC)
    in_three_days = timezone.localdate() + dt.timedelta(days=3)
    OpeningRuleFactory(mds=mds, motifs=[motif], weekday=in_three_days.isoweekday(), valid_from=in_three_days)

    phone.goto(f"{live_server.url}/rendez-vous/belle-de-mai/?lang=ar")
    assert phone.evaluate("[document.documentElement.lang, document.documentElement.dir]") == ["ar", "rtl"]
    assert phone.get_by_role("heading", name="حجز موعد").is_visible()
    assert_no_serious_violations(phone)
    phone.get_by_label("ما سبب زيارتكم؟").select_option(str(motif.pk))
    phone.get_by_role("button", name="عرض المواعيد المتاحة").click()
    phone.wait_for_url("**motif=*")
    assert phone.evaluate("document.documentElement.dir") == "rtl"
    assert_no_serious_violations(phone)
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    ARTIFACTS.mkdir(exist_ok=True)
    phone.screenshot(path=str(ARTIFACTS / "booking-index-ar.png"), full_page=True)

    phone.locator(".slots a").first.click()
    phone.wait_for_url("**/coordonnees/**")
    assert phone.get_by_role("heading", name="معلوماتكم").is_visible()
    assert phone.evaluate("document.documentElement.lang") == "ar"
    assert_no_serious_violations(phone)
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    phone.screenshot(path=str(ARTIFACTS / "booking-details-ar.png"), full_page=True)
