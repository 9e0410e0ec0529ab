"""Mediators (staff and interns of the "médiateur social numérique" diploma) and the agents' trainings."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from core.constraints import ConstraintErrorsOnFields
from sites.scoping import ScopedQuerySet


class MediatorKind(models.TextChoices):
    STAFF = "staff", _("Staff")
    INTERN = "intern", _("Intern")


class Mediator(ConstraintErrorsOnFields, models.Model):
    agent = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="mediator",
                                 verbose_name=_("agent"))  # fmt: skip
    mds = models.ForeignKey("mds_sites.Mds", on_delete=models.PROTECT, related_name="mediators",
                            verbose_name=_("MDS"))  # fmt: skip
    kind = models.CharField(_("kind"), max_length=10, choices=MediatorKind.choices, default=MediatorKind.STAFF)
    school = models.CharField(_("school"), max_length=200, blank=True)
    diploma = models.CharField(_("diploma"), max_length=200, blank=True)
    internship_starts_on = models.DateField(_("internship starts on"), null=True, blank=True)
    internship_ends_on = models.DateField(_("internship ends on"), null=True, blank=True)
    tutor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                              related_name="tutored_mediators", verbose_name=_("tutor"))  # fmt: skip
    sites = models.ManyToManyField("mds_sites.Site", blank=True, related_name="mediators", verbose_name=_("sites"))

    mds_path = "mds"
    objects = ScopedQuerySet.as_manager()

    constraint_error_fields = {
        "mediator_internship_dates": "internship_starts_on",
        "mediator_internship_order": "internship_ends_on",
    }

    class Meta:
        ordering = ["agent__last_name", "agent__first_name", "pk"]
        verbose_name = _("mediator")
        verbose_name_plural = _("mediators")
        constraints = [
            models.CheckConstraint(
                condition=Q(kind=MediatorKind.STAFF)
                | Q(internship_starts_on__isnull=False, internship_ends_on__isnull=False),
                name="mediator_internship_dates",
                violation_error_code="mediator_internship_dates",
                violation_error_message=_("An intern has the dates of the internship."),
            ),
            models.CheckConstraint(
                condition=Q(internship_ends_on__isnull=True)
                | Q(internship_starts_on__isnull=True)
                | Q(internship_ends_on__gte=F("internship_starts_on")),
                name="mediator_internship_order",
                violation_error_code="mediator_internship_order",
                violation_error_message=_("The internship ends after it starts."),
            ),
        ]

    def __str__(self) -> str:
        return str(self.agent)


class AgentTraining(ConstraintErrorsOnFields, models.Model):
    """A training of agents in the common digital culture, at a site or online. Without an MDS (online, for
    everyone), only département-wide roles see it."""

    mds = models.ForeignKey("mds_sites.Mds", on_delete=models.PROTECT, null=True, blank=True,
                            related_name="agent_trainings", verbose_name=_("MDS"))  # fmt: skip
    topic = models.CharField(_("topic"), max_length=200)
    trainer = models.CharField(_("trainer"), max_length=200)
    date = models.DateField(_("date"))
    site = models.ForeignKey("mds_sites.Site", on_delete=models.PROTECT, null=True, blank=True,
                             related_name="agent_trainings", verbose_name=_("site"))  # fmt: skip
    online = models.BooleanField(_("online"), default=False)
    duration_minutes = models.PositiveSmallIntegerField(_("duration (minutes)"))
    attendees = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="trainings_attended",
                                       verbose_name=_("attendees"))  # fmt: skip

    mds_path = "mds"
    objects = ScopedQuerySet.as_manager()

    constraint_error_fields = {
        "agenttraining_site_or_online": "site",
        "agenttraining_duration_bounded": "duration_minutes",
    }

    class Meta:
        ordering = ["-date", "pk"]
        verbose_name = _("agent training")
        verbose_name_plural = _("agent trainings")
        constraints = [
            models.CheckConstraint(
                condition=Q(online=True, site__isnull=True) | Q(online=False, site__isnull=False),
                name="agenttraining_site_or_online",
                violation_error_code="agenttraining_site_or_online",
                violation_error_message=_("A training is either at a site or online."),
            ),
            models.CheckConstraint(
                condition=Q(duration_minutes__gte=15, duration_minutes__lte=2400),
                name="agenttraining_duration_bounded",
                violation_error_code="agenttraining_duration_bounded",
                violation_error_message=_("A training lasts between 15 minutes and 40 hours."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.topic} · {self.date:%Y-%m-%d}"
