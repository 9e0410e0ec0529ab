"""`{{ activity.duration_minutes|minutes }}`: "45 min", "1 h 30 min"; `{{ hours|hours }}`: "4,5 h", in the active
language (the same msgids as core's durations)."""

from django import template
from django.template.defaultfilters import floatformat
from django.utils.translation import gettext

register = template.Library()


@register.filter
def minutes(value: int | None) -> str:
    if value is None:
        return ""
    hours, rest = divmod(int(value), 60)
    if not hours:
        return gettext("%(minutes)d min") % {"minutes": rest}
    return gettext("%(hours)d h %(minutes)02d min") % {"hours": hours, "minutes": rest}


@register.filter
def hours(value: float | None) -> str:
    return gettext("%(hours)s h") % {"hours": floatformat(value or 0, -1)}
