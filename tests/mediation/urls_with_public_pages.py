"""The project's URLs, plus stand-ins for the two public pages of registrations the messages link to
(`mediation_public:cancel`, `mediation_public:accept`) while mediation's public module is not in this tree: the
messages' tests do not depend on those pages, only on their names and token argument."""

import importlib.util

from django.http import HttpRequest, HttpResponse
from django.urls import include, path

from mds_connectees.urls import urlpatterns as project_urlpatterns


def _page(request: HttpRequest, token: str) -> HttpResponse:
    return HttpResponse(token)


urlpatterns = list(project_urlpatterns)
if importlib.util.find_spec("mediation.urls_public") is None:
    stand_ins = [
        path("ateliers/annuler/<str:token>/", _page, name="cancel"),
        path("ateliers/accepter/<str:token>/", _page, name="accept"),
    ]
    urlpatterns.append(path("", include((stand_ins, "mediation_public"))))
