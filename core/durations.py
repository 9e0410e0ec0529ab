"""Durations shown to people: computed from one "now" per page, so that two lines about the same outage agree.

`timesince` in a template takes its own clock at each call, and different lines started from different fields:
the board said "depuis 1 minute" and "depuis 4 minutes" for one outage. Pages use `{% since start %}` and
`{% lasted start end %}` (core/templatetags/durations.py), which read `page_now(request)`, taken once; and
`{% ago moment %}` ("il y a 3 minutes") for a moment in the past, where humanize's `naturaltime` took its own.
"""

import datetime

from django.utils import timezone
from django.utils.timesince import timesince
from django.utils.translation import gettext as _

_ATTRIBUTE = "_page_now"


def page_now(request: object | None = None) -> datetime.datetime:
    """The moment the page is about: taken at the first call for `request`, the same for the rest of it."""
    if request is None:
        return timezone.now()
    now = getattr(request, _ATTRIBUTE, None)
    if now is None:
        now = timezone.now()
        setattr(request, _ATTRIBUTE, now)
    return now


def duration(start: datetime.datetime, end: datetime.datetime) -> str:
    """ "4 minutes", "1 heure, 5 minutes": from `start` to `end`, in the active language."""
    return timesince(start, end)


def ago(moment: datetime.datetime, now: datetime.datetime) -> str:
    """ "il y a 3 minutes", or "à l'instant" under a minute (and for a moment a clock put slightly ahead)."""
    if now - moment < datetime.timedelta(minutes=1):
        return _("just now")
    return _("%(duration)s ago") % {"duration": duration(moment, now)}
