"""The activity record: what the mediators did, collective (a held session) or individual (an accompaniment).

One model for both so that the figures add up: a held session fills its Activity by itself
(mediation.attendance.session_mark_held), an accompaniment is one Activity and its anonymous profile
(mediation.activities.accompaniment_log). Nobody types a session's participants twice.
"""

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.constraints import ConstraintErrorsOnFields
from sites.scoping import ScopedQuerySet


class ActivityKind(models.TextChoices):
    COLLECTIVE = "collective", _("Collective workshop")
    INDIVIDUAL = "individual", _("One-to-one help")


class Activity(ConstraintErrorsOnFields, models.Model):
    kind = models.CharField(_("kind"), max_length=12, choices=ActivityKind.choices)
    mds = models.ForeignKey("mds_sites.Mds", on_delete=models.PROTECT, related_name="mediation_activities",
                            verbose_name=_("MDS"))  # fmt: skip
    site = models.ForeignKey("mds_sites.Site", on_delete=models.PROTECT, related_name="mediation_activities",
                             verbose_name=_("site"))  # fmt: skip
    session = models.OneToOneField("mediation.WorkshopSession", on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="activity", verbose_name=_("workshop session"))  # fmt: skip
    date = models.DateField(_("date"), db_index=True)
    duration_minutes = models.PositiveSmallIntegerField(_("duration (minutes)"))
    themes = models.ManyToManyField("mediation.Theme", related_name="activities", verbose_name=_("themes"))
    mediators = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="mediation_activities",
                                       verbose_name=_("mediators"))  # fmt: skip
    participants = models.PositiveSmallIntegerField(_("participants"), default=1)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+", verbose_name=_("recorded by"))  # fmt: skip
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    mds_path = "mds"
    objects = ScopedQuerySet.as_manager()

    constraint_error_fields = {
        "activity_session_of_collective": "session",
        "activity_duration_bounded": "duration_minutes",
        "activity_individual_participants": "participants",
    }

    class Meta:
        ordering = ["-date", "-pk"]
        verbose_name = _("mediation activity")
        verbose_name_plural = _("mediation activities")
        constraints = [
            models.CheckConstraint(
                condition=Q(kind=ActivityKind.COLLECTIVE, session__isnull=False)
                | Q(kind=ActivityKind.INDIVIDUAL, session__isnull=True),
                name="activity_session_of_collective",
                violation_error_code="activity_session_of_collective",
                violation_error_message=_("A collective activity is a held session; a one-to-one help has none."),
            ),
            models.CheckConstraint(
                condition=Q(duration_minutes__gte=1, duration_minutes__lte=720),
                name="activity_duration_bounded",
                violation_error_code="activity_duration_bounded",
                violation_error_message=_("An activity lasts between 1 minute and 12 hours."),
            ),
            # One-to-one help is one person, sometimes with a relative (up to 3 in the Coop's record).
            models.CheckConstraint(
                condition=Q(kind=ActivityKind.COLLECTIVE) | Q(participants__gte=1, participants__lte=3),
                name="activity_individual_participants",
                violation_error_code="activity_individual_participants",
                violation_error_message=_("One-to-one help is for 1 to 3 people."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.date:%Y-%m-%d}"


class PlaceType(models.TextChoices):
    MDS = "mds", _("At the MDS")
    HOME = "home", _("At the person's home")
    REMOTE = "remote", _("Remotely (phone, video)")
    OUTSIDE = "outside", _("Elsewhere (partner, outreach)")


class Equipment(models.TextChoices):
    COMPUTER = "computer", _("Computer")
    TABLET = "tablet", _("Tablet")
    PHONE = "phone", _("Smartphone")
    OTHER = "other", _("Other equipment")
    NONE = "none", _("No equipment")


class Gender(models.TextChoices):
    FEMALE = "female", _("Woman")
    MALE = "male", _("Man")
    UNSAID = "unsaid", _("Not said")


class AgeBand(models.TextChoices):
    UNDER_12 = "under_12", _("Under 12")
    FROM_12_TO_17 = "12_17", _("12 to 17")
    FROM_18_TO_24 = "18_24", _("18 to 24")
    FROM_25_TO_39 = "25_39", _("25 to 39")
    FROM_40_TO_59 = "40_59", _("40 to 59")
    FROM_60_TO_69 = "60_69", _("60 to 69")
    OVER_70 = "70_plus", _("70 or over")
    UNKNOWN = "unknown", _("Not known")


class SocialStatus(models.TextChoices):
    SCHOOL = "school", _("In school or studying")
    JOB_SEEKER = "job_seeker", _("Without a job")
    EMPLOYED = "employed", _("In work")
    RETIRED = "retired", _("Retired")
    UNKNOWN = "unknown", _("Not known")


class Autonomy(models.TextChoices):
    ASSISTED = "assisted", _("Fully assisted")
    PARTLY = "partly", _("Partly autonomous")
    AUTONOMOUS = "autonomous", _("Autonomous")


class Outcome(models.TextChoices):
    COMPLETED = "completed", _("Procedure completed")
    PARTLY = "partly", _("Procedure partly completed")
    REDIRECTED = "redirected", _("Redirected to a partner")
    APPOINTMENT = "appointment", _("Appointment made")


class Beneficiary(models.Model):
    """A person helped who agreed to be recorded, for follow-up (by default an accompaniment names nobody).
    Anonymised 2 years after their last accompaniment (mediation.retention)."""

    mds = models.ForeignKey("mds_sites.Mds", on_delete=models.PROTECT, related_name="mediation_beneficiaries",
                            verbose_name=_("MDS"))  # fmt: skip
    first_name = models.CharField(_("first name"), max_length=100, blank=True)
    last_name = models.CharField(_("last name"), max_length=100, blank=True)
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    email = models.EmailField(_("email"), blank=True)
    consent_at = models.DateTimeField(_("consent given at"))
    last_seen_on = models.DateField(_("last accompaniment on"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    anonymised_at = models.DateTimeField(_("anonymised at"), null=True, blank=True)

    mds_path = "mds"
    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["last_name", "first_name", "pk"]
        verbose_name = _("beneficiary")
        verbose_name_plural = _("beneficiaries")

    def __str__(self) -> str:
        return " ".join(part for part in (self.first_name, self.last_name) if part) or f"#{self.pk}"


class Accompaniment(ConstraintErrorsOnFields, models.Model):
    """One-to-one help: its Activity (date, site, duration, themes, mediator) and an anonymous profile."""

    activity = models.OneToOneField(Activity, on_delete=models.CASCADE, related_name="accompaniment",
                                    verbose_name=_("activity"))  # fmt: skip
    place_type = models.CharField(_("place"), max_length=10, choices=PlaceType.choices, default=PlaceType.MDS)
    equipment = ArrayField(models.CharField(max_length=10, choices=Equipment.choices), verbose_name=_("equipment used"),
                           default=list, blank=True)  # fmt: skip
    gender = models.CharField(_("gender"), max_length=10, choices=Gender.choices, blank=True)
    age_band = models.CharField(_("age"), max_length=10, choices=AgeBand.choices, default=AgeBand.UNKNOWN)
    social_status = models.CharField(_("status"), max_length=12, choices=SocialStatus.choices,
                                     default=SocialStatus.UNKNOWN)  # fmt: skip
    first_time = models.BooleanField(_("first accompaniment"), null=True, blank=True)
    commune = models.CharField(_("commune"), max_length=120, blank=True)
    autonomy_before = models.CharField(_("autonomy before"), max_length=12, choices=Autonomy.choices, blank=True)
    autonomy_after = models.CharField(_("autonomy after"), max_length=12, choices=Autonomy.choices, blank=True)
    outcome = models.CharField(_("outcome"), max_length=12, choices=Outcome.choices, blank=True)
    redirected_to = models.CharField(
        _("redirected to"), max_length=200, blank=True,
        help_text=_("The partner the person was sent to, e.g. CAF, France Travail."),
    )  # fmt: skip
    beneficiary = models.ForeignKey(Beneficiary, on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="accompaniments", verbose_name=_("beneficiary"))  # fmt: skip

    mds_path = "activity__mds"
    objects = ScopedQuerySet.as_manager()

    constraint_error_fields = {"accompaniment_redirection_named": "redirected_to"}

    class Meta:
        ordering = ["-activity__date", "-pk"]
        verbose_name = _("accompaniment")
        verbose_name_plural = _("accompaniments")
        constraints = [
            models.CheckConstraint(
                condition=~Q(outcome=Outcome.REDIRECTED) | ~Q(redirected_to=""),
                name="accompaniment_redirection_named",
                violation_error_code="accompaniment_redirection_named",
                violation_error_message=_("Say which partner the person was redirected to."),
            ),
        ]

    def __str__(self) -> str:
        return str(self.activity)
