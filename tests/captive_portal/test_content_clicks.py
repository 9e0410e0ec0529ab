"""Clicks on portal links are counted per link, site and day, and read back for the statistics."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from captive_portal.models import ContentClickDaily
from tests.captive_portal.factories import ContentLinkFactory, SitePortalFactory, TermsVersionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def link():
    TermsVersionFactory(language="fr")
    return ContentLinkFactory(label="CAF", url="https://www.caf.fr/", block__title="Démarches")


def test_following_a_link_counts_per_site_and_day(client, link):
    arles = SitePortalFactory(site__slug="arles").site
    istres = SitePortalFactory(site__slug="istres").site
    for slug, times in (("arles", 3), ("istres", 1)):
        for _ in range(times):
            response = client.get(reverse("captive_portal:follow_link", kwargs={"slug": slug, "link_id": link.pk}))
            assert response["Location"] == "https://www.caf.fr/"
    today = timezone.localdate()
    ContentClickDaily.objects.create(link=link, site=arles, day=today - datetime.timedelta(days=40), clicks=9)

    counted = ContentClickDaily.objects.filter(day=today).order_by("site__slug")
    assert [(row.site_id, row.link.label, row.link.block.title, row.clicks) for row in counted] == [
        (arles.pk, "CAF", "Démarches", 3),
        (istres.pk, "CAF", "Démarches", 1),
    ]
