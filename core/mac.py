"""MAC addresses as every gateway, controller and spreadsheet writes them, stored one way: aa:bb:cc:dd:ee:ff.

One spelling in the database is what lets the legal log, the inventory and the gateways find the same device.
"""

import re
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

_MAC_HEX = re.compile(r"[0-9a-f]{12}")


def normalise_mac(value: str) -> str:
    """Accept aa:bb:…, AA-BB-…, aabb.ccdd.eeff or 12 hex digits; return aa:bb:cc:dd:ee:ff."""
    digits = re.sub(r"[\s:.\-]", "", (value or "").lower())
    if not _MAC_HEX.fullmatch(digits):
        raise ValidationError(_("“%(value)s” is not a MAC address (12 hexadecimal digits)."), params={"value": value})
    return ":".join(digits[i : i + 2] for i in range(0, 12, 2))


class MacAddressField(models.CharField):
    """A CharField that stores the normalised spelling, whatever the form, import or ORM call gave it."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 17)
        super().__init__(*args, **kwargs)

    def to_python(self, value: Any) -> Any:
        value = super().to_python(value)
        return normalise_mac(value) if value else value

    def pre_save(self, model_instance: models.Model, add: bool) -> Any:
        value = getattr(model_instance, self.attname)
        if value:
            value = normalise_mac(value)
            setattr(model_instance, self.attname, value)
        return value
