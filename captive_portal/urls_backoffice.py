"""Back-office of the portal's content and walled garden, included at /backoffice/portal/content/."""

from django.urls import path

from captive_portal import views_content as views
from captive_portal import views_egress

app_name = "portal_content"
urlpatterns = [
    path("", views.BlockListView.as_view(), name="blocks"),
    path("new/", views.BlockCreateView.as_view(), name="block_create"),
    path("<int:pk>/", views.BlockDetailView.as_view(), name="block_detail"),
    path("<int:pk>/edit/", views.BlockEditView.as_view(), name="block_edit"),
    path("<int:pk>/delete/", views.BlockDeleteView.as_view(), name="block_delete"),
    path("garden/", views.GardenListView.as_view(), name="garden"),
    path("garden/sites/<slug:slug>/", views.GardenSiteView.as_view(), name="garden_site"),
    path("garden/<int:pk>/delete/", views.GardenDeleteView.as_view(), name="garden_delete"),
    path("sites/<slug:slug>/", views_egress.SitePortalView.as_view(), name="site_portal"),
    path("egress/<int:pk>/delete/", views_egress.EgressDeleteView.as_view(), name="egress_delete"),
]
