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

__all__ = [
    "DashboardView",
    "LoginView",
    "MdsDetailView",
    "MdsEditView",
    "PasswordResetConfirmView",
    "PasswordResetView",
    "ScopedObjectMixin",
    "SiteEditView",
    "TwoFactorView",
    "ZoneCreateView",
    "ZoneDeleteView",
    "ZoneEditView",
]
