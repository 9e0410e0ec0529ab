"""Phone numbers are checked and kept in E.164, shown the French way; French postal codes are checked."""

import pytest
from django.core.exceptions import ValidationError
from django.template import Context, Template
from django.utils import translation

from core.fields import PhoneNumberFormField, PostalCodeFormField, phone_clean, validate_postal_code


@pytest.mark.parametrize(
    ("typed", "e164"),
    [
        ("06 12 34 56 78", "+33612345678"),
        ("+33 6 12 34 56 78", "+33612345678"),
        ("0033 6 12 34 56 78", "+33612345678"),
        ("04.13.31.20.00", "+33413312000"),
        ("04-13-31-20-00", "+33413312000"),
        ("(04) 13 31 20 00", "+33413312000"),
        ("04\u00a013\u00a031\u00a020\u00a000", "+33413312000"),  # pasted with no-break spaces
        ("0262 12 34 56", "+262262123456"),  # La Réunion, landline
        ("0690 12 34 56", "+590690123456"),  # Guadeloupe, mobile
        ("+32 2 555 12 12", "+3225551212"),  # Brussels
        ("0032 2 555 12 12", "+3225551212"),
    ],
)
def test_a_number_in_any_usual_writing_becomes_e164(typed, e164):
    assert phone_clean(typed) == e164
    assert PhoneNumberFormField(required=False).clean(typed) == e164


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("04 13 31 ab", "Un numéro de téléphone ne contient que des chiffres"),
        ("04 13 31 20 00 ab", "Un numéro de téléphone ne contient que des chiffres"),  # libphonenumber drops "ab"
        ("0800 FLOWERS", "Un numéro de téléphone ne contient que des chiffres"),  # nor a keypad's letters
        ("06 12", "Ce numéro de téléphone n’existe pas en France\u00a0: vérifiez les chiffres (exemple\u00a0: 04 13"),
        ("06 12 34 56 78 90", "Ce numéro de téléphone n’existe pas en France"),
        ("00 00 00 00 00", "Ce numéro de téléphone n’existe pas en France"),
        ("+32 2 12", "n’existe pas dans le pays de son indicatif"),
        ("+", "Un numéro de téléphone ne contient que des chiffres"),
    ],
)
def test_what_is_not_a_number_is_refused_with_a_french_message_saying_what_to_correct(typed, message):
    with translation.override("fr"), pytest.raises(ValidationError) as refused:
        PhoneNumberFormField(required=False).clean(typed)
    with translation.override("fr"):
        assert message in refused.value.messages[0]


def test_premium_and_free_numbers_are_real_numbers_and_are_kept():
    """core.phone decides: an 08 number exists, so an MDS may give one; only an SMS needs a mobile."""
    assert phone_clean("08 99 12 34 56") == "+33899123456"
    assert phone_clean("08 00 12 34 56") == "+33800123456"
    with translation.override("fr"), pytest.raises(ValidationError, match="numéro de mobile"):
        PhoneNumberFormField(mobile=True).clean("04 13 31 20 00")
    assert PhoneNumberFormField(mobile=True).clean("06 12 34 56 78") == "+33612345678"


@pytest.mark.parametrize(
    ("stored", "shown", "tel"),
    [
        ("+33413312000", "04 13 31 20 00", "tel:+33413312000"),
        ("+33612345678", "06 12 34 56 78", "tel:+33612345678"),
        ("+262692123456", "0692 12 34 56", "tel:+262692123456"),  # dialled the national way from Marseille
        ("+3225551212", "+32 2 555 12 12", "tel:+3225551212"),  # abroad: the international writing
        ("04 13 31 ab", "04 13 31 ab", "tel:041331"),  # a legacy value nobody corrected yet: as it was
    ],
)
def test_a_stored_number_is_shown_the_french_way_and_dialled_in_e164(stored, shown, tel):
    html = Template('{% load phone %}<a href="{{ n|phone_tel }}">{{ n|phone_display }}</a>').render(
        Context({"n": stored})
    )
    assert html == f'<a href="{tel}">{shown}</a>'


def test_an_edit_form_shows_the_stored_number_the_french_way_but_gives_back_what_was_typed_as_typed():
    field = PhoneNumberFormField()
    assert field.prepare_value("+33413312000") == "04 13 31 20 00"
    assert field.prepare_value("04 13 31 ab") == "04 13 31 ab"
    assert field.prepare_value("+33 4 13 31 20 00") == "+33 4 13 31 20 00"


@pytest.mark.parametrize(
    ("typed", "stored"),
    [("13001", "13001"), ("20000", "20000"), ("20200", "20200"), ("97400", "97400"), ("97133", "97133"),
     ("98800", "98800"), ("01000", "01000"), ("95000", "95000"), ("13 001", "13001"), (" 13200 ", "13200")],
)  # fmt: skip
def test_a_french_postal_code_is_accepted_and_kept_as_its_five_digits(typed, stored):
    """The space people put after the département ("13 001") is dropped rather than refused."""
    assert PostalCodeFormField(required=False).clean(typed) == stored


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("2A000", "Les codes postaux corses commencent par 20"),
        ("2b200", "Les codes postaux corses commencent par 20"),
        ("00000", "Aucun département français n’a de code postal commençant par 00"),
        ("99999", "Aucun département français n’a de code postal commençant par 99"),
        ("96100", "Aucun département français n’a de code postal commençant par 96"),
        ("97900", "Aucun territoire d’outre-mer n’a de code postal commençant par 979"),
        ("1300", "Un code postal a 5 chiffres, par exemple 13001."),
        ("130011", "Un code postal a 5 chiffres, par exemple 13001."),
        ("13OO1", "Un code postal a 5 chiffres, par exemple 13001."),
    ],
)
def test_what_is_not_a_french_postal_code_is_refused_with_a_french_message(typed, message):
    with translation.override("fr"), pytest.raises(ValidationError) as refused:
        validate_postal_code(typed)
    with translation.override("fr"):
        assert message in refused.value.messages[0]
