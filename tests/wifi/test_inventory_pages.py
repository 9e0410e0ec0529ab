"""The inventory pages: coverage per zone, who may add and edit access points, lifecycle moves, CSV export."""

import csv
import io

import pytest
from django.urls import reverse
from django.utils import timezone

from sites.roles import Role
from tests.factories import MdsFactory, SiteFactory, ZoneFactory, agent_with_role
from tests.wifi.factories import AccessPointFactory, HealthSampleFactory, IncidentFactory
from wifi.models import AccessPoint, Lifecycle

pytestmark = pytest.mark.django_db


@pytest.fixture
def site():
    return SiteFactory(mds=MdsFactory(name="MDS Arles"), name="Arles centre", slug="arles")


def _ap_form(**overrides):
    data = {
        "label": "Borne accueil", "zone": "", "vendor": "Ubiquiti", "hardware_model": "U6-Lite",
        "serial_number": "SN-NEW", "mac_address": "F0-9F-C2-00-00-99", "management_address": "10.0.0.9",
        "probe_kind": "http_json", "probe_port": "443", "probe_settings": '{"path": "/status"}',
        "credential_name": "", "notes": "",
    }  # fmt: skip
    return data | overrides


def test_the_inventory_counts_planned_and_installed_access_points_per_zone(site, signed_in):
    zone = ZoneFactory(site=site, name="Salle d'attente")
    AccessPointFactory(site=site, zone=zone, lifecycle=Lifecycle.PLANNED, label="Prévue")
    AccessPointFactory(site=site, zone=zone, lifecycle=Lifecycle.IN_SERVICE, label="En marche")
    AccessPointFactory(site=site, zone=zone, lifecycle=Lifecycle.RETIRED, label="Déposée")
    AccessPointFactory(site=site, zone=None, lifecycle=Lifecycle.FAULTY, label="Sans zone")

    response = signed_in(agent_with_role(Role.RECEPTION, site.mds)).get(reverse("wifi:inventory"))

    assert response.status_code == 200
    coverage = response.context["inventory"].sites[0]
    assert [(z.zone.name, z.planned, z.installed) for z in coverage.zones] == [("Salle d'attente", 2, 1)]
    assert (coverage.unzoned.planned, coverage.unzoned.installed) == (1, 1)
    assert (response.context["inventory"].planned, response.context["inventory"].installed) == (3, 2)
    html = response.content.decode()
    assert "Sans zone" in html and "Déposée" in html


@pytest.mark.parametrize("count", [1, 12])
def test_the_inventory_costs_the_same_queries_for_one_site_or_many(count, signed_in, django_assert_max_num_queries):
    for _ in range(count):
        zone = ZoneFactory(site=SiteFactory(mds=MdsFactory()))
        AccessPointFactory.create_batch(3, site=zone.site, zone=zone)
        AccessPointFactory(site=zone.site, zone=None)
    client = signed_in(agent_with_role(Role.OPS))
    # 11: the 9 of before, plus the MDS and site filters' choice lists above the coverage (one query each).
    with django_assert_max_num_queries(11):
        assert client.get(reverse("wifi:inventory")).status_code == 200
    with django_assert_max_num_queries(7):
        assert client.get(reverse("wifi:inventory_csv")).status_code == 200


def test_the_site_page_shows_each_step_reached_with_its_date(site, signed_in):
    ap = AccessPointFactory(
        site=site, lifecycle=Lifecycle.INSTALLED, installed_on="2025-02-03", ordered_on="2025-01-10"
    )
    html = signed_in(agent_with_role(Role.RECEPTION, site.mds)).get(reverse("wifi:site_inventory", args=["arles"]))
    html = html.content.decode()
    assert ap.label in html
    assert 'datetime="2025-02-03"' in html and 'datetime="2025-01-10"' in html


@pytest.mark.parametrize(("role", "can_edit"), [(Role.OPS, True), (Role.MDS_MANAGER, False), (Role.RECEPTION, False)])
def test_add_and_edit_links_are_shown_to_ops_only(site, role, can_edit, signed_in):
    ap = AccessPointFactory(site=site)
    agent = agent_with_role(role, None if role == Role.OPS else site.mds)
    html = signed_in(agent).get(reverse("wifi:site_inventory", args=["arles"])).content.decode()
    assert (reverse("wifi:ap_create", args=["arles"]) in html) is can_edit
    assert (reverse("wifi:ap_edit", args=[ap.pk]) in html) is can_edit


def test_ops_add_an_access_point_to_any_site(site, signed_in):
    zone = ZoneFactory(site=site)
    client = signed_in(agent_with_role(Role.OPS))
    response = client.post(reverse("wifi:ap_create", args=["arles"]), _ap_form(zone=zone.pk))
    assert response.status_code == 302
    ap = AccessPoint.objects.get()
    assert (ap.site, ap.zone, ap.mac_address, ap.probe_settings) == (
        site,
        zone,
        "f0:9f:c2:00:00:99",
        {"path": "/status"},
    )
    assert ap.lifecycle == Lifecycle.PLANNED


def test_ops_edit_an_access_point_of_any_site(site, signed_in):
    ap = AccessPointFactory(site=site, label="Ancien nom")
    client = signed_in(agent_with_role(Role.OPS))
    response = client.post(reverse("wifi:ap_edit", args=[ap.pk]), _ap_form(serial_number=ap.serial_number))
    assert response.status_code == 302
    ap.refresh_from_db()
    assert (ap.label, ap.probe_kind, ap.probe_port) == ("Borne accueil", "http_json", 443)


@pytest.mark.parametrize("role", [Role.RECEPTION, Role.MDS_MANAGER])
def test_agents_of_the_mds_who_are_not_ops_get_403_on_changes(site, role, signed_in):
    ap = AccessPointFactory(site=site, label="Intacte", lifecycle=Lifecycle.INSTALLED)
    client = signed_in(agent_with_role(role, site.mds))
    assert client.get(reverse("wifi:ap_edit", args=[ap.pk])).status_code == 403
    assert client.post(reverse("wifi:ap_edit", args=[ap.pk]), _ap_form()).status_code == 403
    assert client.post(reverse("wifi:ap_create", args=["arles"]), _ap_form()).status_code == 403
    moved = client.post(reverse("wifi:ap_lifecycle", args=[ap.pk]), {"to": "accepted", "on": "2025-01-01"})
    assert moved.status_code == 403
    ap.refresh_from_db()
    assert (ap.label, ap.lifecycle, AccessPoint.objects.count()) == ("Intacte", Lifecycle.INSTALLED, 1)


def test_a_zone_of_another_site_cannot_be_chosen(site, signed_in):
    other_zone = ZoneFactory(site=SiteFactory())
    response = signed_in(agent_with_role(Role.OPS)).post(
        reverse("wifi:ap_create", args=["arles"]), _ap_form(zone=other_zone.pk)
    )
    assert response.status_code == 200 and response.context["form"].errors["zone"]
    assert not AccessPoint.objects.exists()


@pytest.mark.parametrize("settings_text", ["{not json", "[1, 2]"])
def test_polling_settings_must_be_a_json_object(site, settings_text, signed_in):
    response = signed_in(agent_with_role(Role.OPS)).post(
        reverse("wifi:ap_create", args=["arles"]), _ap_form(probe_settings=settings_text)
    )
    assert response.context["form"].errors["probe_settings"]
    assert not AccessPoint.objects.exists()


def test_a_label_already_used_in_the_site_is_refused(site, signed_in):
    AccessPointFactory(site=site, label="Borne accueil")
    response = signed_in(agent_with_role(Role.OPS)).post(reverse("wifi:ap_create", args=["arles"]), _ap_form())
    assert response.context["form"].errors["label"]
    assert AccessPoint.objects.count() == 1


def test_credential_sets_are_offered_by_name_and_their_secrets_never_shown(site, signed_in, settings):
    settings.WIFI_CREDENTIALS = {"snmp-bureaux": {"community": "tres-secret-42"}}
    client = signed_in(agent_with_role(Role.OPS))
    html = client.get(reverse("wifi:ap_create", args=["arles"])).content.decode()
    assert "snmp-bureaux" in html and "tres-secret-42" not in html
    client.post(reverse("wifi:ap_create", args=["arles"]), _ap_form(credential_name="snmp-bureaux"))
    assert AccessPoint.objects.get().credential_name == "snmp-bureaux"
    client.post(reverse("wifi:ap_create", args=["arles"]), _ap_form(credential_name="invented", serial_number="X"))
    assert AccessPoint.objects.count() == 1


def test_ops_move_an_access_point_to_its_next_step(site, signed_in):
    ap = AccessPointFactory(site=site, lifecycle=Lifecycle.INSTALLED)
    client = signed_in(agent_with_role(Role.OPS))
    form = client.get(reverse("wifi:ap_lifecycle", args=[ap.pk])).context["form"]
    assert form["on"].value() == timezone.localdate()
    assert [value for value, _label in form.fields["to"].choices] == ["accepted", "in_service", "retired"]

    response = client.post(reverse("wifi:ap_lifecycle", args=[ap.pk]), {"to": "accepted", "on": "2025-03-04"})

    assert response.status_code == 302
    ap.refresh_from_db()
    assert (ap.lifecycle, str(ap.accepted_on)) == (Lifecycle.ACCEPTED, "2025-03-04")


def test_a_backward_move_is_refused_by_the_page(site, signed_in):
    ap = AccessPointFactory(site=site, lifecycle=Lifecycle.IN_SERVICE)
    response = signed_in(agent_with_role(Role.OPS)).post(
        reverse("wifi:ap_lifecycle", args=[ap.pk]), {"to": "planned", "on": "2025-03-04"}
    )
    assert response.status_code == 200 and response.context["form"].errors
    ap.refresh_from_db()
    assert (ap.lifecycle, ap.planned_on) == (Lifecycle.IN_SERVICE, None)


def test_the_csv_export_holds_only_the_visible_access_points(site, signed_in):
    mine = AccessPointFactory(site=site, label="Borne Arles")
    other = AccessPointFactory(site=SiteFactory(mds=MdsFactory(name="MDS Istres")), label="Borne Istres")

    response = signed_in(agent_with_role(Role.RECEPTION, site.mds)).get(reverse("wifi:inventory_csv"))

    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    rows = list(csv.DictReader(io.StringIO(response.getvalue().decode("utf-8-sig")), delimiter=";"))
    assert [row["serial_number"] for row in rows] == [mine.serial_number]
    assert other.serial_number not in response.getvalue().decode()


def test_the_admin_exports_the_selected_access_points(site, signed_in):
    chosen, _other = AccessPointFactory(site=site), AccessPointFactory(site=site)
    admin = agent_with_role(Role.ADMIN, is_staff=True, is_superuser=True)
    response = signed_in(admin).post(
        reverse("admin:wifi_accesspoint_changelist"), {"action": "export_as_csv", "_selected_action": [chosen.pk]}
    )
    assert response["Content-Disposition"].startswith("attachment;")
    rows = list(csv.DictReader(io.StringIO(response.getvalue().decode("utf-8-sig")), delimiter=";"))
    assert [row["serial_number"] for row in rows] == [chosen.serial_number]


@pytest.mark.parametrize(
    "model", ["accesspoint", "healthsample", "hourlyrollup", "incident", "incidentnotification", "maintenancewindow"]
)
def test_the_admin_lists_every_wifi_model(model, signed_in):
    ap = AccessPointFactory()
    HealthSampleFactory(access_point=ap)
    IncidentFactory(access_point=ap)
    admin = agent_with_role(Role.ADMIN, is_staff=True, is_superuser=True)
    assert signed_in(admin).get(reverse(f"admin:wifi_{model}_changelist")).status_code == 200


def test_the_admin_never_lets_health_be_edited_by_hand(signed_in):
    ap = AccessPointFactory()
    admin = agent_with_role(Role.ADMIN, is_staff=True, is_superuser=True)
    form = signed_in(admin).get(reverse("admin:wifi_accesspoint_change", args=[ap.pk])).context["adminform"].form
    assert "health" not in form.fields and "last_seen_at" not in form.fields
    assert "credential_name" in form.fields
