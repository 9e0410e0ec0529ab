"""Who may grant what: every role × every action on agents and memberships, own MDS and another.

The table says what each actor may do; each cell runs once through the back-office pages and once
through the service alone (the pages only offer what is allowed, so the service's own check needs
its own proof). Allowed: the database holds exactly the change. Refused: it holds no change at all.
"""

from dataclasses import dataclass

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from sites import services
from sites.models import Agent, Membership
from sites.roles import DEPARTEMENT_WIDE_ROLES, PER_MDS_ROLES, Role
from tests.factories import AgentFactory, MdsFactory, agent_with_role

pytestmark = pytest.mark.django_db

ACTORS = {
    "agent": lambda alpha: agent_with_role(Role.RECEPTION, alpha),
    "mds_manager": lambda alpha: agent_with_role(Role.MDS_MANAGER, alpha),
    "programme": lambda alpha: agent_with_role(Role.PROGRAMME),
    "ops": lambda alpha: agent_with_role(Role.OPS),
    "finance": lambda alpha: agent_with_role(Role.FINANCE),
    "legal_requisition": lambda alpha: agent_with_role(Role.LEGAL_REQUISITION),
    "admin": lambda alpha: agent_with_role(Role.ADMIN),
    "superuser": lambda alpha: AgentFactory(is_staff=True, is_superuser=True),
}


@dataclass(frozen=True)
class Action:
    kind: str  # add | grant | revoke | deactivate
    where: str  # own (the actor's MDS, Alpha) | other (Bravo) | wide (département-wide role)
    role: Role = Role.RECEPTION

    @property
    def name(self) -> str:
        return f"{self.kind}:{self.role.value}:{self.where}" if self.kind == "grant" else f"{self.kind}:{self.where}"


PER_MDS = [r for r in Role if r in PER_MDS_ROLES]
WIDE = [r for r in Role if r in DEPARTEMENT_WIDE_ROLES]
ACTIONS = [
    Action("add", "own"),
    Action("add", "other"),
    *(Action("grant", where, role) for role in PER_MDS for where in ("own", "other")),
    *(Action("grant", "wide", role) for role in WIDE),
    Action("revoke", "own"),
    Action("revoke", "other"),
    Action("deactivate", "own"),
    Action("deactivate", "other"),
]

_MANAGER = {"add:own", "revoke:own", "deactivate:own", *(f"grant:{r.value}:own" for r in PER_MDS)}
_PROGRAMME = _MANAGER | {"add:other", "revoke:other", "deactivate:other", *(f"grant:{r.value}:other" for r in PER_MDS)}
# Administrators also give département-wide roles, but not the privileged ones (legal requisition,
# administrator): those need a second administrator's approval (tests/sites/test_separation_of_duties.py).
_ADMIN = _PROGRAMME | {f"grant:{r.value}:wide" for r in WIDE if r not in (Role.LEGAL_REQUISITION, Role.ADMIN)}
ALLOWED: dict[str, set[str]] = {
    "agent": set(),
    "mds_manager": _MANAGER,
    "programme": _PROGRAMME,
    "ops": set(),
    "finance": set(),
    "legal_requisition": set(),
    "admin": _ADMIN,
    "superuser": _ADMIN,
}
CELLS = [(actor, action) for actor in ACTORS for action in ACTIONS]
IDS = [f"{actor}-{action.name}" for actor, action in CELLS]


def test_the_table_covers_every_role_and_names_only_real_actions():
    """A role added to the code must get its row; a typo in the table would silently allow nothing."""
    assert set(ALLOWED) == set(ACTORS)
    assert {r.value for r in DEPARTEMENT_WIDE_ROLES} | {"mds_manager"} <= set(ACTORS)
    assert set().union(*ALLOWED.values()) <= {action.name for action in ACTIONS}


@pytest.fixture
def world():
    alpha, bravo = MdsFactory(name="Alpha"), MdsFactory(name="Bravo")
    return {"own": alpha, "other": bravo}


def _state() -> tuple[frozenset, frozenset]:
    memberships = frozenset(Membership.objects.values_list("agent__email", "role", "mds__name"))
    agents = frozenset(Agent.objects.values_list("email", "is_active"))
    return memberships, agents


def _target(world, where: str, role: Role) -> Agent:
    """An agent of Alpha (own, wide) or Bravo (other) holding some role other than `role` there."""
    held = Role.SOCIAL_WORKER if role != Role.SOCIAL_WORKER else Role.RECEPTION
    mds = world["other" if where == "other" else "own"]
    return agent_with_role(held, mds, email=f"target.{where}@departement.test", last_name="Cible")


def _setup(world, action: Action):
    """The target of the action, and the change the database must show if it is allowed."""
    mds = world.get(action.where)
    if action.kind == "add":
        email = f"new.{action.where}@departement.test"
        return email, ({(email, "reception", mds.name)}, {(email, True)})
    target = _target(world, action.where, action.role)
    if action.kind == "grant":
        grant = (target.email, action.role.value, mds.name if action.role in PER_MDS_ROLES else None)
        return target, ({grant}, set())
    if action.kind == "revoke":
        membership = target.memberships.get()
        return membership, ({(target.email, membership.role, mds.name)}, set())
    return target, (set(), {(target.email, True)})


def _expected_after(before, change, kind):
    memberships, agents = (set(part) for part in before)
    added_memberships, agent_rows = change
    if kind in ("add", "grant"):
        memberships |= added_memberships
        agents |= agent_rows
    elif kind == "revoke":
        memberships -= added_memberships
    else:
        (email, _active) = next(iter(agent_rows))
        agents = (agents - {(email, True)}) | {(email, False)}
    return frozenset(memberships), frozenset(agents)


@pytest.mark.parametrize(("actor_name", "action"), CELLS, ids=IDS)
def test_who_may_do_what_through_the_pages(actor_name, action, world, signed_in):
    """The page does what the table allows and leaves the database untouched otherwise."""
    actor = ACTORS[actor_name](world["own"])
    subject, change = _setup(world, action)
    before = _state()
    client = signed_in(actor)
    mds = world.get(action.where)
    if action.kind == "add":
        data = {"email": subject, "first_name": "Nouvel", "last_name": "Agent", "role": "reception", "mds": mds.pk}
        response = client.post(reverse("sites:agent_create"), data)
    elif action.kind == "grant":
        data = {"role": action.role.value, "mds": mds.pk if action.role in PER_MDS_ROLES else ""}
        response = client.post(reverse("sites:membership_grant", kwargs={"pk": subject.pk}), data)
    elif action.kind == "revoke":
        response = client.post(reverse("sites:membership_revoke", kwargs={"pk": subject.pk}))
    else:
        response = client.post(reverse("sites:agent_deactivate", kwargs={"pk": subject.pk}))

    if action.name in ALLOWED[actor_name]:
        assert response.status_code == 302, response.content.decode()[:2000]
        assert _state() == _expected_after(before, change, action.kind)
    else:
        assert response.status_code in (200, 403, 404)  # 200: the form refuses the choice and says why
        assert _state() == before


@pytest.mark.parametrize(("actor_name", "action"), CELLS, ids=IDS)
def test_who_may_do_what_through_the_services(actor_name, action, world):
    """The services refuse what the table refuses even when called directly (commands, a future page)."""
    actor = ACTORS[actor_name](world["own"])
    subject, change = _setup(world, action)
    before = _state()
    mds = world.get(action.where)

    def run():
        if action.kind == "add":
            services.agent_invite(actor=actor, email=subject, first_name="Nouvel", last_name="Agent",
                                  role="reception", mds=mds, base_url="http://testserver/")  # fmt: skip
        elif action.kind == "grant":
            target_mds = mds if action.role in PER_MDS_ROLES else None
            services.membership_grant(actor=actor, agent=subject, role=action.role, mds=target_mds)
        elif action.kind == "revoke":
            services.membership_revoke(actor=actor, membership=subject)
        else:
            services.agent_deactivate(actor=actor, agent=subject)

    if action.name in ALLOWED[actor_name]:
        run()
        assert _state() == _expected_after(before, change, action.kind)
    else:
        with pytest.raises(PermissionDenied):
            run()
        assert _state() == before
