"""`{% round_status as status %}`: what wifi/includes/last_round.html shows, read where it is rendered.

A tag rather than a view's context so that the board's views (and their fragment, refreshed every 30 s, which
does not show it) need not know about it: the include is one line in board.html.
"""

from django import template

from wifi.selectors import RoundStatus
from wifi.selectors import round_status as round_status_select

register = template.Library()


@register.simple_tag(takes_context=True)
def round_status(context) -> RoundStatus:
    return round_status_select(context["request"].user)
