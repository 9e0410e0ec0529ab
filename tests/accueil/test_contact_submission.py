"""request_submit: the request, its person and its notifications in one transaction, nothing half-written."""

import pytest
from django.db import connection
from django.utils import timezone

from accueil import notifications, submission
from accueil.models import ContactRequest, Person, RequestSource
from tests.factories import MdsFactory, SiteFactory

pytestmark = pytest.mark.django_db


def _submit(**changes):
    arguments = {"mds": MdsFactory(), "kind": "question", "topic": "rights", "last_name": "Martin",
                 "phone": "+33612345678", "notice_acknowledged_at": timezone.now()} | changes  # fmt: skip
    return submission.request_submit(**arguments)


def test_the_notifications_are_queued_inside_the_transaction_with_the_request_written(monkeypatch):
    seen = []

    def request_submitted(contact_request):
        seen.append((connection.in_atomic_block, ContactRequest.objects.filter(pk=contact_request.pk).exists()))
        return []

    monkeypatch.setattr(notifications, "request_submitted", request_submitted)
    _submit()
    assert seen == [(True, True)]


def test_a_failure_while_queueing_leaves_neither_request_nor_person(monkeypatch):
    """Atomic: the request is stored with its notifications or not at all (the page then says so, nothing is lost
    silently)."""

    def broken(contact_request):
        raise RuntimeError("outbox unavailable")

    monkeypatch.setattr(notifications, "request_submitted", broken)
    with pytest.raises(RuntimeError):
        _submit()
    assert (ContactRequest.objects.count(), Person.objects.count()) == (0, 0)


def test_a_request_through_a_portal_site_is_marked_as_from_the_portal():
    site = SiteFactory()
    request = _submit(mds=site.mds, site=site)
    assert (request.source, request.site) == (RequestSource.PORTAL, site)


def test_a_request_without_phone_nor_email_is_refused_by_the_model():
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        _submit(phone="", email="")
    assert not ContactRequest.objects.exists()


def test_the_person_is_matched_by_email_whatever_its_case():
    mds = MdsFactory()
    first = _submit(mds=mds, phone="", email="Ines.Martin@example.org")
    second = _submit(mds=mds, phone="", email="ines.martin@example.org", last_name="MARTIN")
    assert first.person == second.person and Person.objects.count() == 1


def test_a_submission_costs_fifteen_statements(client, settings, django_assert_num_queries):
    """The MDS twice (the address's and the form's), the person lookup and insert, the request, two audit entries,
    two outbox rows with their savepoints: no model check that the database makes again on insert."""
    from accueil.forms import started_token

    settings.ACCUEIL_FORM_MIN_SECONDS = 0
    mds = MdsFactory()
    data = {"mds": mds.pk, "kind": "question", "topic": "housing", "last_name": "Benali", "email": "n@example.org",
            "callback_channels": "email", "notice": "on", "started": started_token(), "lang": "fr"}  # fmt: skip
    client.post(f"/contact/{mds.slug}/", {**data, "email": "first@example.org"})  # content types cached
    with django_assert_num_queries(15):
        assert client.post(f"/contact/{mds.slug}/", data).status_code == 302
