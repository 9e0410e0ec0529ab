from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "core"
    # Shown in the admin since the platform keeps its notification log here.
    verbose_name = _("Platform")

    def ready(self) -> None:
        from core.sms import checks  # noqa: F401  (registers the SMS configuration check)
        from core.third_party import translate_third_party_apps

        translate_third_party_apps()
