from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SitesConfig(AppConfig):
    name = "sites"
    verbose_name = _("MDS, sites and agents")

    def ready(self):
        from sites import audit  # noqa: F401  (registers the models with the audit trail)
