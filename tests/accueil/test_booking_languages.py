"""The self-booking pages speak the visitor's language as the contact form does: `?lang=` or the browser's, among
fr, en and ar (French otherwise), `<html lang>` always that of the text shown, `lang` carried from one step to the
next, and the code and the confirmation sent in it."""

import datetime as dt
import html
import re

import pytest
from django.core import mail, signing
from django.urls import reverse
from django.utils import timezone

from accueil import appointments, notifications, views_booking
from accueil.models import Appointment, BookableBy, Notification
from core import sms
from tests.accueil.factories import AppointmentFactory, MotifFactory, OpeningRuleFactory

pytestmark = pytest.mark.django_db

HEADINGS = {
    "index": {"en": "Book an appointment", "ar": "حجز موعد", "fr": "Prendre rendez-vous"},
    "details": {"en": "Your details", "ar": "معلوماتكم", "fr": "Vos coordonnées"},
    "code": {"en": "Enter the code", "ar": "أدخلوا الرمز", "fr": "Saisissez le code"},
    "confirmed": {"en": "Appointment confirmed", "ar": "تم تأكيد الموعد", "fr": "Rendez-vous confirmé"},
    "cancel": {"en": "Cancel the appointment", "ar": "إلغاء الموعد", "fr": "Annuler le rendez-vous"},
    "cancel_refused": {"en": "Cancel the appointment", "ar": "إلغاء الموعد", "fr": "Annuler le rendez-vous"},
    "taken": {"en": "Slot no longer free", "ar": "لم يعد هذا الموعد متاحًا", "fr": "Créneau plus disponible"},
}


@pytest.fixture
def motif():
    motif = MotifFactory(bookable_by=BookableBy.PUBLIC, name="Premier accueil social")
    in_two_days = timezone.localdate() + dt.timedelta(days=2)
    OpeningRuleFactory(mds=motif.mds, motifs=[motif], weekday=in_two_days.isoweekday(), valid_from=in_two_days)
    return motif


@pytest.fixture
def page_url(client, motif):
    """The URL of each booking page, reached as a person reaches it."""

    def url(page: str) -> str:
        mds = motif.mds.slug
        if page == "index":
            return f"{reverse('booking:index', args=[mds])}?motif={motif.pk}"
        if page in ("details", "taken"):
            slot = client.get(reverse("booking:index", args=[mds]), {"motif": motif.pk}).context["slots"][0]
            start = slot.starts_at + dt.timedelta(minutes=7) if page == "taken" else slot.starts_at  # never offered
            query = f"motif={motif.pk}&agent={slot.agent_id}&start={start.isoformat().replace('+', '%2B')}"
            return f"{reverse('booking:details', args=[mds])}?{query}"
        if page == "code":
            return reverse("booking:code", args=[mds, signing.dumps(1, salt=views_booking.CODE_SALT)])
        appointment = AppointmentFactory(motif=motif, starts_at=timezone.now() + dt.timedelta(days=3))
        if page == "cancel_refused":
            return reverse("booking:cancel", args=["forged"])
        return reverse(f"booking:{page}", args=[appointments.cancel_token(appointment)])

    return url


def _with_lang(url: str, language: str) -> str:
    return f"{url}{'&' if '?' in url else '?'}lang={language}"


def _heading(content: str) -> str:
    return html.unescape(re.search(r"<h1>(.*?)</h1>", content)[1])


@pytest.mark.parametrize("page", HEADINGS)
@pytest.mark.parametrize(("language", "direction"), [("en", "ltr"), ("ar", "rtl")])
def test_each_booking_page_answers_in_the_language_asked(client, page_url, page, language, direction):
    """`?lang=en|ar`: the page's text, its `<html lang dir>` and its Content-Language are that language's."""
    response = client.get(_with_lang(page_url(page), language), HTTP_ACCEPT_LANGUAGE="fr")
    content = response.content.decode()
    assert f'<html lang="{language}" dir="{direction}">' in content
    assert _heading(content) == HEADINGS[page][language]
    assert response["Content-Language"] == language
    assert f'hreflang="{language}" dir="{direction}" aria-current="page"' in content  # the language links


@pytest.mark.parametrize("page", HEADINGS)
@pytest.mark.parametrize(("browser", "lang", "expected"), [("ar", "", "ar"), ("es", "", "fr"), ("es", "es", "fr")])
def test_without_a_lang_we_speak_the_browsers_language_decides_french_otherwise(
    client, page_url, page, browser, lang, expected
):
    """An Arabic browser gets Arabic; a Spanish one (with `?lang=es` too) gets French under lang="fr", not French
    text under lang="es"."""
    url = _with_lang(page_url(page), lang) if lang else page_url(page)
    content = client.get(url, HTTP_ACCEPT_LANGUAGE=browser).content.decode()
    assert f'<html lang="{expected}"' in content
    assert _heading(content) == HEADINGS[page][expected]


def test_a_browser_without_languages_gets_french(client, page_url):
    """No `lang`, no Accept-Language (the cancel link of a message, opened by a bare mini-browser): French."""
    content = client.get(page_url("cancel")).content.decode()
    assert '<html lang="fr" dir="ltr">' in content and _heading(content) == HEADINGS["cancel"]["fr"]


def _link(content: str, path_part: str) -> str:
    return html.unescape(re.search(rf'href="([^"]*{path_part}[^"]*)"', content)[1])


def _hidden(content: str, name: str) -> str:
    return html.unescape(re.search(rf'<input type="hidden" name="{name}" value="([^"]*)"', content)[1])


def _book_in_arabic(client, motif, *, phone="06 12 34 56 78", email="nadia@example.org"):
    """Index → details → code → confirmed in Arabic, each step reached only through what the previous one gave
    (its link, its form's fields, its redirect), with an English browser: `lang` alone keeps the Arabic."""
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    index = client.get(reverse("booking:index", args=[motif.mds.slug]), {"motif": motif.pk, "lang": "ar"})
    details_url = _link(index.content.decode(), "/coordonnees/")
    assert "lang=ar" in details_url
    details = client.get(details_url).content.decode()
    assert _heading(details) == HEADINGS["details"]["ar"]
    fields = {name: _hidden(details, name) for name in ("lang", "motif", "agent", "start")}
    assert fields["lang"] == "ar"
    response = client.post(reverse("booking:details", args=[motif.mds.slug]),  # the form's fields, no query string
                           {**fields, "last_name": "Benali", "phone": phone, "email": email})  # fmt: skip
    assert response.status_code == 302 and response["Location"].endswith("?lang=ar")
    code_page = client.get(response["Location"]).content.decode()
    assert _heading(code_page) == HEADINGS["code"]["ar"] and _hidden(code_page, "lang") == "ar"
    code = Notification.objects.get(purpose=Notification.Purpose.ONE_TIME_CODE).context["code"]
    code_url = response["Location"].split("?")[0]
    response = client.post(code_url, {"code": code, "lang": "ar"})
    assert response.status_code == 302 and response["Location"].endswith("?lang=ar")
    return client.get(response["Location"]).content.decode()


def test_lang_travels_from_the_index_to_the_confirmation(client, motif):
    """The Arabic chosen on the index is kept by the slot's link, the details form, the code page's redirect and
    form, and the confirmation's cancel link; the appointment remembers it."""
    motif.person_may_cancel = True
    motif.save()
    confirmed = _book_in_arabic(client, motif)
    assert '<html lang="ar" dir="rtl">' in confirmed and _heading(confirmed) == HEADINGS["confirmed"]["ar"]
    assert _link(confirmed, "/annuler/").endswith("?lang=ar")
    assert Appointment.objects.get().language == "ar"


def test_an_arabic_booking_sends_the_code_and_the_confirmation_in_arabic(client, motif, settings):
    """The one-time code's SMS and the confirmation email (a booking on screen gets no SMS) are written in the
    page's language."""
    settings.SMS_BACKEND = "locmem"
    _book_in_arabic(client, motif)
    [code] = Notification.objects.filter(purpose=Notification.Purpose.ONE_TIME_CODE)
    assert code.context["language"] == "ar"
    notifications.notification_send(notification_id=code.pk)
    [text] = sms.outbox
    assert text.body.startswith(f"رمزكم: {code.context['code']}."), text.body
    [confirmation] = Notification.objects.filter(purpose=Notification.Purpose.CONFIRMATION)
    assert confirmation.channel == "email"
    notifications.notification_send(notification_id=confirmation.pk)
    [email] = mail.outbox
    assert email.subject == "تم تأكيد موعدكم" and "موعدكم في" in email.body, email.body


def test_the_form_errors_are_in_the_pages_language(client, page_url):
    """A refused mobile number and a missing contact are told in Arabic, tied to their field."""
    url = _with_lang(page_url("details"), "ar")
    content = client.get(url).content.decode()
    fields = {name: _hidden(content, name) for name in ("lang", "motif", "agent", "start")}
    content = client.post(url, {**fields, "last_name": "Benali", "phone": "04 13 31 20 00"}).content.decode()
    assert "لا يمكن لهذا الرقم استقبال الرسائل النصية" in content
    assert 'aria-invalid="true"' in content and "id_phone-error" in content
    content = client.post(url, {**fields, "last_name": "Benali"}).content.decode()
    assert "أدخلوا رقم هاتف محمول أو عنوان بريد إلكتروني لاستلام الرمز." in content
    assert not Notification.objects.exists()


def test_a_wrong_code_is_refused_in_the_pages_language(client, page_url):
    content = client.post(_with_lang(page_url("code"), "en"), {"code": "000000", "lang": "en"}).content.decode()
    assert "This code does not exist. Ask for a new one." in content and '<html lang="en"' in content
