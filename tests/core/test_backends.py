"""One loader for every class named in settings: the SMS provider, the WiFi probes and the portal's gateways."""

import pytest
from django.core.exceptions import ImproperlyConfigured

from captive_portal.gateways.base import gateway_classes
from core.backends import BackendRegistry
from core.sms import get_connection
from core.sms.checks import sms_backend_configured
from wifi.probes.base import Probe
from wifi.probes.loading import probe_classes


def test_an_sms_backend_that_is_not_a_backend_class_is_refused_by_name(settings):
    """Before: any importable name was instantiated, and a function's call failed somewhere in the first send."""
    settings.SMS_BACKEND = "core.phone.phone_normalise"
    with pytest.raises(ImproperlyConfigured, match=r"SMS_BACKEND = 'core.phone.phone_normalise' is not a subclass"):
        get_connection()
    [error] = sms_backend_configured()
    assert error.id == "core.E001" and "BaseSmsBackend" in error.msg


def test_a_gateway_kind_the_database_cannot_store_is_refused(settings):
    settings.PORTAL_GATEWAYS = {**settings.PORTAL_GATEWAYS, "k" * 21: "captive_portal.gateways.opennds.OpenNdsGateway"}
    with pytest.raises(ImproperlyConfigured, match=r"PORTAL_GATEWAYS: the kind 'kkk.*at most 20 characters"):
        gateway_classes()


def test_each_registry_forgets_only_its_own_setting(settings):
    """Overriding WIFI_PROBES reloads the probes and leaves the gateways already loaded."""
    gateways, probes = gateway_classes(), probe_classes()
    settings.WIFI_PROBES = {"tcp": "wifi.probes.reachability.TcpProbe"}
    assert gateway_classes() is gateways
    assert probe_classes() is not probes and list(probe_classes()) == ["tcp"]


def test_a_setting_that_is_not_a_dict_says_what_it_should_be(settings):
    settings.WIFI_PROBES = ["wifi.probes.reachability.TcpProbe"]
    registry = BackendRegistry("WIFI_PROBES", Probe, max_kind_length=20)
    with pytest.raises(ImproperlyConfigured, match="WIFI_PROBES must be a dict: kind → dotted path of a Probe"):
        registry.classes()
