"""The project's URLs plus stand-ins for the security pages of the sign-in hardening, so that the
links of Mon compte can be checked before those pages exist in this branch."""

from django.http import HttpResponse
from django.urls import include, path

import sites.urls
from mds_connectees.urls import urlpatterns as project_urlpatterns


def _stand_in(request):
    return HttpResponse("stand-in")


_security_pages = [
    path("account/password/", _stand_in, name="password_change"),
    path("account/authenticator/", _stand_in, name="authenticator_replace"),
    path("account/backup-codes/", _stand_in, name="backup_codes"),
]
urlpatterns = [
    *(p for p in project_urlpatterns if getattr(p, "namespace", None) != "sites"),
    path("backoffice/", include((sites.urls.urlpatterns + _security_pages, "sites"))),
]
