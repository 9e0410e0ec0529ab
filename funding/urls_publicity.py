"""The FEDER publicity pages of the back-office (issue 14)."""

from django.urls import path  # noqa: F401

app_name = "funding_publicity"
urlpatterns: list = []
