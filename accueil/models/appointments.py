"""Appointments: why someone comes (motif), when agents receive (opening rules and their exceptions), the
appointments themselves, the one-time codes that prove a contact detail before a public booking, and the
secret tokens of the agents' iCal feeds.

The rule that matters most is in the database: an agent (and a room) is never booked twice for overlapping
times — an exclusion constraint over a `tstzrange` of the appointments not cancelled (btree_gist, installed by
0001). Two people booking the same slot at once: one insert wins, the other hits the constraint. The seats of a
collective session share its time (the constraint compares `session`); their number is counted under the motif's
row lock (accueil.appointments.appointment_book).
"""

import datetime as dt
import uuid

from django.conf import settings
from django.contrib.postgres.constraints import ExclusionConstraint
from django.contrib.postgres.fields import DateTimeRangeField, RangeOperators
from django.db import models
from django.db.models import F, Func, Q
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from core.constraints import ConstraintErrorsOnFields
from sites.models import Weekday
from sites.scoping import ScopedQuerySet


class TsTzRange(Func):
    """PostgreSQL's `tstzrange(start, end)`, half-open `[start, end)`: back-to-back appointments do not overlap."""

    function = "TSTZRANGE"
    output_field = DateTimeRangeField()


class LocationType(models.TextChoices):
    MDS = "mds", _("At the MDS")
    PHONE = "phone", _("By phone")
    HOME = "home", _("At home")
    VIDEO = "video", _("By video")


class BookableBy(models.TextChoices):
    AGENTS = "agents", _("Agents only")
    PUBLIC = "public", _("Agents and the public")


class Visibility(models.TextChoices):
    """What the person's messages may say. RDV-Solidarités learned it: a reminder of a child-protection
    appointment read on a shared phone can put someone in danger."""

    NOTIFIED = "notified", _("Visible and notified")
    NOT_NOTIFIED = "not_notified", _("Visible, not notified")
    INVISIBLE = "invisible", _("Invisible to the person's messages")


class Motif(ConstraintErrorsOnFields, models.Model):
    """Why someone comes, and the rules of its appointments."""

    mds = models.ForeignKey("mds_sites.Mds", on_delete=models.CASCADE, related_name="motifs", verbose_name=_("MDS"))
    name = models.CharField(_("name"), max_length=120)
    duration_minutes = models.PositiveSmallIntegerField(_("duration (minutes)"), default=30)
    min_booking_delay_hours = models.PositiveSmallIntegerField(_("minimum booking delay (hours)"), default=24)
    max_booking_delay_days = models.PositiveSmallIntegerField(_("maximum booking delay (days)"), default=60)
    location_type = models.CharField(_("location"), max_length=10, choices=LocationType.choices,
                                     default=LocationType.MDS)  # fmt: skip
    bookable_by = models.CharField(_("who may book it"), max_length=10, choices=BookableBy.choices,
                                   default=BookableBy.AGENTS)  # fmt: skip
    person_may_cancel = models.BooleanField(_("the person may cancel or move it"), default=True)
    cancel_deadline_hours = models.PositiveSmallIntegerField(_("until how many hours before"), default=24)
    instructions_before = models.TextField(_("instructions shown before booking"), max_length=2000, blank=True)
    instructions_after = models.TextField(_("instructions shown after booking"), max_length=2000, blank=True)
    collective = models.BooleanField(_("collective"), default=False,
                                     help_text=_("Several people in one session (a workshop, an information "
                                                 "meeting), up to the number of seats."))  # fmt: skip
    seats = models.PositiveSmallIntegerField(_("seats per session"), default=1,
                                             help_text=_("1 for an individual motif."))  # fmt: skip
    visibility = models.CharField(_("visibility"), max_length=15, choices=Visibility.choices,
                                  default=Visibility.NOTIFIED)  # fmt: skip
    active = models.BooleanField(_("active"), default=True)

    mds_path = "mds"
    objects = ScopedQuerySet.as_manager()

    constraint_error_fields = {
        "motif_duration_bounded": "duration_minutes",
        "motif_max_delay_positive": "max_booking_delay_days",
        "motif_public_is_visible": "visibility",
        "motif_unique_name": "name",
        "motif_seats_match_kind": "seats",
    }

    class Meta:
        ordering = ["name", "pk"]
        verbose_name = _("motif")
        verbose_name_plural = _("motifs")
        constraints = [
            models.CheckConstraint(
                condition=Q(duration_minutes__gte=5, duration_minutes__lte=480),
                name="motif_duration_bounded",
                violation_error_code="motif_duration_bounded",
                violation_error_message=_("An appointment lasts between 5 minutes and 8 hours."),
            ),
            models.CheckConstraint(
                condition=Q(max_booking_delay_days__gte=1),
                name="motif_max_delay_positive",
                violation_error_code="motif_max_delay_positive",
                violation_error_message=_("The maximum booking delay is at least one day."),
            ),
            # The public books by SMS or email: a motif that must never reach the person's messages cannot be
            # opened to the public.
            models.CheckConstraint(
                condition=Q(bookable_by=BookableBy.AGENTS) | Q(visibility=Visibility.NOTIFIED),
                name="motif_public_is_visible",
                violation_error_code="motif_public_is_visible",
                violation_error_message=_("A motif open to the public must be visible and notified."),
            ),
            models.CheckConstraint(
                condition=Q(collective=False, seats=1) | Q(collective=True, seats__gte=2, seats__lte=200),
                name="motif_seats_match_kind",
                violation_error_code="motif_seats_match_kind",
                violation_error_message=_("An individual motif has 1 seat; a collective one between 2 and 200."),
            ),
            models.UniqueConstraint(
                "mds",
                Lower("name"),
                name="motif_unique_name",
                violation_error_code="motif_unique_name",
                violation_error_message=_("This MDS already has a motif with this name."),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def notifies(self) -> bool:
        return self.visibility == Visibility.NOTIFIED


class OpeningRule(ConstraintErrorsOnFields, models.Model):
    """An agent receives at a site, for some motifs, on a weekday between two times, every N weeks from a date
    (until another). Times are wall-clock times in Europe/Paris: 9 a.m. stays 9 a.m. across the change of hour.
    A team is several rules, one per agent: the slots and the no-double-booking rule are per agent."""

    mds = models.ForeignKey("mds_sites.Mds", on_delete=models.CASCADE, related_name="opening_rules",
                            verbose_name=_("MDS"))  # fmt: skip
    site = models.ForeignKey("mds_sites.Site", on_delete=models.CASCADE, related_name="opening_rules",
                             verbose_name=_("site"))  # fmt: skip
    agent = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="opening_rules",
                              verbose_name=_("agent"))  # fmt: skip
    motifs = models.ManyToManyField(Motif, related_name="opening_rules", verbose_name=_("motifs"))
    weekday = models.PositiveSmallIntegerField(_("day"), choices=Weekday.choices)
    starts_at = models.TimeField(_("from"))
    ends_at = models.TimeField(_("to"))
    valid_from = models.DateField(_("valid from"))
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    every_weeks = models.PositiveSmallIntegerField(_("every how many weeks"), default=1)

    mds_path = "mds"
    objects = ScopedQuerySet.as_manager()

    constraint_error_fields = {
        "openingrule_ends_after_start": "ends_at",
        "openingrule_until_after_from": "valid_until",
        "openingrule_every_weeks_positive": "every_weeks",
    }

    class Meta:
        ordering = ["weekday", "starts_at", "pk"]
        verbose_name = _("opening rule")
        verbose_name_plural = _("opening rules")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")),
                name="openingrule_ends_after_start",
                violation_error_code="openingrule_ends_after_start",
                violation_error_message=_("The opening ends after it starts."),
            ),
            models.CheckConstraint(
                condition=Q(valid_until__isnull=True) | Q(valid_until__gte=F("valid_from")),
                name="openingrule_until_after_from",
                violation_error_code="openingrule_until_after_from",
                violation_error_message=_("The last day comes after the first."),
            ),
            models.CheckConstraint(
                condition=Q(every_weeks__gte=1, every_weeks__lte=8),
                name="openingrule_every_weeks_positive",
                violation_error_code="openingrule_every_weeks_positive",
                violation_error_message=_("The recurrence is every 1 to 8 weeks."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.starts_at:%H:%M}–{self.ends_at:%H:%M} · {self.agent}"


class Absence(ConstraintErrorsOnFields, models.Model):
    """An exception to the opening rules: an agent's absence, or (no agent) a closure of the MDS or one of its
    sites — a public holiday, a training day."""

    class Kind(models.TextChoices):
        ABSENCE = "absence", _("Absence")
        HOLIDAY = "holiday", _("Public holiday or closure")

    mds = models.ForeignKey("mds_sites.Mds", on_delete=models.CASCADE, related_name="absences",
                            verbose_name=_("MDS"))  # fmt: skip
    site = models.ForeignKey("mds_sites.Site", on_delete=models.CASCADE, null=True, blank=True,
                             related_name="absences", verbose_name=_("site"))  # fmt: skip
    agent = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True,
                              related_name="absences", verbose_name=_("agent"))  # fmt: skip
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.ABSENCE)
    starts_at = models.DateTimeField(_("from"))
    ends_at = models.DateTimeField(_("to"))
    label = models.CharField(_("label"), max_length=120, blank=True)

    mds_path = "mds"
    objects = ScopedQuerySet.as_manager()

    constraint_error_fields = {"absence_ends_after_start": "ends_at"}

    class Meta:
        ordering = ["starts_at", "pk"]
        verbose_name = _("absence or closure")
        verbose_name_plural = _("absences and closures")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")),
                name="absence_ends_after_start",
                violation_error_code="absence_ends_after_start",
                violation_error_message=_("The absence ends after it starts."),
            ),
        ]

    def __str__(self) -> str:
        return self.label or str(self.get_kind_display())


class BookedBy(models.TextChoices):
    AGENT = "agent", _("An agent")
    PUBLIC = "public", _("The person, online")


class Attendance(models.TextChoices):
    UNKNOWN = "unknown", _("Unknown")
    SEEN = "seen", _("Seen")
    EXCUSED = "excused", _("Excused")
    CANCELLED = "cancelled", _("Cancelled by the MDS")
    NO_SHOW = "no_show", _("Did not come")


# An appointment with one of these is no longer held: its slot is free again.
CANCELLED_ATTENDANCES = (Attendance.EXCUSED, Attendance.CANCELLED)


def own_session() -> str:
    """An individual appointment is a session of its own: nobody else can share its time."""
    return f"own:{uuid.uuid4().hex}"


def collective_session(*, motif_id: int, agent_id: int, starts_at: dt.datetime) -> str:
    """The people booked on one collective motif with one agent at one time share a session (and its seats)."""
    return f"collective:{motif_id}:{agent_id}:{starts_at.astimezone(dt.UTC):%Y%m%dT%H%M}"


class AppointmentQuerySet(ScopedQuerySet):
    def active(self):
        return self.filter(cancelled_at__isnull=True)


class Appointment(ConstraintErrorsOnFields, models.Model):
    mds = models.ForeignKey("mds_sites.Mds", on_delete=models.PROTECT, related_name="appointments",
                            verbose_name=_("MDS"))  # fmt: skip
    site = models.ForeignKey("mds_sites.Site", on_delete=models.PROTECT, related_name="appointments",
                             verbose_name=_("site"))  # fmt: skip
    room = models.ForeignKey("mds_sites.Zone", on_delete=models.SET_NULL, null=True, blank=True,
                             related_name="appointments", verbose_name=_("room"))  # fmt: skip
    agent = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="appointments",
                              verbose_name=_("agent"))  # fmt: skip
    motif = models.ForeignKey(Motif, on_delete=models.PROTECT, related_name="appointments", verbose_name=_("motif"))
    person = models.ForeignKey("accueil.Person", on_delete=models.PROTECT, related_name="appointments",
                               verbose_name=_("person"))  # fmt: skip
    request = models.ForeignKey("accueil.ContactRequest", on_delete=models.SET_NULL, null=True, blank=True,
                                related_name="appointments", verbose_name=_("request"))  # fmt: skip
    starts_at = models.DateTimeField(_("starts at"), db_index=True)
    ends_at = models.DateTimeField(_("ends at"))
    # Who may share this time: nobody for an individual appointment (its own session), the other seats of the same
    # collective session otherwise. Read by the exclusion constraints below.
    session = models.CharField(_("session"), max_length=80, default=own_session, editable=False)
    booked_by = models.CharField(_("booked by"), max_length=10, choices=BookedBy.choices, default=BookedBy.AGENT)
    # The language of the person's messages about it (the page they booked on, their request's); empty: French.
    language = models.CharField(_("language of the messages"), max_length=10, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+", verbose_name=_("booked by agent"))  # fmt: skip
    attendance = models.CharField(_("attendance"), max_length=10, choices=Attendance.choices,
                                  default=Attendance.UNKNOWN)  # fmt: skip
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    # Two years after it ended (accueil.retention): kept for the statistics, no longer a reason to keep the
    # person's record, which is then anonymised with the rest.
    anonymised_at = models.DateTimeField(_("anonymised at"), null=True, blank=True)

    mds_path = "mds"
    objects = AppointmentQuerySet.as_manager()

    constraint_error_fields = {
        "appointment_ends_after_start": "ends_at",
        "appointment_agent_free": "starts_at",
        "appointment_one_seat_per_person": "person",
    }

    class Meta:
        ordering = ["starts_at", "pk"]
        verbose_name = _("appointment")
        verbose_name_plural = _("appointments")
        indexes = [models.Index(fields=["agent", "starts_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")),
                name="appointment_ends_after_start",
                violation_error_code="appointment_ends_after_start",
                violation_error_message=_("The appointment ends after it starts."),
            ),
            models.CheckConstraint(
                condition=Q(
                    cancelled_at__isnull=True,
                    attendance__in=[a.value for a in Attendance if a not in CANCELLED_ATTENDANCES],
                )
                | Q(cancelled_at__isnull=False, attendance__in=[a.value for a in CANCELLED_ATTENDANCES]),
                name="appointment_cancelled_consistent",
                violation_error_code="appointment_cancelled_consistent",
                violation_error_message=_("A cancelled appointment is excused or cancelled by the MDS, and only it."),
            ),
            # The slot rule itself: two appointments of one agent not cancelled never overlap, whoever books them
            # and however many do so at once — unless they are seats of one collective session.
            ExclusionConstraint(
                name="appointment_agent_free",
                expressions=[
                    ("agent", RangeOperators.EQUAL),
                    (TsTzRange("starts_at", "ends_at"), RangeOperators.OVERLAPS),
                    ("session", RangeOperators.NOT_EQUAL),
                ],
                condition=Q(cancelled_at__isnull=True),
                violation_error_code="appointment_agent_free",
                violation_error_message=_("This slot has just been booked: choose another one."),
            ),
            ExclusionConstraint(
                name="appointment_room_free",
                expressions=[
                    ("room", RangeOperators.EQUAL),
                    (TsTzRange("starts_at", "ends_at"), RangeOperators.OVERLAPS),
                    ("session", RangeOperators.NOT_EQUAL),
                ],
                condition=Q(cancelled_at__isnull=True, room__isnull=False),
                violation_error_code="appointment_room_free",
                violation_error_message=_("This room is already taken at that time."),
            ),
            models.UniqueConstraint(
                fields=["session", "person"],
                condition=Q(cancelled_at__isnull=True),
                name="appointment_one_seat_per_person",
                violation_error_code="appointment_one_seat_per_person",
                violation_error_message=_("This person already has a seat in this session."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.motif} · {self.starts_at:%Y-%m-%d %H:%M}"

    @property
    def is_cancelled(self) -> bool:
        return self.cancelled_at is not None


class OneTimeCode(models.Model):
    """A short code sent to a phone or an address to prove it before a public booking. Only its keyed hash is
    kept; it expires, and it stops answering after a few wrong tries (a 6-digit code is otherwise guessed)."""

    MAX_ATTEMPTS = 5

    mds = models.ForeignKey("mds_sites.Mds", on_delete=models.CASCADE, related_name="+", verbose_name=_("MDS"))
    channel = models.CharField(_("channel"), max_length=10, choices=[("sms", _("SMS")), ("email", _("Email"))])
    destination = models.CharField(_("sent to"), max_length=254)
    code_hash = models.CharField(_("code (hashed)"), max_length=64)
    booking = models.JSONField(_("booking awaiting the code"), default=dict, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires at"))
    used_at = models.DateTimeField(_("used at"), null=True, blank=True)

    mds_path = "mds"
    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("one-time code")
        verbose_name_plural = _("one-time codes")
        constraints = [
            models.CheckConstraint(
                condition=Q(attempts__lte=5),  # MAX_ATTEMPTS
                name="onetimecode_attempts_bounded",
                violation_error_code="onetimecode_attempts_bounded",
                violation_error_message=_("Too many attempts for this code."),
            ),
            models.CheckConstraint(
                condition=Q(expires_at__gt=F("created_at")),
                name="onetimecode_expires_after_creation",
                violation_error_code="onetimecode_expires_after_creation",
                violation_error_message=_("A code expires after it is made."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} · {self.created_at:%Y-%m-%d %H:%M}"


class CalendarFeedToken(models.Model):
    """The secret of an agent's private iCal feed. Only its hash is kept (the URL is shown once); revoking it
    stops the feed at once, and the agent may make a new one."""

    agent = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_tokens",
                              verbose_name=_("agent"))  # fmt: skip
    token_hash = models.CharField(_("token (hashed)"), max_length=64, unique=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("calendar feed token")
        verbose_name_plural = _("calendar feed tokens")
        constraints = [
            models.UniqueConstraint(
                "agent",
                condition=Q(revoked_at__isnull=True),
                name="calendarfeedtoken_one_active_per_agent",
                violation_error_code="calendarfeedtoken_one_active_per_agent",
                violation_error_message=_("This agent already has a calendar feed: revoke it first."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.agent} · {self.created_at:%Y-%m-%d}"
