"""`{% installed_of_planned installed planned as counts %}`: "2 bornes installées sur 3 prévues", each number
with its own noun's agreement ("0 borne installée sur 1 prévue" in French, where 0 and 1 take the singular)."""

from django import template
from django.utils.translation import ngettext

register = template.Library()


@register.simple_tag
def installed_of_planned(installed: int | str, planned: int | str) -> str:
    installed, planned = int(installed or 0), int(planned or 0)  # "" when the page has no inventory (a search)
    installed_text = ngettext("%(count)s access point installed", "%(count)s access points installed", installed) % {
        "count": installed
    }
    planned_text = ngettext("out of %(count)s planned", "out of %(count)s planned", planned) % {"count": planned}
    return f"{installed_text} {planned_text}"
