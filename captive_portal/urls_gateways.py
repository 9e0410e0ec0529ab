"""Entry points at fixed paths that gateways are configured with; included at the project root."""

from django.urls import path, register_converter

from captive_portal import gateway_views


class AuthmonKeyConverter:
    """The secret segment of an openNDS FAS path (see captive_portal.authmon)."""

    regex = "[A-Za-z0-9_-]{32,128}"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(AuthmonKeyConverter, "authmonkey")

app_name = "captive_gateways"
urlpatterns = [
    path("portal/gw/opennds/<slug:slug>/", gateway_views.opennds, name="opennds"),
    path("portal/gw/opennds/<slug:slug>/<authmonkey:key>/", gateway_views.opennds, name="opennds_keyed"),
    path("portal/api/<slug:slug>/", gateway_views.captive_api, name="captive_api"),
    path("portal/api/<slug:slug>/start/", gateway_views.captive_start, name="captive_start"),
    # The UniFi controller builds this path itself from its external portal address.
    path("guest/s/<str:controller_site>/", gateway_views.unifi, name="unifi"),
]
