"""The signed links of the messages: cancel (asked on GET, done on POST: link previewers open links), accept a seat
offered; a tampered, foreign or expired link is refused in words, and changes nothing."""

import datetime as dt

import pytest
from django.core import signing
from django.urls import reverse
from django.utils import timezone

from mediation import registrations
from mediation.models import Registration, RegistrationStatus
from tests.mediation.factories import RegistrationFactory
from tests.mediation.public import arles_session

pytestmark = pytest.mark.django_db


def _cancel_url(registration) -> str:
    return reverse("mediation_public:cancel", args=[registrations.cancel_token(registration)])


def _offer_url(registration) -> str:
    return reverse("mediation_public:accept", args=[registrations.offer_token(registration)])


def test_get_on_the_cancel_link_cancels_nothing(client):
    registration = RegistrationFactory(session=arles_session())
    html = client.get(_cancel_url(registration)).content.decode()
    assert "Annuler mon inscription" in html and 'method="post"' in html
    registration.refresh_from_db()
    assert registration.status == RegistrationStatus.CONFIRMED


def test_post_cancels_and_the_seat_goes_to_the_waiting_list(client):
    session = arles_session(capacity=1)
    seated = RegistrationFactory(session=session)
    waiting = RegistrationFactory(session=session, status=RegistrationStatus.WAITING, position=1)
    html = client.post(_cancel_url(seated), {"lang": "fr"}).content.decode()
    assert "Votre inscription est annulée." in html
    seated.refresh_from_db()
    waiting.refresh_from_db()
    assert (seated.status, waiting.status) == (RegistrationStatus.CANCELLED, RegistrationStatus.OFFERED)


@pytest.mark.parametrize("method", ["get", "post"])
def test_a_tampered_cancel_link_is_refused(client, method):
    registration = RegistrationFactory(session=arles_session())
    token = registrations.cancel_token(registration)
    tampered = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    response = getattr(client, method)(reverse("mediation_public:cancel", args=[tampered]))
    assert response.status_code == 404
    assert "Ce lien n’est pas valide ou a expiré." in response.content.decode()
    registration.refresh_from_db()
    assert registration.status == RegistrationStatus.CONFIRMED


def test_a_link_signed_for_another_purpose_does_not_cancel(client):
    """The offer link's token (another salt) names the same registration, yet is no cancel link."""
    registration = RegistrationFactory(session=arles_session())
    token = registrations.offer_token(registration)
    response = client.post(reverse("mediation_public:cancel", args=[token]))
    assert response.status_code == 404
    registration.refresh_from_db()
    assert registration.status == RegistrationStatus.CONFIRMED


def test_an_expired_cancel_link_is_refused(client, settings):
    registration = RegistrationFactory(session=arles_session())
    token = registrations.cancel_token(registration)
    settings.MEDIATION_CANCEL_LINK_MAX_AGE = -1
    assert client.post(reverse("mediation_public:cancel", args=[token])).status_code == 404
    registration.refresh_from_db()
    assert registration.status == RegistrationStatus.CONFIRMED


def _offered(session, **kwargs) -> Registration:
    return RegistrationFactory(session=session, status=RegistrationStatus.OFFERED,
                               offer_expires_at=timezone.now() + dt.timedelta(hours=12), **kwargs)  # fmt: skip


def test_accepting_a_seat_offered(client):
    registration = _offered(arles_session())
    page = client.get(_offer_url(registration), {"lang": "en"}).content.decode()
    assert "I take this seat" in page
    registration.refresh_from_db()
    assert registration.status == RegistrationStatus.OFFERED  # GET takes nothing
    response = client.post(_offer_url(registration), {"lang": "en"})
    assert response.status_code == 302
    assert "You are registered" in client.get(response["Location"]).content.decode()
    registration.refresh_from_db()
    assert registration.status == RegistrationStatus.CONFIRMED


def test_an_expired_offer_is_refused_in_words(client):
    registration = _offered(arles_session())
    Registration.objects.filter(pk=registration.pk).update(offer_expires_at=timezone.now() - dt.timedelta(minutes=1))
    response = client.post(_offer_url(registration))
    assert response.status_code == 410
    assert "Cette place ne vous est plus réservée" in response.content.decode()
    registration.refresh_from_db()
    assert registration.status == RegistrationStatus.OFFERED


def test_a_cancel_token_does_not_accept_an_offer(client):
    registration = _offered(arles_session())
    response = client.post(reverse("mediation_public:accept", args=[registrations.cancel_token(registration)]))
    assert response.status_code == 404
    registration.refresh_from_db()
    assert registration.status == RegistrationStatus.OFFERED


def test_the_offer_token_reads_back_and_refuses_garbage():
    registration = _offered(arles_session())
    assert registrations.registration_from_offer_token(registrations.offer_token(registration)) == registration
    assert registrations.registration_from_offer_token("garbage") is None
    assert registrations.registration_from_offer_token(signing.dumps({"r": "x"}, salt=registrations.OFFER_SALT)) is None


def test_the_registration_page_of_a_seat_offered_links_to_taking_it(client):
    registration = _offered(arles_session())
    url = reverse("mediation_public:registered", args=[registrations.cancel_token(registration)])
    html = client.get(url).content.decode()
    assert "Une place vous est proposée" in html and _offer_url(registration) in html
