"""The legal connection log (legal-requisition officers only), under /backoffice/portal/log/."""

from django.urls import path

from captive_portal import views_log

app_name = "portal_log"
urlpatterns = [
    path("", views_log.LogSearchView.as_view(), name="search"),
    path("searches/<int:pk>/", views_log.LogResultsView.as_view(), name="results"),
    path("searches/<int:pk>/export/", views_log.LogExportView.as_view(), name="export"),
]
