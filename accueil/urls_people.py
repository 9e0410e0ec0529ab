"""The person records of the back-office (accueil/views_people.py), under /backoffice/accueil/people/."""

from django.urls import path

from accueil import views_people

app_name = "accueil_people"
urlpatterns = [
    path("", views_people.PeopleView.as_view(), name="people"),
    path("export.csv", views_people.PeopleCsvView.as_view(), name="people_csv"),
    path("new/", views_people.PersonCreateView.as_view(), name="person_create"),
    path("<int:pk>/", views_people.PersonDetailView.as_view(), name="person_detail"),
    path("<int:pk>/edit/", views_people.PersonEditView.as_view(), name="person_edit"),
    path("<int:pk>/relative/", views_people.PersonRelativeView.as_view(), name="person_relative"),
    path("<int:pk>/merge/", views_people.PersonMergeView.as_view(), name="person_merge"),
]
