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
