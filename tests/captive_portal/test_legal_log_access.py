"""Only the legal-requisition role opens the connection log: every other role — and a bare superuser — gets 403."""

import datetime

import pytest
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from django.utils import timezone

from captive_portal.models import ConnectionRecord
from sites.models import Membership
from sites.roles import PER_MDS_ROLES, Role
from tests.captive_portal.scoping_pages_log import build
from tests.factories import AgentFactory, MdsFactory, agent_with_role

pytestmark = pytest.mark.django_db

OTHER_ROLES = [role for role in Role if role != Role.LEGAL_REQUISITION]


def _entries():
    return LogEntry.objects.filter(content_type=ContentType.objects.get_for_model(ConnectionRecord))


def _search_form():
    now = timezone.localtime().replace(second=0, microsecond=0)
    start = now - datetime.timedelta(days=1)
    return {"reference": "PV 1", "reason": "Réquisition", "starts_at": f"{start:%Y-%m-%dT%H:%M}",
            "ends_at": f"{now:%Y-%m-%dT%H:%M}"}  # fmt: skip


@pytest.fixture
def logged():
    """A site with a connection, and a search an officer made of it."""
    return build(MdsFactory(name="Alpha"))


@pytest.mark.parametrize("role", OTHER_ROLES, ids=[r.value for r in OTHER_ROLES])
def test_every_other_role_is_refused_the_search_page(signed_in, logged, role):
    agent = agent_with_role(role, logged["mds"] if role in PER_MDS_ROLES else None)
    client = signed_in(agent)
    before = _entries().count()
    assert client.get(reverse("portal_log:search")).status_code == 403
    assert client.post(reverse("portal_log:search"), _search_form()).status_code == 403
    assert _entries().count() == before  # nothing searched, nothing recorded


@pytest.mark.parametrize("role", OTHER_ROLES, ids=[r.value for r in OTHER_ROLES])
def test_every_other_role_never_sees_an_officers_results_or_export(signed_in, logged, role):
    agent = agent_with_role(role, logged["mds"] if role in PER_MDS_ROLES else None)
    client = signed_in(agent)
    pk = logged["search"].pk
    for response in (client.get(reverse("portal_log:results", kwargs={"pk": pk})),
                     client.post(reverse("portal_log:export", kwargs={"pk": pk}))):  # fmt: skip
        assert response.status_code == 404
        assert logged["record"].client_mac not in response.content.decode()


def test_the_legal_requisition_role_opens_the_log(signed_in, logged):
    client = signed_in(logged["officer"])
    assert client.get(reverse("portal_log:search")).status_code == 200
    assert client.get(reverse("portal_log:results", kwargs={"pk": logged["search"].pk})).status_code == 200


def test_a_superuser_without_the_role_is_refused_and_told_why(signed_in, logged):
    superuser = AgentFactory(is_superuser=True, is_staff=True)
    client = signed_in(superuser)
    response = client.get(reverse("portal_log:search"))
    assert response.status_code == 403
    assert "captive_portal/backoffice/log_refused.html" in [t.name for t in response.templates]
    assert client.post(reverse("portal_log:search"), _search_form()).status_code == 403
    Membership.objects.create(agent=superuser, role=Role.LEGAL_REQUISITION)
    assert signed_in(superuser).get(reverse("portal_log:search")).status_code == 200  # the role, not the flag


def test_an_officer_who_lost_the_role_can_no_longer_reopen_their_searches(signed_in, logged):
    officer = logged["officer"]
    Membership.objects.filter(agent=officer).update(role=Role.PROGRAMME)
    client = signed_in(officer)
    assert client.get(reverse("portal_log:results", kwargs={"pk": logged["search"].pk})).status_code == 403
    assert client.post(reverse("portal_log:export", kwargs={"pk": logged["search"].pk})).status_code == 403


def test_the_role_holds_the_log_permissions_and_no_other_role_does():
    officer = agent_with_role(Role.LEGAL_REQUISITION)
    assert officer.has_perm("captive_portal.search_connectionrecord")
    assert officer.has_perm("captive_portal.view_connectionrecord")
    for role in OTHER_ROLES:
        agent = agent_with_role(role, MdsFactory() if role in PER_MDS_ROLES else None)
        assert not agent.has_perm("captive_portal.search_connectionrecord"), role
        assert not agent.has_perm("captive_portal.view_connectionrecord"), role
