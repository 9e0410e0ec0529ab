import datetime

import factory

from tests.factories import SiteFactory
from wifi.models import AccessPoint, HealthSample, Incident, Lifecycle, MaintenanceWindow, OpsTeam


class AccessPointFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AccessPoint

    site = factory.SubFactory(SiteFactory)
    label = factory.Sequence(lambda n: f"Borne {n}")
    vendor = "Ubiquiti"
    hardware_model = "U6-Lite"
    serial_number = factory.Sequence(lambda n: f"SN{n:08d}")
    mac_address = factory.Sequence(lambda n: f"f0:9f:c2:{(n >> 16) & 255:02x}:{(n >> 8) & 255:02x}:{n & 255:02x}")
    management_address = "127.0.0.1"
    probe_kind = "tcp"
    lifecycle = Lifecycle.IN_SERVICE


class HealthSampleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = HealthSample

    access_point = factory.SubFactory(AccessPointFactory)
    reachable = True
    latency_ms = 3.0
    clients = 4


class IncidentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Incident

    access_point = factory.SubFactory(AccessPointFactory)
    started_at = factory.Faker("past_datetime", tzinfo=datetime.UTC)


class MaintenanceWindowFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MaintenanceWindow

    site = factory.SubFactory(SiteFactory)
    starts_at = factory.Faker("past_datetime", tzinfo=datetime.UTC)
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + datetime.timedelta(days=2))
    reason = "Travaux de câblage"


class OpsTeamFactory(factory.django.DjangoModelFactory):
    """A team with a webhook signed by the secret "astreinte" (tests set WIFI_WEBHOOK_SECRETS); `members=[…]`."""

    class Meta:
        model = OpsTeam
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Équipe {n}")
    webhook_url = "http://127.0.0.1:9/hook"
    webhook_secret_name = "astreinte"

    @factory.post_generation
    def members(self, create, extracted, **kwargs):
        if create and extracted:
            self.members.set(extracted)
