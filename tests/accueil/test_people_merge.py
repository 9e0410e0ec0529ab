"""Merging duplicate records: everything moves to the record kept, within one MDS, by its manager, audited."""

import pytest
from auditlog.models import LogEntry
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from accueil.models import ContactRequest, Person
from accueil.people import person_merge
from sites.roles import Role
from tests.accueil.factories import ContactRequestFactory, PersonFactory
from tests.factories import MdsFactory, agent_with_role

pytestmark = pytest.mark.django_db


def test_a_merge_moves_requests_dependants_and_earlier_duplicates_to_the_record_kept():
    """The duplicate's requests and the children it acts for now belong to the kept record; it points there."""
    mds = MdsFactory()
    manager = agent_with_role(Role.MDS_MANAGER, mds)
    kept = PersonFactory(mds=mds, email="")
    duplicate = PersonFactory(mds=mds, email="double@example.org")
    requests = ContactRequestFactory.create_batch(2, mds=mds, person=duplicate)
    child = PersonFactory(mds=mds, responsible=duplicate, relationship="fille")
    older = PersonFactory(mds=mds, merged_into=duplicate)

    result = person_merge(actor=manager, kept=kept, duplicate=duplicate)

    assert set(ContactRequest.objects.filter(person=kept).values_list("pk", flat=True)) == {r.pk for r in requests}
    child.refresh_from_db(), duplicate.refresh_from_db(), kept.refresh_from_db(), older.refresh_from_db()
    assert child.responsible_id == kept.pk and child.relationship == "fille"
    assert duplicate.merged_into_id == kept.pk
    assert older.merged_into_id == kept.pk  # no chain of merges to follow
    assert kept.email == "double@example.org"  # a blank of the kept record filled from the duplicate
    assert result.moved["accueil.ContactRequest"] == 2 and result.moved["dependants"] == 1
    assert not Person.objects.current().filter(pk=duplicate.pk).exists()


def test_a_merge_is_in_the_audit_trail_with_who_did_it():
    mds = MdsFactory()
    manager = agent_with_role(Role.MDS_MANAGER, mds)
    kept, duplicate = PersonFactory(mds=mds), PersonFactory(mds=mds)
    person_merge(actor=manager, kept=kept, duplicate=duplicate)
    event = LogEntry.objects.get_for_object(kept).filter(changes__has_key="merge").get()
    assert event.actor == manager and f"#{duplicate.pk}" in event.changes["merge"][1]
    change = (
        LogEntry.objects.get_for_object(duplicate)
        .filter(action=LogEntry.Action.UPDATE, changes__has_key="merged_into")
        .get()
    )
    assert change.actor == manager


def test_records_of_two_mds_are_never_merged_even_by_a_departement_wide_admin():
    """The service refuses by itself, whoever calls it: the view's choices are not the only guard."""
    admin = agent_with_role(Role.ADMIN)
    kept, other = PersonFactory(mds=MdsFactory()), PersonFactory(mds=MdsFactory())
    ContactRequestFactory(mds=other.mds, person=other)
    with pytest.raises(ValidationError):
        person_merge(actor=admin, kept=kept, duplicate=other)
    other.refresh_from_db()
    assert other.merged_into_id is None and other.requests.count() == 1


def test_an_agent_without_the_merge_permission_is_refused_by_the_service():
    mds = MdsFactory()
    reception = agent_with_role(Role.RECEPTION, mds)
    kept, duplicate = PersonFactory(mds=mds), PersonFactory(mds=mds)
    with pytest.raises(PermissionDenied):
        person_merge(actor=reception, kept=kept, duplicate=duplicate)
    duplicate.refresh_from_db()
    assert duplicate.merged_into_id is None


def test_a_record_already_merged_cannot_be_merged_again():
    mds = MdsFactory()
    manager = agent_with_role(Role.MDS_MANAGER, mds)
    kept, duplicate, third = PersonFactory(mds=mds), PersonFactory(mds=mds), PersonFactory(mds=mds)
    person_merge(actor=manager, kept=kept, duplicate=duplicate)
    with pytest.raises(ValidationError):
        person_merge(actor=manager, kept=third, duplicate=duplicate)
    duplicate.refresh_from_db()
    assert duplicate.merged_into_id == kept.pk


def test_a_record_is_not_merged_into_itself():
    mds = MdsFactory()
    person = PersonFactory(mds=mds)
    with pytest.raises(ValidationError):
        person_merge(actor=agent_with_role(Role.MDS_MANAGER, mds), kept=person, duplicate=person)


def test_the_kept_record_acting_for_the_duplicate_acts_for_nobody_afterwards():
    """Else the kept record would end up its own relative, which the database refuses."""
    mds = MdsFactory()
    duplicate = PersonFactory(mds=mds)
    kept = PersonFactory(mds=mds, responsible=duplicate, relationship="mère")
    person_merge(actor=agent_with_role(Role.MDS_MANAGER, mds), kept=kept, duplicate=duplicate)
    kept.refresh_from_db()
    assert kept.responsible_id is None and kept.relationship == ""


def test_the_merge_page_merges_a_duplicate_of_the_same_mds(signed_in):
    mds = MdsFactory()
    kept, duplicate = PersonFactory(mds=mds), PersonFactory(mds=mds)
    client = signed_in(agent_with_role(Role.MDS_MANAGER, mds))
    url = reverse("accueil_people:person_merge", args=[kept.pk])
    response = client.post(url, {"duplicate": duplicate.pk, "confirm": "on"})
    assert response.status_code == 302
    duplicate.refresh_from_db()
    assert duplicate.merged_into_id == kept.pk


def test_the_merge_page_refuses_a_forged_duplicate_of_another_mds(signed_in):
    """A record of MDS B is no choice on MDS A's merge page: nothing moves."""
    mds = MdsFactory()
    kept, foreign = PersonFactory(mds=mds), PersonFactory(mds=MdsFactory())
    client = signed_in(agent_with_role(Role.MDS_MANAGER, mds))
    response = client.post(reverse("accueil_people:person_merge", args=[kept.pk]), {"duplicate": foreign.pk,
                                                                                   "confirm": "on"})  # fmt: skip
    assert response.status_code == 200
    foreign.refresh_from_db()
    assert foreign.merged_into_id is None


def test_the_merge_page_is_closed_to_reception_agents(signed_in):
    mds = MdsFactory()
    kept, duplicate = PersonFactory(mds=mds), PersonFactory(mds=mds)
    client = signed_in(agent_with_role(Role.RECEPTION, mds))
    url = reverse("accueil_people:person_merge", args=[kept.pk])
    assert client.post(url, {"duplicate": duplicate.pk, "confirm": "on"}).status_code == 403
    duplicate.refresh_from_db()
    assert duplicate.merged_into_id is None
