"""Sign-in, second factor and password reset."""

import base64
import io

import qrcode
import qrcode.image.svg
from axes.utils import reset as axes_reset
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.mixins import LoginRequiredMixin
from django.middleware.csrf import rotate_token
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import ngettext
from django.views import View
from django.views.decorators.cache import never_cache
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice

from core.net import client_ip
from core.ratelimit import RateLimit
from sites import two_factor
from sites.forms import LoginForm, PasswordResetForm, SecondFactorForm, TokenForm

# --- Sign-in --------------------------------------------------------------------------------------


class LoginView(auth_views.LoginView):
    # LoginView only follows a `next` on this host (url_has_allowed_host_and_scheme): no open redirect.
    form_class = LoginForm
    template_name = "registration/login.html"
    redirect_authenticated_user = True


# Reset emails per hour. Per address: a whole MDS may sit behind one address, so a few agents a day
# fit. Per account: counted on the address typed, known or not, so the limit reveals nothing. Both
# fail closed: without the counter, a victim's mailbox could be flooded; a reset can wait for Redis.
RESET_PER_ADDRESS = RateLimit("password_reset_ip", limit=10, window=3600, fail_open=False)
RESET_PER_ACCOUNT = RateLimit("password_reset_account", limit=3, window=3600, fail_open=False)


class PasswordResetView(auth_views.PasswordResetView):
    form_class = PasswordResetForm
    email_template_name = "registration/password_reset_email.html"  # plain text, as Django names it
    subject_template_name = "registration/password_reset_subject.txt"
    success_url = reverse_lazy("sites:password_reset_done")
    extra_email_context = {"timeout_hours": max(1, settings.PASSWORD_RESET_TIMEOUT // 3600)}

    def form_valid(self, form):
        email = form.cleaned_data["email"].strip().lower()
        over_address = RESET_PER_ADDRESS.exceeded(client_ip(self.request) or "")
        over_account = RESET_PER_ACCOUNT.exceeded(email)
        if over_address or over_account:
            # The same answer as a sent email: the page says nothing about the account or the limit.
            return redirect(self.get_success_url())
        return super().form_valid(form)


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    success_url = reverse_lazy("sites:password_reset_complete")

    def form_valid(self, form):
        response = super().form_valid(form)
        # Whoever holds the mailbox has proved it: lift the account's lockout (an account-wide lock can
        # be caused by strangers guessing from many addresses), and the second factor still stands.
        axes_reset(username=form.user.email)
        return response


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


def second_factor_passed(request, device) -> None:
    """Mark the session as having passed `device`, under a new session key and CSRF token.

    The key changed at the password step; changing it again here means a key seen before the second
    factor (on a shared computer, in a log) never becomes a fully signed-in session.
    """
    otp_login(request, device)
    request.session.cycle_key()
    rotate_token(request)


def enrolment_context(device) -> dict:
    secret = base64.b32encode(device.bin_key).decode("ascii").rstrip("=")
    return {"qr_code": _qr_code_data_uri(device.config_url), "secret": _grouped(secret)}


@method_decorator(never_cache, name="dispatch")
class TwoFactorView(LoginRequiredMixin, View):
    """Second factor: the current code (or a backup code), or enrolment of a first authenticator.

    Enrolment happens only while the account has no confirmed device; it reuses one unconfirmed
    device, so reloading the page keeps the same QR code. A correct code confirms it, counts as this
    session's second factor, and shows the backup codes once.
    """

    def _render(self, form, device=None):
        context = {"form": form, "next": _safe_next(self.request)}
        if device is None:
            return render(self.request, "registration/two_factor_verify.html", context)
        context.update(enrolment_context(device))
        return render(self.request, "registration/two_factor_setup.html", context)

    def get(self, request):
        if request.user.is_verified():
            return redirect(_safe_next(request))
        if two_factor.has_second_factor(request.user):
            return self._render(SecondFactorForm(agent=request.user))
        device = two_factor.totp_device_to_enrol(agent=request.user)
        return self._render(TokenForm(device=device), device)

    def post(self, request):
        if request.user.is_verified():
            return redirect(_safe_next(request))
        if two_factor.has_second_factor(request.user):
            return self._verify(request)
        return self._enrol(request)

    def _verify(self, request):
        form = SecondFactorForm(request.POST, agent=request.user)
        if not form.is_valid():
            return self._render(form)
        second_factor_passed(request, form.device)
        if isinstance(form.device, StaticDevice):
            left = two_factor.backup_codes_remaining(agent=request.user)
            messages.warning(
                request,
                ngettext(
                    "You signed in with a backup code; %(count)d is left. "
                    "If you lost your phone, replace your authenticator app now.",
                    "You signed in with a backup code; %(count)d are left. "
                    "If you lost your phone, replace your authenticator app now.",
                    left,
                )
                % {"count": left},
            )
        return redirect(_safe_next(request))

    def _enrol(self, request):
        device = two_factor.totp_device_to_enrol(agent=request.user)
        form = TokenForm(request.POST, device=device)
        if not form.is_valid():
            return self._render(form, device)
        codes = two_factor.totp_device_confirm(agent=request.user, device=device)
        device.refresh_from_db()
        second_factor_passed(request, device)
        # Shown in this answer only: the codes are never displayed again.
        return render(
            request,
            "registration/two_factor_backup_codes.html",
            {"codes": codes, "next": _safe_next(request)},
        )
