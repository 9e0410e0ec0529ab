"""Numbers in command output and other plain text, as the active language writes them ("12 345", "84,38")."""

from django.template.defaultfilters import floatformat
from django.utils.formats import number_format


def grouped(number: int | float, decimals: int | None = None) -> str:
    """`number` with the language's thousands separator (a no-break space in French) and decimal mark.

    With `decimals`, rounded as the pages' `floatformat` rounds (half up: 84.375 → "84,38"), where
    `number_format` would cut the digits off (84,37) and disagree with the page and the CSV."""
    if decimals is None:
        return number_format(number, force_grouping=True)
    return str(floatformat(number, f"{decimals}g"))
