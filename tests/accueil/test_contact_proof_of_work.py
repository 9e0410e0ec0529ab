"""The self-hosted proof of work (ALTCHA-like), when switched on: a solved challenge is taken once, a wrong or
reused answer is refused, and without JavaScript the form still works if it was open long enough."""

import time

import pytest
from django.urls import reverse

from accueil import pow
from accueil.forms import started_token
from accueil.models import ContactRequest
from tests.accueil.contact import valid_post
from tests.factories import MdsFactory

pytestmark = pytest.mark.django_db

URL = reverse("accueil_public:contact")


@pytest.fixture
def proof_of_work(settings):
    settings.ACCUEIL_PROOF_OF_WORK = True
    settings.ACCUEIL_POW_MAX_NUMBER = 2000
    settings.ACCUEIL_POW_MIN_SECONDS_WITHOUT = 30


def _challenge(client) -> tuple[str, str, str]:
    html = client.get(URL).content.decode()
    salt = html.split('data-salt="', 1)[1].split('"', 1)[0]
    challenge = html.split('data-challenge="', 1)[1].split('"', 1)[0]
    token = html.split('name="pow_token" value="', 1)[1].split('"', 1)[0]
    assert "accueil/pow" in html and ".js" in html
    return salt, challenge, token


def test_a_solved_challenge_is_taken_once(client, proof_of_work):
    mds = MdsFactory()
    salt, challenge, token = _challenge(client)
    number = str(pow.solve(salt, challenge, 2000))
    assert client.post(URL, valid_post(mds, pow_token=token, pow_number=number)).status_code == 302
    replay = client.post(URL, valid_post(mds, pow_token=token, pow_number=number, email="autre@example.org"))
    assert replay.status_code == 400
    assert ContactRequest.objects.count() == 1


def test_a_wrong_answer_is_refused(client, proof_of_work):
    mds = MdsFactory()
    salt, challenge, token = _challenge(client)
    wrong = str((pow.solve(salt, challenge, 2000) + 1) % 2001)
    assert client.post(URL, valid_post(mds, pow_token=token, pow_number=wrong)).status_code == 400
    assert not ContactRequest.objects.exists()


def test_a_challenge_we_did_not_sign_is_refused(client, proof_of_work):
    salt = "0" * 24
    forged = f"{pow.signing.dumps({'s': salt, 'c': 'x'}, salt='another')}"
    assert client.post(URL, valid_post(MdsFactory(), pow_token=forged, pow_number="1")).status_code == 400
    assert not ContactRequest.objects.exists()


def test_without_javascript_the_form_must_have_been_open_longer(client, proof_of_work):
    mds = MdsFactory()
    assert client.post(URL, valid_post(mds, started=started_token(time.time() - 10))).status_code == 400
    assert client.post(URL, valid_post(mds, started=started_token(time.time() - 40))).status_code == 302


def test_switched_off_the_page_carries_no_challenge_nor_script(client):
    html = client.get(URL).content.decode()
    assert 'id="pow"' not in html and "pow.js" not in html
