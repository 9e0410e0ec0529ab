"""The contact form's defences without a third-party CAPTCHA: honeypot, minimum fill time, rate limits per
address and per contact detail, body size. Each refusal says why in the person's language and keeps what was
typed; each check has a test that fails without it. A down Redis or broker never loses a request."""

import socket
import time

import pytest
from django.conf import settings as django_settings
from django.urls import reverse

from accueil.forms import started_token
from accueil.models import ContactRequest
from core import cache as core_cache
from tests.accueil.contact import valid_post
from tests.factories import MdsFactory

pytestmark = pytest.mark.django_db

URL = reverse("accueil_public:contact")


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _hidden(html: str, name: str) -> str:
    return html.split(f'name="{name}" value="', 1)[1].split('"', 1)[0]


def test_a_filled_honeypot_is_refused_and_the_form_comes_back_with_it_empty(client):
    """A robot fills every field; a person whose autofill did can send again at once."""
    mds = MdsFactory()
    response = client.post(URL, valid_post(mds, website="http://spam.example"))
    html = response.content.decode()
    assert response.status_code == 400
    assert "un champ caché a été rempli" in html
    assert 'value="Benali"' in html and "spam.example" not in html
    assert not ContactRequest.objects.exists()


def test_a_form_sent_faster_than_a_person_can_is_refused(client):
    mds = MdsFactory()
    response = client.post(URL, valid_post(mds, started=started_token(), lang="en"))
    assert response.status_code == 400
    assert "The form was sent very quickly" in response.content.decode()
    assert not ContactRequest.objects.exists()


@pytest.mark.parametrize("started", ["", "1700000000", "MTcwMDAwMDAwMA:1abc:forged"])
def test_a_start_time_we_did_not_sign_is_refused_then_the_form_shown_again_goes_through(client, started):
    """Unsigned, forged or missing: refused; the page shown again carries a token of ours, and sending it works."""
    mds = MdsFactory()
    response = client.post(URL, valid_post(mds, started=started))
    assert response.status_code == 400
    assert "resté ouvert trop longtemps" in response.content.decode()
    assert not ContactRequest.objects.exists()
    fresh = _hidden(response.content.decode(), "started")
    assert client.post(URL, valid_post(mds, started=fresh)).status_code == 302
    assert ContactRequest.objects.count() == 1


def test_a_start_time_signed_too_long_ago_is_refused(client):
    mds = MdsFactory()
    response = client.post(URL, valid_post(mds, started=started_token(time.time() - 2 * 24 * 3600)))
    assert response.status_code == 400
    assert not ContactRequest.objects.exists()


def test_one_address_is_limited_per_hour_whatever_contact_details_it_gives(client, settings):
    settings.ACCUEIL_SUBMISSIONS_PER_HOUR = {"address": 2, "contact": 100}
    mds = MdsFactory()
    codes = [
        client.post(URL, valid_post(mds, phone=f"06 12 34 56 7{n}", email=f"p{n}@example.org")).status_code
        for n in range(3)
    ]
    assert codes == [302, 302, 429]
    assert ContactRequest.objects.count() == 2


def test_one_phone_number_is_limited_per_hour_whatever_address_it_comes_from(client, settings):
    settings.ACCUEIL_SUBMISSIONS_PER_HOUR = {"address": 100, "contact": 2}
    mds = MdsFactory()
    codes = [
        client.post(URL, valid_post(mds, email=f"p{n}@example.org"), REMOTE_ADDR=f"192.0.2.{n + 1}").status_code
        for n in range(3)
    ]
    assert codes == [302, 302, 429]
    assert ContactRequest.objects.count() == 2


def test_one_email_is_limited_per_hour_whatever_its_case(client, settings):
    settings.ACCUEIL_SUBMISSIONS_PER_HOUR = {"address": 100, "contact": 1}
    mds = MdsFactory()
    client.post(URL, valid_post(mds, phone="", callback_channels=["email"], email="Nadia@Example.org"))
    response = client.post(
        URL, valid_post(mds, phone="", callback_channels=["email"], email="nadia@example.org", lang="ar"),
        REMOTE_ADDR="192.0.2.9",
    )  # fmt: skip
    html = response.content.decode()
    assert response.status_code == 429
    assert "تم إرسال عدد كبير جدًا من الطلبات" in html and 'value="nadia@example.org"' in html
    assert ContactRequest.objects.count() == 1


def test_a_refused_form_does_not_spend_the_budget(client, settings):
    """Correcting a typo costs nothing: only valid submissions are counted."""
    settings.ACCUEIL_SUBMISSIONS_PER_HOUR = {"address": 1, "contact": 1}
    mds = MdsFactory()
    assert client.post(URL, valid_post(mds, last_name="")).status_code == 200
    assert client.post(URL, valid_post(mds)).status_code == 302


def test_a_body_over_the_limit_is_refused_before_it_is_read(client, settings):
    settings.ACCUEIL_FORM_MAX_BYTES = 4096
    mds = MdsFactory()
    response = client.post(URL, valid_post(mds, message="x" * 5000))
    assert response.status_code == 413
    assert "Votre message est trop long" in response.content.decode()
    assert not ContactRequest.objects.exists()


def test_a_body_under_the_limit_goes_through(client, settings):
    settings.ACCUEIL_FORM_MAX_BYTES = 4096
    assert client.post(URL, valid_post(MdsFactory(), message="x" * 1000)).status_code == 302


def test_with_redis_down_the_rate_limits_let_requests_through(client, settings, monkeypatch, caplog):
    """Failing open, as stated: a person is never turned away because Redis is down (limits set to refuse all)."""
    down = {**django_settings.CACHES["default"], "LOCATION": f"redis://127.0.0.1:{_closed_port()}/0"}
    settings.CACHES = {"default": down}
    monkeypatch.setattr(core_cache, "_down_until", {})
    settings.ACCUEIL_SUBMISSIONS_PER_HOUR = {"address": 0, "contact": 0}
    response = client.post(URL, valid_post(MdsFactory()))
    assert response.status_code == 302
    assert ContactRequest.objects.count() == 1
    assert "cache unreachable" in caplog.text


def test_the_limits_refuse_with_redis_up(client, settings):
    """The same limits with Redis up: the test above passes because Redis is down, not because nothing counts."""
    settings.ACCUEIL_SUBMISSIONS_PER_HOUR = {"address": 0, "contact": 0}
    assert client.post(URL, valid_post(MdsFactory())).status_code == 429


@pytest.fixture
def broker_down():
    """The real Celery app pointed at a port where nothing listens, then given its broker back."""
    from mds_connectees.celery import app

    saved = app.conf.broker_url
    app.conf.broker_url = f"redis://127.0.0.1:{_closed_port()}/0"
    app._pool = None
    app.amqp._producer_pool = None
    yield
    app.conf.broker_url = saved
    app._pool = None
    app.amqp._producer_pool = None


@pytest.mark.django_db(transaction=True)
def test_with_the_broker_down_the_request_is_stored_and_the_person_reads_its_reference(client, broker_down):
    """Store first, notify after the commit: a broker that cannot be reached refuses and loses nothing."""
    response = client.post(URL, valid_post(MdsFactory()))
    assert response.status_code == 302
    request = ContactRequest.objects.get()
    assert request.display_reference in client.get(response["Location"]).content.decode()
