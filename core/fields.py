"""Phone numbers and French postal codes, as agents type them and as the database keeps them.

A phone number is kept in E.164 (`+33413312000`): one writing, so a number is found whatever spaces or dots it
was typed with, and an SMS provider takes it as it is. It is shown in the French way (`04 13 31 20 00`) by the
`phone_display` filter (core/templatetags/phone.py) and dialled through `tel:+33413312000`.

The parsing is core.phone's (libphonenumber's numbering plans, read as French first, then as an overseas
département's). django-phonenumber-field would give the same E.164 column, but it parses in a single default
region (0690 12 34 56, a Guadeloupe mobile, would be refused as a French number), returns PhoneNumber objects
that every template and service would then have to format, and brings its own English messages: a CharField
with our validator keeps one parser and plain strings.
"""

import functools
import re
from collections.abc import Callable
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from core.phone import InvalidPhoneNumber, NotAMobileNumber, phone_display, phone_normalise

# What people put between the digits of a number: spaces (no-break ones too), dots, dashes, slashes and
# brackets. Letters are refused outright: libphonenumber would drop trailing ones (`04 13 31 20 00 ab` is a valid
# number to it) and read three or more as a keypad's (`0800 FLOWERS`), neither of which an agent meant.
_PHONE_CHARACTERS = re.compile(r"^\+?[\d\s.\-/()]+$")
_E164 = re.compile(r"^\+[1-9]\d{6,14}$")


def phone_clean(value: str, *, mobile: bool = False) -> str:
    """The number in E.164, or a ValidationError whose message tells the agent what to correct."""
    value = (value or "").strip()
    if not _PHONE_CHARACTERS.match(value):
        raise ValidationError(
            _("A phone number is made of digits only (spaces and dots allowed), e.g. 04 13 31 20 00."),
            code="phone_characters",
        )
    try:
        return phone_normalise(value, mobile=mobile)
    except NotAMobileNumber:
        raise ValidationError(
            _("This number cannot receive a text message: give a mobile number (06 or 07…)."), code="phone_mobile"
        ) from None
    except InvalidPhoneNumber:
        compact = re.sub(r"[^\d+]", "", value)
        if re.match(r"^(\+|00)[1-9]", compact) and not re.match(r"^(\+|00)33", compact):
            raise ValidationError(
                _(
                    "This phone number does not exist in the country of its code: check the digits "
                    "(example for Belgium: +32 2 555 12 12)."
                ),
                code="phone_invalid",
            ) from None
        raise ValidationError(
            _("This phone number does not exist in France: check the digits (example: 04 13 31 20 00)."),
            code="phone_invalid",
        ) from None


def validate_phone(value: str) -> None:
    phone_clean(value)


def _normalised_or_as_is(value: str) -> str:
    """E.164 when the number is valid; otherwise the text unchanged, for the validator to refuse it."""
    try:
        return phone_clean(value)
    except ValidationError:
        return value


class PhoneNumberFormField(forms.CharField):
    """A phone input that cleans to E.164 and shows a stored E.164 number the French way (04 13 31 20 00)."""

    widget = forms.TextInput(attrs={"type": "tel", "autocomplete": "tel", "inputmode": "tel"})

    def __init__(self, *, mobile: bool = False, **kwargs: Any) -> None:
        self.mobile = mobile
        kwargs.setdefault("max_length", 30)
        # A model field passes its (empty) help text along: an empty one is replaced too.
        kwargs["help_text"] = kwargs.get("help_text") or _(
            "E.g. 04 13 31 20 00, or +32 2 555 12 12 for a number abroad."
        )
        super().__init__(**kwargs)

    def clean(self, value: Any) -> Any:
        value = super().clean(value)
        return phone_clean(value, mobile=self.mobile) if value else value

    def prepare_value(self, value: Any) -> Any:
        # Only a stored number is rewritten; what the agent typed is given back exactly as typed.
        if isinstance(value, str) and _E164.match(value):
            return phone_display(value)
        return value


class PhoneNumberField(models.CharField):
    """A phone number kept in E.164; whatever writes it (form, admin, loader, factory), a valid number is
    stored in that one writing, and an invalid one is refused by full_clean with a French message."""

    description = _("Phone number (E.164)")

    def __init__(self, *args: Any, mobile: bool = False, **kwargs: Any) -> None:
        self.mobile = mobile
        kwargs.setdefault("max_length", 30)
        super().__init__(*args, **kwargs)

    @cached_property
    def validators(self) -> list[Callable[[Any], Any]]:
        # Not in default_validators: whether a landline is refused depends on this field's `mobile`.
        return [*super().validators, functools.partial(phone_clean, mobile=self.mobile)]

    def deconstruct(self) -> Any:
        name, path, args, kwargs = super().deconstruct()
        if self.mobile:
            kwargs["mobile"] = True
        if kwargs.get("max_length") == 30:
            del kwargs["max_length"]
        return name, path, args, kwargs

    def to_python(self, value: Any) -> Any:
        value = super().to_python(value)
        return _normalised_or_as_is(value) if value else value

    def pre_save(self, model_instance: models.Model, add: bool) -> Any:
        value = getattr(model_instance, self.attname)
        if value:
            value = _normalised_or_as_is(value)
            setattr(model_instance, self.attname, value)
        return value

    def formfield(self, **kwargs: Any) -> Any:
        return super().formfield(**{"form_class": PhoneNumberFormField, "mobile": self.mobile, **kwargs})


def is_valid(model_field: models.Field, value: Any) -> bool:
    """Whether `value` passes the field's checks: a row stored before they existed may not."""
    try:
        model_field.clean(value, None)
    except ValidationError:
        return False
    return True


# --- French postal codes ------------------------------------------------------------------------------
# Five digits; the first two (three overseas) are the département's: 01–95 in metropolitan France, with
# Corsica's 2A and 2B written 20 in a postal code (20000 Ajaccio, 20200 Bastia); 971–978 for the overseas
# départements and collectivités; 980 Monaco (served by La Poste), 984 TAAF, 986 Wallis-et-Futuna, 987
# Polynésie française, 988 Nouvelle-Calédonie. 96, 99 and 00 are nobody's.
_OVERSEAS_PREFIXES = {"971", "972", "973", "974", "975", "976", "977", "978", "980", "984", "986", "987", "988"}


def postal_code_normalise(value: str) -> str:
    """`13 001` → `13001`: the space people put after the département is dropped, nothing else is changed."""
    return re.sub(r"\s+", "", value or "")


def validate_postal_code(value: str) -> None:
    code = postal_code_normalise(value)
    if re.match(r"^2[AB]", code, re.IGNORECASE):
        raise ValidationError(
            _(
                "Corsican postal codes start with 20 (e.g. 20000 Ajaccio, 20200 Bastia): 2A and 2B are "
                "département numbers, not postal codes."
            ),
            code="postal_code_corsica",
        )
    if not re.fullmatch(r"\d{5}", code):
        raise ValidationError(_("A postal code has 5 digits, e.g. 13001."), code="postal_code_format")
    department = int(code[:2])
    if code[:2] == "97" or code[:2] == "98":
        if code[:3] not in _OVERSEAS_PREFIXES:
            raise ValidationError(
                _("No overseas territory has postal codes starting with %(prefix)s: check the first three digits."),
                code="postal_code_department",
                params={"prefix": code[:3]},
            )
    elif not 1 <= department <= 95:
        raise ValidationError(
            _("No French département has postal codes starting with %(prefix)s: check the first two digits."),
            code="postal_code_department",
            params={"prefix": code[:2]},
        )


class PostalCodeFormField(forms.CharField):
    widget = forms.TextInput(attrs={"autocomplete": "postal-code", "inputmode": "numeric"})

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 10)
        super().__init__(**kwargs)

    def clean(self, value: Any) -> Any:
        value = super().clean(value)
        if value:
            validate_postal_code(value)
            value = postal_code_normalise(value)
        return value


class PostalCodeField(models.CharField):
    """A French postal code, kept as its 5 digits."""

    description = _("French postal code")
    default_validators = [validate_postal_code]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 10)
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> Any:
        name, path, args, kwargs = super().deconstruct()
        if kwargs.get("max_length") == 10:
            del kwargs["max_length"]
        return name, path, args, kwargs

    def to_python(self, value: Any) -> Any:
        value = super().to_python(value)
        return postal_code_normalise(value) if value else value

    def formfield(self, **kwargs: Any) -> Any:
        return super().formfield(**{"form_class": PostalCodeFormField, **kwargs})
