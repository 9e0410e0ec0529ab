"""The FEDER dashboard, the operation as approved and its amendments, the deployment phases (issue 14)."""

from django.urls import path

from funding.views import dashboard, operation, phases

app_name = "funding_dashboard"
urlpatterns = [
    path("", dashboard.DashboardView.as_view(), name="dashboard"),
    path("operation/", operation.OperationView.as_view(), name="operation"),
    path("operation/amendments/new/", operation.AmendmentCreateView.as_view(), name="amendment_create"),
    path("phases/", phases.PhasesView.as_view(), name="phases"),
    path("phases/edit/", phases.PhasesEditView.as_view(), name="phases_edit"),
    path("phases/sites/", phases.SitePhasesEditView.as_view(), name="site_phases_edit"),
]
