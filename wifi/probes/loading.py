"""The polling drivers named in settings.WIFI_PROBES, loaded by `core.backends` and checked at start-up.

A driver is a dotted path in settings, so adding one touches no module here, no model choices and no migration.
"""

from typing import Any

from django.apps import AppConfig
from django.core import checks
from django.core.exceptions import ImproperlyConfigured

from core.backends import BackendRegistry
from wifi.models import PROBE_KIND_MAX_LENGTH
from wifi.probes.base import Probe

probes = BackendRegistry("WIFI_PROBES", Probe, max_kind_length=PROBE_KIND_MAX_LENGTH)


def probe_classes() -> dict[str, type[Probe]]:
    """Polling method (what AccessPoint.probe_kind stores) → driver class, in the order of the setting."""
    return probes.classes()


def probe_class(kind: str) -> type[Probe] | None:
    """The driver of `kind`, or None when no such method is configured (any more)."""
    return probes.get(kind)


def probe_choices() -> list[tuple[str, Any]]:
    """(kind, translated label) of every configured method, for forms, filters and model validation."""
    return [(kind, cls.label or kind) for kind, cls in probe_classes().items()]


def check_probes(app_configs: list[AppConfig] | None = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """Every configured driver imports and is a Probe, and its key fits AccessPoint.probe_kind."""
    try:
        configured = probes.entries()
    except ImproperlyConfigured as exc:
        return [checks.Error(str(exc), id="wifi.E001")]
    errors: list[checks.CheckMessage] = []
    for kind, path in configured.items():
        if problem := probes.kind_problem(kind):
            errors.append(checks.Error(problem, hint="Use a shorter name.", id="wifi.E002"))
        try:
            probes.load(kind, path)
        except ImproperlyConfigured as exc:
            errors.append(checks.Error(str(exc), id="wifi.E003"))
    return errors
