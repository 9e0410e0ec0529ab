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
    ScopedObjectMixin,
    SiteEditView,
    ZoneCreateView,
    ZoneDeleteView,
    ZoneEditView,
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
    "DashboardView",
    "InvitationAcceptView",
    "LoginView",
    "MdsDetailView",
    "MdsEditView",
    "MembershipGrantView",
    "MembershipRevokeView",
    "PasswordResetConfirmView",
    "PasswordResetView",
    "ScopedObjectMixin",
    "SiteEditView",
    "TwoFactorView",
    "ZoneCreateView",
    "ZoneDeleteView",
    "ZoneEditView",
]
