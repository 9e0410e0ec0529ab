"""Phone numbers as people type them, turned into the one form providers and databases agree on (E.164).

Parsing and the numbering plans are Google's libphonenumber (the `phonenumbers` package, its "lite" build
without the geocoding and carrier data we do not use): France renumbers ranges from time to time (07 mobiles
from 073, 09 non-geographic) and a hand-written pattern would go stale where its metadata is kept current.
"""

import phonenumbers
from phonenumbers import PhoneNumberFormat, PhoneNumberType

# A number written without its country code is read as French first, then as one of the overseas
# départements that have a country code of their own: 0690 12 34 56 is a Guadeloupe mobile (+590), not a
# French one. The first region in which the number is valid wins.
_REGIONS = ("FR", "GP", "MQ", "GF", "RE", "YT", "PM")
# A number a text message can reach. FIXED_LINE_OR_MOBILE is how the plans of countries that do not tell the
# two apart (the United States, Canada…) classify all their numbers.
_MOBILE_TYPES = {PhoneNumberType.MOBILE, PhoneNumberType.FIXED_LINE_OR_MOBILE}


class InvalidPhoneNumber(ValueError):
    """Not a phone number that exists in its country's numbering plan."""


class NotAMobileNumber(InvalidPhoneNumber):
    """A real number, but one a text message cannot reach (a landline, a non-geographic or premium number)."""


def phone_normalise(text: str, *, mobile: bool = False) -> str:
    """`06 12 34 56 78`, `+33 6 12 34 56 78`, `0033612345678` → `+33612345678`.

    With `mobile`, a number that cannot receive a text message is refused with NotAMobileNumber.
    """
    number = _parse(text)
    e164 = phonenumbers.format_number(number, PhoneNumberFormat.E164)
    if mobile and phonenumbers.number_type(number) not in _MOBILE_TYPES:
        raise NotAMobileNumber(f"{phone_mask(e164)} is not a mobile number: an SMS can only go to a mobile phone.")
    return e164


# The regions whose numbers are dialled from France with their national writing (0692 12 34 56 from Marseille).
_NATIONAL_DISPLAY_CODES = {phonenumbers.country_code_for_region(region) for region in _REGIONS}


def phone_display(number: str) -> str:
    """`+33413312000` → `04 13 31 20 00`; a foreign number in its international writing (`+32 2 555 12 12`).

    What is not a valid number (a legacy value no one has corrected yet) comes back as it was.
    """
    try:
        parsed = _parse(number)
    except InvalidPhoneNumber:
        return number
    if parsed.country_code in _NATIONAL_DISPLAY_CODES:
        return phonenumbers.format_number(parsed, PhoneNumberFormat.NATIONAL)
    return phonenumbers.format_number(parsed, PhoneNumberFormat.INTERNATIONAL)


def phone_tel_uri(number: str) -> str:
    """The `tel:` link of a number (RFC 3966, E.164); of a legacy invalid value, its digits and `+` only."""
    try:
        return "tel:" + phone_normalise(number)
    except InvalidPhoneNumber:
        return "tel:" + "".join(char for char in number if char.isdigit() or char == "+")


def phone_mask(number: str) -> str:
    """`+33612345678` → `+33 6 •• •• •• 78`: the country, the kind of line and the last two digits.

    Enough to tell which message went to whom when a person asks about it, too little to call anyone.
    """
    parsed = _parse(number)
    country = f"+{parsed.country_code} "
    national = phonenumbers.format_number(parsed, PhoneNumberFormat.INTERNATIONAL).removeprefix(country)
    digits = [i for i, char in enumerate(national) if char.isdigit()]
    hidden = set(digits[1:-2])
    return country + "".join("•" if i in hidden else char for i, char in enumerate(national))


def phone_scrub(text: str, number: str) -> str:
    """`text` with `number` (E.164) masked wherever it is written as +33612345678, 33612345678 or 0612345678."""
    masked = phone_mask(number)
    national = str(_parse(number).national_number)
    for written in (number, number.removeprefix("+"), f"0{national}"):
        text = text.replace(written, masked)
    return text


def _parse(text: str) -> phonenumbers.PhoneNumber:
    text = (text or "").strip()
    for region in _REGIONS:
        try:
            number = phonenumbers.parse(text, region)
        except phonenumbers.NumberParseException:
            break  # not a number at all, in any region
        if phonenumbers.is_valid_number(number):
            return number
        if text.startswith("+") or text.startswith("00"):
            break  # an international number names its own country: no other region to try
    raise InvalidPhoneNumber("Not a valid phone number.")
