"""Workshops, their sessions and the registrations to them.

The rules that matter most are in the database: a session ends after it starts and has 1 to 500 seats; a
registration gives a phone or an email; one phone (or one email) holds one live registration per session (a
partial unique index over the live statuses). That seats are never given beyond the capacity is the write path's
(mediation.registrations: counted under the session's row lock).
"""

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Lower
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.constraints import ConstraintErrorsOnFields
from sites.scoping import ScopedQuerySet


class Level(models.TextChoices):
    ALL = "all", _("All levels")
    BEGINNER = "beginner", _("Beginner")
    INTERMEDIATE = "intermediate", _("Intermediate")
    ADVANCED = "advanced", _("Advanced")


def default_languages() -> list[str]:
    return ["fr"]


class Workshop(ConstraintErrorsOnFields, models.Model):
    """What a workshop is about; its sessions say where and when."""

    mds = models.ForeignKey("mds_sites.Mds", on_delete=models.PROTECT, related_name="workshops",
                            verbose_name=_("MDS"))  # fmt: skip
    title = models.CharField(_("title"), max_length=200)
    themes = models.ManyToManyField("mediation.Theme", related_name="workshops", verbose_name=_("themes"))
    description = models.TextField(_("description"), max_length=4000, blank=True)
    audience = models.CharField(_("audience"), max_length=200, blank=True,
                                help_text=_("Who it is for, e.g. parents of teenagers, job seekers."))  # fmt: skip
    level = models.CharField(_("level"), max_length=20, choices=Level.choices, default=Level.ALL)
    duration_minutes = models.PositiveSmallIntegerField(_("duration (minutes)"), default=90)
    languages = ArrayField(models.CharField(max_length=10), verbose_name=_("languages"), default=default_languages,
                           help_text=_("Language codes, separated by commas, e.g. fr,ar."))  # fmt: skip
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    mds_path = "mds"
    objects = ScopedQuerySet.as_manager()

    constraint_error_fields = {"workshop_duration_bounded": "duration_minutes"}

    class Meta:
        ordering = ["title", "pk"]
        verbose_name = _("workshop")
        verbose_name_plural = _("workshops")
        constraints = [
            models.CheckConstraint(
                condition=Q(duration_minutes__gte=15, duration_minutes__lte=480),
                name="workshop_duration_bounded",
                violation_error_code="workshop_duration_bounded",
                violation_error_message=_("A workshop lasts between 15 minutes and 8 hours."),
            ),
        ]

    def __str__(self) -> str:
        return self.title


class SessionStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    CANCELLED = "cancelled", _("Cancelled")
    HELD = "held", _("Held")


class WorkshopSession(ConstraintErrorsOnFields, models.Model):
    """One occurrence of a workshop: a site (and a room), a time, a number of seats, its facilitators."""

    MAX_CAPACITY = 500

    workshop = models.ForeignKey(Workshop, on_delete=models.PROTECT, related_name="sessions",
                                 verbose_name=_("workshop"))  # fmt: skip
    site = models.ForeignKey("mds_sites.Site", on_delete=models.PROTECT, related_name="workshop_sessions",
                             verbose_name=_("site"))  # fmt: skip
    zone = models.ForeignKey("mds_sites.Zone", on_delete=models.SET_NULL, null=True, blank=True,
                             related_name="workshop_sessions", verbose_name=_("room"))  # fmt: skip
    starts_at = models.DateTimeField(_("starts at"), db_index=True)
    ends_at = models.DateTimeField(_("ends at"))
    capacity = models.PositiveSmallIntegerField(_("seats"), default=10)
    facilitators = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="facilitated_sessions",
                                          verbose_name=_("facilitators"))  # fmt: skip
    status = models.CharField(_("status"), max_length=10, choices=SessionStatus.choices,
                              default=SessionStatus.PLANNED)  # fmt: skip
    held_at = models.DateTimeField(_("marked held at"), null=True, blank=True)
    notes = models.TextField(_("notes"), max_length=4000, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    mds_path = "workshop__mds"
    objects = ScopedQuerySet.as_manager()

    constraint_error_fields = {
        "workshopsession_ends_after_start": "ends_at",
        "workshopsession_capacity_bounded": "capacity",
        "workshopsession_held_when_marked": "status",
    }

    class Meta:
        ordering = ["starts_at", "pk"]
        verbose_name = _("workshop session")
        verbose_name_plural = _("workshop sessions")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")),
                name="workshopsession_ends_after_start",
                violation_error_code="workshopsession_ends_after_start",
                violation_error_message=_("The session ends after it starts."),
            ),
            models.CheckConstraint(
                condition=Q(capacity__gte=1, capacity__lte=500),  # MAX_CAPACITY
                name="workshopsession_capacity_bounded",
                violation_error_code="workshopsession_capacity_bounded",
                violation_error_message=_("A session has between 1 and 500 seats."),
            ),
            models.CheckConstraint(
                condition=Q(status=SessionStatus.HELD, held_at__isnull=False)
                | (~Q(status=SessionStatus.HELD) & Q(held_at__isnull=True)),
                name="workshopsession_held_when_marked",
                violation_error_code="workshopsession_held_when_marked",
                violation_error_message=_("A held session has the time it was marked held, and only it."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.workshop} · {self.starts_at:%Y-%m-%d %H:%M}"

    def clean(self) -> None:
        """The site is one of the workshop's MDS, the room one of the site's: a join the database cannot check."""
        errors = {}
        if self.workshop_id and self.site_id and self.site.mds_id != self.workshop.mds_id:
            errors["site"] = _("The site belongs to another MDS than the workshop's.")
        if self.zone_id and self.site_id and self.zone.site_id != self.site_id:
            errors["zone"] = _("The room is not at this site.")
        if errors:
            raise ValidationError(errors)


class RegistrationStatus(models.TextChoices):
    CONFIRMED = "confirmed", _("Confirmed")
    WAITING = "waiting", _("On the waiting list")
    OFFERED = "offered", _("Seat offered")
    CANCELLED = "cancelled", _("Cancelled")
    EXPIRED = "expired", _("Offer expired")


# A registration with one of these is live: it holds a seat (confirmed, offered) or a place in the queue (waiting).
LIVE_STATUSES = (RegistrationStatus.CONFIRMED, RegistrationStatus.WAITING, RegistrationStatus.OFFERED)
# The seats a session has given: confirmed ones and offers not yet answered (an offer holds its seat).
SEAT_STATUSES = (RegistrationStatus.CONFIRMED, RegistrationStatus.OFFERED)


class AttendanceStatus(models.TextChoices):
    UNKNOWN = "unknown", _("Not taken yet")
    PRESENT = "present", _("Present")
    ABSENT = "absent", _("Absent")


class AbsenceReason(models.TextChoices):
    WARNED = "warned", _("Warned beforehand")
    NO_NEWS = "no_news", _("No news")
    ILLNESS = "illness", _("Illness or emergency")
    OTHER = "other", _("Other reason")


class RegistrationQuerySet(ScopedQuerySet):
    def live(self):
        return self.filter(status__in=LIVE_STATUSES)

    def holding_seats(self):
        return self.filter(status__in=SEAT_STATUSES)


class Registration(ConstraintErrorsOnFields, models.Model):
    """A person's seat (or place in the queue) in a session: minimal data — a first name, a phone or an email —
    and the time they consented. Anonymised a year after the session (mediation.retention)."""

    session = models.ForeignKey(WorkshopSession, on_delete=models.PROTECT, related_name="registrations",
                                verbose_name=_("session"))  # fmt: skip
    # Blank only for a walk-in who gave no name (counted, present) and once anonymised.
    first_name = models.CharField(_("first name"), max_length=100, blank=True)
    phone = models.CharField(_("phone"), max_length=32, blank=True)  # E.164 (core.phone), by the write path
    email = models.EmailField(_("email"), blank=True)
    consent_at = models.DateTimeField(_("consent given at"))
    registered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                      related_name="+", verbose_name=_("registered by agent"),
                                      help_text=_("Empty: the person registered online."))  # fmt: skip
    status = models.CharField(_("status"), max_length=10, choices=RegistrationStatus.choices,
                              default=RegistrationStatus.CONFIRMED)  # fmt: skip
    offer_expires_at = models.DateTimeField(_("offer expires at"), null=True, blank=True)
    position = models.PositiveIntegerField(_("position on the waiting list"), null=True, blank=True)
    attendance = models.CharField(_("attendance"), max_length=10, choices=AttendanceStatus.choices,
                                  default=AttendanceStatus.UNKNOWN)  # fmt: skip
    absence_reason = models.CharField(_("reason for the absence"), max_length=10, choices=AbsenceReason.choices,
                                      blank=True)  # fmt: skip
    walk_in = models.BooleanField(_("walk-in"), default=False)
    # The language the person registered in: their confirmation, offer and reminder are written in it.
    language = models.CharField(_("language"), max_length=10, default="fr")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    anonymised_at = models.DateTimeField(_("anonymised at"), null=True, blank=True)

    mds_path = "session__workshop__mds"
    objects = RegistrationQuerySet.as_manager()

    constraint_error_fields = {
        "registration_phone_or_email": "phone",
        "registration_first_name": "first_name",
        "registration_one_live_per_phone": "phone",
        "registration_one_live_per_email": "email",
        "registration_offer_has_expiry": "offer_expires_at",
        "registration_waiting_has_position": "position",
        "registration_attendance_of_confirmed": "attendance",
        "registration_reason_of_absence": "absence_reason",
    }

    class Meta:
        ordering = ["session", "created_at", "pk"]
        verbose_name = _("registration")
        verbose_name_plural = _("registrations")
        indexes = [
            # The queue of a session (promotion) and the offers to expire (beat, every 10 minutes).
            models.Index(fields=["session", "status", "position"]),
            models.Index(fields=["offer_expires_at"], condition=Q(status="offered"), name="registration_offers"),
        ]
        constraints = [
            # Anonymised rows have neither: the rule is about the person's way to be reached while it matters. A
            # walk-in may give only a first name: present on the spot, there is nothing to send them.
            models.CheckConstraint(
                condition=~Q(phone="", email="") | Q(anonymised_at__isnull=False) | Q(walk_in=True),
                name="registration_phone_or_email",
                violation_error_code="registration_phone_or_email",
                violation_error_message=_("Give a phone number or an email address."),
            ),
            models.CheckConstraint(
                condition=~Q(first_name="") | Q(anonymised_at__isnull=False) | Q(walk_in=True),
                name="registration_first_name",
                violation_error_code="registration_first_name",
                violation_error_message=_("Give a first name."),
            ),
            models.UniqueConstraint(
                fields=["session", "phone"],
                condition=Q(status__in=["confirmed", "waiting", "offered"]) & ~Q(phone=""),  # LIVE_STATUSES
                name="registration_one_live_per_phone",
                violation_error_code="registration_one_live_per_phone",
                violation_error_message=_("This phone number is already registered for this session."),
            ),
            models.UniqueConstraint(
                "session",
                Lower("email"),
                condition=Q(status__in=["confirmed", "waiting", "offered"]) & ~Q(email=""),  # LIVE_STATUSES
                name="registration_one_live_per_email",
                violation_error_code="registration_one_live_per_email",
                violation_error_message=_("This email address is already registered for this session."),
            ),
            models.CheckConstraint(
                condition=~Q(status=RegistrationStatus.OFFERED) | Q(offer_expires_at__isnull=False),
                name="registration_offer_has_expiry",
                violation_error_code="registration_offer_has_expiry",
                violation_error_message=_("A seat offered has the time its offer expires."),
            ),
            models.CheckConstraint(
                condition=~Q(status=RegistrationStatus.WAITING) | Q(position__isnull=False),
                name="registration_waiting_has_position",
                violation_error_code="registration_waiting_has_position",
                violation_error_message=_("A person on the waiting list has a position in it."),
            ),
            models.CheckConstraint(
                condition=Q(attendance=AttendanceStatus.UNKNOWN) | Q(status=RegistrationStatus.CONFIRMED),
                name="registration_attendance_of_confirmed",
                violation_error_code="registration_attendance_of_confirmed",
                violation_error_message=_("Only a confirmed registration is marked present or absent."),
            ),
            models.CheckConstraint(
                condition=Q(attendance=AttendanceStatus.ABSENT) | Q(absence_reason=""),
                name="registration_reason_of_absence",
                violation_error_code="registration_reason_of_absence",
                violation_error_message=_("A reason is given for an absence only."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.first_name or '—'} · {self.session}"

    @property
    def is_live(self) -> bool:
        return self.status in LIVE_STATUSES

    @property
    def name_shown(self) -> str:
        """The first name, or "anonymous" for a walk-in who gave none (or a row anonymised)."""
        return self.first_name or gettext("Anonymous")
