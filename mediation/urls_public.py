"""The workshops' public pages, without an account (mounted at /ateliers/)."""

from django.urls import path

from mediation import views_public

app_name = "mediation_public"

urlpatterns = [
    path("", views_public.session_list, name="list"),
    path("session/<int:pk>/", views_public.session_detail, name="session"),
    path("inscription/<str:token>/", views_public.registered, name="registered"),
    path("annuler/<str:token>/", views_public.cancel, name="cancel"),
    path("offre/<str:token>/", views_public.accept, name="accept"),
    path("<slug:mds_slug>/", views_public.site_list, name="site"),
    path("<slug:mds_slug>/ical/", views_public.ical, name="ical"),
]
