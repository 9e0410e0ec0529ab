from django.urls import path

from captive_portal import views

app_name = "captive_portal"
urlpatterns = [
    path("<slug:slug>/", views.splash, name="splash"),
    path("<slug:slug>/accept/", views.accept, name="accept"),
    path("<slug:slug>/connected/", views.connected, name="connected"),
    path("<slug:slug>/terms/", views.terms, name="terms"),
    path("<slug:slug>/go/<int:link_id>/", views.follow_link, name="follow_link"),
]
