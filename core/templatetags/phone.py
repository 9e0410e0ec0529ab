"""`{{ mds.phone|phone_display }}` shows a stored E.164 number the French way; `{{ mds.phone|phone_tel }}` is its
`tel:` link."""

from django import template

from core import phone

register = template.Library()


@register.filter
def phone_display(number: str) -> str:
    return phone.phone_display(number) if number else ""


@register.filter
def phone_tel(number: str) -> str:
    return phone.phone_tel_uri(number) if number else ""
