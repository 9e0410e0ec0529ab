"""Headers every response carries, static files and error pages included (first in MIDDLEWARE)."""

from django.conf import settings


class PermissionsPolicyMiddleware:
    """Permissions-Policy: no page of ours uses the camera, the microphone, the location or payments, so no page
    (nor anything injected into one) may ask the browser for them."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.header = ", ".join(f"{feature}=()" for feature in settings.PERMISSIONS_POLICY_DENIED)

    def __call__(self, request):
        response = self.get_response(request)
        response.setdefault("Permissions-Policy", self.header)
        return response
