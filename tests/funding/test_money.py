"""Shares of a base are apportioned to the cent and always sum to the base (funding.money)."""

import itertools
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from funding.money import RatesError, ratio, share_of, split


def test_the_operation_sheet_figures_are_reproduced_to_the_cent():
    """70 % / 30 % of 260,510.16 € are 182,357.11 € and 78,153.05 €, as the operation sheet says."""
    assert split(Decimal("260510.16"), [Decimal(70), Decimal(30)]) == [Decimal("182357.11"), Decimal("78153.05")]
    assert share_of(Decimal("260510.16"), Decimal("70.00")) == Decimal("182357.11")


def test_a_lone_cent_goes_to_the_largest_remainder():
    """0.01 € split 70/30: 0.007 beats 0.003, so the cent is FEDER's."""
    assert split(Decimal("0.01"), [Decimal(70), Decimal(30)]) == [Decimal("0.01"), Decimal("0.00")]


def test_rates_that_do_not_sum_to_one_hundred_are_refused():
    with pytest.raises(RatesError):
        split(Decimal("100.00"), [Decimal(70), Decimal(20)])


def test_a_base_with_fractions_of_a_cent_is_refused():
    with pytest.raises(RatesError):
        split(Decimal("100.001"), [Decimal(100)])


def test_progress_rate_is_a_percentage_with_two_decimals():
    assert ratio(Decimal("49200.00"), Decimal("260510.16")) == Decimal("18.89")
    assert ratio(Decimal("1"), Decimal("0")) is None


cents = st.integers(min_value=-(10**11), max_value=10**11).map(lambda c: Decimal(c).scaleb(-2))


@st.composite
def rate_lists(draw):
    """Two to five percentages with two decimals summing exactly to 100."""
    count = draw(st.integers(min_value=2, max_value=5))
    cuts = sorted(draw(st.lists(st.integers(0, 10_000), min_size=count - 1, max_size=count - 1)))
    bounds = [0, *cuts, 10_000]
    return [Decimal(b - a).scaleb(-2) for a, b in itertools.pairwise(bounds)]


@settings(max_examples=500, deadline=None)
@given(base=cents, rates=rate_lists())
def test_shares_always_sum_to_the_base_and_each_is_within_a_cent(base, rates):
    shares = split(base, rates)
    assert sum(shares, Decimal(0)) == base
    for share, rate in zip(shares, rates, strict=True):
        assert share == share.quantize(Decimal("0.01"))
        assert abs(share - base * rate / 100) < Decimal("0.01")
