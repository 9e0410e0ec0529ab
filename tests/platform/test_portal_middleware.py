"""auditlog's and axes' middleware skip the public portal, and keep doing their work everywhere else."""

import pytest
from auditlog.models import LogEntry
from django.conf import settings
from django.urls import reverse

from captive_portal.models import ContentBlock
from sites.roles import Role
from tests.captive_portal.test_content_blocks import form_data
from tests.factories import MdsFactory, SiteFactory, agent_with_role

pytestmark = pytest.mark.django_db


def test_the_skipped_paths_are_the_public_portals_only():
    """The visitors' pages, gateways' entry points and RFC 8908 API skip them; no back-office path does."""
    public = [reverse("captive_portal:splash", kwargs={"slug": "arles"}),
              reverse("captive_gateways:captive_api", kwargs={"slug": "arles"}),
              reverse("captive_gateways:opennds", kwargs={"slug": "arles"}),
              reverse("captive_gateways:unifi", kwargs={"controller_site": "default"})]  # fmt: skip
    private = [reverse("sites:login"), reverse("sites:dashboard"), reverse("portal_content:blocks"),
               reverse("portal_log:search"), "/admin/", "/healthz"]  # fmt: skip
    assert all(path.startswith(settings.PUBLIC_PORTAL_PREFIXES) for path in public)
    assert not any(path.startswith(settings.PUBLIC_PORTAL_PREFIXES) for path in private)


def test_a_backoffice_edit_still_names_its_agent_and_address_in_the_audit_trail(signed_in):
    """What the auditlog middleware adds (actor, remote address) is still on a back-office change."""
    site = SiteFactory(mds=MdsFactory(name="Alpha"), name="Site Alpha", slug="site-alpha")
    agent = agent_with_role(Role.MDS_MANAGER, site.mds)
    client = signed_in(agent)
    response = client.post(reverse("portal_content:block_create"), form_data(sites=[site]), REMOTE_ADDR="192.0.2.7")
    assert response.status_code == 302
    entry = LogEntry.objects.get_for_object(ContentBlock.objects.get()).get(action=LogEntry.Action.CREATE)
    assert entry.actor == agent
    assert entry.remote_addr == "192.0.2.7"


def test_the_audit_trail_keeps_the_address_our_proxies_saw_not_one_the_client_wrote(signed_in, settings):
    """A forged X-Forwarded-For entry does not reach the audit trail; behind one proxy, the proxy's entry does."""
    site = SiteFactory(mds=MdsFactory(name="Alpha"), name="Site Alpha", slug="site-alpha")
    client = signed_in(agent_with_role(Role.MDS_MANAGER, site.mds))
    client.post(reverse("portal_content:block_create"), form_data(sites=[site]), REMOTE_ADDR="192.0.2.7",
                HTTP_X_FORWARDED_FOR="203.0.113.66")  # fmt: skip
    settings.PROXY_COUNT = 1
    client.post(reverse("portal_content:block_create"), form_data(sites=[site]), REMOTE_ADDR="127.0.0.1",
                HTTP_X_FORWARDED_FOR="203.0.113.66, 192.0.2.8")  # fmt: skip
    entries = LogEntry.objects.filter(action=LogEntry.Action.CREATE, content_type__model="contentblock")
    assert sorted(entries.values_list("remote_addr", flat=True)) == ["192.0.2.7", "192.0.2.8"]


def test_the_public_portal_does_not_go_through_auditlog_nor_axes(client, monkeypatch):
    """Were the skip removed, a public page would reach their middleware (made to fail here)."""
    from auditlog.middleware import AuditlogMiddleware
    from axes.middleware import AxesMiddleware

    def refuse(self, request):
        raise AssertionError(f"{type(self).__name__} ran on {request.path}")

    monkeypatch.setattr(AuditlogMiddleware, "__call__", refuse)
    monkeypatch.setattr(AxesMiddleware, "__call__", refuse)
    assert client.get(reverse("captive_portal:splash", kwargs={"slug": "nowhere"})).status_code == 404
