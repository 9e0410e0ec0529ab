"""The public contact form: a valid request is stored and the person reads its reference; a wrong one is shown
again, in the person's language, with each message tied to its field."""

import pytest
from django.urls import reverse

from accueil.models import ContactRequest, Person, RequestSource
from tests.accueil.contact import valid_post
from tests.accueil.factories import CommuneRoutingFactory, PersonFactory
from tests.factories import MdsFactory, SiteFactory

pytestmark = pytest.mark.django_db

URL = reverse("accueil_public:contact")


def test_a_valid_request_is_stored_and_the_person_reads_its_reference(client):
    """Post/redirect/get: the "sent" page shows the reference, the delay promised and the acknowledgement."""
    mds = MdsFactory(name="Arles")
    response = client.post(URL, valid_post(mds))
    assert response.status_code == 302
    request = ContactRequest.objects.get()
    assert (request.mds, request.source, request.last_name, request.phone, request.email) == (
        mds, RequestSource.FORM, "Benali", "+33612345678", "nadia@example.org",
    )  # fmt: skip
    assert request.callback_channels == ["phone"] and request.callback_windows == ["morning"]
    assert request.notice_acknowledged_at is not None and request.language == "fr"
    page = client.get(response["Location"]).content.decode()
    assert request.display_reference in page
    assert "3 jours ouvrés" in page
    assert "accusé de réception par e-mail et par SMS" in page


def test_the_sent_page_needs_the_signed_token_not_the_reference(client):
    """Nobody reads another person's request by guessing or knowing its reference."""
    mds = MdsFactory()
    client.post(URL, valid_post(mds))
    request = ContactRequest.objects.get()
    for token in (request.reference, str(request.pk), "1:abc:def"):
        assert client.get(reverse("accueil_public:sent", kwargs={"token": token})).status_code == 404


def test_the_mds_is_preselected_from_the_address(client):
    mds = MdsFactory(slug="arles", name="Arles")
    html = client.get(reverse("accueil_public:contact_mds", kwargs={"mds_slug": "arles"})).content.decode()
    assert f'<option value="{mds.pk}" selected>' in html


def test_an_unknown_mds_in_the_address_is_a_404(client):
    assert client.get(reverse("accueil_public:contact_mds", kwargs={"mds_slug": "nowhere"})).status_code == 404


def test_the_mds_is_preselected_from_the_commune_given_in_the_address(client):
    mds = MdsFactory(name="Salon")
    CommuneRoutingFactory(commune="Pélissanne", mds=mds)
    html = client.get(URL, {"commune": "pelissanne"}).content.decode()
    assert f'<option value="{mds.pk}" selected>' in html


def test_a_request_without_an_mds_goes_to_the_mds_of_its_commune(client):
    """Accents and case aside, as people type their commune."""
    mds = MdsFactory()
    CommuneRoutingFactory(commune="Salon-de-Provence", mds=mds)
    assert client.post(URL, valid_post(mds, mds="", commune="salon-de-provence")).status_code == 302
    assert ContactRequest.objects.get().mds == mds


def test_a_commune_nobody_routed_asks_for_the_mds_in_the_list(client):
    mds = MdsFactory()
    response = client.post(URL, valid_post(mds, mds="", commune="Atlantis"))
    assert response.status_code == 200
    assert "choisissez votre MDS dans la liste" in response.content.decode()
    assert not ContactRequest.objects.exists()


def test_without_phone_nor_email_the_form_says_so_in_french_next_to_the_phone(client):
    mds = MdsFactory()
    html = client.post(URL, valid_post(mds, phone="", email="", callback_channels=[])).content.decode()
    message = "Indiquez un numéro de téléphone ou une adresse e-mail pour que la MDS puisse vous répondre."
    assert f'<p class="error" id="id_phone-error">{message}' in html
    assert 'aria-describedby="id_phone-help id_phone-error"' in html and 'aria-invalid="true"' in html
    assert 'class="error-summary" role="alert"' in html and 'href="#id_phone"' in html
    assert 'value="Benali"' in html  # what was typed is kept
    assert not ContactRequest.objects.exists()


def test_the_messages_speak_english_to_an_english_speaker(client):
    mds = MdsFactory()
    html = client.post(URL, valid_post(mds, phone="12", lang="en")).content.decode()
    assert '<html lang="en" dir="ltr">' in html
    assert "This phone number does not exist in France" in html
    assert "Please check these answers" in html


def test_the_messages_speak_arabic_right_to_left(client):
    mds = MdsFactory()
    html = client.post(URL, valid_post(mds, last_name="", lang="ar")).content.decode()
    assert '<html lang="ar" dir="rtl">' in html
    assert "اذكر اسم عائلتك." in html


def test_a_portal_language_without_a_catalogue_here_falls_back_to_french(client):
    html = client.get(URL, {"lang": "tr"}).content.decode()
    assert '<html lang="fr" dir="ltr">' in html


def test_asking_for_an_answer_by_sms_needs_a_phone(client):
    mds = MdsFactory()
    html = client.post(URL, valid_post(mds, phone="", callback_channels=["sms"])).content.decode()
    assert "Vous avez demandé une réponse par téléphone ou SMS" in html
    assert not ContactRequest.objects.exists()


def test_the_notice_must_be_acknowledged(client):
    mds = MdsFactory()
    html = client.post(URL, valid_post(mds, notice=None)).content.decode()
    assert 'id="id_notice-error"' in html
    assert not ContactRequest.objects.exists()


def test_a_request_from_a_portal_link_keeps_its_site(client):
    site = SiteFactory(slug="arles-centre")
    client.post(reverse("accueil_public:contact_mds", kwargs={"mds_slug": site.mds.slug}),
                valid_post(site.mds, site="arles-centre"))  # fmt: skip
    request = ContactRequest.objects.get()
    assert (request.site, request.source) == (site, RequestSource.PORTAL)


def test_a_site_of_another_mds_is_not_taken(client):
    other = SiteFactory(slug="elsewhere")
    mds = MdsFactory()
    client.post(URL, valid_post(mds, site="elsewhere"))
    request = ContactRequest.objects.get()
    assert (request.site, request.source, other.mds == mds) == (None, RequestSource.FORM, False)


def test_the_request_is_linked_to_the_person_already_known_to_that_mds(client):
    """Same last name (accents and case aside) and the same phone: the same person; another MDS's is not theirs."""
    mds = MdsFactory()
    known = PersonFactory(mds=mds, last_name="BÉNALI", phone="+33612345678", email="autre@example.org")
    PersonFactory(last_name="Benali", phone="+33612345678")  # another MDS's record
    client.post(URL, valid_post(mds, last_name="benali"))
    assert ContactRequest.objects.get().person == known
    assert Person.objects.count() == 2


def test_a_new_person_is_recorded_when_none_matches(client):
    mds = MdsFactory()
    PersonFactory(mds=mds, last_name="Durand", phone="+33612345678")  # same phone, another name: a relative
    client.post(URL, valid_post(mds))
    person = ContactRequest.objects.get().person
    assert (person.mds, person.last_name, person.phone, person.email) == (
        mds, "Benali", "+33612345678", "nadia@example.org",
    )  # fmt: skip


def test_the_form_page_costs_two_queries_however_many_mds_there_are(client, django_assert_num_queries):
    """The MDS named in the address, and the list of MDS: no query per MDS."""
    from core.public_mentions import mentions

    for n in range(5):
        MdsFactory(slug=f"mds-{n}")
    mentions()  # the co-funders' mention of every public page is cached on its own (funding.publicity.eu_mention)
    with django_assert_num_queries(2):
        client.get(reverse("accueil_public:contact_mds", kwargs={"mds_slug": "mds-0"}))
