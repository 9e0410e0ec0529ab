"""Sign-in, second factor and password reset."""

import base64
import io

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.mixins import LoginRequiredMixin
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.cache import never_cache
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from sites.forms import LoginForm, PasswordResetForm, TokenForm

# --- Sign-in --------------------------------------------------------------------------------------


class LoginView(auth_views.LoginView):
    # LoginView only follows a `next` on this host (url_has_allowed_host_and_scheme): no open redirect.
    form_class = LoginForm
    template_name = "registration/login.html"
    redirect_authenticated_user = True


class PasswordResetView(auth_views.PasswordResetView):
    form_class = PasswordResetForm
    email_template_name = "registration/password_reset_email.html"  # plain text, as Django names it
    subject_template_name = "registration/password_reset_subject.txt"
    success_url = reverse_lazy("sites:password_reset_done")
    extra_email_context = {"timeout_hours": max(1, settings.PASSWORD_RESET_TIMEOUT // 3600)}


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    success_url = reverse_lazy("sites:password_reset_complete")


def _safe_next(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    allowed = url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return target if allowed else reverse(settings.LOGIN_REDIRECT_URL)


def _qr_code_data_uri(text: str) -> str:
    """The QR code of `text` as an SVG data URI, drawn here: the secret never leaves the server."""
    buffer = io.BytesIO()
    qrcode.make(text, image_factory=qrcode.image.svg.SvgPathImage).save(buffer)
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def _grouped(secret: str, size: int = 4) -> str:
    return " ".join(secret[i : i + size] for i in range(0, len(secret), size))


@method_decorator(never_cache, name="dispatch")
class TwoFactorView(LoginRequiredMixin, View):
    """Second factor: the code of a confirmed TOTP device, or enrolment of a first one.

    Enrolment reuses one unconfirmed device named "default", so reloading the page keeps the
    same QR code; a correct code confirms it and counts as this session's second factor.
    """

    def _device(self) -> tuple[TOTPDevice, bool]:
        user = self.request.user
        device = TOTPDevice.objects.devices_for_user(user, confirmed=True).order_by("pk").first()
        if device is not None:
            return device, False
        device = TOTPDevice.objects.filter(user=user, confirmed=False, name="default").order_by("pk").first()
        if device is None:
            device = TOTPDevice.objects.create(user=user, name="default", confirmed=False)
        return device, True

    def _render(self, form, device, enrolling):
        context = {"form": form, "next": _safe_next(self.request)}
        if not enrolling:
            return render(self.request, "registration/two_factor_verify.html", context)
        secret = base64.b32encode(device.bin_key).decode("ascii").rstrip("=")
        context.update(qr_code=_qr_code_data_uri(device.config_url), secret=_grouped(secret))
        return render(self.request, "registration/two_factor_setup.html", context)

    def get(self, request):
        if request.user.is_verified():
            return redirect(_safe_next(request))
        device, enrolling = self._device()
        return self._render(TokenForm(device=device), device, enrolling)

    def post(self, request):
        if request.user.is_verified():
            return redirect(_safe_next(request))
        device, enrolling = self._device()
        form = TokenForm(request.POST, device=device)
        if not form.is_valid():
            return self._render(form, device, enrolling)
        if enrolling:
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            messages.success(request, _("Your authenticator app is set up. It will be asked for at each sign-in."))
        otp_login(request, device)
        return redirect(_safe_next(request))
