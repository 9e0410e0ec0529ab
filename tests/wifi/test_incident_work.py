"""Ops acknowledge, assign and comment on incidents; the board and the list show who has each one."""

import datetime

import pytest
from auditlog.models import LogEntry
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from sites.roles import Role
from tests.factories import MdsFactory, SiteFactory, agent_with_role
from tests.wifi.factories import AccessPointFactory, IncidentFactory
from wifi.incidents import incident_acknowledge, incident_assign, incident_comment
from wifi.models import Health, Incident, IncidentComment

pytestmark = pytest.mark.django_db


@pytest.fixture
def incident():
    ap = AccessPointFactory(health=Health.DOWN, label="Borne accueil")
    return IncidentFactory(access_point=ap, started_at=timezone.now() - datetime.timedelta(minutes=30))


def _post(client, name, incident, data=None):
    return client.post(reverse(name, kwargs={"pk": incident.pk}), data or {})


def test_acknowledging_gives_an_unassigned_incident_to_whoever_acknowledged_it(incident, signed_in):
    """The ops agent who acknowledges an incident nobody has becomes the one who has it."""
    ops = agent_with_role(Role.OPS, first_name="Inès", last_name="Ops")
    response = _post(signed_in(ops), "wifi:incident_acknowledge", incident)
    assert response.status_code == 302
    incident.refresh_from_db()
    assert incident.acknowledged_by == ops and incident.assigned_to == ops
    assert incident.acknowledged_at is not None
    entry = LogEntry.objects.get_for_object(incident).get(action=LogEntry.Action.UPDATE)
    assert entry.actor == ops and "acknowledged_at" in entry.changes_dict


def test_a_second_acknowledgement_keeps_the_first(incident):
    """Two ops clicking at once: the first acknowledgement and assignee stay."""
    first, second = agent_with_role(Role.OPS), agent_with_role(Role.OPS)
    incident_acknowledge(actor=first, incident=incident)
    incident_acknowledge(actor=second, incident=incident)
    incident.refresh_from_db()
    assert incident.acknowledged_by == first and incident.assigned_to == first


def test_acknowledging_an_incident_already_assigned_keeps_its_assignee(incident):
    """Acknowledging does not take an incident away from the agent it was given to."""
    owner, other = agent_with_role(Role.OPS), agent_with_role(Role.OPS)
    incident_assign(actor=other, incident=incident, assignee=owner)
    incident_acknowledge(actor=other, incident=incident)
    incident.refresh_from_db()
    assert incident.assigned_to == owner and incident.acknowledged_by == other


def test_ops_assign_an_incident_to_another_ops_agent_then_to_nobody(incident, signed_in):
    """Assigning is audited and can be undone."""
    ops, colleague = agent_with_role(Role.OPS), agent_with_role(Role.OPS, last_name="Technicien")
    client = signed_in(ops)
    _post(client, "wifi:incident_assign", incident, {"assignee": colleague.pk})
    incident.refresh_from_db()
    assert incident.assigned_to == colleague
    _post(client, "wifi:incident_assign", incident, {"assignee": ""})
    incident.refresh_from_db()
    assert incident.assigned_to is None
    assert LogEntry.objects.get_for_object(incident).filter(actor=ops).count() == 2


def test_an_incident_cannot_be_given_to_an_agent_who_is_not_ops(incident, signed_in):
    """Only active ops agents are offered and accepted as assignees."""
    ops = agent_with_role(Role.OPS)
    manager = agent_with_role(Role.MDS_MANAGER, incident.access_point.site.mds)
    inactive = agent_with_role(Role.OPS, is_active=False)
    for agent in (manager, inactive):
        _post(signed_in(ops), "wifi:incident_assign", incident, {"assignee": agent.pk})
        with pytest.raises(ValidationError):
            incident_assign(actor=ops, incident=incident, assignee=agent)
    incident.refresh_from_db()
    assert incident.assigned_to is None


def test_ops_comment_on_an_incident_and_the_comment_shows_on_its_page(incident, signed_in):
    """A comment is kept with its author and shown, line breaks and all, on the incident's page."""
    ops = agent_with_role(Role.OPS, first_name="Inès", last_name="Ops")
    client = signed_in(ops)
    _post(client, "wifi:incident_comment", incident, {"body": "Prestataire appelé.\nPassage demain 9 h."})
    comment = IncidentComment.objects.get()
    assert comment.author == ops and comment.incident == incident
    assert LogEntry.objects.get_for_object(comment).get().actor == ops
    html = client.get(reverse("wifi:incident_detail", kwargs={"pk": incident.pk})).content.decode()
    assert "Prestataire appelé.<br>Passage demain 9 h." in html and "Inès Ops" in html


def test_an_empty_comment_is_refused_on_the_page(incident, signed_in):
    """A blank comment shows the form again with its error; nothing is stored."""
    response = _post(signed_in(agent_with_role(Role.OPS)), "wifi:incident_comment", incident, {"body": "   "})
    assert response.status_code == 200
    assert response.context["comment_form"].errors["body"]
    assert not IncidentComment.objects.exists()


@pytest.mark.parametrize("role", [Role.MDS_MANAGER, Role.RECEPTION, Role.SOCIAL_WORKER, Role.MEDIATOR])
def test_agents_of_the_mds_see_the_incident_but_cannot_work_it(role, incident, signed_in):
    """Per-MDS agents read their own MDS's incident; acknowledging, assigning and commenting are for ops."""
    client = signed_in(agent_with_role(role, incident.access_point.site.mds))
    page = client.get(reverse("wifi:incident_detail", kwargs={"pk": incident.pk}))
    assert page.status_code == 200 and page.context["can_work"] is False
    html = page.content.decode()
    assert reverse("wifi:incident_acknowledge", kwargs={"pk": incident.pk}) not in html
    assert reverse("wifi:incident_comment", kwargs={"pk": incident.pk}) not in html
    for name, data in [
        ("wifi:incident_acknowledge", {}),
        ("wifi:incident_assign", {"assignee": ""}),
        ("wifi:incident_comment", {"body": "Vu"}),
    ]:
        assert _post(client, name, incident, data).status_code == 403
    incident.refresh_from_db()
    assert incident.acknowledged_at is None and not IncidentComment.objects.exists()


def test_the_list_and_the_board_show_who_has_each_open_incident(incident, signed_in):
    """The incidents list and the status board name the agent who has the incident, or say nobody has it."""
    ops = agent_with_role(Role.OPS, first_name="Inès", last_name="Ops")
    other = IncidentFactory(
        access_point=AccessPointFactory(site=incident.access_point.site, health=Health.DOWN, label="Borne salle"),
        started_at=timezone.now() - datetime.timedelta(minutes=5),
    )
    incident_acknowledge(actor=ops, incident=incident)
    client = signed_in(ops)
    for url in (reverse("wifi:incidents"), reverse("wifi:board")):
        html = client.get(url).content.decode()
        assert "Inès Ops" in html
        assert "sans responsable" in html  # `other`
    assert Incident.objects.get(pk=other.pk).assigned_to is None


def test_the_board_names_assignees_in_a_fixed_number_of_queries(signed_in, django_assert_max_num_queries):
    """Who has each incident costs no query per access point on the board."""
    ops = agent_with_role(Role.OPS)
    for _site in range(3):
        site = SiteFactory(mds=MdsFactory())
        for _ in range(4):
            ap = AccessPointFactory(site=site, health=Health.DOWN)
            incident_acknowledge(actor=ops, incident=IncidentFactory(access_point=ap))
    client = signed_in(ops)
    client.get(reverse("wifi:board"))  # warm the session and caches
    # The board of tests/wifi/test_board.py (with its last-round include's three), plus the ops role's permission
    # lookups: none per access point.
    with django_assert_max_num_queries(16):
        response = client.get(reverse("wifi:board"))
    assert response.status_code == 200


def test_the_comment_service_keeps_the_text_without_surrounding_blanks(incident):
    """The service trims what the form did not."""
    ops = agent_with_role(Role.OPS)
    comment = incident_comment(actor=ops, incident=incident, body="  Borne redémarrée  ")
    assert comment.body == "Borne redémarrée"
