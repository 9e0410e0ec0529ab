from django import template

from funding import formats

register = template.Library()


@register.filter
def euros(amount):
    """`{{ invoice.amount_excl_vat|euros }}` → « 10 000,00 € »."""
    return formats.euros(amount)
