"""Counts agree with their nouns in French: 0 and 1 take the singular, each number its own noun."""

import pytest
from django.utils import translation

from wifi.templatetags.wifi_counts import installed_of_planned


@pytest.mark.parametrize(
    ("installed", "planned", "text"),
    [
        (0, 1, "0 borne installée sur 1 prévue"),
        (1, 3, "1 borne installée sur 3 prévues"),
        (2, 3, "2 bornes installées sur 3 prévues"),
        (3, 0, "3 bornes installées sur 0 prévue"),
    ],
)
def test_installed_and_planned_access_points_agree_with_their_numbers(installed, planned, text):
    with translation.override("fr"):
        assert installed_of_planned(installed, planned) == text
