from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccueilConfig(AppConfig):
    name = "accueil"
    verbose_name = _("Online reception")
