"""An access point's polling method is one of WIFI_PROBES, and its settings are what that driver accepts."""

import io

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from sites.roles import Role
from tests.factories import SiteFactory, agent_with_role
from tests.wifi.conftest import UNIFI_SETTINGS
from tests.wifi.factories import AccessPointFactory
from wifi.inventory_import import aps_import
from wifi.models import AccessPoint

pytestmark = pytest.mark.django_db

FLAKY = "tests.wifi.probes_for_tests.FlakyProbe"


@pytest.fixture
def site():
    return SiteFactory(slug="arles", name="Arles centre")


def _errors(ap: AccessPoint) -> dict[str, list[str]]:
    """What full_clean() refuses, in English (the msgids) so the test reads like the code."""
    with translation.override("en"), pytest.raises(ValidationError) as raised:
        ap.full_clean()
    with translation.override("en"):
        return raised.value.message_dict


def test_an_unknown_stored_kind_is_refused_by_validation(site):
    """A kind no driver is configured for (a typo, or a driver taken out of WIFI_PROBES) cannot be saved."""
    ap = AccessPointFactory.build(site=site, probe_kind="carrier_pigeon")
    assert _errors(ap) == {"probe_kind": ["“carrier_pigeon” is not a polling method configured in WIFI_PROBES."]}


def test_a_kind_added_in_the_setting_is_accepted_without_a_migration(site, settings):
    settings.WIFI_PROBES = {**settings.WIFI_PROBES, "flaky": FLAKY}
    ap = AccessPointFactory.build(site=site, probe_kind="flaky", probe_settings={"losses": 1})
    ap.full_clean()
    ap.save()
    assert AccessPoint.objects.get(pk=ap.pk).probe_kind == "flaky"


@pytest.mark.parametrize(
    ("kind", "probe_settings", "said"),
    [
        ("tcp", ["a", "list"], 'Enter a JSON object between braces, e.g. {"path": "/status"}.'),
        ("tcp", {"port": 70000}, "“70000” is not a port number (1 to 65535)."),
        ("tcp", {"port": True}, "“port” must be a whole number."),
        ("http_json", {"clients": "stats.clients"}, "“clients” is not a setting of HTTP (JSON status)"),
        ("http_json", {"verify_tls": "no"}, "“verify_tls” must be true or false."),
        ("http_json", {"url": "ftp://10.0.0.1/status"}, "“url” must start with http:// or https://."),
        ("http_json", {"scheme": "gopher"}, "“scheme” must be http or https."),
        ("snmp_v2c", {"if_indexes": [1, "radio"]}, "“if_indexes” must be a list of interface numbers, e.g. [1, 2]."),
        ("snmp_v2c", {"clients_oid": "unifiVapNumStations"}, "“clients_oid” must be a numeric OID"),
        ("snmp_v2c", {"context_name": "x"}, "“context_name” is not a setting of SNMP v2c"),
        ("icmp", {"port": 22}, "Ping (ICMP) takes no settings."),
    ],
)
def test_each_driver_refuses_settings_it_cannot_use(site, kind, probe_settings, said):
    ap = AccessPointFactory.build(site=site, probe_kind=kind, probe_settings=probe_settings)
    [message] = _errors(ap)["probe_settings"]
    assert message.startswith(said)


@pytest.mark.parametrize(
    ("kind", "probe_settings"),
    [
        ("snmp_v2c", UNIFI_SETTINGS),
        ("snmp_v3", {**UNIFI_SETTINGS, "context_name": "healthy"}),
        ("http_json", {"path": "/status", "uptime_path": "data.0.uptime", "ok_values": [1], "verify_tls": False}),
        ("http_json", {"url": "https://controller.example/api/s/default/stat/device"}),
        ("tcp", {"port": 8443}),
        ("icmp", {}),
    ],
)
def test_settings_a_driver_uses_are_accepted(site, kind, probe_settings):
    AccessPointFactory.build(site=site, probe_kind=kind, probe_settings=probe_settings).full_clean()


def test_the_form_offers_the_configured_methods_with_their_labels_in_french(site, settings, signed_in):
    settings.WIFI_PROBES = {"tcp": "wifi.probes.reachability.TcpProbe", "flaky": FLAKY}
    response = signed_in(agent_with_role(Role.OPS)).get(reverse("wifi:ap_create", args=["arles"]))
    choices = response.context["form"].fields["probe_kind"].choices
    assert [(kind, str(label)) for kind, label in choices] == [("tcp", "Connexion TCP"), ("flaky", "Flaky (tests)")]


def test_editing_an_ap_whose_method_is_no_longer_configured_says_so_instead_of_switching_it(site, signed_in):
    ap = AccessPointFactory(site=site, probe_kind="retired_driver")
    client = signed_in(agent_with_role(Role.OPS))
    url = reverse("wifi:ap_edit", args=[ap.pk])
    form = client.get(url).context["form"]
    assert form["probe_kind"].value() == "retired_driver"
    assert ("retired_driver", "retired_driver (non configuré)") in form.fields["probe_kind"].choices

    data = {name: "" if value is None else value for name, value in form.initial.items() if name in form.fields}
    response = client.post(url, {**data, "probe_settings": "{}", "zone": ""})

    assert response.status_code == 200
    assert response.context["form"].errors["probe_kind"]
    assert AccessPoint.objects.get(pk=ap.pk).probe_kind == "retired_driver"


def test_the_form_shows_the_driver_s_objection_to_a_setting(site, signed_in):
    data = {
        "label": "Borne accueil", "zone": "", "vendor": "", "hardware_model": "", "serial_number": "SN-NEW",
        "mac_address": "", "management_address": "10.0.0.9", "probe_kind": "http_json", "probe_port": "",
        "probe_settings": '{"clients": "stats.clients"}', "credential_name": "", "notes": "",
    }  # fmt: skip
    response = signed_in(agent_with_role(Role.OPS)).post(reverse("wifi:ap_create", args=["arles"]), data)
    assert "n’est pas un réglage de HTTP (état JSON)" in " ".join(response.context["form"].errors["probe_settings"])
    assert not AccessPoint.objects.exists()


def test_the_csv_import_takes_the_configured_methods(site, settings):
    settings.WIFI_PROBES = {**settings.WIFI_PROBES, "flaky": FLAKY}
    header = "site;label;serial_number;probe_kind"
    lines = ["arles;A;SN-1;flaky", "arles;B;SN-2;carrier_pigeon"]
    report = aps_import(actor=None, file=io.BytesIO("\n".join([header, *lines, ""]).encode()), partial=True)
    assert AccessPoint.objects.get(serial_number="SN-1").probe_kind == "flaky"
    [refused] = report.lines[1].errors
    assert "carrier_pigeon" in refused and "flaky" in refused
    assert not AccessPoint.objects.filter(serial_number="SN-2").exists()


def test_the_admin_offers_the_configured_methods_and_filters_by_them(site, settings, signed_in):
    settings.WIFI_PROBES = {**settings.WIFI_PROBES, "flaky": FLAKY}
    ap = AccessPointFactory(site=site, probe_kind="flaky")
    client = signed_in(agent_with_role(Role.ADMIN, is_staff=True, is_superuser=True))

    form = client.get(reverse("admin:wifi_accesspoint_change", args=[ap.pk])).context["adminform"].form
    assert ("flaky", "Flaky (tests)") in form.fields["probe_kind"].choices

    listed = client.get(reverse("admin:wifi_accesspoint_changelist"), {"probe_kind__exact": "flaky"})
    assert list(listed.context["cl"].result_list) == [ap]
