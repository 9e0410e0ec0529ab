"""Back-office views of the sites app, one module per concern."""

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
from sites.views.security import (
    AuthenticatorReplaceView,
    BackupCodesView,
    PasswordChangeView,
    PrivilegeGrantDecideView,
    PrivilegeGrantsView,
)

__all__ = [
    "AuthenticatorReplaceView",
    "BackupCodesView",
    "DashboardView",
    "LoginView",
    "MdsDetailView",
    "MdsEditView",
    "PasswordChangeView",
    "PasswordResetConfirmView",
    "PasswordResetView",
    "PrivilegeGrantDecideView",
    "PrivilegeGrantsView",
    "ScopedObjectMixin",
    "SiteEditView",
    "TwoFactorView",
    "ZoneCreateView",
    "ZoneDeleteView",
    "ZoneEditView",
]
