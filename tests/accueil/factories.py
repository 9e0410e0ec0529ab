"""factory-boy factories for the online reception (accueil). Each piece of work adds its models' here."""

import factory
from django.utils import timezone

from accueil.models import CommuneRouting, ContactRequest, Notification, Person, RequestEvent, RequestKind, Topic
from tests.factories import MdsFactory


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person
        skip_postgeneration_save = True

    mds = factory.SubFactory(MdsFactory)
    first_name = "Nadia"
    last_name = factory.Sequence(lambda n: f"Benali{n}")
    phone = "+33612345678"
    email = factory.Sequence(lambda n: f"usager{n}@example.org")


class ContactRequestFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ContactRequest
        skip_postgeneration_save = True

    mds = factory.SubFactory(MdsFactory)
    kind = RequestKind.APPOINTMENT
    topic = Topic.HOUSING
    message = "Je voudrais un rendez-vous pour mon dossier de logement."
    first_name = "Nadia"
    last_name = factory.Sequence(lambda n: f"Benali{n}")
    phone = "+33612345678"
    email = factory.Sequence(lambda n: f"demande{n}@example.org")
    callback_channels = factory.LazyFunction(lambda: ["phone"])
    notice_acknowledged_at = factory.LazyFunction(timezone.now)


class RequestEventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RequestEvent

    request = factory.SubFactory(ContactRequestFactory)
    kind = RequestEvent.Kind.NOTE
    text = "Rappelée, messagerie."


class CommuneRoutingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CommuneRouting

    commune = factory.Sequence(lambda n: f"Commune {n}")
    postal_code = "13001"
    mds = factory.SubFactory(MdsFactory)


class NotificationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Notification

    request = factory.SubFactory(ContactRequestFactory)
    mds = factory.LazyAttribute(lambda o: o.request.mds)
    purpose = Notification.Purpose.ACKNOWLEDGEMENT
    channel = Notification.Channel.EMAIL
    key = factory.Sequence(lambda n: f"test:{n}")
    template = "accueil/messages/acknowledgement"


# --- Appointments (motifs, opening rules, absences, appointments) ---

import datetime as _dt  # noqa: E402

from accueil.models import Absence, Appointment, Motif, OpeningRule  # noqa: E402
from tests.factories import AgentFactory, SiteFactory  # noqa: E402


class MotifFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Motif

    mds = factory.SubFactory(MdsFactory)
    name = factory.Sequence(lambda n: f"Premier accueil social {n}")
    duration_minutes = 30
    min_booking_delay_hours = 0
    max_booking_delay_days = 60


class OpeningRuleFactory(factory.django.DjangoModelFactory):
    """Mondays 9:00–12:00 from 2026-01-05, every week, for the given motifs."""

    class Meta:
        model = OpeningRule
        skip_postgeneration_save = True

    mds = factory.SubFactory(MdsFactory)
    site = factory.SubFactory(SiteFactory, mds=factory.SelfAttribute("..mds"), number=factory.Sequence(lambda n: n + 2))
    agent = factory.SubFactory(AgentFactory)
    weekday = 1
    starts_at = _dt.time(9)
    ends_at = _dt.time(12)
    valid_from = _dt.date(2026, 1, 5)

    @factory.post_generation
    def motifs(self, create, extracted, **kwargs):
        if create and extracted:
            self.motifs.set(extracted)


class AbsenceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Absence

    mds = factory.SubFactory(MdsFactory)
    starts_at = factory.LazyFunction(timezone.now)
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + _dt.timedelta(hours=1))


class AppointmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Appointment

    motif = factory.SubFactory(MotifFactory)
    mds = factory.LazyAttribute(lambda o: o.motif.mds)
    site = factory.SubFactory(SiteFactory, mds=factory.SelfAttribute("..mds"), number=factory.Sequence(lambda n: n + 2))
    agent = factory.SubFactory(AgentFactory)
    person = factory.SubFactory(PersonFactory, mds=factory.SelfAttribute("..mds"))
    starts_at = factory.LazyFunction(lambda: timezone.now() + _dt.timedelta(days=3))
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + _dt.timedelta(minutes=o.motif.duration_minutes))
