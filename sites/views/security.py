"""Security pages: an agent's password, backup codes and authenticator; administrators' privilege grants.

Every page here is under /backoffice/, so the session has already passed its second factor
(sites.middleware); changing the second factor itself asks for the current one again.
"""

import time

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse_lazy
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.cache import never_cache

from core.lists import ScopedListView
from sites import privileges, two_factor
from sites.forms import PasswordChangeForm, PrivilegeRequestForm, SecondFactorForm, TokenForm
from sites.lists import PrivilegeDecisionFilter, PrivilegeDecisionTable
from sites.models import GrantStatus, PrivilegeGrant
from sites.views.auth import enrolment_context, second_factor_passed

# How long a confirmation with the current second factor allows scanning the new authenticator.
_REPLACE_CONFIRMED_KEY = "authenticator_replace_confirmed_at"


@method_decorator(never_cache, name="dispatch")
class PasswordChangeView(auth_views.PasswordChangeView):
    """Django's change with the current password; the session stays signed in (its hash is updated)."""

    form_class = PasswordChangeForm
    template_name = "sites/security/password_change.html"
    success_url = reverse_lazy("sites:dashboard")

    def form_valid(self, form):
        response = super().form_valid(form)
        messages.success(self.request, _("Your password has been changed."))
        return response


@method_decorator(never_cache, name="dispatch")
class BackupCodesView(LoginRequiredMixin, View):
    """New backup codes, after the current code (or a backup code): the old ones stop working."""

    template_name = "sites/security/backup_codes.html"

    def _render(self, form, codes=None):
        remaining = two_factor.backup_codes_remaining(agent=self.request.user)
        return render(self.request, self.template_name, {"form": form, "codes": codes, "remaining": remaining})

    def get(self, request):
        return self._render(SecondFactorForm(agent=request.user))

    def post(self, request):
        form = SecondFactorForm(request.POST, agent=request.user)
        if not form.is_valid():
            return self._render(form)
        codes = two_factor.backup_codes_issue(agent=request.user)
        return self._render(None, codes=codes)  # shown in this answer only


@method_decorator(never_cache, name="dispatch")
class AuthenticatorReplaceView(LoginRequiredMixin, View):
    """Replace one's authenticator app: confirm with the current code or a backup code, then scan the new one."""

    template_name = "sites/security/authenticator_replace.html"

    def _confirmed(self) -> bool:
        return two_factor.replacement_proven(self.request.session.get(_REPLACE_CONFIRMED_KEY))

    def _render_confirm(self, form):
        return render(self.request, self.template_name, {"step": "confirm", "form": form})

    def _render_enrol(self, form, device):
        context = {"step": "enrol", "form": form, **enrolment_context(device)}
        return render(self.request, self.template_name, context)

    def get(self, request):
        if self._confirmed():
            device = two_factor.totp_device_for_replacement(agent=request.user)
            return self._render_enrol(TokenForm(device=device), device)
        return self._render_confirm(SecondFactorForm(agent=request.user))

    def post(self, request):
        if request.POST.get("step") == "enrol" and self._confirmed():
            device = two_factor.totp_device_for_replacement(agent=request.user)
            form = TokenForm(request.POST, device=device)
            if not form.is_valid():
                return self._render_enrol(form, device)
            device = two_factor.totp_device_replace(
                agent=request.user, device=device, proven_at=request.session.get(_REPLACE_CONFIRMED_KEY)
            )
            del request.session[_REPLACE_CONFIRMED_KEY]
            second_factor_passed(request, device)
            messages.success(request, _("Your new authenticator app is set up; the previous one no longer works."))
            return redirect("sites:dashboard")
        form = SecondFactorForm(request.POST, agent=request.user)
        if not form.is_valid():
            return self._render_confirm(form)
        request.session[_REPLACE_CONFIRMED_KEY] = time.time()
        device = two_factor.totp_device_for_replacement(agent=request.user)
        return self._render_enrol(TokenForm(device=device), device)


class AdministratorRequiredMixin(LoginRequiredMixin):
    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not privileges.is_administrator(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


class PrivilegeGrantsView(AdministratorRequiredMixin, ScopedListView):
    """Pending privilege requests to decide (others' only), a form to ask for one, and the decisions taken, as a
    list (core.lists). Grants belong to no MDS: administrators see every one, nobody else opens the page."""

    model = PrivilegeGrant
    template_name = "sites/security/privilege_grants.html"
    table_class = PrivilegeDecisionTable
    filterset_class = PrivilegeDecisionFilter
    form: PrivilegeRequestForm

    def has_permission(self):
        return True  # AdministratorRequiredMixin refused everyone else before

    def get_queryset(self):
        grants = PrivilegeGrant.objects.select_related("agent", "requested_by", "decided_by")
        return grants.exclude(status=GrantStatus.PENDING).order_by("-decided_at", "-pk")

    def get_context_data(self, **kwargs):
        pending = PrivilegeGrant.objects.select_related("agent").filter(status=GrantStatus.PENDING)
        return super().get_context_data(form=self.form, pending=pending, **kwargs)

    def get(self, request, *args, **kwargs):
        self.form = PrivilegeRequestForm(by=request.user)
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        self.form = form = PrivilegeRequestForm(request.POST, by=request.user)
        if form.is_valid():
            try:
                privileges.privilege_request(by=request.user, **form.cleaned_data)
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("Request recorded: another administrator must now approve it."))
                return redirect("sites:privilege_grants")
        # 200 like every refused form: the page, the typed reason and the message
        return super().get(request, *args, **kwargs)


class PrivilegeGrantDecideView(AdministratorRequiredMixin, View):
    """A second administrator approves or refuses a pending request (POST only)."""

    def post(self, request, pk):
        grant = get_object_or_404(PrivilegeGrant, pk=pk)
        try:
            privileges.privilege_decide(grant=grant, by=request.user, approve=request.POST.get("decision") == "approve")
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, str(grant))
        return redirect("sites:privilege_grants")
