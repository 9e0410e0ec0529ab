"""What the contact-form tests share: a valid submission as a browser sends it, and its signed start time."""

import time

from django.conf import settings

from accueil.forms import started_token


def started_long_ago() -> str:
    """A start time signed earlier than the minimum fill time: a person took their time."""
    return started_token(time.time() - settings.ACCUEIL_FORM_MIN_SECONDS - 5)


def valid_post(mds, /, **changes) -> dict:
    data = {
        "mds": str(mds.pk), "commune": "", "kind": "appointment", "topic": "housing", "first_name": "Nadia",
        "last_name": "Benali", "phone": "06 12 34 56 78", "email": "nadia@example.org",
        "callback_channels": ["phone"], "callback_windows": ["morning"], "message": "Je cherche un logement.",
        "interpreter_language": "", "accessibility_needs": "", "notice": "on", "website": "",
        "started": started_long_ago(), "lang": "fr",
    }  # fmt: skip
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}
