"""Entry points at fixed paths that gateways are configured with; included at the project root."""

from django.urls import path

from captive_portal import gateway_views

app_name = "captive_gateways"
urlpatterns = [
    path("portal/gw/opennds/<slug:slug>/", gateway_views.opennds, name="opennds"),
    path("portal/api/<slug:slug>/", gateway_views.captive_api, name="captive_api"),
    # The UniFi controller builds this path itself from its external portal address.
    path("guest/s/<str:controller_site>/", gateway_views.unifi, name="unifi"),
]
