"""`{% since start %}` (until the page's one "now") and `{% lasted start end %}`: see core/durations.py."""

import datetime

from django import template

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
