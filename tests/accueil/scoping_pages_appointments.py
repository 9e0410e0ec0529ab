"""Appointments for the project-wide scoping test (tests/test_backoffice_scoping.py)."""

from django.utils import timezone

from sites.roles import Role
from tests.accueil.factories import AppointmentFactory, MotifFactory, PersonFactory
from tests.factories import SiteFactory
from tests.scoping import ScopedPages


def build(mds) -> dict:
    motif = MotifFactory(mds=mds, name=f"Motif {mds.name}")
    appointment = AppointmentFactory(
        motif=motif, site=SiteFactory(mds=mds, name=f"Site {mds.name}"),
        person=PersonFactory(mds=mds, last_name=f"Usager {mds.name}"), starts_at=timezone.now(),
    )  # fmt: skip
    return {"mds": mds, "motif": motif, "appointment": appointment}


def _appointment(objects: dict) -> dict:
    return {"pk": objects["appointment"].pk}


# Digital mediators hold no appointment permission: the list pages refuse them.
_MEDIATOR = frozenset({Role.MEDIATOR})

PAGES = ScopedPages(
    build=build,
    object_pages={
        "accueil_appointments:detail": _appointment,
        "accueil_appointments:attendance": _appointment,
        "accueil_appointments:cancel": _appointment,
    },
    list_pages=[
        "accueil_appointments:list",
        "accueil_appointments:export",
        "accueil_appointments:calendar",
        "accueil_appointments:book",
    ],
    closed_to={
        "accueil_appointments:list": _MEDIATOR,
        "accueil_appointments:export": _MEDIATOR,
        "accueil_appointments:calendar": _MEDIATOR,
        "accueil_appointments:book": _MEDIATOR,
    },
    # The agent's own feed settings and the token-authenticated feed: nothing of any MDS to scope.
    unscoped_pages={"accueil_appointments:feed", "accueil_appointments:ical"},
)
