from django.contrib.auth import views as auth_views
from django.urls import path

from sites import views

app_name = "sites"
urlpatterns = [
    path("", views.DashboardView.as_view(), name="dashboard"),
    # Sign-in, second factor and password reset: reachable before the second factor (see sites.middleware).
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("2fa/", views.TwoFactorView.as_view(), name="two_factor"),
    path("password-reset/", views.PasswordResetView.as_view(), name="password_reset"),
    path("password-reset/done/", auth_views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path(
        "password-reset/<uidb64>/<token>/",
        views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path("password-reset/complete/", auth_views.PasswordResetCompleteView.as_view(), name="password_reset_complete"),
    # The agent's own security (linked from "Mon compte").
    path("security/password/", views.PasswordChangeView.as_view(), name="password_change"),
    path("security/backup-codes/", views.BackupCodesView.as_view(), name="backup_codes"),
    path("security/authenticator/", views.AuthenticatorReplaceView.as_view(), name="authenticator_replace"),
    # Privileges no administrator grants alone (a second one approves).
    path("security/privileges/", views.PrivilegeGrantsView.as_view(), name="privilege_grants"),
    path("security/privileges/<int:pk>/", views.PrivilegeGrantDecideView.as_view(), name="privilege_grant_decide"),
    path("invitation/<uidb64>/<token>/", views.InvitationAcceptView.as_view(), name="invitation_accept"),
    # Mon compte; agents and their roles.
    path("account/", views.AccountView.as_view(), name="account"),
    path("agents/", views.AgentListView.as_view(), name="agent_list"),
    path("agents/new/", views.AgentCreateView.as_view(), name="agent_create"),
    path("agents/<int:pk>/", views.AgentDetailView.as_view(), name="agent_detail"),
    path("agents/<int:pk>/edit/", views.AgentEditView.as_view(), name="agent_edit"),
    path("agents/<int:pk>/deactivate/", views.AgentDeactivateView.as_view(), name="agent_deactivate"),
    path("agents/<int:pk>/reactivate/", views.AgentReactivateView.as_view(), name="agent_reactivate"),
    path("agents/<int:pk>/invitation/", views.AgentInvitationResendView.as_view(), name="agent_invitation_resend"),
    path("agents/<int:pk>/roles/", views.MembershipGrantView.as_view(), name="membership_grant"),
    path("roles/<int:pk>/revoke/", views.MembershipRevokeView.as_view(), name="membership_revoke"),
    # MDS, sites and zones.
    path("mds/<slug:slug>/", views.MdsDetailView.as_view(), name="mds_detail"),
    path("mds/<slug:slug>/edit/", views.MdsEditView.as_view(), name="mds_edit"),
    path("sites/", views.SiteListView.as_view(), name="site_list"),
    path("sites/export.csv", views.SiteCsvView.as_view(), name="site_csv"),
    path("sites/<slug:slug>/edit/", views.SiteEditView.as_view(), name="site_edit"),
    path("sites/<slug:slug>/zones/new/", views.ZoneCreateView.as_view(), name="zone_create"),
    path("zones/<int:pk>/edit/", views.ZoneEditView.as_view(), name="zone_edit"),
    path("zones/<int:pk>/delete/", views.ZoneDeleteView.as_view(), name="zone_delete"),
]
