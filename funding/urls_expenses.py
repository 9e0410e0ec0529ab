"""The FEDER expenses pages of the back-office (issue 14): invoices, the public contracts register, suppliers, the
expense lines against their plan, and the supporting documents' download."""

from django.urls import path

from funding.views import expenses as views

app_name = "funding_expenses"
urlpatterns = [
    path("", views.InvoiceListView.as_view(), name="invoices"),
    path("invoices.csv", views.InvoiceCsvView.as_view(), name="invoices_csv"),
    path("invoices/new/", views.InvoiceCreateView.as_view(), name="invoice_create"),
    path("invoices/<int:pk>/", views.InvoiceDetailView.as_view(), name="invoice"),
    path("invoices/<int:pk>/edit/", views.InvoiceEditView.as_view(), name="invoice_edit"),
    path("invoices/<int:pk>/withdraw/", views.InvoiceWithdrawView.as_view(), name="invoice_withdraw"),
    path("lines/", views.LinesView.as_view(), name="lines"),
    path("contracts/", views.ContractListView.as_view(), name="contracts"),
    path("contracts.csv", views.ContractCsvView.as_view(), name="contracts_csv"),
    path("contracts/new/", views.ContractCreateView.as_view(), name="contract_create"),
    path("contracts/<int:pk>/", views.ContractDetailView.as_view(), name="contract"),
    path("contracts/<int:pk>/edit/", views.ContractEditView.as_view(), name="contract_edit"),
    path("contracts/<int:pk>/orders/new/", views.OrderCreateView.as_view(), name="order_create"),
    path("suppliers/", views.SupplierListView.as_view(), name="suppliers"),
    path("suppliers/new/", views.SupplierCreateView.as_view(), name="supplier_create"),
    path("documents/<int:pk>/", views.DocumentDownloadView.as_view(), name="document"),
]
