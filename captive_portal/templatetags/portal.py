from django import template

from sites.models import Weekday

register = template.Library()


@register.filter
def weekday_name(number: int) -> str:
    """1 → "Monday", in the page's language."""
    return str(Weekday(number).label)
