from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "core"
    # Shown in the admin since the platform keeps its notification log here.
    verbose_name = _("Platform")

    def ready(self):
        from core.sms import checks  # noqa: F401  (registers the SMS configuration check)
