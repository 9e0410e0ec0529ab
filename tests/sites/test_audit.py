import pytest
from auditlog.models import LogEntry

from sites.audit import record_access
from sites.models import Membership
from sites.roles import Role
from tests.factories import AgentFactory, MdsFactory, SiteFactory, agent_with_role

pytestmark = pytest.mark.django_db


def test_reading_personal_data_leaves_who_when_and_why():
    officer = agent_with_role(Role.LEGAL_REQUISITION)
    person = AgentFactory()
    entry = record_access(actor=officer, instance=person, reason="Réquisition PV 2026/123")
    stored = LogEntry.objects.get(pk=entry.pk)
    assert stored.action == LogEntry.Action.ACCESS
    assert stored.actor == officer
    assert stored.object_pk == str(person.pk)
    assert stored.additional_data == {"reason": "Réquisition PV 2026/123"}
    assert stored.timestamp is not None


def test_granting_a_role_is_in_the_audit_trail():
    agent, mds = AgentFactory(), MdsFactory()
    membership = Membership.objects.create(agent=agent, role=Role.MDS_MANAGER, mds=mds)
    entry = LogEntry.objects.get_for_object(membership).get()
    assert entry.action == LogEntry.Action.CREATE
    assert entry.changes_dict["role"] == ["None", "mds_manager"]


def test_editing_a_site_keeps_the_old_and_new_values_but_never_a_password():
    site = SiteFactory(street="")
    site.street = "12 rue de la République"
    site.save()
    change = LogEntry.objects.get_for_object(site).filter(action=LogEntry.Action.UPDATE).get()
    assert change.changes_dict["street"] == ["", "12 rue de la République"]
    agent = AgentFactory()
    agent.set_password("a-new-secret-password")
    agent.save()
    assert all("password" not in e.changes_dict for e in LogEntry.objects.get_for_object(agent))
