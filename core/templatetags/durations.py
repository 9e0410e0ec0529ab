"""`{% since start %}` (until the page's one "now"), `{% lasted start end %}` and `{% ago moment %}`: see
core/durations.py."""

import datetime

from django import template

from core.durations import ago as ago_text
from core.durations import duration, page_now

register = template.Library()


@register.simple_tag(takes_context=True)
def since(context: template.Context, start: datetime.datetime | None) -> str:
    return duration(start, page_now(context.get("request"))) if start else ""


@register.simple_tag(takes_context=True)
def lasted(context: template.Context, start: datetime.datetime | None, end: datetime.datetime | None = None) -> str:
    """From `start` to `end`, or to the page's now while it is still going on."""
    if not start:
        return ""
    return duration(start, end or page_now(context.get("request")))


@register.simple_tag(takes_context=True)
def ago(context: template.Context, moment: datetime.datetime | None) -> str:
    """ "il y a 3 minutes" before the page's now, so that it agrees with the page's other durations."""
    return ago_text(moment, page_now(context.get("request"))) if moment else ""
