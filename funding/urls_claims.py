"""The FEDER payment claims' pages of the back-office (issue 14), under /backoffice/funding/claims/."""

from django.urls import path

from funding.views import claims

app_name = "funding_claims"
urlpatterns = [
    path("", claims.ClaimListView.as_view(), name="list"),
    path("new/", claims.ClaimCreateView.as_view(), name="create"),
    path("<int:pk>/", claims.ClaimDetailView.as_view(), name="detail"),
    path("<int:pk>/validate/", claims.ClaimValidateView.as_view(), name="validate"),
    path("<int:pk>/submit/", claims.ClaimSubmitView.as_view(), name="submit"),
    path("<int:pk>/retained/", claims.ClaimRetainedView.as_view(), name="retained"),
    path("<int:pk>/payment/", claims.ClaimPaymentView.as_view(), name="payment"),
    path("<int:pk>/recovery/", claims.RecoveryCreateView.as_view(), name="recovery"),
    # The expense statement: CSV by default, ?format=xlsx or ?format=pdf.
    path("<int:pk>/statement/", claims.StatementExportView.as_view(), name="statement"),
]
