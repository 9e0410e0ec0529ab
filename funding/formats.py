"""Money as a French reader expects it: « 182 357,11 € » (a no-break space between the thousands and before €)."""

from decimal import Decimal

from django.utils.formats import number_format


def euros(amount: Decimal | None) -> str:
    if amount is None:
        return "—"
    return f"{number_format(amount, 2, force_grouping=True)}\u00a0€"
