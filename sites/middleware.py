from django.conf import settings
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import translation
from django.utils.http import urlencode

# Paths an agent who has signed in but not yet passed the second factor may still reach.
_OPEN_PREFIXES = (
    "/backoffice/login",
    "/backoffice/logout",
    "/backoffice/2fa/",
    "/backoffice/password-reset",
    "/backoffice/invitation/",
    "/static/",
    "/healthz",
    "/i18n/",
)
_GUARDED_PREFIXES = ("/backoffice/", "/admin/")


class TwoFactorRequiredMiddleware:
    """Every account must pass its second factor before any back-office or admin page.

    Every role reaches something worth protecting (ops edits every MDS's premises and walled garden,
    programme reads agents' personal data), so no role signs in with a password alone.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        path = request.path_info
        if (
            user.is_authenticated
            and path.startswith(_GUARDED_PREFIXES)
            and not path.startswith(_OPEN_PREFIXES)
            and not user.is_verified()
        ):
            return redirect(f"{reverse('sites:two_factor')}?{urlencode({'next': request.get_full_path()})}")
        return self.get_response(request)


class BackofficeInFrenchMiddleware:
    """The back-office and admin speak the platform's language whatever the agent's browser asks:
    other languages exist for the public pages only."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path_info.startswith(_GUARDED_PREFIXES):
            translation.activate(settings.LANGUAGE_CODE)
            request.LANGUAGE_CODE = settings.LANGUAGE_CODE
        return self.get_response(request)
