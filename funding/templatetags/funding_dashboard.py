"""`{{ amount|euros }}` and `{{ rate|percent }}`: the FEDER pages' money and progress rates in French format.

« 182 357,11 € »: Decimal to the cent, no-break spaces (the thousands separator of the French locale and before the
unit), never through a float.
"""

import re
from decimal import Decimal

from django import template
from django.utils.formats import number_format

register = template.Library()
NBSP = "\u00a0"


def euros_text(amount: Decimal | None) -> str:
    if amount is None:
        return "—"
    return f"{number_format(Decimal(amount), decimal_pos=2, use_l10n=True, force_grouping=True)}{NBSP}€"


def percent_text(rate: Decimal | None) -> str:
    """A progress rate in %, two decimals; "—" when nothing is planned (no rate can be computed)."""
    if rate is None:
        return "—"
    return f"{number_format(Decimal(rate), decimal_pos=2, use_l10n=True, force_grouping=True)}{NBSP}%"


@register.filter
def euros(amount: Decimal | None) -> str:
    return euros_text(amount)


@register.filter
def percent(rate: Decimal | None) -> str:
    return percent_text(rate)


_BEFORE = re.compile(r" ([:;!?»])")
_AFTER = re.compile(r"« ")


@register.filter
def french_spaces(text: str) -> str:
    """Data typed with ordinary spaces before : ; ! ? and inside « » (the operation's data file), shown with the
    no-break spaces of French typography, so that « Région : » never breaks before its colon."""
    return _AFTER.sub(f"«{NBSP}", _BEFORE.sub(rf"{NBSP}\1", str(text)))
