"""Access points and maintenance windows are written by one service each, from the back-office pages and the admin
alike: the audit trail names who did it, and the rules hold wherever the write comes from."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from sites.roles import Role
from tests.audit_trail import CREATE, UPDATE, actors
from tests.factories import AgentFactory, SiteFactory, ZoneFactory, agent_with_role
from tests.sites.admin_forms import admin_form
from tests.wifi.factories import AccessPointFactory, MaintenanceWindowFactory
from wifi.models import AccessPoint, Lifecycle, MaintenanceWindow

pytestmark = pytest.mark.django_db


@pytest.fixture
def administrator():
    return AgentFactory(is_staff=True, is_superuser=True)


def _admin_datetime(prefix: str, at: datetime.datetime) -> dict[str, str]:
    local = timezone.localtime(at)
    return {f"{prefix}_0": f"{local:%Y-%m-%d}", f"{prefix}_1": f"{local:%H:%M:%S}"}


def test_a_window_added_in_the_admin_has_its_author_as_on_the_board(administrator, signed_in):
    """The admin declares through the same service as the board: the window and the audit trail name the author."""
    site = SiteFactory()
    start = timezone.now() + datetime.timedelta(days=1)
    data = {"site": site.pk, "access_point": "", "reason": "Coupure électrique"}
    data |= _admin_datetime("starts_at", start) | _admin_datetime("ends_at", start + datetime.timedelta(hours=2))
    response = signed_in(administrator).post(reverse("admin:wifi_maintenancewindow_add"), data)
    assert response.status_code == 302
    window = MaintenanceWindow.objects.get()
    assert (window.site, window.created_by, window.reason) == (site, administrator, "Coupure électrique")
    assert actors(MaintenanceWindow, window.pk, CREATE) == {administrator}


def test_a_window_changed_in_the_admin_keeps_its_author_and_never_ends_before_it_starts(administrator, signed_in):
    ops = agent_with_role(Role.OPS)
    window = MaintenanceWindowFactory(created_by=ops)
    client = signed_in(administrator)
    url = reverse("admin:wifi_maintenancewindow_change", args=[window.pk])
    data = admin_form(client, url, "maintenancewindow_form")
    backwards = data | _admin_datetime("ends_at", window.starts_at - datetime.timedelta(hours=1))
    assert client.post(url, backwards).status_code == 200
    assert MaintenanceWindow.objects.get().ends_at == window.ends_at
    assert client.post(url, data | {"reason": ["Câblage, 2e passe"]}).status_code == 302
    stored = MaintenanceWindow.objects.get()
    assert (stored.reason, stored.created_by) == ("Câblage, 2e passe", ops)
    assert actors(MaintenanceWindow, window.pk, UPDATE) == {administrator}


def test_a_window_declared_on_the_board_is_audited_under_ops(signed_in):
    ops = agent_with_role(Role.OPS)
    site = SiteFactory()
    start = timezone.localtime() + datetime.timedelta(days=1)
    data = {"site": site.pk, "access_point": "", "reason": "Câblage", "starts_at": f"{start:%Y-%m-%dT%H:%M}",
            "ends_at": f"{start + datetime.timedelta(hours=2):%Y-%m-%dT%H:%M}"}  # fmt: skip
    assert signed_in(ops).post(reverse("wifi:maintenance_create"), data).status_code == 302
    assert actors(MaintenanceWindow, MaintenanceWindow.objects.get().pk, CREATE) == {ops}


def test_an_access_point_added_edited_and_moved_on_the_inventory_pages_names_the_agent(signed_in):
    site = SiteFactory(slug="arles")
    ops = agent_with_role(Role.OPS)
    client = signed_in(ops)
    form = {"label": "Borne accueil", "zone": "", "vendor": "Ubiquiti", "hardware_model": "U6-Lite",
            "serial_number": "SN-NEW", "mac_address": "F0-9F-C2-00-00-99", "management_address": "10.0.0.9",
            "probe_kind": "tcp", "probe_port": "22", "probe_settings": "{}", "credential_name": "",
            "notes": ""}  # fmt: skip
    assert client.post(reverse("wifi:ap_create", kwargs={"slug": site.slug}), form).status_code == 302
    ap = AccessPoint.objects.get()
    assert client.post(reverse("wifi:ap_edit", kwargs={"pk": ap.pk}), form | {"notes": "Au plafond"}).status_code == 302
    moved = client.post(reverse("wifi:ap_lifecycle", kwargs={"pk": ap.pk}),
                        {"to": Lifecycle.ORDERED, "on": f"{timezone.localdate():%Y-%m-%d}"})  # fmt: skip
    assert moved.status_code == 302
    stored = AccessPoint.objects.get()
    assert (stored.notes, stored.lifecycle) == ("Au plafond", Lifecycle.ORDERED)
    assert actors(AccessPoint, ap.pk, CREATE) == {ops}
    assert actors(AccessPoint, ap.pk, UPDATE) == {ops}  # the edit and the lifecycle move


def test_an_access_point_edited_in_the_admin_is_audited_and_its_zone_stays_on_its_site(administrator, signed_in):
    ap = AccessPointFactory(notes="")
    elsewhere = ZoneFactory(site=SiteFactory())
    client = signed_in(administrator)
    url = reverse("admin:wifi_accesspoint_change", args=[ap.pk])
    data = admin_form(client, url, "accesspoint_form")
    assert client.post(url, data | {"zone": [str(elsewhere.pk)]}).status_code == 200
    assert AccessPoint.objects.get().zone is None
    assert client.post(url, data | {"notes": ["Remplacée sous garantie"]}).status_code == 302
    assert AccessPoint.objects.get().notes == "Remplacée sous garantie"
    assert actors(AccessPoint, ap.pk, UPDATE) == {administrator}


def test_silencing_an_access_point_on_the_board_is_audited_under_ops(signed_in):
    ops = agent_with_role(Role.OPS)
    ap = AccessPointFactory()
    response = signed_in(ops).post(reverse("wifi:ap_snooze", kwargs={"pk": ap.pk}), {"choice": "1h"})
    assert response.status_code == 302
    assert AccessPoint.objects.get().alerts_snoozed_until is not None
    assert actors(AccessPoint, ap.pk, UPDATE) == {ops}
