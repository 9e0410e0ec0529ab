from django.urls import path

from accueil import views_public

app_name = "accueil_public"

urlpatterns = [
    path("", views_public.contact, name="contact"),
    path("sent/<str:token>/", views_public.sent, name="sent"),
    path("<slug:mds_slug>/", views_public.contact, name="contact_mds"),
]
