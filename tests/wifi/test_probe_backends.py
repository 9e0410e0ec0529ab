"""Polling drivers are named by dotted path in WIFI_PROBES: one added there polls its APs, a bad one is said clearly."""

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command

from tests.wifi.factories import AccessPointFactory
from wifi import polling
from wifi.models import HealthSample
from wifi.probes.loading import check_probes, probe_class, probe_classes
from wifi.probes.reachability import TcpProbe

FLAKY = "tests.wifi.probes_for_tests.FlakyProbe"


@pytest.fixture
def flaky_configured(settings):
    settings.WIFI_PROBES = {**settings.WIFI_PROBES, "flaky": FLAKY}
    return settings


@pytest.mark.django_db
def test_a_driver_added_in_the_setting_polls_its_access_points_in_a_round(flaky_configured):
    """No other file names the test driver: the round finds it by the AP's kind and records what it answered."""
    ap = AccessPointFactory(probe_kind="flaky", probe_settings={"losses": 1})

    report = polling.round_run(timeout=1, retries=1)

    assert (report.summary.polled, report.summary.reachable) == (1, 1)
    sample = HealthSample.objects.get(access_point=ap)
    assert (sample.reachable, sample.clients, sample.detail) == (True, 2, "answered at attempt 2")


def test_drivers_are_loaded_once_and_forgotten_when_the_setting_changes(settings):
    """Cached for the process; an override of WIFI_PROBES is read at once (tests, or a reloaded worker)."""
    assert probe_classes() is probe_classes()
    assert probe_class("flaky") is None
    settings.WIFI_PROBES = {"flaky": FLAKY}
    assert list(probe_classes()) == ["flaky"] and probe_class("flaky").__name__ == "FlakyProbe"
    assert probe_class("tcp") is None


def test_the_shipped_setting_names_every_driver_and_passes_the_system_check():
    assert probe_class("tcp") is TcpProbe
    assert set(probe_classes()) == {"snmp_v2c", "snmp_v3", "http_json", "tcp", "icmp"}
    assert check_probes() == []
    call_command("check", "wifi")


@pytest.mark.parametrize(
    ("path", "said"),
    [
        ("wifi.probes.nowhere.Probe", "WIFI_PROBES['tcp'] = 'wifi.probes.nowhere.Probe' cannot be imported"),
        ("wifi.probes.reachability.NoSuchProbe", "cannot be imported"),
        ("tests.wifi.probes_for_tests.NotAProbe", "is not a subclass of wifi.probes.base.Probe"),
        ("nodots", "cannot be imported"),
    ],
)
def test_a_bad_dotted_path_is_a_clear_configuration_error(settings, path, said):
    """The loader and the system check both name the key, the path and what is wrong with it."""
    settings.WIFI_PROBES = {"tcp": path}
    with pytest.raises(ImproperlyConfigured, match="WIFI_PROBES") as raised:
        probe_classes()
    assert said in str(raised.value)
    [error] = check_probes()
    assert error.id == "wifi.E003" and said in error.msg


def test_the_system_check_refuses_a_kind_the_database_cannot_store(settings):
    settings.WIFI_PROBES = {"a_polling_method_name_too_long": FLAKY, "flaky": FLAKY}
    assert [error.id for error in check_probes()] == ["wifi.E002"]


def test_the_system_check_refuses_a_setting_that_is_not_a_dict(settings):
    settings.WIFI_PROBES = [FLAKY]
    assert [error.id for error in check_probes()] == ["wifi.E001"]
