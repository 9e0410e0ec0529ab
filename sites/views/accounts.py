"""Mon compte, and the agents and their roles in the back-office.

Agents are looked up in `Agent.objects.visible_to(request.user)` first, so an agent of an MDS the
signed-in agent does not see is a 404; only then is the right checked (403), both by
`core.permissions.ScopedPermissionRequiredMixin`. What one may change is decided by `sites.grants`,
and the services check it again.
"""

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.mixins import LoginRequiredMixin
from django.contrib.auth.views import INTERNAL_RESET_SESSION_TOKEN
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView
from django_otp.plugins.otp_totp.models import TOTPDevice

from core.lists import ScopedListView
from core.permissions import ScopedPermissionRequiredMixin
from sites import selectors, services
from sites.forms import AgentForm, AgentInviteForm, MembershipGrantForm
from sites.grants import grantable_roles, may_grant, may_manage
from sites.lists import AgentFilter, AgentTable
from sites.models import Agent, Membership


def _base_url(request) -> str:
    # The host was checked against ALLOWED_HOSTS: the invitation link points back to this site.
    return request.build_absolute_uri("/")


class AccountView(LoginRequiredMixin, TemplateView):
    """Mon compte: what the platform knows of the signed-in agent, and their last sign-ins."""

    template_name = "sites/accounts/account.html"

    def get_context_data(self, **kwargs):
        agent = self.request.user
        return super().get_context_data(
            agent=agent,
            memberships=agent.memberships.select_related("mds"),
            sign_ins=selectors.agent_sign_ins(agent),
            authenticator=TOTPDevice.objects.devices_for_user(agent, confirmed=True).exists(),
            **kwargs,
        )


class AgentListView(ScopedListView):
    model = Agent
    permission_required = "mds_sites.view_agent"
    template_name = "sites/accounts/agent_list.html"
    table_class = AgentTable
    filterset_class = AgentFilter

    def refine_queryset(self, queryset):
        return selectors.agents_with_visible_roles(self.request.user, queryset).order_by(
            "last_name", "first_name", "email", "pk"
        )

    def get_context_data(self, **kwargs):
        return super().get_context_data(can_add=bool(grantable_roles(self.request.user)), **kwargs)


class AgentCreateView(ScopedPermissionRequiredMixin, View):
    template_name = "sites/accounts/agent_form.html"

    def has_permission(self):
        # Inviting is giving a first role: open to whoever may give one somewhere (sites.grants).
        return bool(grantable_roles(self.request.user))

    def _form(self, data=None):
        return AgentInviteForm(data, actor=self.request.user)

    def get(self, request):
        return render(request, self.template_name, {"form": self._form(), "creating": True})

    def post(self, request):
        form = self._form(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                agent = services.agent_invite(
                    actor=request.user,
                    email=data["email"],
                    first_name=data["first_name"],
                    last_name=data["last_name"],
                    role=data["role"],
                    mds=data["mds"],
                    base_url=_base_url(request),
                )
            except services.AccountError as error:
                form.add_error("email", str(error))
            else:
                messages.success(
                    request,
                    _("%(name)s was added and invited by email to choose a password.") % {"name": agent},
                )
                return redirect("sites:agent_detail", pk=agent.pk)
        return render(request, self.template_name, {"form": form, "creating": True})


class _AgentMixin(ScopedPermissionRequiredMixin):
    """The agent of the URL, among those the signed-in agent sees (404 otherwise), then the right to see agents.

    An agent may work in several MDS: the permission is held in a role, not on the agent; who may
    change which agent is `may_manage`'s business."""

    scoped_model = Agent
    permission_required = "mds_sites.view_agent"
    object_permission = False

    def get_agent(self) -> Agent:
        return self.scoped_object

    def get_managed_agent(self) -> Agent:
        agent = self.get_agent()
        if not may_manage(self.request.user, agent):
            raise PermissionDenied
        return agent


def _agent_page(request, agent: Agent, grant_form=None):
    user = request.user
    memberships = [
        {"membership": m, "can_revoke": user.pk != agent.pk and may_grant(user, m.role, m.mds_id)}
        for m in selectors.agent_memberships(user, agent)
    ]
    can_grant = user.pk != agent.pk and bool(grantable_roles(user))
    if can_grant and grant_form is None:
        grant_form = MembershipGrantForm(actor=user)
    context = {
        "agent": agent,
        "memberships": memberships,
        "can_manage": may_manage(user, agent),
        "is_self": user.pk == agent.pk,
        "grant_form": grant_form if can_grant else None,
        "invitation_pending": agent.is_active and not agent.has_usable_password(),
    }
    return render(request, "sites/accounts/agent_detail.html", context)


class AgentDetailView(_AgentMixin, View):
    def get(self, request, pk):
        return _agent_page(request, self.get_agent())


class AgentEditView(_AgentMixin, View):
    template_name = "sites/accounts/agent_form.html"

    def get(self, request, pk):
        agent = self.get_managed_agent()
        return render(request, self.template_name, {"form": AgentForm(instance=agent), "agent": agent})

    def post(self, request, pk):
        agent = self.get_managed_agent()
        form = AgentForm(request.POST, instance=Agent.objects.get(pk=agent.pk))
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.agent_update(
                    actor=request.user,
                    agent=agent,
                    first_name=data["first_name"],
                    last_name=data["last_name"],
                    email=data["email"],
                )
            except services.AccountError as error:
                form.add_error("email", str(error))
            else:
                messages.success(request, _("The agent %(name)s was updated.") % {"name": agent})
                return redirect("sites:agent_detail", pk=agent.pk)
        return render(request, self.template_name, {"form": form, "agent": agent})


class AgentDeactivateView(_AgentMixin, View):
    """Asks first (GET), then deactivates (POST). Nothing is deleted."""

    template_name = "sites/accounts/agent_confirm_deactivate.html"

    def get(self, request, pk):
        return render(request, self.template_name, {"agent": self.get_managed_agent()})

    def post(self, request, pk):
        agent = services.agent_deactivate(actor=request.user, agent=self.get_managed_agent())
        messages.success(request, _("%(name)s can no longer sign in. Their history is kept.") % {"name": agent})
        return redirect("sites:agent_detail", pk=agent.pk)


class _AgentActionView(_AgentMixin, View):
    """A button on the agent's page: POST only; a GET (a link followed by mistake) goes back there."""

    def get(self, request, pk):
        return redirect("sites:agent_detail", pk=self.get_agent().pk)


class AgentReactivateView(_AgentActionView):
    def post(self, request, pk):
        agent = services.agent_reactivate(actor=request.user, agent=self.get_managed_agent())
        messages.success(request, _("%(name)s can sign in again.") % {"name": agent})
        return redirect("sites:agent_detail", pk=agent.pk)


class AgentInvitationResendView(_AgentActionView):
    def post(self, request, pk):
        agent = self.get_managed_agent()
        try:
            services.agent_invitation_send(actor=request.user, agent=agent, base_url=_base_url(request))
        except services.AccountError as error:
            messages.error(request, str(error))
        else:
            messages.success(
                request,
                _("A new invitation was sent to %(email)s; the previous link no longer works.")
                % {"email": agent.email},
            )
        return redirect("sites:agent_detail", pk=agent.pk)


class MembershipGrantView(_AgentActionView):
    def post(self, request, pk):
        agent = self.get_agent()
        form = MembershipGrantForm(request.POST, actor=request.user)
        if form.is_valid():
            try:
                membership = services.membership_grant(
                    actor=request.user, agent=agent, role=form.cleaned_data["role"], mds=form.cleaned_data["mds"]
                )
            except services.AccountError as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, _("Role given: %(membership)s.") % {"membership": membership})
                return redirect("sites:agent_detail", pk=agent.pk)
        return _agent_page(request, agent, grant_form=form)


class MembershipRevokeView(ScopedPermissionRequiredMixin, View):
    """Takes a role back (POST from the agent's page). The role is looked up among those one sees."""

    scoped_model = Membership
    permission_required = "mds_sites.view_membership"

    def get_scoped_queryset(self):
        return super().get_scoped_queryset().select_related("agent", "mds")

    def _membership(self) -> Membership:
        return self.scoped_object

    def get(self, request, pk):
        return redirect("sites:agent_detail", pk=self._membership().agent_id)

    def post(self, request, pk):
        membership = self._membership()
        label = str(membership)
        services.membership_revoke(actor=request.user, membership=membership)
        messages.success(request, _("Role taken back: %(membership)s.") % {"membership": label})
        return redirect("sites:agent_detail", pk=membership.agent_id)


class InvitationAcceptView(auth_views.PasswordResetConfirmView):
    """The link of the invitation email: the new agent chooses a password, then signs in (and sets
    up their authenticator app at that first sign-in). Django's reset view moves the token out of
    the URL into the session before the form shows, so it never leaks in a Referer."""

    template_name = "sites/accounts/invitation_accept.html"
    token_generator = services.invitation_tokens
    success_url = reverse_lazy("sites:login")

    def get_user(self, uidb64):
        agent = super().get_user(uidb64)
        return agent if agent is not None and agent.is_active else None

    def form_valid(self, form):
        services.invitation_accept(agent=self.user, password=form.cleaned_data["new_password1"])
        del self.request.session[INTERNAL_RESET_SESSION_TOKEN]
        messages.success(
            self.request,
            _("Your password is saved. Sign in now; at your first sign-in you will set up an authenticator app."),
        )
        return HttpResponseRedirect(reverse("sites:login"))
