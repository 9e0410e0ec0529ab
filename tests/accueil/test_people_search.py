"""Finding a person: by name whatever the accents and case, by phone in any writing, by email; in one's MDS only."""

import pytest
from django.urls import reverse

from accueil.models import Person
from accueil.people import person_search
from sites.roles import Role
from tests.accueil.factories import ContactRequestFactory, PersonFactory
from tests.factories import MdsFactory, agent_with_role

pytestmark = pytest.mark.django_db


def _found(text: str) -> set[int]:
    return set(Person.objects.filter(person_search(text)).values_list("pk", flat=True))


def test_a_name_is_found_whatever_its_accents_and_case():
    """« helene benali » finds Hélène BENALI; « ÉLOÏSE » finds Eloise."""
    helene = PersonFactory(first_name="Hélène", last_name="Benali")
    eloise = PersonFactory(first_name="Eloise", last_name="Durand")
    assert _found("helene benali") == {helene.pk}
    assert _found("BÉNALI") == {helene.pk}
    assert _found("ÉLOÏSE") == {eloise.pk}
    assert _found("hélène durand") == set()  # every word must be found


@pytest.mark.parametrize(
    "typed", ["06 12 34 56 78", "+33612345678", "0612345678", "06.12.34.56.78", "+33 6 12 34 56 78"]
)
def test_a_phone_number_is_found_in_any_writing(typed):
    """However the agent types it, the number stored in E.164 is found, and not another one."""
    person = PersonFactory(phone="06 12 34 56 78")
    PersonFactory(phone="06 98 76 54 32")
    assert _found(typed) == {person.pk}


def test_the_end_of_a_number_finds_it_too():
    person = PersonFactory(phone="+33612345678")
    PersonFactory(phone="+33698765432")
    assert _found("34 56 78") == {person.pk}


def test_an_email_is_found_whatever_its_case():
    person = PersonFactory(email="nadia.benali@example.org")
    PersonFactory(email="autre@example.org")
    assert _found("Nadia.Benali@Example.org") == {person.pk}


def test_the_list_shows_only_the_agents_mds_and_searches_it(signed_in):
    """A person of MDS B is neither listed nor found by an agent of MDS A, even searched by their exact phone."""
    alpha, bravo = MdsFactory(name="Alpha"), MdsFactory(name="Bravo")
    mine = PersonFactory(mds=alpha, first_name="Hélène", last_name="Martin", phone="+33611111111")
    PersonFactory(mds=bravo, first_name="Hélène", last_name="Secret", phone="+33622222222")
    client = signed_in(agent_with_role(Role.RECEPTION, alpha))
    url = reverse("accueil_people:people")
    page = client.get(url, {"q": "helene"}).content.decode()
    assert "MARTIN" in page and "SECRET" not in page
    page = client.get(url, {"q": "06 22 22 22 22"}).content.decode()
    assert "SECRET" not in page
    assert "0 personne trouvée" in page
    assert reverse("accueil_people:person_detail", args=[mine.pk]) in client.get(url).content.decode()


def test_merged_and_anonymised_records_are_not_listed(signed_in):
    mds = MdsFactory()
    kept = PersonFactory(mds=mds, last_name="Garde")
    PersonFactory(mds=mds, last_name="Fusionne", merged_into=kept)
    client = signed_in(agent_with_role(Role.RECEPTION, mds))
    page = client.get(reverse("accueil_people:people")).content.decode()
    assert "GARDE" in page and "FUSIONNE" not in page


def test_the_list_costs_the_same_queries_for_3_or_30_people(signed_in, django_assert_num_queries):
    """Request counts come from one annotated query, not one per row."""
    mds = MdsFactory()
    client = signed_in(agent_with_role(Role.RECEPTION, mds))
    url = reverse("accueil_people:people")
    for _ in range(3):
        ContactRequestFactory(mds=mds, person=PersonFactory(mds=mds))
    client.get(url)  # warm the session and permission caches as a second visit would
    with django_assert_num_queries(9) as few:
        client.get(url)
    for _ in range(27):
        ContactRequestFactory(mds=mds, person=PersonFactory(mds=mds))
    with django_assert_num_queries(len(few.captured_queries)):
        assert client.get(url).status_code == 200
