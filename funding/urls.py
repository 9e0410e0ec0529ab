"""/backoffice/funding/: the FEDER operation, for finance and programme staff only (département-wide roles)."""

from django.urls import include, path

urlpatterns = [
    path("expenses/", include("funding.urls_expenses")),
    path("claims/", include("funding.urls_claims")),
    path("assets/", include("funding.urls_assets")),
    path("publicity/", include("funding.urls_publicity")),
    path("", include("funding.urls_dashboard")),
]
