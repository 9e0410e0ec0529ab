"""The FEDER asset register of the back-office (issue 14), under /backoffice/funding/assets/."""

from django.urls import path

from funding.views import assets

app_name = "funding_assets"
urlpatterns = [
    path("", assets.RegisterView.as_view(), name="register"),
    path("export/", assets.RegisterCsvView.as_view(), name="export"),
    path("lines/", assets.LinesView.as_view(), name="lines"),
    path("lines/<int:pk>/", assets.LineView.as_view(), name="line"),
    path("lines/<int:pk>/register/", assets.LineRegisterView.as_view(), name="line_register"),
    path("ap/", assets.AccessPointLookupView.as_view(), name="lookup"),
    # A serial number may hold a slash: the whole rest of the path is the serial.
    path("ap/<path:serial>/", assets.AccessPointFundingView.as_view(), name="access_point"),
    path("warnings/", assets.WarningsView.as_view(), name="warnings"),
    path("warnings/<int:pk>/acknowledge/", assets.WarningAcknowledgeView.as_view(), name="acknowledge"),
]
