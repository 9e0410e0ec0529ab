import factory

from captive_portal.models import ContentBlock, ContentKind, ContentLink, GatewayKind, SitePortal, TermsVersion
from tests.factories import SiteFactory


class SitePortalFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SitePortal

    site = factory.SubFactory(SiteFactory)
    gateway_kind = GatewayKind.CLICK_THROUGH
    session_minutes = 480


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
