from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from mds_connectees import views

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("captive_portal.urls_gateways")),  # gateways' entry points (before portal/<slug>/)
    path("portal/", include("captive_portal.urls")),
    path("contact/", include("accueil.urls")),  # the public contact form (accueil)
    path("backoffice/wifi/", include("wifi.urls")),
    path("backoffice/portal/log/", include("captive_portal.urls_log")),
    path("backoffice/portal/content/", include("captive_portal.urls_backoffice")),
    path("backoffice/portal/sites/", include("captive_portal.urls_portals")),
    path("backoffice/portal/", include("captive_portal.urls_stats")),
    path("backoffice/accueil/people/", include("accueil.urls_people")),
    path("backoffice/accueil/appointments/", include("accueil.urls_appointments")),
    path("backoffice/accueil/", include("accueil.urls_backoffice")),
    path("rendez-vous/", include("accueil.urls_booking")),
    path("backoffice/mediation/workshops/", include("mediation.urls_workshops")),
    path("ateliers/", include("mediation.urls_public")),  # the workshops' public pages (mediation)
    path("backoffice/mediation/activities/", include("mediation.urls_activities")),
    path("backoffice/mediation/", include("mediation.urls_figures")),  # the programme's figures (mediation)
    path("backoffice/funding/", include("funding.urls")),  # the FEDER operation (funding)
    path("backoffice/", include("sites.urls")),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

# Error pages that never read the request's body, the session or the database (core/errors.py).
handler400 = "core.errors.bad_request"
handler403 = "core.errors.permission_denied"
handler404 = "core.errors.page_not_found"
handler500 = "core.errors.server_error"
