"""A person's page, creating and editing a record, relatives: scoped, audited, written through the services."""

import pytest
from auditlog.models import LogEntry
from django.urls import reverse

from accueil.models import Person
from accueil.people import person_from_request, person_link_relative
from sites.roles import Role
from tests.accueil.factories import ContactRequestFactory, PersonFactory
from tests.factories import MdsFactory, agent_with_role

pytestmark = pytest.mark.django_db


def test_opening_a_person_page_leaves_an_access_entry(signed_in):
    """Who read the record, and when: every view of it."""
    person = PersonFactory(first_name="Hélène", last_name="Martin")
    ContactRequestFactory(mds=person.mds, person=person, reference="K7M2QX9P")
    agent = agent_with_role(Role.SOCIAL_WORKER, person.mds)
    page = signed_in(agent).get(reverse("accueil_people:person_detail", args=[person.pk])).content.decode()
    assert "Hélène MARTIN" in page and "K7M2-QX9P" in page
    access = LogEntry.objects.get_for_object(person).filter(action=LogEntry.Action.ACCESS)
    assert list(access.values_list("actor", flat=True)) == [agent.pk]


def test_a_person_of_another_mds_is_not_found_and_no_access_is_recorded(signed_in):
    person = PersonFactory()
    agent = agent_with_role(Role.SOCIAL_WORKER, MdsFactory())
    assert signed_in(agent).get(reverse("accueil_people:person_detail", args=[person.pk])).status_code == 404
    assert not LogEntry.objects.get_for_object(person).filter(action=LogEntry.Action.ACCESS).exists()


def test_an_agent_creates_a_record_in_their_mds_with_its_audit_entry(signed_in):
    mds = MdsFactory()
    agent = agent_with_role(Role.RECEPTION, mds)
    response = signed_in(agent).post(
        reverse("accueil_people:person_create"),
        {
            "mds": mds.pk,
            "first_name": "Léa",
            "last_name": "Roux",
            "phone": "06 12 34 56 78",
            "email": "LEA@Example.org",
        },
    )
    person = Person.objects.get(last_name="Roux")
    assert response.status_code == 302
    assert (person.mds, person.phone, person.email, person.created_by) == (
        mds,
        "+33612345678",
        "lea@example.org",
        agent,
    )
    assert LogEntry.objects.get_for_object(person).get().actor == agent


def test_a_record_cannot_be_created_in_another_mds(signed_in):
    """The MDS choice lists only the agent's: a forged id of another MDS is refused."""
    mine, other = MdsFactory(), MdsFactory()
    client = signed_in(agent_with_role(Role.RECEPTION, mine))
    response = client.post(reverse("accueil_people:person_create"), {"mds": other.pk, "last_name": "Intrus"})
    assert response.status_code == 200
    assert not Person.objects.filter(last_name="Intrus").exists()


def test_editing_a_record_normalises_the_phone_and_is_audited(signed_in):
    person = PersonFactory(phone="+33612345678")
    agent = agent_with_role(Role.RECEPTION, person.mds)
    url = reverse("accueil_people:person_edit", args=[person.pk])
    response = signed_in(agent).post(url, {"first_name": "Nadia", "last_name": "Benali", "phone": "06 98 76 54 32"})
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.phone == "+33698765432"
    assert LogEntry.objects.get_for_object(person).filter(actor=agent, changes__has_key="phone").exists()


def test_a_parent_is_linked_as_the_relative_acting_for_a_child(signed_in):
    mds = MdsFactory()
    parent, child = PersonFactory(mds=mds), PersonFactory(mds=mds, first_name="Inès")
    client = signed_in(agent_with_role(Role.RECEPTION, mds))
    url = reverse("accueil_people:person_relative", args=[child.pk])
    assert client.post(url, {"responsible": parent.pk, "relationship": "mère"}).status_code == 302
    child.refresh_from_db()
    assert (child.responsible, child.relationship) == (parent, "mère")
    page = client.get(reverse("accueil_people:person_detail", args=[parent.pk])).content.decode()
    assert "Inès" in page


def test_a_relative_of_another_mds_is_refused_by_the_page_and_by_the_service():
    """Each guard alone keeps a record from pointing to another MDS's person."""
    child, foreign = PersonFactory(), PersonFactory(mds=MdsFactory())
    admin = agent_with_role(Role.ADMIN)
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        person_link_relative(actor=admin, person=child, responsible=foreign, relationship="père")
    child.refresh_from_db()
    assert child.responsible_id is None


def test_a_forged_relative_of_another_mds_is_not_a_choice_on_the_page(signed_in):
    child, foreign = PersonFactory(), PersonFactory(mds=MdsFactory())
    client = signed_in(agent_with_role(Role.RECEPTION, child.mds))
    url = reverse("accueil_people:person_relative", args=[child.pk])
    assert client.post(url, {"responsible": foreign.pk, "relationship": "père"}).status_code == 200
    child.refresh_from_db()
    assert child.responsible_id is None


def test_two_people_cannot_act_for_each_other():
    from django.core.exceptions import ValidationError

    mds = MdsFactory()
    a = PersonFactory(mds=mds)
    b = PersonFactory(mds=mds, responsible=a)
    with pytest.raises(ValidationError):
        person_link_relative(actor=agent_with_role(Role.RECEPTION, mds), person=a, responsible=b, relationship="")
    a.refresh_from_db()
    assert a.responsible_id is None


def test_a_request_is_linked_to_the_record_with_its_phone_in_its_mds_or_a_new_one():
    mds = MdsFactory()
    agent = agent_with_role(Role.RECEPTION, mds)
    known = PersonFactory(mds=mds, last_name="Benali", phone="+33612345678")
    PersonFactory(mds=MdsFactory(), last_name="Nouveau", phone="+33699999999")
    first = ContactRequestFactory(mds=mds, last_name="BÉNALI", phone="06 12 34 56 78")
    assert person_from_request(actor=agent, contact_request=first) == known
    second = ContactRequestFactory(mds=mds, phone="06 99 99 99 99", last_name="Nouveau")
    created = person_from_request(actor=agent, contact_request=second)
    assert created.mds == mds and created.last_name == "Nouveau" and created != known
    second.refresh_from_db()
    assert second.person == created


def test_a_refused_record_keeps_what_was_typed_and_says_why_next_to_the_phone(signed_in):
    """The form's French message sits by the refused field, and the other inputs keep what the agent typed."""
    from tests.platform.forms_page import FormPage

    person = PersonFactory()
    client = signed_in(agent_with_role(Role.RECEPTION, person.mds))
    url = reverse("accueil_people:person_edit", args=[person.pk])
    response = client.post(url, {"first_name": "Léa", "last_name": "Roux", "phone": "06 12 ab", "email": "lea@x.org"})
    assert response.status_code == 200
    page = FormPage(response.content.decode())
    assert (page.value("first_name"), page.value("phone"), page.value("email")) == ("Léa", "06 12 ab", "lea@x.org")
    assert page.control("phone").attrs.get("aria-invalid") == "true"
    assert "ne contient que des chiffres" in page.described_by("phone")
    person.refresh_from_db()
    assert person.last_name != "Roux"


def test_a_person_page_costs_the_same_queries_for_1_or_10_requests(signed_in, django_assert_num_queries):
    """Requests and the people they act for are read in one query each, whatever their number."""
    person = PersonFactory()
    client = signed_in(agent_with_role(Role.RECEPTION, person.mds))
    url = reverse("accueil_people:person_detail", args=[person.pk])
    ContactRequestFactory(mds=person.mds, person=person)
    PersonFactory(mds=person.mds, responsible=person)
    client.get(url)
    with django_assert_num_queries(11) as few:  # session, agent, person, requests, dependants, appointments, access…
        client.get(url)
    ContactRequestFactory.create_batch(9, mds=person.mds, person=person)
    PersonFactory.create_batch(9, mds=person.mds, responsible=person)
    with django_assert_num_queries(len(few.captured_queries)):
        assert client.get(url).status_code == 200
