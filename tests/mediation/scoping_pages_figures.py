"""The mediation figures for the project-wide scoping test (tests/test_backoffice_scoping.py)."""

import datetime as dt

from django.utils import timezone

from mediation import activities
from mediation.models import SessionStatus
from sites.roles import Role
from tests.factories import AgentFactory, SiteFactory
from tests.mediation.factories import (
    AgentTrainingFactory,
    RegistrationFactory,
    WorkshopFactory,
    WorkshopSessionFactory,
    theme,
)
from tests.scoping import ScopedPages

seeded_theme = theme  # seeds the taxonomy again when a transactional test's flush emptied it


def build(mds) -> dict:
    """A site, a held session with one person present, an accompaniment and a training, all of this month."""
    site = SiteFactory(mds=mds, name=f"Site {mds.name}")
    starts_at = timezone.now() - dt.timedelta(hours=3)
    workshop = WorkshopFactory(mds=mds, title=f"Atelier {mds.name}", themes=[seeded_theme("email")])
    session = WorkshopSessionFactory(
        workshop=workshop, site=site, starts_at=starts_at, status=SessionStatus.HELD, held_at=starts_at
    )
    RegistrationFactory(session=session, first_name=f"Usager {mds.name}", attendance="present")
    activities.accompaniment_log(actor=AgentFactory(), site=site, themes=[seeded_theme("email")], duration_minutes=15)
    training = AgentTrainingFactory(mds=mds, site=site, online=False, topic=f"Formation {mds.name}")
    training.attendees.set([AgentFactory()])
    return {"mds": mds, "site": site, "session": session}


# Reception agents and social workers read no activity record (mediation.apps): the figures are closed to them.
_NO_ACTIVITY = frozenset({Role.RECEPTION, Role.SOCIAL_WORKER})

PAGES = ScopedPages(
    build=build,
    # The export is one URL for both formats (CSV by default, ?format=xlsx): the CSV is checked here, the XLSX's
    # scope in tests/mediation/test_figures.py (a binary file the page-wide test cannot search for "Bravo").
    list_pages=["mediation_figures:figures", "mediation_figures:export"],
    closed_to={"mediation_figures:figures": _NO_ACTIVITY, "mediation_figures:export": _NO_ACTIVITY},
)
