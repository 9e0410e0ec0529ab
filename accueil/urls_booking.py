"""Public self-booking, without an account (mounted at /rendez-vous/)."""

from django.urls import path

from accueil import views_booking

app_name = "booking"

urlpatterns = [
    path("annuler/<str:token>/", views_booking.cancel, name="cancel"),
    path("confirme/<str:token>/", views_booking.confirmed, name="confirmed"),
    path("<slug:mds_slug>/", views_booking.index, name="index"),
    path("<slug:mds_slug>/coordonnees/", views_booking.details, name="details"),
    path("<slug:mds_slug>/code/<str:token>/", views_booking.code, name="code"),
]
