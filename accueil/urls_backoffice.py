from django.urls import path

from accueil import views_backoffice as views

app_name = "accueil"

urlpatterns = [
    path("", views.InboxListView.as_view(), name="inbox"),
    path("export.csv", views.InboxCsvView.as_view(), name="inbox_csv"),
    path("indicators/", views.IndicatorsView.as_view(), name="indicators"),
    path("walk-in/", views.WalkInView.as_view(), name="walk_in"),
    path("requests/<int:pk>/", views.RequestDetailView.as_view(), name="request_detail"),
    path("requests/<int:pk>/take/", views.RequestTakeView.as_view(), name="request_take"),
    path("requests/<int:pk>/assign/", views.RequestAssignView.as_view(), name="request_assign"),
    path("requests/<int:pk>/status/", views.RequestStatusView.as_view(), name="request_status"),
    path("requests/<int:pk>/note/", views.RequestNoteView.as_view(), name="request_note"),
    path("requests/<int:pk>/reply/", views.RequestReplyView.as_view(), name="request_reply"),
]
