"""The FEDER publicity pages of the back-office (issue 14): the checklist, a photo's upload, a file's reading."""

from django.urls import path

from funding.views import publicity

app_name = "funding_publicity"
urlpatterns = [
    path("", publicity.ChecklistView.as_view(), name="checklist"),
    path("<int:pk>/evidence/", publicity.EvidenceAddView.as_view(), name="evidence_add"),
    path("evidence/<int:pk>/file/", publicity.EvidenceFileView.as_view(), name="evidence_file"),
]
