"""Clicks on portal links are counted per link, site and day, and read back for the statistics."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from captive_portal.content import clicks_by_link
from captive_portal.models import ContentClickDaily
from sites.models import Site
from tests.captive_portal.factories import ContentLinkFactory, SitePortalFactory, TermsVersionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def link():
    TermsVersionFactory(language="fr")
    return ContentLinkFactory(label="CAF", url="https://www.caf.fr/", block__title="Démarches")


def test_following_a_link_counts_and_the_selector_reads_it(client, link):
    arles = SitePortalFactory(site__slug="arles").site
    istres = SitePortalFactory(site__slug="istres").site
    for slug, times in (("arles", 3), ("istres", 1)):
        for _ in range(times):
            response = client.get(reverse("captive_portal:follow_link", kwargs={"slug": slug, "link_id": link.pk}))
            assert response["Location"] == "https://www.caf.fr/"
    today = timezone.localdate()
    ContentClickDaily.objects.create(link=link, site=arles, day=today - datetime.timedelta(days=40), clicks=9)

    rows = clicks_by_link(Site.objects.all(), today - datetime.timedelta(days=7), today)
    assert [(row.site_id, row.day, row.label, row.block_title, row.clicks) for row in rows] == [
        (arles.pk, today, "CAF", "Démarches", 3),
        (istres.pk, today, "CAF", "Démarches", 1),
    ]
    assert [row.clicks for row in clicks_by_link(Site.objects.filter(pk=istres.pk), today, today)] == [1]


def test_reading_clicks_is_one_query(link, django_assert_num_queries):
    site = SitePortalFactory().site
    today = timezone.localdate()
    for days in range(10):
        ContentClickDaily.objects.create(link=link, site=site, day=today - datetime.timedelta(days=days), clicks=2)
    with django_assert_num_queries(1):
        rows = clicks_by_link(Site.objects.all(), today - datetime.timedelta(days=30), today)
    assert sum(row.clicks for row in rows) == 20
