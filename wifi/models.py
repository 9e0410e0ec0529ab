"""Access points (bornes WiFi), their health samples, incidents and maintenance windows."""

from datetime import timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Now
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from core.constraints import ConstraintErrorsOnFields
from core.mac import MacAddressField
from sites.models import Site, Zone
from sites.scoping import ScopedQuerySet


class Lifecycle(models.TextChoices):
    PLANNED = "planned", _("Planned")
    ORDERED = "ordered", _("Ordered")
    INSTALLED = "installed", _("Installed")
    ACCEPTED = "accepted", _("Accepted (recette)")
    # "In operation", never "in service": the French "En service" read like the health "up" (issue 10).
    IN_SERVICE = "in_service", _("In operation")
    FAULTY = "faulty", _("Faulty")
    RETIRED = "retired", _("Retired")


# The date field that records when an AP reached each step.
LIFECYCLE_DATE_FIELDS = {
    Lifecycle.PLANNED: "planned_on",
    Lifecycle.ORDERED: "ordered_on",
    Lifecycle.INSTALLED: "installed_on",
    Lifecycle.ACCEPTED: "accepted_on",
    Lifecycle.IN_SERVICE: "in_service_on",
    Lifecycle.FAULTY: "faulty_on",
    Lifecycle.RETIRED: "retired_on",
}
# APs in these steps are polled: they are supposed to answer.
POLLED_LIFECYCLES = (Lifecycle.IN_SERVICE, Lifecycle.FAULTY)


PROBE_KIND_MAX_LENGTH = 20


def probe_kind_choices() -> list[tuple[str, str]]:
    """The methods of settings.WIFI_PROBES, read when a form or a validation asks: adding one is no migration."""
    from wifi.probes.loading import probe_choices  # the drivers import this module

    return probe_choices()


class Health(models.TextChoices):
    UNKNOWN = "unknown", _("Unknown")
    UP = "up", _("Up")
    DEGRADED = "degraded", _("Degraded")
    DOWN = "down", _("Down")


class ErrorKind(models.TextChoices):
    TIMEOUT = "timeout", _("No answer (timeout)")
    REFUSED = "refused", _("Connection refused")
    AUTH = "auth", _("Authentication failed")
    MALFORMED = "malformed", _("Malformed answer")
    OTHER = "other", _("Other error")


class AccessPointQuerySet(ScopedQuerySet):
    def polled(self):
        return self.filter(lifecycle__in=POLLED_LIFECYCLES)


class AccessPoint(ConstraintErrorsOnFields, models.Model):
    """A WiFi access point ("borne") of a site.

    The FEDER asset register (funding app) points at access points, not the other way round,
    so that this app never imports funding.
    """

    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="access_points", verbose_name=_("site"))
    zone = models.ForeignKey(
        Zone, on_delete=models.SET_NULL, null=True, blank=True, related_name="access_points", verbose_name=_("zone")
    )
    label = models.CharField(_("label"), max_length=80)
    vendor = models.CharField(_("vendor"), max_length=80, blank=True)
    hardware_model = models.CharField(_("model"), max_length=80, blank=True)
    serial_number = models.CharField(_("serial number"), max_length=80, unique=True)
    mac_address = MacAddressField(_("MAC address"), unique=True, null=True, blank=True)
    management_address = models.CharField(
        _("management address"), max_length=255, blank=True, help_text=_("IP address or host name used for polling.")
    )

    # How it is polled. Secrets are not here: `credential_name` names a set in the WIFI_CREDENTIALS
    # environment variable (community, SNMPv3 keys, HTTP token).
    probe_kind = models.CharField(
        _("polling method"),
        max_length=PROBE_KIND_MAX_LENGTH,
        choices=probe_kind_choices,
        default="tcp",
        error_messages={"invalid_choice": _("“%(value)s” is not a polling method configured in WIFI_PROBES.")},
    )
    probe_port = models.PositiveIntegerField(_("polling port"), null=True, blank=True)
    probe_settings = models.JSONField(
        _("polling settings"),
        default=dict,
        blank=True,
        help_text=_("Non-secret settings of the polling method, e.g. URL path and JSON paths for HTTP."),
    )
    credential_name = models.CharField(_("credential set"), max_length=60, blank=True)

    lifecycle = models.CharField(_("lifecycle"), max_length=20, choices=Lifecycle.choices, default=Lifecycle.PLANNED)
    planned_on = models.DateField(_("planned on"), null=True, blank=True)
    ordered_on = models.DateField(_("ordered on"), null=True, blank=True)
    installed_on = models.DateField(_("installed on"), null=True, blank=True)
    accepted_on = models.DateField(_("accepted on"), null=True, blank=True)
    in_service_on = models.DateField(_("commissioned on"), null=True, blank=True)
    faulty_on = models.DateField(_("faulty since"), null=True, blank=True)
    retired_on = models.DateField(_("retired on"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True)

    # Current health, derived from the samples by wifi.health (kept here so the board is one query).
    health = models.CharField(_("health"), max_length=10, choices=Health.choices, default=Health.UNKNOWN)
    health_since = models.DateTimeField(_("health since"), null=True, blank=True)
    last_seen_at = models.DateTimeField(_("last seen"), null=True, blank=True)
    last_polled_at = models.DateTimeField(_("last polled"), null=True, blank=True)
    last_uptime_seconds = models.BigIntegerField(_("uptime (s)"), null=True, blank=True)
    last_reboot_at = models.DateTimeField(_("last reboot"), null=True, blank=True)
    clients_now = models.PositiveIntegerField(_("clients now"), null=True, blank=True)
    consecutive_failures = models.PositiveIntegerField(_("consecutive failures"), default=0)
    consecutive_successes = models.PositiveIntegerField(_("consecutive successes"), default=0)
    alerts_snoozed_until = models.DateTimeField(_("alerts snoozed until"), null=True, blank=True)

    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    mds_path = "site__mds"
    objects = AccessPointQuerySet.as_manager()

    constraint_error_fields = {"ap_unique_label_in_site": "label", "ap_probe_port_range": "probe_port"}

    class Meta:
        ordering = ["site__mds__number", "site__number", "label"]
        verbose_name = _("access point")
        verbose_name_plural = _("access points")
        constraints = [
            models.UniqueConstraint(
                fields=["site", "label"],
                name="ap_unique_label_in_site",
                violation_error_code="ap_unique_label_in_site",
                violation_error_message=_("This site already has an access point with this name."),
            ),
            models.CheckConstraint(
                condition=models.Q(probe_port__isnull=True) | models.Q(probe_port__gte=1, probe_port__lte=65535),
                name="ap_probe_port_range",
                violation_error_code="ap_probe_port_range",
                violation_error_message=_("The port is a number from 1 to 65535."),
            ),
        ]
        indexes = [models.Index(fields=["lifecycle", "health"])]

    def __str__(self):
        return f"{self.label} ({self.serial_number})"

    def get_absolute_url(self):
        return reverse("wifi:ap_detail", kwargs={"pk": self.pk})

    def clean(self):
        from wifi.probes.loading import probe_class  # the drivers import this module

        errors: dict[str, list] = {}
        if self.zone_id and self.zone.site_id != self.site_id:
            errors["zone"] = [_("This zone belongs to another site.")]
        if self.lifecycle in POLLED_LIFECYCLES and not self.management_address:
            errors["management_address"] = [_("An access point in operation needs an address to poll.")]
        # An unconfigured kind is refused by the field's choices; each configured driver checks its own settings.
        if driver := probe_class(self.probe_kind):
            try:
                self.probe_settings = driver.clean_settings(self.probe_settings)
            except ValidationError as exc:
                errors["probe_settings"] = exc.error_list
        if errors:
            raise ValidationError(errors)

    def alerts_snoozed(self, at=None) -> bool:
        return bool(self.alerts_snoozed_until and self.alerts_snoozed_until > (at or timezone.now()))


class HealthSample(models.Model):
    """One probe of one access point. Kept 30 days, then summarised in hourly roll-ups."""

    access_point = models.ForeignKey(AccessPoint, on_delete=models.CASCADE, related_name="samples")
    taken_at = models.DateTimeField(_("taken at"), db_default=Now())
    reachable = models.BooleanField(_("reachable"))
    degraded = models.BooleanField(_("degraded"), default=False)
    latency_ms = models.FloatField(_("latency (ms)"), null=True, blank=True)
    uptime_seconds = models.BigIntegerField(_("uptime (s)"), null=True, blank=True)
    clients = models.PositiveIntegerField(_("clients"), null=True, blank=True)
    error_kind = models.CharField(_("error"), max_length=20, choices=ErrorKind.choices, blank=True)
    detail = models.CharField(_("detail"), max_length=200, blank=True)
    rebooted = models.BooleanField(_("rebooted"), default=False)
    # Taken during planned works or while alerts were snoozed: a failure then is not held against the AP.
    planned = models.BooleanField(_("during maintenance"), default=False)

    class Meta:
        ordering = ["-taken_at"]
        verbose_name = _("health sample")
        verbose_name_plural = _("health samples")
        indexes = [models.Index(fields=["access_point", "-taken_at"]), models.Index(fields=["taken_at"])]

    def __str__(self):
        return f"{self.access_point_id} {self.taken_at:%Y-%m-%d %H:%M} {'ok' if self.reachable else self.error_kind}"


class HourlyRollup(models.Model):
    """An hour of samples of one access point, summarised; kept two years for availability reports."""

    access_point = models.ForeignKey(AccessPoint, on_delete=models.CASCADE, related_name="rollups")
    hour = models.DateTimeField(_("hour"))
    samples = models.PositiveIntegerField(_("samples"))
    reachable_samples = models.PositiveIntegerField(_("reachable samples"))
    planned_down_samples = models.PositiveIntegerField(_("unreachable during maintenance"), default=0)
    clients_avg = models.FloatField(_("clients (average)"), null=True)
    clients_max = models.PositiveIntegerField(_("clients (max)"), null=True)
    latency_p50_ms = models.FloatField(_("latency p50 (ms)"), null=True)
    latency_p95_ms = models.FloatField(_("latency p95 (ms)"), null=True)

    class Meta:
        ordering = ["access_point", "hour"]
        verbose_name = _("hourly roll-up")
        verbose_name_plural = _("hourly roll-ups")
        constraints = [
            models.UniqueConstraint(
                fields=["access_point", "hour"],
                name="rollup_unique_hour",
                violation_error_code="rollup_unique_hour",
                violation_error_message=_("This access point already has a summary for this hour."),
            ),
            models.CheckConstraint(
                condition=models.Q(reachable_samples__lte=models.F("samples")),
                name="rollup_counts",
                violation_error_code="rollup_counts",
                violation_error_message=_("The reachable samples cannot outnumber the samples."),
            ),
        ]
        # "The last hour rolled up" without reading every AP's two years (175 M rows at 10,000 APs).
        indexes = [models.Index(fields=["hour"], name="rollup_hour")]

    def __str__(self):
        return f"{self.access_point_id} {self.hour:%Y-%m-%d %H}h"

    @property
    def availability(self) -> float | None:
        """Share of the hour the AP answered, planned works left out (as maintenance contracts count it)."""
        counted = self.samples - self.planned_down_samples
        return self.reachable_samples / counted if counted else None


class DailyRollup(models.Model):
    """A day (Paris time) of an access point's hourly roll-ups, summed: the monthly report reads ≤ 31 of these per AP.

    `hours_mask` has bit i set when hour i after the day's midnight had data (25 hours on the autumn DST
    day): a site's hours with data are the bits of its APs' masks OR-ed together, as the hourly rows gave them.
    """

    access_point = models.ForeignKey(AccessPoint, on_delete=models.CASCADE, related_name="daily_rollups")
    day = models.DateField(_("day"))
    samples = models.PositiveIntegerField(_("samples"))
    reachable_samples = models.PositiveIntegerField(_("reachable samples"))
    planned_down_samples = models.PositiveIntegerField(_("unreachable during maintenance"))
    hours_with_data = models.PositiveSmallIntegerField(_("hours with data"))
    hours_mask = models.BigIntegerField(_("hours with data (bits)"))

    class Meta:
        ordering = ["access_point", "day"]
        verbose_name = _("daily roll-up")
        verbose_name_plural = _("daily roll-ups")
        constraints = [
            models.UniqueConstraint(
                fields=["access_point", "day"],
                name="daily_rollup_unique_day",
                violation_error_code="daily_rollup_unique_day",
                violation_error_message=_("This access point already has a summary for this day."),
            ),
            models.CheckConstraint(
                condition=models.Q(reachable_samples__lte=models.F("samples")),
                name="daily_rollup_counts",
                violation_error_code="daily_rollup_counts",
                violation_error_message=_("The reachable samples cannot outnumber the samples."),
            ),
        ]
        indexes = [models.Index(fields=["day"], name="daily_rollup_day")]

    def __str__(self):
        return f"{self.access_point_id} {self.day:%Y-%m-%d}"


class IncidentQuerySet(ScopedQuerySet):
    def open(self):
        return self.filter(ended_at__isnull=True)


class Incident(models.Model):
    """An access point down: opened when it goes down, closed when it is back up."""

    access_point = models.ForeignKey(
        AccessPoint, on_delete=models.CASCADE, related_name="incidents", verbose_name=_("access point")
    )
    started_at = models.DateTimeField(_("started at"))
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    cause = models.CharField(_("cause"), max_length=20, choices=ErrorKind.choices, blank=True)
    detail = models.CharField(_("detail"), max_length=200, blank=True)
    planned = models.BooleanField(_("planned (maintenance or snoozed)"), default=False)
    # Who works on it: ops acknowledge an incident (someone has seen it) and assign it to one of them.
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        "mds_sites.Agent", on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("acknowledged by"),
    )  # fmt: skip
    assigned_to = models.ForeignKey(
        "mds_sites.Agent", on_delete=models.SET_NULL, null=True, blank=True, related_name="assigned_incidents",
        verbose_name=_("assigned to"),
    )  # fmt: skip

    mds_path = "access_point__site__mds"
    objects = IncidentQuerySet.as_manager()

    class Meta:
        ordering = ["-started_at"]
        verbose_name = _("incident")
        verbose_name_plural = _("incidents")
        constraints = [
            # Two overlapping polling rounds can never open a second incident for the same AP.
            models.UniqueConstraint(
                fields=["access_point"],
                condition=models.Q(ended_at__isnull=True),
                name="incident_one_open_per_ap",
                violation_error_code="incident_one_open_per_ap",
                violation_error_message=_("This access point already has an open incident."),
            ),
            models.CheckConstraint(
                condition=models.Q(ended_at__isnull=True) | models.Q(ended_at__gte=models.F("started_at")),
                name="incident_ends_after_start",
                violation_error_code="incident_ends_after_start",
                violation_error_message=_("An incident ends after it started."),
            ),
        ]

    def __str__(self):
        return f"{self.access_point} — {self.started_at:%Y-%m-%d %H:%M}"

    @property
    def duration(self) -> timedelta:
        return (self.ended_at or timezone.now()) - self.started_at


class IncidentComment(models.Model):
    """A note ops leave on an incident: what was tried, who was called."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey("mds_sites.Agent", on_delete=models.SET_NULL, null=True, verbose_name=_("author"))
    body = models.TextField(_("comment"), max_length=2000)
    created_at = models.DateTimeField(_("written at"), auto_now_add=True)

    mds_path = "incident__access_point__site__mds"
    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("incident comment")
        verbose_name_plural = _("incident comments")

    def __str__(self):
        return f"{self.incident_id} {self.created_at:%Y-%m-%d %H:%M}"


class OutageQuerySet(ScopedQuerySet):
    def open(self):
        return self.filter(ended_at__isnull=True)


class Outage(models.Model):
    """Many access points failing together: most likely one cause upstream of them, paged once.

    A site outage: every AP of a site (two or more) down at once, i.e. its uplink. A poller outage: a large
    share of the whole fleet going down in one round, i.e. the network between the poller and the sites (or
    the poller itself). While one is open, the alerts of the per-AP incidents it explains are held
    (IncidentNotification.held_by): the incidents are recorded, ops get one page instead of hundreds.
    """

    class Scope(models.TextChoices):
        SITE = "site", _("Site (uplink)")
        POLLER = "poller", _("Poller (network-wide)")

    scope = models.CharField(_("scope"), max_length=10, choices=Scope.choices)
    site = models.ForeignKey(
        Site, on_delete=models.CASCADE, null=True, blank=True, related_name="wifi_outages", verbose_name=_("site")
    )
    started_at = models.DateTimeField(_("started at"))
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    aps_down = models.PositiveIntegerField(_("access points down"))  # when it opened
    aps_polled = models.PositiveIntegerField(_("access points polled"))  # of the site or the fleet, then
    planned = models.BooleanField(_("planned (maintenance)"), default=False)

    mds_path = "site__mds"
    objects = OutageQuerySet.as_manager()

    class Meta:
        ordering = ["-started_at"]
        verbose_name = _("outage")
        verbose_name_plural = _("outages")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(scope="site", site__isnull=False) | models.Q(scope="poller", site__isnull=True),
                name="outage_site_iff_site_scope",
                violation_error_code="outage_site_iff_site_scope",
                violation_error_message=_("A site outage names its site; a network outage names none."),
            ),
            # Overlapping rounds (or a redelivered task) never open a second one for the same cause.
            models.UniqueConstraint(
                fields=["site"],
                condition=models.Q(ended_at__isnull=True, scope="site"),
                name="outage_one_open_per_site",
                violation_error_code="outage_one_open_per_site",
                violation_error_message=_("This site already has an open outage."),
            ),
            models.UniqueConstraint(
                fields=["scope"],
                condition=models.Q(ended_at__isnull=True, scope="poller"),
                name="outage_one_open_poller",
                violation_error_code="outage_one_open_poller",
                violation_error_message=_("A network outage is already open."),
            ),
            models.CheckConstraint(
                condition=models.Q(ended_at__isnull=True) | models.Q(ended_at__gte=models.F("started_at")),
                name="outage_ends_after_start",
                violation_error_code="outage_ends_after_start",
                violation_error_message=_("An outage ends after it started."),
            ),
        ]

    def __str__(self):
        where = self.site if self.scope == self.Scope.SITE else self.get_scope_display()
        return f"{where} — {self.started_at:%Y-%m-%d %H:%M}"


class IncidentNotification(models.Model):
    """The outbox of alerts: one row per incident (or outage) and event, so each is sent once.

    A row whose `held_by` is set is not sent: an outage explains it. When the outage ends, the rows of
    incidents still open are released (held_by cleared) and the rest stay held for good: an AP that came
    back with its site's uplink needs no "down" then "up" mail after the fact.
    """

    class Event(models.TextChoices):
        OPENED = "opened", _("Down")
        CLOSED = "closed", _("Back up")

    incident = models.ForeignKey(
        Incident, on_delete=models.CASCADE, null=True, blank=True, related_name="notifications"
    )
    outage = models.ForeignKey(Outage, on_delete=models.CASCADE, null=True, blank=True, related_name="notifications")
    event = models.CharField(max_length=10, choices=Event.choices)
    held_by = models.ForeignKey(
        Outage, on_delete=models.SET_NULL, null=True, blank=True, related_name="held_notifications",
        verbose_name=_("held by"),
    )  # fmt: skip
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    recipients = models.TextField(blank=True)

    class Meta:
        verbose_name = _("incident notification")
        verbose_name_plural = _("incident notifications")
        constraints = [
            models.UniqueConstraint(
                fields=["incident", "event"],
                name="notification_once_per_event",
                violation_error_code="notification_once_per_event",
                violation_error_message=_("This incident's alert was already queued."),
            ),
            models.UniqueConstraint(
                fields=["outage", "event"],
                name="notification_once_per_outage_event",
                violation_error_code="notification_once_per_outage_event",
                violation_error_message=_("This outage's alert was already queued."),
            ),
            models.CheckConstraint(
                condition=models.Q(incident__isnull=True, outage__isnull=False)
                | models.Q(incident__isnull=False, outage__isnull=True),
                name="notification_of_incident_or_outage",
                violation_error_code="notification_of_incident_or_outage",
                violation_error_message=_("An alert is about an incident or an outage, not both."),
            ),
        ]

    def __str__(self):
        return f"{self.incident or self.outage} {self.event}"


class PollingRound(models.Model):
    """One polling round: when it ran, how long, how many APs answered; or that it found another running.

    A row is written when the round starts and completed with its samples: a round whose worker was killed
    keeps no `finished_at`. Kept 30 days, like the samples.
    """

    started_at = models.DateTimeField(_("started at"))
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    polled = models.PositiveIntegerField(_("access points polled"), default=0)
    answered = models.PositiveIntegerField(_("access points that answered"), default=0)
    # Another round held the lock: this one probed nothing (wifi.polling.round_run).
    skipped = models.BooleanField(_("skipped"), default=False)
    # `manage.py poll_aps --site/--ap`: some APs only, so it says nothing of the beat's rounds.
    partial = models.BooleanField(_("some access points only"), default=False)

    class Meta:
        ordering = ["-started_at"]
        verbose_name = _("polling round")
        verbose_name_plural = _("polling rounds")
        indexes = [models.Index(fields=["-started_at"]), models.Index(fields=["-finished_at"])]

    def __str__(self):
        return f"{self.started_at:%Y-%m-%d %H:%M:%S}{' skipped' if self.skipped else ''}"

    @property
    def duration(self) -> timedelta | None:
        return self.finished_at - self.started_at if self.finished_at else None


class RebootNotification(models.Model):
    """The outbox of reboot alerts (an uptime that went backwards), for the agents who asked for them."""

    access_point = models.ForeignKey(AccessPoint, on_delete=models.CASCADE, related_name="reboot_notifications")
    rebooted_at = models.DateTimeField(_("rebooted at"))
    uptime_seconds = models.BigIntegerField(_("uptime (s)"), null=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    recipients = models.TextField(blank=True)

    class Meta:
        verbose_name = _("reboot notification")
        verbose_name_plural = _("reboot notifications")
        constraints = [
            models.UniqueConstraint(
                fields=["access_point", "rebooted_at"],
                name="reboot_notification_once",
                violation_error_code="reboot_notification_once",
                violation_error_message=_("This reboot was already reported."),
            )
        ]

    def __str__(self):
        return f"{self.access_point_id} {self.rebooted_at:%Y-%m-%d %H:%M}"


class MaintenanceWindowQuerySet(ScopedQuerySet):
    def covering(self, at):
        """The windows in force at `at`: a cancelled window stopped covering when it was cancelled."""
        return self.filter(starts_at__lte=at, ends_at__gt=at).filter(
            models.Q(cancelled_at__isnull=True) | models.Q(cancelled_at__gt=at)
        )


class MaintenanceWindow(ConstraintErrorsOnFields, models.Model):
    """Planned works on a site (all its APs) or on one AP: samples are kept, nobody is paged."""

    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="maintenance_windows")
    access_point = models.ForeignKey(
        AccessPoint, on_delete=models.CASCADE, null=True, blank=True, related_name="maintenance_windows",
        verbose_name=_("access point"), help_text=_("Empty: the whole site."),
    )  # fmt: skip
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    reason = models.CharField(_("reason"), max_length=200)
    created_by = models.ForeignKey(
        "mds_sites.Agent", on_delete=models.SET_NULL, null=True, blank=True, verbose_name=_("created by")
    )
    # Kept rather than deleted: the samples it marked planned until then stay explained.
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)

    mds_path = "site__mds"
    objects = MaintenanceWindowQuerySet.as_manager()

    constraint_error_fields = {"maintenance_ends_after": "ends_at"}

    class Meta:
        ordering = ["-starts_at"]
        verbose_name = _("maintenance window")
        verbose_name_plural = _("maintenance windows")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")),
                name="maintenance_ends_after",
                violation_error_code="maintenance_ends_after",
                violation_error_message=_("The end of the maintenance must be after its start."),
            )
        ]

    def __str__(self):
        """ "Borne accueil — 30 nov. 2026 22:00 → 23:30", in Paris time and French words (admin, history, lists)."""
        start, end = timezone.localtime(self.starts_at), timezone.localtime(self.ends_at)
        until = date_format(end, "H:i" if end.date() == start.date() else "j N Y H:i")
        return f"{self.access_point or self.site} — {date_format(start, 'j N Y H:i')} → {until}"

    def clean(self):
        if self.access_point_id and self.access_point.site_id != self.site_id:
            raise ValidationError({"access_point": _("This access point belongs to another site.")})


class InventoryImport(models.Model):
    """One import of an inventory CSV that wrote (wifi.inventory_import): who, which file, what it did.

    The audit entry of the import: its access points are written in bulk, so they get no entry each; the
    serial numbers created and updated, with the columns changed, are in `changes`.
    """

    created_at = models.DateTimeField(_("imported at"), auto_now_add=True)
    agent = models.ForeignKey(
        "mds_sites.Agent", on_delete=models.SET_NULL, null=True, blank=True, verbose_name=_("imported by"),
        help_text=_("Empty: imported by a command on the server."),
    )  # fmt: skip
    filename = models.CharField(_("file name"), max_length=255, blank=True)
    encoding = models.CharField(_("encoding read"), max_length=20, blank=True)
    sha256 = models.CharField(_("SHA-256 of the file"), max_length=64, blank=True)
    partial = models.BooleanField(_("valid lines only"), default=False)
    created = models.PositiveIntegerField(_("created"), default=0)
    updated = models.PositiveIntegerField(_("updated"), default=0)
    unchanged = models.PositiveIntegerField(_("unchanged"), default=0)
    refused = models.PositiveIntegerField(_("refused lines"), default=0)
    changes = models.JSONField(_("changes"), default=dict, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("inventory import")
        verbose_name_plural = _("inventory imports")

    def __str__(self):
        return f"{self.filename or '-'} {self.created_at:%Y-%m-%d %H:%M}"


# --- Who hears of what, and how (wifi.notifications) ------------------------------------------------


class AlertEvent(models.TextChoices):
    AP_DOWN = "ap_down", _("Access point down")
    AP_UP = "ap_up", _("Access point back up")
    STORM = "storm", _("Site or poller outage (storm)")
    REBOOT = "reboot", _("Access point rebooted")


class AlertChannel(models.TextChoices):
    EMAIL = "email", _("Email")
    WEBHOOK = "webhook", _("Team chat (webhook)")


# What an ops agent receives until they choose: what every ops agent received by email before they could.
DEFAULT_ALERT_CHANNELS: dict[str, frozenset[str]] = {
    AlertEvent.AP_DOWN: frozenset(AlertChannel),
    AlertEvent.AP_UP: frozenset(AlertChannel),
    AlertEvent.STORM: frozenset(AlertChannel),
    AlertEvent.REBOOT: frozenset(),
}


class AlertPreference(models.Model):
    """An agent's choice for one event: by email, through their teams' webhooks, both or neither.

    No row: DEFAULT_ALERT_CHANNELS."""

    agent = models.ForeignKey("mds_sites.Agent", on_delete=models.CASCADE, related_name="alert_preferences")
    event = models.CharField(_("event"), max_length=20, choices=AlertEvent.choices)
    email = models.BooleanField(_("by email"))
    webhook = models.BooleanField(_("in the team chat"))

    class Meta:
        verbose_name = _("alert preference")
        verbose_name_plural = _("alert preferences")
        constraints = [
            models.UniqueConstraint(
                fields=["agent", "event"],
                name="alert_preference_once_per_event",
                violation_error_code="alert_preference_once_per_event",
                violation_error_message=_("This agent already chose how to receive this alert."),
            )
        ]

    def __str__(self):
        return f"{self.agent_id} {self.event}"


def validate_webhook_url(value: str) -> None:
    """http(s) only: an admin sets the URL, and the worker must never be made to open file:, gopher: or the like.
    Private addresses stay allowed: a département's chat server (Mattermost, Rocket.Chat) is often internal."""
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValidationError(_("Enter an http:// or https:// address."), code="scheme")
    if parts.username or parts.password:
        raise ValidationError(_("Put no user name or password in the address."), code="userinfo")


class OpsTeam(models.Model):
    """A team of ops agents and its chat webhook: an alert is posted there when a member wants it in the chat.

    The signing secret is not here: `webhook_secret_name` names it in the WIFI_WEBHOOK_SECRETS setting."""

    name = models.CharField(_("name"), max_length=80, unique=True)
    members = models.ManyToManyField("mds_sites.Agent", related_name="ops_teams", blank=True, verbose_name=_("members"))
    webhook_url = models.CharField(
        _("webhook address"), max_length=500, blank=True, validators=[validate_webhook_url],
        help_text=_("JSON POST, signed (header X-MDS-Signature). Empty: no webhook."),
    )  # fmt: skip
    webhook_secret_name = models.CharField(_("signing secret"), max_length=60, blank=True)
    webhook_active = models.BooleanField(_("webhook active"), default=True)
    # Written by deliveries (wifi.notifications), read by the admin to show a webhook that keeps failing.
    webhook_failures_in_row = models.PositiveIntegerField(_("failed attempts in a row"), default=0)
    webhook_last_success_at = models.DateTimeField(_("last delivered"), null=True, blank=True)
    webhook_last_failure_at = models.DateTimeField(_("last failure"), null=True, blank=True)
    webhook_last_error = models.CharField(_("last error"), max_length=200, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("ops team")
        verbose_name_plural = _("ops teams")

    def __str__(self):
        return self.name

    def clean(self):
        if self.webhook_url and self.webhook_secret_name not in settings.WIFI_WEBHOOK_SECRETS:
            raise ValidationError({"webhook_secret_name": _("Choose a secret configured in WIFI_WEBHOOK_SECRETS.")})

    @property
    def webhook_failing(self) -> bool:
        return self.webhook_failures_in_row >= settings.WIFI_WEBHOOK_FAILING_AFTER


class WebhookDelivery(models.Model):
    """One alert for one team's webhook, tried until delivered or out of attempts (one WebhookAttempt each)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        DELIVERED = "delivered", _("Delivered")
        FAILED = "failed", _("Failed")

    team = models.ForeignKey(OpsTeam, on_delete=models.CASCADE, related_name="deliveries", verbose_name=_("team"))
    uid = models.UUIDField(_("delivery id"), unique=True)  # the X-MDS-Delivery header: receivers drop repeats
    key = models.CharField(max_length=80)  # what was alerted, e.g. "incident-notification:12": one delivery per team
    event = models.CharField(_("event"), max_length=20, choices=AlertEvent.choices)
    payload = models.JSONField(_("payload"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        constraints = [
            models.UniqueConstraint(
                fields=["team", "key"],
                name="webhook_delivery_once_per_team",
                violation_error_code="webhook_delivery_once_per_team",
                violation_error_message=_("This alert was already queued for this team."),
            )
        ]
        indexes = [models.Index(fields=["status", "next_attempt_at"])]

    def __str__(self):
        return f"{self.team} {self.event} {self.key}"


class WebhookAttempt(models.Model):
    """One POST of a delivery: what came back and how long it took."""

    delivery = models.ForeignKey(WebhookDelivery, on_delete=models.CASCADE, related_name="attempt_log")
    attempted_at = models.DateTimeField(_("attempted at"))
    ok = models.BooleanField(_("delivered"))
    http_status = models.PositiveSmallIntegerField(_("HTTP status"), null=True, blank=True)
    duration_ms = models.PositiveIntegerField(_("duration (ms)"))
    error = models.CharField(_("error"), max_length=200, blank=True)

    class Meta:
        ordering = ["attempted_at"]
        verbose_name = _("webhook attempt")
        verbose_name_plural = _("webhook attempts")

    def __str__(self):
        return f"{self.delivery_id} {self.attempted_at:%Y-%m-%d %H:%M:%S} {self.http_status or self.error}"
