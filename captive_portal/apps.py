from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CaptivePortalConfig(AppConfig):
    name = "captive_portal"
    verbose_name = _("Captive portal")
