"""The splash keeps the content version in process for a few seconds, and a change still reaches it in time."""

import subprocess
import sys
import time
import uuid

import pytest
from django.core.cache import cache
from django.db import connection
from django.urls import reverse

from captive_portal import selectors
from captive_portal.models import ContentBlock
from tests.captive_portal.factories import ContentBlockFactory, SitePortalFactory, TermsVersionFactory
from tests.support import child_env


def _portal():
    TermsVersionFactory(language="fr")
    block = ContentBlockFactory(title="Permanence CAF le mardi")
    SitePortalFactory(site__slug="arles")
    return block


def _splash(client) -> str:
    return client.get(reverse("captive_portal:splash", kwargs={"slug": "arles"})).content.decode()


@pytest.mark.django_db
def test_the_splash_reads_the_content_version_from_redis_once_per_ttl(client, monkeypatch):
    """Within the TTL a new version in Redis is not seen (no round trip a request); after it, it is."""
    block = _portal()
    monkeypatch.setattr(selectors, "CONTENT_VERSION_TTL", 60.0)
    assert "Permanence CAF le mardi" in _splash(client)
    # What another process's edit does: the row changes and content_changed() writes a new version to Redis.
    ContentBlock.objects.filter(pk=block.pk).update(title="Permanence CAF le jeudi")
    cache.set(selectors.CONTENT_VERSION_KEY, uuid.uuid4().hex, timeout=None)
    assert "Permanence CAF le mardi" in _splash(client)
    monkeypatch.setattr(selectors, "CONTENT_VERSION_TTL", 0.0)  # the TTL has run out
    assert "Permanence CAF le jeudi" in _splash(client)


@pytest.mark.django_db
def test_an_edit_in_this_process_shows_at_once(client):
    """The process that saved the change does not wait for its own TTL."""
    block = _portal()
    assert "Permanence CAF le mardi" in _splash(client)
    block.title = "Permanence CAF le jeudi"
    block.save()
    assert "Permanence CAF le jeudi" in _splash(client)


@pytest.mark.django_db(transaction=True)
def test_a_content_change_saved_by_another_process_reaches_the_splash_within_the_ttl(client):
    """A second Django process (an agent's edit in the back-office) saves a block; this process's splash shows
    it no later than CONTENT_VERSION_TTL after the save."""
    block = _portal()
    assert "Permanence CAF le mardi" in _splash(client)
    db = connection.settings_dict
    url = f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
    edit = (
        "import django; django.setup(); from captive_portal.models import ContentBlock; "
        f"b = ContentBlock.objects.get(pk={block.pk}); b.title = 'Permanence CAF le jeudi'; b.save()"
    )
    subprocess.run([sys.executable, "-c", edit], env=child_env(DATABASE_URL=url), check=True, timeout=60)
    saved = time.monotonic()
    while "Permanence CAF le jeudi" not in _splash(client):
        assert time.monotonic() - saved <= selectors.CONTENT_VERSION_TTL, "the change did not reach the splash"
        time.sleep(0.05)
