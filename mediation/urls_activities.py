"""One-to-one help, beneficiaries, mediators and agent trainings in the back-office, under
/backoffice/mediation/activities/ (mediation/views_activities.py, mediation/views_team.py)."""

from django.urls import path

from mediation import views_activities, views_team

app_name = "mediation_activities"
urlpatterns = [
    path("", views_activities.QuickLogView.as_view(), name="log"),
    path("accompaniments/", views_activities.AccompanimentListView.as_view(), name="accompaniments"),
    path("accompaniments/export.csv", views_activities.AccompanimentCsvView.as_view(), name="accompaniments_csv"),
    path("accompaniments/<int:pk>/edit/", views_activities.AccompanimentEditView.as_view(), name="accompaniment_edit"),
    path(
        "accompaniments/<int:pk>/delete/",
        views_activities.AccompanimentDeleteView.as_view(),
        name="accompaniment_delete",
    ),
    path("beneficiaries/", views_activities.BeneficiaryListView.as_view(), name="beneficiaries"),
    path("beneficiaries/export.csv", views_activities.BeneficiaryCsvView.as_view(), name="beneficiaries_csv"),
    path("beneficiaries/<int:pk>/", views_activities.BeneficiaryDetailView.as_view(), name="beneficiary_detail"),
    path("beneficiaries/<int:pk>/merge/", views_activities.BeneficiaryMergeView.as_view(), name="beneficiary_merge"),
    path("mediators/", views_team.MediatorListView.as_view(), name="mediators"),
    path("mediators/new/", views_team.MediatorCreateView.as_view(), name="mediator_create"),
    path("mediators/<int:pk>/", views_team.MediatorDetailView.as_view(), name="mediator_detail"),
    path("mediators/<int:pk>/edit/", views_team.MediatorEditView.as_view(), name="mediator_edit"),
    path("trainings/", views_team.TrainingListView.as_view(), name="trainings"),
    path("trainings/new/", views_team.TrainingCreateView.as_view(), name="training_create"),
    path("trainings/<int:pk>/edit/", views_team.TrainingEditView.as_view(), name="training_edit"),
    path("trainings/agents/", views_team.AgentTrainingListView.as_view(), name="agent_totals"),
    path("trainings/agents/<int:pk>/", views_team.AgentTrainingHistoryView.as_view(), name="agent_trainings"),
]
