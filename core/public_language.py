"""The language of the public pages (the contact form, self-booking, the workshops): the visitor's, among the ones
we speak (ACCUEIL_PUBLIC_LANGUAGES: every public page has catalogues in them).

No cookie is needed (the captive portal's mini-browser may keep none): the language travels in `lang`, in every
link, form and redirect of a page to the next. Without it, the browser's languages decide, French otherwise: a
portal language without a catalogue here (es, it, tr, pt) gets French rather than a mix of French text under
another language's `<html lang>`.
"""

import functools
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import translation
from django.utils.translation import get_language_from_request, get_supported_language_variant


def public_language(request: HttpRequest) -> str:
    """`?lang=` (carried from the portal or the previous page) first, then the browser's languages; French when we
    do not speak it."""
    offered = settings.ACCUEIL_PUBLIC_LANGUAGES
    asked = request.GET.get("lang") or request.POST.get("lang")
    if asked in offered:
        return asked
    try:
        language = get_supported_language_variant(get_language_from_request(request))
    except LookupError:
        return settings.LANGUAGE_CODE
    return language if language in offered else settings.LANGUAGE_CODE


def in_public_language(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Run the view in the visitor's language, given to it as `language`. LocaleMiddleware chose among more
    languages than ours: the page, and its Content-Language header, say the one shown. The language is restored
    afterwards, so that nothing run later in this thread (another request's code in a test) inherits it."""

    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        language = public_language(request)
        with translation.override(language):
            response = view(request, *args, language=language, **kwargs)
        response.headers["Content-Language"] = language
        return response

    return wrapped


def language_links(request: HttpRequest, current: str) -> list[dict]:
    """The same page in each language we speak (its other query parameters kept), for the header's list."""
    names = dict(settings.PORTAL_LANGUAGES)
    links = []
    for code in settings.ACCUEIL_PUBLIC_LANGUAGES:
        query = request.GET.copy()
        query["lang"] = code
        links.append({"code": code, "name": names.get(code, code), "url": f"?{query.urlencode()}",
                      "current": code == current})  # fmt: skip
    return links
