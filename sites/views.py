"""Back-office views of the sites app: sign-in and second factor, dashboard, MDS, sites and zones.

Every object is looked up in `Model.objects.visible_to(request.user)` first, so an object of an
MDS the agent does not see is a 404; only then is the object permission checked (403).
"""

import base64
import io

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.cache import never_cache
from django.views.generic import DeleteView, TemplateView, UpdateView
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from sites import selectors
from sites.forms import LoginForm, MdsForm, OpeningPeriodFormSet, PasswordResetForm, SiteForm, TokenForm, ZoneForm
from sites.models import Mds, Site, Zone

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


# --- Back-office pages ------------------------------------------------------------------------


class DashboardView(LoginRequiredMixin, TemplateView):
    template_name = "sites/dashboard.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(mds_cards=selectors.dashboard(self.request.user), **kwargs)


def _require(request, permission: str, obj) -> None:
    if not request.user.has_perm(permission, obj):
        raise PermissionDenied


class MdsDetailView(LoginRequiredMixin, TemplateView):
    template_name = "sites/mds_detail.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        mds = get_object_or_404(selectors.mds_detail_queryset(user), slug=self.kwargs["slug"])
        sites = [
            {
                "site": site,
                "missing": site.missing_information(),
                "can_change": user.has_perm("sites.change_site", site),
                "can_add_zone": user.has_perm("sites.add_zone", site),
                "can_change_zone": user.has_perm("sites.change_zone", site),
                "can_delete_zone": user.has_perm("sites.delete_zone", site),
            }
            for site in mds.sites.all()
        ]
        return super().get_context_data(
            mds=mds,
            missing=mds.missing_information(),
            sites=sites,
            can_change_mds=user.has_perm("sites.change_mds", mds),
            **kwargs,
        )


class MdsEditView(LoginRequiredMixin, View):
    """The MDS's details and its opening hours, saved together or not at all."""

    template_name = "sites/mds_form.html"

    def _mds(self):
        mds = get_object_or_404(Mds.objects.visible_to(self.request.user), slug=self.kwargs["slug"])
        _require(self.request, "sites.change_mds", mds)
        return mds

    def _render(self, mds, form, formset):
        return render(self.request, self.template_name, {"mds": mds, "form": form, "formset": formset})

    def get(self, request, slug):
        mds = self._mds()
        return self._render(mds, MdsForm(instance=mds), OpeningPeriodFormSet(instance=mds))

    def post(self, request, slug):
        mds = self._mds()
        form = MdsForm(request.POST, instance=mds)
        formset = OpeningPeriodFormSet(request.POST, instance=mds)
        if not (form.is_valid() and formset.is_valid()):
            return self._render(mds, form, formset)
        with transaction.atomic():
            form.save()
            formset.save()
        messages.success(request, _("The MDS %(name)s was updated.") % {"name": mds.name})
        return redirect(mds)


class ScopedObjectMixin(LoginRequiredMixin):
    """get_object() through visible_to() (404 outside the agent's MDS), then the object permission (403)."""

    model = None
    permission_required = ""

    def get_queryset(self):
        return self.model.objects.visible_to(self.request.user)

    def get_object(self, queryset=None):
        obj = super().get_object(queryset)
        _require(self.request, self.permission_required, obj)
        return obj


class SiteEditView(ScopedObjectMixin, UpdateView):
    model = Site
    form_class = SiteForm
    permission_required = "sites.change_site"
    template_name = "sites/site_form.html"

    def get_queryset(self):
        return super().get_queryset().select_related("mds")

    def form_valid(self, form):
        site = form.save()
        messages.success(self.request, _("The site %(name)s was updated.") % {"name": site})
        return redirect(site.mds)


class ZoneCreateView(LoginRequiredMixin, View):
    template_name = "sites/zone_form.html"

    def _site(self):
        sites = Site.objects.visible_to(self.request.user).select_related("mds")
        site = get_object_or_404(sites, slug=self.kwargs["slug"])
        _require(self.request, "sites.add_zone", site)
        return site

    def get(self, request, slug):
        site = self._site()
        return render(request, self.template_name, {"form": ZoneForm(instance=Zone(site=site)), "site": site})

    def post(self, request, slug):
        site = self._site()
        form = ZoneForm(request.POST, instance=Zone(site=site))
        if not form.is_valid():
            return render(request, self.template_name, {"form": form, "site": site})
        zone = form.save()
        messages.success(request, _("The zone %(name)s was added.") % {"name": zone.name})
        return redirect(site.mds)


class ZoneEditView(ScopedObjectMixin, UpdateView):
    model = Zone
    form_class = ZoneForm
    permission_required = "sites.change_zone"
    template_name = "sites/zone_form.html"

    def get_queryset(self):
        return super().get_queryset().select_related("site__mds")

    def get_context_data(self, **kwargs):
        return super().get_context_data(site=self.object.site, **kwargs)

    def form_valid(self, form):
        zone = form.save()
        messages.success(self.request, _("The zone %(name)s was updated.") % {"name": zone.name})
        return redirect(zone.site.mds)


class ZoneDeleteView(ScopedObjectMixin, DeleteView):
    model = Zone
    permission_required = "sites.delete_zone"
    template_name = "sites/zone_confirm_delete.html"

    def get_queryset(self):
        return super().get_queryset().select_related("site__mds")

    def get_success_url(self):
        return self.object.site.mds.get_absolute_url()

    def form_valid(self, form):
        name = self.object.name
        response = super().form_valid(form)
        messages.success(self.request, _("The zone %(name)s was deleted.") % {"name": name})
        return response
