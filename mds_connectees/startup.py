"""What the serving processes check before they start."""

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


def require_secret_key() -> None:
    """The web server and the Celery processes sign sessions, links and tokens: they refuse to start without the
    deployment's own SECRET_KEY. Management commands that sign nothing (makemigrations, collectstatic,
    makemessages) run without one, so that an image can be built and checked before its secrets exist."""
    try:
        settings.SECRET_KEY  # noqa: B018  (Django refuses an empty key when it is read)
    except ImproperlyConfigured:
        raise ImproperlyConfigured(
            "Set the SECRET_KEY environment variable: the platform does not serve without a key of its own."
        ) from None
