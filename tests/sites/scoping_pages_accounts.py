from sites.models import Membership
from sites.roles import Role
from tests.factories import AgentFactory
from tests.scoping import ScopedPages


def build(mds) -> dict:
    agent = AgentFactory(
        first_name="Dominique", last_name=f"Agent {mds.name}", email=f"agent.{mds.slug}@departement.test"
    )
    membership = Membership.objects.create(agent=agent, role=Role.SOCIAL_WORKER, mds=mds)
    return {"mds": mds, "agent": agent, "membership": membership}


PAGES = ScopedPages(
    build=build,
    object_pages={
        "sites:agent_detail": lambda o: {"pk": o["agent"].pk},
        "sites:agent_edit": lambda o: {"pk": o["agent"].pk},
        "sites:agent_deactivate": lambda o: {"pk": o["agent"].pk},
        "sites:agent_reactivate": lambda o: {"pk": o["agent"].pk},
        "sites:agent_invitation_resend": lambda o: {"pk": o["agent"].pk},
        "sites:membership_grant": lambda o: {"pk": o["agent"].pk},
        "sites:membership_revoke": lambda o: {"pk": o["membership"].pk},
    },
    # Mon compte shows the agent's own MDS; the agents list and the add form offer only theirs.
    list_pages=["sites:account", "sites:agent_list", "sites:agent_create"],
    # Only the MDS manager sees and invites the MDS's agents.
    closed_to={
        "sites:agent_list": frozenset({Role.RECEPTION, Role.SOCIAL_WORKER, Role.MEDIATOR}),
        "sites:agent_create": frozenset({Role.RECEPTION, Role.SOCIAL_WORKER, Role.MEDIATOR}),
    },
    unscoped_pages={"sites:invitation_accept"},
)
