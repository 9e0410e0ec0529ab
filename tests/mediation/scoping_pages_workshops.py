"""Workshops, sessions, registrations and attendance for the project-wide scoping test
(tests/test_backoffice_scoping.py)."""

import datetime as dt

from django.utils import timezone

from sites.roles import Role
from tests.factories import SiteFactory
from tests.mediation.factories import RegistrationFactory, WorkshopFactory, WorkshopSessionFactory
from tests.scoping import ScopedPages


def build(mds) -> dict:
    workshop = WorkshopFactory(mds=mds, title=f"Atelier {mds.name}", themes=[])  # no seeded theme: a flush removes them
    session = WorkshopSessionFactory(workshop=workshop, site=SiteFactory(mds=mds, name=f"Site {mds.name}"),
                                     starts_at=timezone.now() - dt.timedelta(minutes=30))  # fmt: skip
    registration = RegistrationFactory(session=session, first_name=f"Usager {mds.name}")
    return {"mds": mds, "workshop": workshop, "session": session, "registration": registration}


def _workshop(objects: dict) -> dict:
    return {"pk": objects["workshop"].pk}


def _session(objects: dict) -> dict:
    return {"pk": objects["session"].pk}


def _registration(objects: dict) -> dict:
    return {"pk": objects["registration"].pk}


# Reception agents and social workers run no workshop: mediation's pages are the mediators' and managers'.
_NOT_MEDIATION = frozenset({Role.RECEPTION, Role.SOCIAL_WORKER})
_LISTS = [
    "mediation_workshops:list",
    "mediation_workshops:create",
    "mediation_workshops:sessions",
    "mediation_workshops:session_create",
]

PAGES = ScopedPages(
    build=build,
    object_pages={
        "mediation_workshops:edit": _workshop,
        "mediation_workshops:session": _session,
        "mediation_workshops:session_edit": _session,
        "mediation_workshops:session_cancel": _session,
        "mediation_workshops:register": _session,
        "mediation_workshops:promote": _session,
        "mediation_workshops:attendance": _session,
        "mediation_workshops:walk_in": _session,
        "mediation_workshops:held": _session,
        "mediation_workshops:attendance_csv": _session,
        "mediation_workshops:mark": _registration,
        "mediation_workshops:registration_cancel": _registration,
    },
    list_pages=_LISTS,
    closed_to=dict.fromkeys(_LISTS, _NOT_MEDIATION),
)
