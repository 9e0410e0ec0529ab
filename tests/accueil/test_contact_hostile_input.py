"""Hostile input never gives a 500 and never stores markup that renders: generated names, messages and contact
details (huge, empty, any unicode, bidi overrides, zero-width and control characters, script tags, spreadsheet
formula triggers) through the whole form, in each of its languages."""

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accueil.models import ContactRequest
from tests.accueil.contact import valid_post
from tests.factories import MdsFactory

pytestmark = pytest.mark.django_db

URL = reverse("accueil_public:contact")
NASTY = [
    "<script>alert(1)</script>", '"><img src=x onerror=alert(1)>', "=HYPERLINK(\"http://x\")", "+33 6", "-2+3",
    "@SUM(A1)", "\u202eevil\u202c", "\u2066\u2067\u2068\u2069", "\u200b\u200c\u200d\ufeff", "\x00", "\x07\x1b[31m",
    "\r\n", "\t", "\x85", "𝕏😀", "ما", "",
]  # fmt: skip
text = st.one_of(
    st.sampled_from(NASTY),
    st.text(max_size=60),
    st.lists(st.sampled_from([*NASTY, *"aé<>&'\"= "]), max_size=12).map("".join),
    st.text(min_size=2000, max_size=2500),  # over the message's and every field's bound
)
SAFE_STATUSES = {200, 302, 400, 413}


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    first_name=text, last_name=st.one_of(st.just("Benali"), text),
    phone=st.one_of(st.just("06 12 34 56 78"), text), email=st.one_of(st.just("nadia@example.org"), text),
    message=text, commune=text, interpreter=text,
    language=st.sampled_from(["fr", "en", "ar", "<x>", ""]), kind=st.sampled_from(["appointment", "x<", ""]),
)  # fmt: skip
def test_generated_submissions_never_give_a_500_nor_store_live_markup(
    client, django_settings, first_name, last_name, phone, email, message, commune, interpreter, language, kind
):
    """Refused or stored; what is stored has no control character, and no page shows it as markup."""
    django_settings.ACCUEIL_SUBMISSIONS_PER_HOUR = {"address": 10**9, "contact": 10**9}
    mds = MdsFactory()
    before = set(ContactRequest.objects.values_list("pk", flat=True))
    data = valid_post(
        mds, first_name=first_name, last_name=last_name, phone=phone, email=email, message=message, commune=commune,
        interpreter_language=interpreter, lang=language, kind=kind,
    )  # fmt: skip
    response = client.post(URL, data)
    assert response.status_code in SAFE_STATUSES
    html = response.content.decode()
    assert "<script>alert" not in html and "<img src=x" not in html
    created = ContactRequest.objects.exclude(pk__in=before)
    if response.status_code != 302:
        assert not created.exists()
        return
    request = created.get()
    for value in (request.first_name, request.last_name, request.commune, request.interpreter_language):
        assert not any(ord(char) < 32 or 127 <= ord(char) < 160 for char in value)
    assert not any(ord(char) < 32 and char not in "\n\t" for char in request.message)
    page = client.get(response["Location"]).content.decode()
    assert "<script>alert" not in page and "<img src=x" not in page


@pytest.fixture
def django_settings(settings):
    return settings


@pytest.mark.parametrize(
    "hostile", ["<script>alert(1)</script>", "=1+1", "@SUM(A1)", "Ben\u202eila\u202c", "Be\u200bnali"]
)
def test_a_hostile_name_is_stored_as_text_and_shown_escaped(client, hostile):
    """Stored as typed (an agent may need to see it), never rendered as markup; control characters dropped."""
    response = client.post(URL, valid_post(MdsFactory(), last_name=hostile, message=f"{hostile}\x07\r\nfin"))
    assert response.status_code == 302
    request = ContactRequest.objects.get()
    assert request.last_name == hostile
    assert request.message == f"{hostile}\r\nfin" or request.message == f"{hostile}\nfin"
    page = client.get(response["Location"]).content.decode()
    assert "<script>alert" not in page
