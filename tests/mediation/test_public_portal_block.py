"""The portal's workshops block is live: a site's splash lists its MDS's next three sessions, each a link to its
registration; a cached splash still costs no query, and planning, moving or cancelling a session shows at once."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from captive_portal.models import ContentKind
from mediation import sessions
from mediation.models import SessionStatus
from tests.captive_portal.factories import ContentBlockFactory, SitePortalFactory, TermsVersionFactory
from tests.factories import AgentFactory
from tests.mediation.factories import WorkshopSessionFactory
from tests.mediation.public import arles_session

pytestmark = pytest.mark.django_db


@pytest.fixture
def portal():
    TermsVersionFactory(language="fr")
    first = arles_session(title="Atelier 1", starts_at=timezone.now() + dt.timedelta(days=1))
    return SitePortalFactory(site=first.site)


def _splash(client, **query) -> str:
    return client.get(reverse("captive_portal:splash", kwargs={"slug": "arles"}), query).content.decode()


def test_the_splash_shows_the_next_three_sessions_of_its_mds(client, portal):
    for day in (2, 3, 4):
        arles_session(title=f"Atelier {day}", starts_at=timezone.now() + dt.timedelta(days=day))
    arles_session(title="Annulé", status=SessionStatus.CANCELLED, starts_at=timezone.now() + dt.timedelta(hours=1))
    WorkshopSessionFactory(workshop__title="Autre MDS", starts_at=timezone.now() + dt.timedelta(hours=2))
    html = _splash(client)
    assert "Prochains ateliers numériques" in html
    assert "Atelier 1" in html and "Atelier 2" in html and "Atelier 3" in html
    assert "Atelier 4" not in html and "Annulé" not in html and "Autre MDS" not in html
    assert (
        f'href="/ateliers/session/{portal.site.workshop_sessions.get(workshop__title="Atelier 1").pk}/?lang=fr"' in html
    )
    assert 'href="/ateliers/mds-arles/?lang=fr"' in html


def test_the_heading_is_in_the_visitors_language(client, portal):
    assert "Upcoming digital workshops" in _splash(client, lang="en")
    assert "ورشات رقمية قادمة" in _splash(client, lang="ar")
    assert "Próximos talleres digitales" in _splash(client, lang="es")


def test_a_workshops_block_written_by_agents_holds_the_sessions(client, portal):
    ContentBlockFactory(kind=ContentKind.WORKSHOPS, title="Nos ateliers du mois", language="fr")
    html = _splash(client)
    block = html.split("Nos ateliers du mois", 1)[1].split("</section>", 1)[0]
    assert "Atelier 1" in block
    assert "Prochains ateliers numériques" not in html  # not twice


def test_a_cached_splash_with_sessions_costs_no_query(client, portal, django_assert_num_queries):
    """The sessions ride on the portal's query: still three uncached (portal, blocks, their links), none cached."""
    from core.public_mentions import mentions

    ContentBlockFactory(language="fr")
    mentions()  # the co-funders' mention of every public page is cached on its own (funding.publicity.eu_mention)
    with django_assert_num_queries(3):
        _splash(client)
    with django_assert_num_queries(0):
        html = _splash(client)
    assert "Atelier 1" in html


def test_a_session_planned_moved_or_cancelled_shows_at_once(client, portal):
    agent = AgentFactory()
    assert "Nouvel atelier" not in _splash(client)
    new = arles_session(title="Nouvel atelier", starts_at=timezone.now() + dt.timedelta(hours=5))
    assert "Nouvel atelier" in _splash(client)
    new.starts_at, new.ends_at = timezone.now() + dt.timedelta(days=30), timezone.now() + dt.timedelta(days=30, hours=1)
    sessions.session_save(session=new, actor=agent)
    for day in (2, 3):
        arles_session(title=f"Atelier {day}", starts_at=timezone.now() + dt.timedelta(days=day))
    assert "Nouvel atelier" not in _splash(client)  # pushed out of the three by the move
    first = portal.site.workshop_sessions.get(workshop__title="Atelier 1")
    sessions.session_cancel(session=first, actor=agent)
    html = _splash(client)
    assert "Atelier 1" not in html and "Nouvel atelier" in html


def test_the_times_are_the_mds_local_times(client):
    """Stored in UTC, shown in Paris time (a winter session at 09:00 UTC starts at 10:00 in Arles)."""
    TermsVersionFactory(language="fr")
    session = arles_session(title="En hiver", starts_at=dt.datetime(2030, 1, 15, 9, tzinfo=dt.UTC))
    SitePortalFactory(site=session.site)
    html = _splash(client)
    assert "mardi 15 janvier à 10:00" in html
