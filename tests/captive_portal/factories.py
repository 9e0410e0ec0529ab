import factory

from captive_portal.models import (
    ContentBlock,
    ContentKind,
    ContentLink,
    EgressNetwork,
    SitePortal,
    TermsVersion,
)
from tests.factories import SiteFactory

GATEWAY_OPTIONS = ("gateway_name", "secret_name", "gateway_networks", "controller_url", "controller_site")


class SitePortalFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SitePortal
        skip_postgeneration_save = True

    class Params:
        # The options of the built-in gateways, as the tests name them: folded into `gateway_options`.
        gateway_name = ""
        secret_name = ""
        gateway_networks = ""
        controller_url = ""
        controller_site = ""

    site = factory.SubFactory(SiteFactory)
    gateway_kind = "click_through"
    gateway_options = factory.LazyAttribute(
        lambda o: {name: getattr(o, name) for name in GATEWAY_OPTIONS if getattr(o, name)}
    )
    session_minutes = 480

    @factory.post_generation
    def egress_networks(obj, create, extracted, **kwargs):
        """Tests' browsers and clients come from the loopback: the site's internet address, unless given."""
        if create:
            networks = extracted if extracted is not None else ("127.0.0.0/8", "::1/128")
            EgressNetwork.objects.bulk_create(
                [EgressNetwork(site=obj.site, network=network) for network in networks], ignore_conflicts=True
            )


class EgressNetworkFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = EgressNetwork

    site = factory.SubFactory(SiteFactory)
    network = "203.0.113.0/29"


class TermsVersionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TermsVersion
        django_get_or_create = ("language", "version")

    language = "fr"
    version = 1
    summary = "Ce WiFi est gratuit. Nous gardons un an les données techniques de connexion, comme la loi l'exige."
    full_text = "Conditions générales d'utilisation du WiFi public des MDS."


class ContentBlockFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ContentBlock
        skip_postgeneration_save = True

    kind = ContentKind.PUBLIC_SERVICES
    language = "fr"
    title = "Services publics en ligne"
    body = "Vos démarches en ligne."


class ContentLinkFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ContentLink

    block = factory.SubFactory(ContentBlockFactory)
    label = "CAF"
    url = "https://www.caf.fr/"
