"""The polling drivers named in settings.WIFI_PROBES, imported once and checked at start-up.

Like Django's email and session backends: a driver is a dotted path in settings, so adding one touches
no module here, no model choices and no migration.
"""

import functools
from collections.abc import Mapping
from typing import Any

from django.apps import AppConfig
from django.conf import settings
from django.core import checks
from django.core.exceptions import ImproperlyConfigured
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.utils.module_loading import import_string

from wifi.probes.base import Probe


def _load(kind: str, path: object) -> type[Probe]:
    if not isinstance(path, str):
        raise ImproperlyConfigured(f"WIFI_PROBES[{kind!r}] must be a dotted path, not {path!r}.")
    try:
        loaded = import_string(path)
    except ImportError as exc:
        raise ImproperlyConfigured(f"WIFI_PROBES[{kind!r}] = {path!r} cannot be imported: {exc}") from exc
    if not (isinstance(loaded, type) and issubclass(loaded, Probe)):
        raise ImproperlyConfigured(f"WIFI_PROBES[{kind!r}] = {path!r} is not a subclass of {Probe.__module__}.Probe.")
    return loaded


def _configured() -> Mapping[str, Any]:
    configured = settings.WIFI_PROBES
    if not isinstance(configured, Mapping):
        raise ImproperlyConfigured("WIFI_PROBES must be a dict: polling method → dotted path of a Probe subclass.")
    return configured


@functools.cache
def probe_classes() -> dict[str, type[Probe]]:
    """Polling method (what AccessPoint.probe_kind stores) → driver class, in the order of the setting."""
    return {kind: _load(kind, path) for kind, path in _configured().items()}


def probe_class(kind: str) -> type[Probe] | None:
    """The driver of `kind`, or None when no such method is configured (any more)."""
    return probe_classes().get(kind)


def probe_choices() -> list[tuple[str, Any]]:
    """(kind, translated label) of every configured method, for forms, filters and model validation."""
    return [(kind, cls.label or kind) for kind, cls in probe_classes().items()]


@receiver(setting_changed)
def _forget_on_change(*, setting: str, **kwargs: Any) -> None:
    # override_settings(WIFI_PROBES=…) in tests: the next round and the next form read the new drivers.
    if setting == "WIFI_PROBES":
        probe_classes.cache_clear()


def check_probes(app_configs: list[AppConfig] | None = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """Every configured driver imports and is a Probe, and its key fits AccessPoint.probe_kind."""
    from wifi.models import AccessPoint

    try:
        configured = _configured()
    except ImproperlyConfigured as exc:
        return [checks.Error(str(exc), id="wifi.E001")]
    max_length = AccessPoint._meta.get_field("probe_kind").max_length or 0
    errors: list[checks.CheckMessage] = []
    for kind, path in configured.items():
        if not isinstance(kind, str) or not 0 < len(kind) <= max_length:
            errors.append(
                checks.Error(
                    f"WIFI_PROBES key {kind!r} cannot be stored in AccessPoint.probe_kind.",
                    hint=f"Use a name of 1 to {max_length} characters.",
                    id="wifi.E002",
                )
            )
        try:
            _load(str(kind), path)
        except ImproperlyConfigured as exc:
            errors.append(checks.Error(str(exc), id="wifi.E003"))
    return errors
