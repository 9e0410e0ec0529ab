"""`{% public_mentions %}`: the mentions the higher apps registered (core.public_mentions), in the page's language."""

from django import template
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe

from core.public_mentions import mentions

register = template.Library()


@register.simple_tag
def public_mentions() -> SafeString:
    # Each mention's own template escapes what it shows: the joined HTML is safe.
    return mark_safe("".join(render_to_string(m.template, m.context) for m in mentions()))  # noqa: S308
