"""The programme's mediation figures, under /backoffice/mediation/: the page and its export (CSV, or XLSX with
?format=xlsx — one URL, so the project-wide scoping test reaches the export whatever its format)."""

from django.urls import path

from mediation import views_figures

app_name = "mediation_figures"
urlpatterns = [
    path("", views_figures.FiguresView.as_view(), name="figures"),
    path("export/", views_figures.FiguresExportView.as_view(), name="export"),
]
