"""The agents' appointments (mounted at /backoffice/accueil/appointments/)."""

from django.urls import path

from accueil import views_appointments as views

app_name = "accueil_appointments"

urlpatterns = [
    path("", views.AppointmentListView.as_view(), name="list"),
    path("export.csv", views.AppointmentCsvView.as_view(), name="export"),
    path("calendar/", views.CalendarView.as_view(), name="calendar"),
    path("book/", views.BookView.as_view(), name="book"),
    path("<int:pk>/", views.AppointmentDetailView.as_view(), name="detail"),
    path("<int:pk>/attendance/", views.AttendanceView.as_view(), name="attendance"),
    path("<int:pk>/cancel/", views.CancelView.as_view(), name="cancel"),
    path("feed/", views.FeedView.as_view(), name="feed"),
    path("feed/<str:token>.ics", views.ical_feed, name="ical"),
]
