"""Amounts and rates of the FEDER pages written the French way: « 182 357,11 € », « 12,50 % »."""

from decimal import Decimal

from django import template
from django.utils.formats import number_format

from funding.models import PaymentClaim
from funding.statement import claim_title as _claim_title
from funding.statement import euros as _euros

register = template.Library()


@register.filter
def euros(amount: Decimal | None) -> str:
    return _euros(amount)


@register.filter
def percent(rate: Decimal | None) -> str:
    """A progress rate (already in %, two decimals), "—" when nothing is planned."""
    if rate is None:
        return "—"
    return f"{number_format(rate, decimal_pos=2, use_l10n=True, force_grouping=True)}\u00a0%"


@register.filter
def claim_title(claim: PaymentClaim) -> str:
    return _claim_title(claim)
