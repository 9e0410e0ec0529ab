"""The site portals' back-office pages, under /backoffice/portal/sites/."""

from django.urls import path

from captive_portal import views_portals

app_name = "portal_sites"
urlpatterns = [
    path("", views_portals.PortalListView.as_view(), name="list"),
    path("<slug:slug>/", views_portals.PortalDetailView.as_view(), name="detail"),
]
