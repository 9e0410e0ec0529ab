"""The Django admin shows the portal's settings and counters, never secrets, and not the legal log."""

import pytest
from django.contrib import admin
from django.urls import reverse

from captive_portal.models import ConnectionRecord, DeviceHashKey, SitePortal
from tests.captive_portal.factories import ContentBlockFactory, ContentLinkFactory, SitePortalFactory
from tests.factories import AgentFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def superuser_client(signed_in):
    return signed_in(AgentFactory(is_staff=True, is_superuser=True))


def test_the_legal_log_and_hash_keys_are_not_in_the_admin():
    assert not admin.site.is_registered(ConnectionRecord)
    assert not admin.site.is_registered(DeviceHashKey)


@pytest.mark.parametrize(
    "model",
    ["siteportal", "termsversion", "contentblock", "walledgardendomain", "contentclickdaily",
     "gatewayauthorisation", "portalrejection", "portalstatshourly", "loadeddefault"],
)  # fmt: skip
def test_every_registered_list_opens(model, superuser_client):
    assert superuser_client.get(reverse(f"admin:captive_portal_{model}_changelist")).status_code == 200


def test_a_gateway_secret_is_only_named(superuser_client, settings):
    settings.PORTAL_GATEWAY_SECRETS = {"arles-router": {"faskey": "très-secret-1234"}}
    portal = SitePortalFactory(secret_name="arles-router")
    html = superuser_client.get(reverse("admin:captive_portal_siteportal_change", args=[portal.pk])).content.decode()
    assert "arles-router" in html
    assert "très-secret-1234" not in html
    assert SitePortal.objects.get().secret_name == "arles-router"


def test_a_block_opens_with_its_links(superuser_client):
    link = ContentLinkFactory(block=ContentBlockFactory(title="Démarches"), url="https://www.caf.fr/")
    response = superuser_client.get(reverse("admin:captive_portal_contentblock_change", args=[link.block.pk]))
    assert response.status_code == 200
    assert "https://www.caf.fr/" in response.content.decode()
