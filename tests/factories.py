"""factory-boy factories for the sites app, shared by every app's tests."""

import datetime

import factory
from django.contrib.auth.hashers import make_password

from sites.models import Agent, Mds, Membership, OpeningPeriod, Service, Site, Weekday, Zone, ZoneKind
from sites.roles import PER_MDS_ROLES, Role

PASSWORD = "correct-horse-battery-staple"
# Hashing once keeps factories fast: PBKDF2 at full strength costs ~0.3 s a call.
_PASSWORD_HASH = make_password(PASSWORD)


class ServiceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Service
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"service-{n}")
    name = factory.LazyAttribute(lambda o: o.code.replace("-", " ").title())


class MdsFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Mds
        skip_postgeneration_save = True

    number = factory.Sequence(lambda n: 100 + n)
    name = factory.Sequence(lambda n: f"MDS Test {n}")
    slug = factory.Sequence(lambda n: f"mds-test-{n}")
    commune = "Marseille"


class OpeningPeriodFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OpeningPeriod

    mds = factory.SubFactory(MdsFactory)
    weekday = Weekday.MONDAY
    opens = datetime.time(8, 30)
    closes = datetime.time(12, 0)


class SiteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Site

    mds = factory.SubFactory(MdsFactory)
    number = 1
    name = factory.LazyAttribute(lambda o: f"Site of {o.mds.name}")
    slug = factory.Sequence(lambda n: f"site-test-{n}")


class ZoneFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Zone

    site = factory.SubFactory(SiteFactory)
    kind = ZoneKind.WAITING_ROOM
    name = factory.Sequence(lambda n: f"Salle d'attente {n}")


class AgentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Agent
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"agent{n}@departement.test")
    first_name = "Camille"
    last_name = factory.Sequence(lambda n: f"Agent{n}")
    password = _PASSWORD_HASH
    is_active = True


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    agent = factory.SubFactory(AgentFactory)
    role = Role.RECEPTION
    mds = factory.Maybe(
        factory.LazyAttribute(lambda o: Role(o.role) in PER_MDS_ROLES),
        yes_declaration=factory.SubFactory(MdsFactory),
        no_declaration=None,
    )


def agent_with_role(role: Role, mds: Mds | None = None, **agent_fields) -> Agent:
    """An agent holding one role: at `mds` for per-MDS roles, département-wide otherwise."""
    agent = AgentFactory(**agent_fields)
    Membership.objects.create(agent=agent, role=role, mds=mds)
    return agent
