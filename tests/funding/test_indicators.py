"""The operation's indicators, computed live from the WiFi, captive-portal and mediation apps (funding.indicators)."""

import datetime as dt

import pytest
from django.utils import timezone

from captive_portal.models import PortalStatsHourly
from funding.indicators import operation_indicators
from mediation import activities
from mediation.models import SessionStatus
from sites.roles import Role
from tests.factories import AgentFactory, MdsFactory, SiteFactory, agent_with_role
from tests.mediation.factories import RegistrationFactory, WorkshopFactory, WorkshopSessionFactory
from tests.mediation.scoping_pages_figures import seeded_theme as theme
from tests.wifi.factories import AccessPointFactory
from wifi.models import Lifecycle

pytestmark = pytest.mark.django_db


def test_mds_and_sites_are_equipped_by_their_access_points_in_operation(operation):
    equipped_mds, bare_mds = MdsFactory(), MdsFactory()
    lit, dark = SiteFactory(mds=equipped_mds, number=1), SiteFactory(mds=equipped_mds, number=2)
    waiting = SiteFactory(mds=bare_mds, number=1)
    AccessPointFactory(site=lit)
    AccessPointFactory(site=lit)
    AccessPointFactory(site=dark, lifecycle=Lifecycle.INSTALLED)
    AccessPointFactory(site=waiting, lifecycle=Lifecycle.RETIRED)
    figures = operation_indicators(operation)
    assert figures.aps_in_service == 2
    assert (figures.sites_equipped, figures.sites_total) == (1, 3)
    assert (figures.mds_equipped, figures.mds_total) == (1, 2)


def test_portal_connections_since_the_operation_started_and_over_the_last_12_months(operation):
    site = SiteFactory()
    now = timezone.now().replace(minute=0, second=0, microsecond=0)
    for hour, connections in ((now - dt.timedelta(hours=3), 7), (now - dt.timedelta(days=500), 11),
                              (dt.datetime(2019, 9, 30, 12, tzinfo=dt.UTC), 1000)):  # fmt: skip
        PortalStatsHourly.objects.create(site=site, hour=hour, connections=connections, unique_devices=1)
    figures = operation_indicators(operation)
    assert figures.connections_last_12_months == 7
    assert figures.connections_since_start == 18  # the hour before 1 October 2019 is not the operation's


def test_people_helped_are_counted_as_the_mediation_figures_count_them(operation):
    mds = MdsFactory()
    site = SiteFactory(mds=mds)
    starts_at = timezone.now() - dt.timedelta(hours=3)
    session = WorkshopSessionFactory(workshop=WorkshopFactory(mds=mds, themes=[theme("email")]), site=site,
                                     starts_at=starts_at, status=SessionStatus.HELD, held_at=starts_at)  # fmt: skip
    for attendance in ("present", "present", "absent"):
        RegistrationFactory(session=session, attendance=attendance,
                            absence_reason="no_news" if attendance == "absent" else "")  # fmt: skip
    activities.accompaniment_log(actor=AgentFactory(), site=site, themes=[theme("email")], duration_minutes=15)
    figures = operation_indicators(operation)
    assert (figures.workshop_participants, figures.one_to_one_helps, figures.people_helped) == (2, 1, 3)


def test_the_dashboard_shows_the_indicators(operation, signed_in, django_assert_num_queries):
    site = SiteFactory(mds=MdsFactory())
    AccessPointFactory(site=site)
    PortalStatsHourly.objects.create(site=site, hour=timezone.now() - dt.timedelta(hours=2), connections=1234)
    html = signed_in(agent_with_role(Role.PROGRAMME)).get("/backoffice/funding/").content.decode()
    assert 'data-figure="mds-equipped">1 sur 1<' in html
    assert 'data-figure="sites-equipped">1 sur 1<' in html
    assert 'data-figure="aps">1<' in html
    assert 'data-figure="connections-12-months">1\u00a0234<' in html
    assert "Connexions au portail depuis le 01/10/2019" in html


def test_the_indicators_take_twelve_queries_whatever_the_data(operation, django_assert_num_queries):
    for n in range(4):
        AccessPointFactory(site=SiteFactory(mds=MdsFactory(number=n + 1), number=1))
    with django_assert_num_queries(12):
        operation_indicators(operation)
