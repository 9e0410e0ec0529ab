"""The choices the public contact form offers. Their labels are shown to the public in its language: they are
extracted into the public catalogues (accueil/locale/<lang>/, see scripts/messages), apart from the
back-office's strings of the models beside this one."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class RequestKind(models.TextChoices):
    APPOINTMENT = "appointment", _("An appointment with a social worker")
    QUESTION = "question", _("A question")
    ONLINE_PROCEDURE = "online_procedure", _("Help with an online procedure")
    OTHER = "other", _("Something else")


class Topic(models.TextChoices):
    """The fields of departmental social action a request is about (the MDS's own services)."""

    RIGHTS = "rights", _("Access to rights and benefits")
    FAMILY = "family", _("Children and family, PMI")
    HOUSING = "housing", _("Housing")
    INSERTION = "insertion", _("Integration and RSA")
    BUDGET = "budget", _("Budget and debts")
    AUTONOMY = "autonomy", _("Autonomy, disability, old age")
    DIGITAL = "digital", _("Digital help")
    OTHER = "other", _("Other")


class CallbackChannel(models.TextChoices):
    PHONE = "phone", _("Phone call")
    SMS = "sms", _("SMS")
    EMAIL = "email", _("Email")


class CallbackWindow(models.TextChoices):
    MORNING = "morning", _("Morning (9 a.m. – 12 p.m.)")
    LUNCH = "lunch", _("Lunchtime (12 p.m. – 2 p.m.)")
    AFTERNOON = "afternoon", _("Afternoon (2 p.m. – 5 p.m.)")
