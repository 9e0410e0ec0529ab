"""Registering online: a first name, a mobile or an email, consent; a seat while there is one, then the waiting
list with its position; the page's language recorded; refusals said clearly in it; robots and floods kept out."""

import socket

import pytest
from django.conf import settings as django_settings
from django.test import Client
from django.urls import reverse

from core import cache as core_cache
from core import ratelimit as core_ratelimit
from mediation.models import Registration, RegistrationStatus, SessionStatus
from tests.mediation.public import arles_session, registration_post

pytestmark = pytest.mark.django_db


def _url(session) -> str:
    return reverse("mediation_public:session", args=[session.pk])


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_registered_then_on_the_waiting_list_when_full(client):
    session = arles_session(capacity=1)
    response = client.post(_url(session), registration_post())
    assert response.status_code == 302
    assert "Vous êtes inscrit·e" in client.get(response["Location"]).content.decode()
    page = client.get(_url(session)).content.decode()
    assert "Cette séance est complète" in page and "M’inscrire sur la liste d’attente" in page
    response = client.post(_url(session), registration_post(first_name="Karim", phone="06 98 76 54 32"))
    html = client.get(response["Location"]).content.decode()
    assert "Vous êtes sur liste d’attente" in html and "Votre position sur la liste d’attente\u00a0: 1." in html
    assert list(Registration.objects.order_by("pk").values_list("first_name", "phone", "status", "position")) == [
        ("Nadia", "+33612345678", RegistrationStatus.CONFIRMED, None),
        ("Karim", "+33698765432", RegistrationStatus.WAITING, 1),
    ]


def test_an_email_is_enough(client):
    session = arles_session()
    response = client.post(_url(session), registration_post(phone="", email="Nadia@Example.org"))
    assert response.status_code == 302
    assert Registration.objects.get().email == "nadia@example.org"


def test_the_arabic_page_is_right_to_left_and_the_registration_remembers_arabic(client):
    session = arles_session()
    page = client.get(_url(session), {"lang": "ar"}).content.decode()
    assert '<html lang="ar" dir="rtl">' in page and 'name="lang" value="ar"' in page
    response = client.post(_url(session), registration_post(lang="ar"))
    assert response["Location"].endswith("?lang=ar")
    assert "أنت مسجَّل" in client.get(response["Location"]).content.decode()
    assert Registration.objects.get().language == "ar"


def test_english_registration_is_recorded_in_english(client):
    response = client.post(_url(arles_session()), registration_post(lang="en"))
    assert "You are registered" in client.get(response["Location"]).content.decode()
    assert Registration.objects.get().language == "en"


@pytest.mark.parametrize(
    ("post", "message"),
    [
        ({"consent": ""}, "Cochez la case pour vous inscrire"),
        ({"phone": "", "email": ""}, "Donnez un numéro de téléphone portable ou une adresse e-mail."),
        ({"first_name": ""}, "Ce champ est obligatoire."),
    ],
)
def test_what_is_missing_is_said_and_nothing_is_written(client, post, message):
    response = client.post(_url(arles_session()), registration_post(**post))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Registration.objects.exists()


def test_an_error_is_said_in_the_pages_language(client):
    html = client.post(_url(arles_session()), registration_post(consent="", lang="ar")).content.decode()
    assert "ضع علامة في الخانة للتسجيل" in html


def test_the_same_phone_twice_is_refused_in_words(client):
    session = arles_session()
    client.post(_url(session), registration_post())
    response = client.post(_url(session), registration_post(first_name="Autre"))
    assert response.status_code == 200
    assert "Ce numéro de téléphone est déjà inscrit pour cette séance." in response.content.decode()
    assert Registration.objects.count() == 1


def test_the_consent_states_its_purpose_and_the_retention_period(client, settings):
    settings.MEDIATION_RETENTION_DAYS = {"registrations": 365, "beneficiaries": 730}
    html = client.get(_url(arles_session())).content.decode()
    assert "Elles sont effacées 365 jours après l’atelier." in html
    assert 'type="checkbox" name="consent"' in html


def test_a_session_no_longer_open_says_so(client):
    session = arles_session(status=SessionStatus.CANCELLED)
    response = client.post(_url(session), registration_post())
    assert response.status_code == 410
    assert "Cette séance n'est plus ouverte aux inscriptions." in response.content.decode().replace("&#x27;", "'")
    assert not Registration.objects.exists()


def test_the_honeypot_keeps_robots_out(client):
    response = client.post(_url(arles_session()), registration_post(website="http://spam.example"))
    assert response.status_code == 400
    assert "un champ caché a été rempli" in response.content.decode()
    assert not Registration.objects.exists()


def test_too_many_registrations_are_refused_with_a_clear_message(client, settings):
    """Over the limit per contact: refused in words (429), nothing written — without the limiter this fails."""
    settings.MEDIATION_REGISTRATIONS_PER_HOUR = {"address": 100, "contact": 1}
    first, second = arles_session(), arles_session()
    assert client.post(_url(first), registration_post()).status_code == 302
    response = client.post(_url(second), registration_post(lang="en"))
    assert response.status_code == 429
    assert "Too many registrations were sent from here" in response.content.decode()
    assert Registration.objects.count() == 1


def test_the_limit_per_address_holds_whatever_the_phone(client, settings):
    settings.MEDIATION_REGISTRATIONS_PER_HOUR = {"address": 1, "contact": 100}
    session = arles_session()
    assert client.post(_url(session), registration_post(), REMOTE_ADDR="192.0.2.9").status_code == 302
    response = client.post(_url(session), registration_post(phone="06 98 76 54 32"), REMOTE_ADDR="192.0.2.9")
    assert response.status_code == 429
    assert Registration.objects.count() == 1


def test_with_redis_down_nobody_is_turned_away(client, settings, monkeypatch, caplog):
    """The limiter fails open: the registration is written in PostgreSQL even with every limit at 0."""
    settings.CACHES = {"default": {**django_settings.CACHES["default"],
                                   "LOCATION": f"redis://127.0.0.1:{_closed_port()}/0"}}  # fmt: skip
    monkeypatch.setattr(core_cache, "_down_until", {})
    monkeypatch.setattr(core_ratelimit, "_last_warning", float("-inf"))  # its once-a-minute log line, said here
    settings.MEDIATION_REGISTRATIONS_PER_HOUR = {"address": 0, "contact": 0}
    assert client.post(_url(arles_session()), registration_post()).status_code == 302
    assert Registration.objects.count() == 1
    assert "cache unreachable" in caplog.text


def test_the_form_is_csrf_protected():
    """A foreign page cannot make a visitor's browser register someone (a registration sends an SMS)."""
    response = Client(enforce_csrf_checks=True).post(_url(arles_session()), registration_post())
    assert response.status_code == 403
    assert not Registration.objects.exists()
