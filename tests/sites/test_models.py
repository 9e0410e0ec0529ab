import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError

from sites.models import Agent, Membership
from sites.roles import Role
from tests.factories import AgentFactory, MdsFactory, OpeningPeriodFactory, SiteFactory, ZoneFactory

pytestmark = pytest.mark.django_db


def test_an_unnamed_site_is_called_after_its_mds_and_number():
    """Durance Alpilles' three sites have no names in the seeds: each still reads distinctly."""
    mds = MdsFactory(name="Durance Alpilles")
    site = SiteFactory(mds=mds, number=2, name="")
    assert str(site) == site.display_name == "Durance Alpilles — site 2, à nommer"


def test_missing_information_lists_what_agents_still_have_to_fill_in():
    """A site loaded from the seeds shows its address, coordinates and zones as missing."""
    site = SiteFactory(name="MDS Arles", street="", postal_code="", commune="Arles")
    missing = [str(label) for label in site.missing_information()]
    assert "adresse postale" in missing  # French by default
    assert "coordonnées" in missing
    assert len(missing) == 4  # street, postal code, coordinates, zones: not the commune, which is known

    site.street, site.postal_code, site.latitude, site.longitude = "1 rue X", "13200", 43.67, 4.63
    site.save()
    ZoneFactory(site=site)
    assert site.missing_information() == []


def test_mds_missing_information_includes_opening_hours_until_one_period_exists():
    mds = MdsFactory(kind="", phone="", email="")
    assert len(mds.missing_information()) == 4  # kind, phone, email, opening hours
    OpeningPeriodFactory(mds=mds)
    assert len(mds.missing_information()) == 3


def test_opening_period_must_close_after_it_opens():
    with pytest.raises(IntegrityError):
        OpeningPeriodFactory(opens=datetime.time(14), closes=datetime.time(9))


@pytest.mark.parametrize("role", [Role.RECEPTION, Role.SOCIAL_WORKER, Role.MEDIATOR, Role.MDS_MANAGER])
def test_a_per_mds_role_needs_an_mds(role):
    membership = Membership(agent=AgentFactory(), role=role, mds=None)
    with pytest.raises(ValidationError):
        membership.full_clean()
    with pytest.raises(IntegrityError):
        membership.save()


@pytest.mark.parametrize("role", [Role.PROGRAMME, Role.FINANCE, Role.OPS, Role.LEGAL_REQUISITION, Role.ADMIN])
def test_a_departement_wide_role_takes_no_mds(role):
    with pytest.raises(IntegrityError):
        Membership.objects.create(agent=AgentFactory(), role=role, mds=MdsFactory())


def test_a_departement_wide_role_is_held_once():
    agent = AgentFactory()
    Membership.objects.create(agent=agent, role=Role.FINANCE)
    with pytest.raises(IntegrityError):
        Membership.objects.create(agent=agent, role=Role.FINANCE)


def test_agent_email_is_unique_whatever_its_case():
    Agent.objects.create_user("Camille.Martin@Departement.test", "x")
    assert Agent.objects.get().email == "camille.martin@departement.test"
    with pytest.raises(IntegrityError):
        Agent.objects.create(email="CAMILLE.MARTIN@departement.test")
