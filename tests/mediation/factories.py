"""factory-boy factories for the mediation app."""

import datetime as dt
import importlib

import factory
from django.apps import apps
from django.utils import timezone

from mediation.models import (
    AgentTraining,
    Beneficiary,
    Mediator,
    Notification,
    Registration,
    RegistrationStatus,
    Theme,
    Workshop,
    WorkshopSession,
)
from tests.factories import AgentFactory, MdsFactory, SiteFactory


def seed_taxonomy() -> None:
    """The taxonomy as migration 0002 seeds it, idempotent: a transactional test's flush empties the tables it
    leaves (the migration does not run again on a reused test database)."""
    importlib.import_module("mediation.migrations.0002_seed_taxonomy").seed(apps, None)


def theme(national_code: str) -> Theme:
    """A theme seeded by migration 0002 (seeded again when a transactional test's flush emptied it)."""
    if not Theme.objects.filter(national_code=national_code).exists():
        seed_taxonomy()
    return Theme.objects.get(national_code=national_code)


class WorkshopFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Workshop
        skip_postgeneration_save = True

    mds = factory.SubFactory(MdsFactory)
    title = factory.Sequence(lambda n: f"Atelier {n}")
    duration_minutes = 90

    @factory.post_generation
    def themes(self, create, extracted, **kwargs):
        if create:
            self.themes.set(extracted if extracted is not None else [theme("email")])


class WorkshopSessionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = WorkshopSession
        skip_postgeneration_save = True

    workshop = factory.SubFactory(WorkshopFactory)
    site = factory.LazyAttribute(lambda o: SiteFactory(mds=o.workshop.mds))
    starts_at = factory.LazyFunction(lambda: timezone.now() + dt.timedelta(days=3))
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + dt.timedelta(minutes=90))
    capacity = 10

    @factory.post_generation
    def facilitators(self, create, extracted, **kwargs):
        if create and extracted:
            self.facilitators.set(extracted)


class RegistrationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Registration

    session = factory.SubFactory(WorkshopSessionFactory)
    first_name = "Nadia"
    phone = factory.Sequence(lambda n: f"+3361234{n:04d}")
    consent_at = factory.LazyFunction(timezone.now)
    status = RegistrationStatus.CONFIRMED


class BeneficiaryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Beneficiary

    mds = factory.SubFactory(MdsFactory)
    first_name = "Karim"
    phone = "+33612345678"
    consent_at = factory.LazyFunction(timezone.now)


class MediatorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Mediator

    agent = factory.SubFactory(AgentFactory)
    mds = factory.SubFactory(MdsFactory)


class AgentTrainingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AgentTraining

    topic = "Culture numérique"
    trainer = "IRTS PACA"
    date = factory.LazyFunction(timezone.localdate)
    online = True
    duration_minutes = 180


class NotificationFactory(factory.django.DjangoModelFactory):
    """A message of mediation's outbox, pending, about a registration (written by mediation.messages in life)."""

    class Meta:
        model = Notification

    registration = factory.SubFactory(RegistrationFactory)
    mds = factory.LazyAttribute(lambda o: o.registration.session.workshop.mds)
    purpose = Notification.Purpose.CONFIRMED
    channel = Notification.Channel.SMS
    key = factory.Sequence(lambda n: f"test:{n}:sms")
    template = "mediation/messages/confirmed"
