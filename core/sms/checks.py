"""`check --deploy` builds the configured SMS backend, so a provider left without its key or sender fails the
deployment check instead of the first reminder."""

from django.core.checks import Error, Tags, register
from django.core.exceptions import ImproperlyConfigured


@register(Tags.compatibility, deploy=True)
def sms_backend_configured(app_configs=None, **kwargs):
    from core.sms import get_connection

    try:
        get_connection()
    except (ImproperlyConfigured, ImportError) as exc:
        return [Error(f"SMS_BACKEND cannot be used: {exc}", id="core.E001")]
    return []
