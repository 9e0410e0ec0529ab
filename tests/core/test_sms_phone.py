"""Numbers typed by people become E.164; a text goes only to a mobile number; the log keeps them masked."""

import pytest

from core.phone import InvalidPhoneNumber, NotAMobileNumber, phone_mask, phone_normalise, phone_scrub


@pytest.mark.parametrize(
    ("typed", "e164"),
    [
        ("06 12 34 56 78", "+33612345678"),
        ("06.12.34.56.78", "+33612345678"),
        ("0612345678", "+33612345678"),
        ("+33 6 12 34 56 78", "+33612345678"),
        ("0033 6 12 34 56 78", "+33612345678"),
        ("07 81 23 45 67", "+33781234567"),
        ("0690 12 34 56", "+590690123456"),  # Guadeloupe
        ("0696 12 34 56", "+596696123456"),  # Martinique
        ("0694 12 34 56", "+594694123456"),  # Guyane
        ("0692 12 34 56", "+262692123456"),  # La Réunion
        ("+32 470 12 34 56", "+32470123456"),  # a Belgian mobile, written with its country code
    ],
)
def test_a_mobile_number_as_people_type_it_becomes_e164(typed, e164):
    """French, overseas and foreign mobiles come out in the one form providers take."""
    assert phone_normalise(typed, mobile=True) == e164


@pytest.mark.parametrize("landline", ["04 91 12 34 56", "09 70 12 34 56", "+33 1 44 55 66 77"])
def test_a_number_that_is_not_a_mobile_is_refused_for_sms_with_a_clear_error(landline):
    """Landlines and non-geographic numbers are real numbers, but a text cannot reach them."""
    assert phone_normalise(landline).startswith("+33")
    with pytest.raises(NotAMobileNumber, match="is not a mobile number"):
        phone_normalise(landline, mobile=True)


@pytest.mark.parametrize("nonsense", ["", "abc", "06 12", "06 12 34 56 78 90 12", "+33 0 00 00 00 00"])
def test_what_is_not_a_phone_number_is_refused(nonsense):
    """Too short, too long or not digits at all: refused before any provider sees it."""
    with pytest.raises(InvalidPhoneNumber):
        phone_normalise(nonsense)


def test_the_error_about_a_landline_does_not_spell_the_number_out():
    """Exceptions end up in logs: they carry the masked number, not the person's."""
    with pytest.raises(NotAMobileNumber) as refused:
        phone_normalise("04 91 12 34 56", mobile=True)
    assert "91 12 34" not in str(refused.value) and "+33491123456" not in str(refused.value)
    assert "+33 4 •• •• •• 56" in str(refused.value)


@pytest.mark.parametrize(
    ("number", "masked"),
    [
        ("+33612345678", "+33 6 •• •• •• 78"),
        ("+590690123456", "+590 6•• •• •• 56"),
        ("+32470123456", "+32 4•• •• •• 56"),
    ],
)
def test_a_masked_number_keeps_its_country_its_first_digit_and_its_last_two(number, masked):
    """Enough to tell which message went to whom, too little to call anyone."""
    assert phone_mask(number) == masked


def test_a_number_quoted_in_a_text_is_masked_however_it_is_written():
    """International, digits only or national: each becomes the masked form; other digits stay."""
    text = "refused +33612345678, 33612345678 and 0612345678 (request 42)"
    assert phone_scrub(text, "+33612345678") == (
        "refused +33 6 •• •• •• 78, +33 6 •• •• •• 78 and +33 6 •• •• •• 78 (request 42)"
    )
