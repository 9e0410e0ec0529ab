"""The agents' workshops, sessions, registrations and attendance (mounted at /backoffice/mediation/workshops/)."""

from django.urls import path

from mediation.views import attendance, sessions, workshops

app_name = "mediation_workshops"

urlpatterns = [
    path("", workshops.WorkshopListView.as_view(), name="list"),
    path("new/", workshops.WorkshopCreateView.as_view(), name="create"),
    path("<int:pk>/edit/", workshops.WorkshopEditView.as_view(), name="edit"),
    path("sessions/", sessions.SessionListView.as_view(), name="sessions"),
    path("sessions/new/", sessions.SessionCreateView.as_view(), name="session_create"),
    path("sessions/<int:pk>/", sessions.SessionDetailView.as_view(), name="session"),
    path("sessions/<int:pk>/edit/", sessions.SessionEditView.as_view(), name="session_edit"),
    path("sessions/<int:pk>/cancel/", sessions.SessionCancelView.as_view(), name="session_cancel"),
    path("sessions/<int:pk>/register/", sessions.RegisterView.as_view(), name="register"),
    path("sessions/<int:pk>/promote/", sessions.PromoteView.as_view(), name="promote"),
    path("sessions/<int:pk>/attendance/", attendance.AttendanceView.as_view(), name="attendance"),
    path("sessions/<int:pk>/walk-in/", attendance.WalkInView.as_view(), name="walk_in"),
    path("sessions/<int:pk>/held/", attendance.MarkHeldView.as_view(), name="held"),
    path("sessions/<int:pk>/attendance.csv", attendance.AttendanceCsvView.as_view(), name="attendance_csv"),
    path("registrations/<int:pk>/attendance/", attendance.MarkView.as_view(), name="mark"),
    path("registrations/<int:pk>/cancel/", sessions.RegistrationCancelView.as_view(), name="registration_cancel"),
]
