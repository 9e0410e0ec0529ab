"""Back-office views of the sites app, one module per concern."""

from sites.views.accounts import (
    AccountView,
    AgentCreateView,
    AgentDeactivateView,
    AgentDetailView,
    AgentEditView,
    AgentInvitationResendView,
    AgentListView,
    AgentReactivateView,
    InvitationAcceptView,
    MembershipGrantView,
    MembershipRevokeView,
)
from sites.views.auth import LoginView, PasswordResetConfirmView, PasswordResetView, TwoFactorView
from sites.views.mds import (
    DashboardView,
    MdsDetailView,
    MdsEditView,
    SiteEditView,
    ZoneCreateView,
    ZoneDeleteView,
    ZoneEditView,
)
from sites.views.security import (
    AuthenticatorReplaceView,
    BackupCodesView,
    PasswordChangeView,
    PrivilegeGrantDecideView,
    PrivilegeGrantsView,
)

__all__ = [
    "AccountView",
    "AgentCreateView",
    "AgentDeactivateView",
    "AgentDetailView",
    "AgentEditView",
    "AgentInvitationResendView",
    "AgentListView",
    "AgentReactivateView",
    "AuthenticatorReplaceView",
    "BackupCodesView",
    "DashboardView",
    "InvitationAcceptView",
    "LoginView",
    "MdsDetailView",
    "MdsEditView",
    "MembershipGrantView",
    "MembershipRevokeView",
    "PasswordChangeView",
    "PasswordResetConfirmView",
    "PasswordResetView",
    "PrivilegeGrantDecideView",
    "PrivilegeGrantsView",
    "SiteEditView",
    "TwoFactorView",
    "ZoneCreateView",
    "ZoneDeleteView",
    "ZoneEditView",
]
