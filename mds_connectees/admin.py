from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _


class MdsAdminSite(admin.AdminSite):
    """The Django admin, reachable only by staff who passed two-factor authentication."""

    site_header = _("MDS Connectées — administration")
    site_title = _("MDS Connectées")
    index_title = _("Administration")

    def has_permission(self, request):
        user = request.user
        return bool(user.is_active and user.is_staff and user.is_verified())

    def login(self, request, extra_context=None):
        if request.user.is_authenticated:
            # Signed in but not allowed here (not staff, or second factor pending): no redirect loop.
            if not request.user.is_verified():
                return redirect(f"{reverse('sites:two_factor')}?{urlencode({'next': reverse('admin:index')})}")
            raise PermissionDenied
        # One login page for the whole platform, with its lockout and second factor.
        next_url = request.GET.get("next") or reverse("admin:index")
        return redirect(f"{reverse('sites:login')}?{urlencode({'next': next_url})}")
