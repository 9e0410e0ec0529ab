"""Money of the FEDER operation: amounts in euros as `Decimal`, rounded to the cent by one explicit rule.

Shares of a base (the co-financing plan: FEDER 70 %, self-financing 30 %) are apportioned by the largest
remainder (Hamilton's method): each share is first cut down to the cent, then the cents still missing go one by
one to the shares whose cut-off remainder was the largest (the earlier share first on a tie). Each share is thus
within one cent of its exact value and the shares always sum to the base, which rounding each one half-up does
not guarantee. It reproduces the operation sheet: 70 % of 260,510.16 € is 182,357.112 → 182,357.11 €, 30 % is
78,153.048 → 78,153.05 €, and 182,357.11 + 78,153.05 = 260,510.16.
"""

from collections.abc import Sequence
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
HUNDRED = Decimal(100)
ZERO = Decimal("0.00")


class RatesError(ValueError):
    pass


def to_cents(amount: Decimal) -> Decimal:
    """An amount rounded half-up to the cent (a single share of a base, a VAT amount)."""
    return Decimal(amount).quantize(CENT, rounding=ROUND_HALF_UP)


def share_of(base: Decimal, rate: Decimal) -> Decimal:
    """`rate` % of `base`, as the first share of a split of `base` between `rate` % and the rest."""
    if rate == HUNDRED:
        return to_cents(base)
    return split(base, [rate, HUNDRED - rate])[0]


def split(base: Decimal, rates: Sequence[Decimal]) -> list[Decimal]:
    """`base` shared out by `rates` (percentages summing to 100), to the cent, the shares summing to `base`."""
    base = Decimal(base)
    if base != base.quantize(CENT):
        raise RatesError(f"{base} is not an amount in cents")
    if sum(rates, Decimal(0)) != HUNDRED:
        raise RatesError(f"the rates {', '.join(map(str, rates))} do not sum to 100 %")
    if any(rate < 0 for rate in rates):
        raise RatesError("a rate is negative")
    sign = -1 if base < 0 else 1
    base = abs(base)
    exact = [base * rate / HUNDRED for rate in rates]
    shares = [value.quantize(CENT, rounding=ROUND_DOWN) for value in exact]
    missing = int((base - sum(shares, Decimal(0))) / CENT)
    by_remainder = sorted(range(len(rates)), key=lambda i: (-(exact[i] - shares[i]), i))
    for i in by_remainder[:missing]:
        shares[i] += CENT
    return [sign * share for share in shares]


def ratio(part: Decimal, whole: Decimal) -> Decimal | None:
    """`part` ÷ `whole` as a percentage with two decimals (a progress rate); None when nothing is planned."""
    if not whole:
        return None
    return (Decimal(part) * HUNDRED / Decimal(whole)).quantize(CENT, rounding=ROUND_HALF_UP)
