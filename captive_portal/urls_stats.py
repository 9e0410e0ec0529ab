"""The captive portal's usage statistics, under /backoffice/portal/."""

from django.urls import path

from captive_portal import views_stats

app_name = "portal_stats"
urlpatterns = [
    path("", views_stats.StatsView.as_view(), name="stats"),
    path("stats.csv", views_stats.StatsCsvView.as_view(), name="stats_csv"),
]
