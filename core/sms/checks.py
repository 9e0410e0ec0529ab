"""`check --deploy` builds the configured SMS backend, so a provider left without its key or sender fails the
deployment check instead of the first reminder."""

from collections.abc import Sequence
from typing import Any

from django.apps import AppConfig
from django.core.checks import CheckMessage, Error, Tags, register
from django.core.exceptions import ImproperlyConfigured


@register(Tags.compatibility, deploy=True)
def sms_backend_configured(app_configs: Sequence[AppConfig] | None = None, **kwargs: Any) -> list[CheckMessage]:
    from core.sms import get_connection

    try:
        get_connection()
    except (ImproperlyConfigured, ImportError) as exc:
        return [Error(f"SMS_BACKEND cannot be used: {exc}", id="core.E001")]
    return []
