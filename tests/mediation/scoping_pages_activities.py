"""One-to-one help, beneficiaries, mediators and trainings (mediation/urls_activities.py) in the scoping test."""

from mediation.activities import accompaniment_log
from mediation.models import MediatorKind
from sites.models import Membership
from sites.roles import Role
from tests.factories import AgentFactory, SiteFactory
from tests.mediation.factories import AgentTrainingFactory, BeneficiaryFactory, MediatorFactory, seed_taxonomy, theme
from tests.scoping import ScopedPages


def build(mds) -> dict:
    seed_taxonomy()  # the pages show it; a transactional test before this one may have emptied it
    site = SiteFactory(mds=mds, name=f"Site {mds.name}")
    agent = AgentFactory(first_name="Inès", last_name=f"Médiatrice {mds.name}")
    Membership.objects.create(agent=agent, role=Role.MEDIATOR, mds=mds)
    mediator = MediatorFactory(agent=agent, mds=mds, kind=MediatorKind.STAFF, school=f"École {mds.name}")
    mediator.sites.set([site])
    beneficiary = BeneficiaryFactory(mds=mds, first_name="Karim", last_name=f"Usager {mds.name}")
    accompaniment = accompaniment_log(actor=agent, site=site, themes=[theme("email")], duration_minutes=30,
                                      commune=f"Commune {mds.name}", beneficiary=beneficiary)  # fmt: skip
    training = AgentTrainingFactory(mds=mds, online=False, site=site, topic=f"Culture numérique {mds.name}")
    training.attendees.set([agent])
    return {"mds": mds, "site": site, "agent": agent, "mediator": mediator, "beneficiary": beneficiary,
            "accompaniment": accompaniment, "training": training}  # fmt: skip


# Reception agents and social workers neither log one-to-one help nor see its records; only the MDS manager (and
# département-wide roles) adds mediators and trainings.
_NOT_MEDIATION = frozenset({Role.RECEPTION, Role.SOCIAL_WORKER})
_MANAGERS_ONLY = frozenset({Role.RECEPTION, Role.SOCIAL_WORKER, Role.MEDIATOR})

PAGES = ScopedPages(
    build=build,
    object_pages={
        "mediation_activities:accompaniment_edit": lambda o: {"pk": o["accompaniment"].pk},
        "mediation_activities:accompaniment_delete": lambda o: {"pk": o["accompaniment"].pk},
        "mediation_activities:beneficiary_detail": lambda o: {"pk": o["beneficiary"].pk},
        "mediation_activities:beneficiary_merge": lambda o: {"pk": o["beneficiary"].pk},
        "mediation_activities:mediator_detail": lambda o: {"pk": o["mediator"].pk},
        "mediation_activities:mediator_edit": lambda o: {"pk": o["mediator"].pk},
        "mediation_activities:training_edit": lambda o: {"pk": o["training"].pk},
        "mediation_activities:agent_trainings": lambda o: {"pk": o["agent"].pk},
    },
    list_pages=[
        "mediation_activities:log",
        "mediation_activities:accompaniments",
        "mediation_activities:accompaniments_csv",
        "mediation_activities:beneficiaries",
        "mediation_activities:beneficiaries_csv",
        "mediation_activities:mediators",
        "mediation_activities:mediator_create",
        "mediation_activities:trainings",
        "mediation_activities:training_create",
        "mediation_activities:agent_totals",
    ],
    closed_to={
        "mediation_activities:log": _NOT_MEDIATION,
        "mediation_activities:accompaniments": _NOT_MEDIATION,
        "mediation_activities:accompaniments_csv": _NOT_MEDIATION,
        "mediation_activities:beneficiaries": _NOT_MEDIATION,
        "mediation_activities:beneficiaries_csv": _NOT_MEDIATION,
        "mediation_activities:mediators": _NOT_MEDIATION,
        "mediation_activities:mediator_create": _MANAGERS_ONLY,
        "mediation_activities:trainings": _NOT_MEDIATION,
        "mediation_activities:training_create": _MANAGERS_ONLY,
        "mediation_activities:agent_totals": _NOT_MEDIATION,
    },
)
