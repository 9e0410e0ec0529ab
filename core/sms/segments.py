"""How many SMS a text costs: what the provider bills, computed as the network splits it (3GPP TS 23.038/23.040).

A text made only of the GSM 7-bit alphabet travels 160 characters to an SMS, or 153 per part once it needs
several (the concatenation header takes the rest); the extension-table characters (€, [, ], {, }, ~, \\, ^, |)
are sent as an escape plus the character, so they count double, and a part never ends between the two. Any
other character (œ, an emoji, Arabic) switches the whole text to UCS-2: 70 UTF-16 units to an SMS, 67 per part,
an emoji taking two units that no part splits.
"""

from dataclasses import dataclass

GSM7 = "GSM-7"
UCS2 = "UCS-2"

# The GSM 03.38 default alphabet: é, è, ù, ì, ò, Ç, à are in it, so most French stays 7-bit; ê, â, î, ô, û, ë,
# ï, ç (lower case) and œ are not.
_GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
_GSM7_EXTENSION = frozenset("\f^{}\\[~]|€")

_LIMITS = {GSM7: (160, 153), UCS2: (70, 67)}


@dataclass(frozen=True)
class Segments:
    encoding: str  # GSM7 or UCS2
    units: int  # septets (GSM-7) or UTF-16 code units (UCS-2)
    count: int  # the number of SMS billed


def sms_segments(text: str) -> Segments:
    """The encoding of `text` and the number of SMS it is sent as."""
    if all(char in _GSM7_BASIC or char in _GSM7_EXTENSION for char in text):
        encoding, widths = GSM7, [2 if char in _GSM7_EXTENSION else 1 for char in text]
    else:
        encoding, widths = UCS2, [len(char.encode("utf-16-le")) // 2 for char in text]
    single, part = _LIMITS[encoding]
    units = sum(widths)
    if units <= single:
        return Segments(encoding, units, 1 if units else 0)
    count, room = 1, part
    for width in widths:  # a character (an escape pair, a surrogate pair) never straddles two parts
        if width > room:
            count, room = count + 1, part
        room -= width
    return Segments(encoding, units, count)
