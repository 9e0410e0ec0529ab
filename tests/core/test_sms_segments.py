"""Segments as the network splits a text, which is what the provider bills."""

import pytest

from core.sms.segments import GSM7, UCS2, sms_segments


@pytest.mark.parametrize(
    ("text", "encoding", "units", "count"),
    [
        ("a" * 160, GSM7, 160, 1),
        ("a" * 161, GSM7, 161, 2),
        ("a" * 306, GSM7, 306, 2),  # 153 + 153
        ("a" * 307, GSM7, 307, 3),
        ("Votre rendez-vous à la MDS est confirmé : à très vite. Où ? Ici.", GSM7, 64, 1),  # é, è, à, ù are GSM-7
        ("é" * 160, GSM7, 160, 1),
        ("€" * 80, GSM7, 160, 1),  # the extension table counts double
        ("€" * 81, GSM7, 162, 2),
        ("[a]" + "a" * 155, GSM7, 160, 1),
        ("a" * 152 + "€" + "a" * 152, GSM7, 306, 3),  # the escape pair does not straddle two parts
        ("Cœur" + "a" * 66, UCS2, 70, 1),  # œ is not GSM-7: the whole text goes UCS-2
        ("Cœur" + "a" * 67, UCS2, 71, 2),
        ("Fête", UCS2, 4, 1),  # ê neither (nor ô, â, î, û)
        ("Reçu", UCS2, 4, 1),  # the alphabet has Ç, not ç
        ("😀" * 35, UCS2, 70, 1),  # an emoji takes two UTF-16 units
        ("😀" * 36, UCS2, 72, 2),
        ("a" + "😀" * 34, UCS2, 69, 1),
        ("a" * 66 + "😀" * 34, UCS2, 134, 3),  # 66 + one emoji would be 68 > 67: the pair moves on
        ("مرحبا بكم في دار التضامن", UCS2, 24, 1),  # Arabic
        ("", GSM7, 0, 0),
    ],
)
def test_segments_follow_the_encoding_and_the_size_of_the_text(text, encoding, units, count):
    """GSM-7 160/153 with the extension table counting double; UCS-2 70/67 with emoji counting double."""
    segments = sms_segments(text)
    assert (segments.encoding, segments.units, segments.count) == (encoding, units, count)
