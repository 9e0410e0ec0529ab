"""The captive portal: per-site gateway settings, versioned terms, content, and the legal connection log."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sites.models import Site
from sites.scoping import ScopedQuerySet
from wifi.models import AccessPoint, MacAddressField


def portal_languages():
    return settings.PORTAL_LANGUAGES


class GatewayKind(models.TextChoices):
    OPENNDS_LEVEL_3 = "opennds_3", _("openNDS FAS, level 3 (encrypted, remote portal)")
    OPENNDS_LEVEL_1 = "opennds_1", _("openNDS FAS, level 1 (same trusted network)")
    UNIFI = "unifi", _("UniFi external portal")
    CLICK_THROUGH = "click_through", _("Click-through (continue link only)")


class SitePortalQuerySet(ScopedQuerySet):
    mds_path = "site__mds"


class SitePortal(models.Model):
    """How a site's WiFi gateway talks to the portal. Secrets live in PORTAL_GATEWAY_SECRETS, by name."""

    site = models.OneToOneField(Site, on_delete=models.CASCADE, related_name="portal", verbose_name=_("site"))
    enabled = models.BooleanField(_("enabled"), default=True)
    gateway_kind = models.CharField(_("gateway"), max_length=20, choices=GatewayKind.choices)
    gateway_name = models.CharField(
        _("gateway name"), max_length=120, blank=True,
        help_text=_("openNDS: the gatewayname configured on the router (the “ Node:<mac>” suffix is ignored)."),
    )  # fmt: skip
    secret_name = models.CharField(
        _("secret set"), max_length=60, blank=True,
        help_text=_("Name of this gateway's secrets (faskey, controller key) in the PORTAL_GATEWAY_SECRETS variable."),
    )  # fmt: skip
    controller_url = models.URLField(_("controller URL"), blank=True, help_text=_("UniFi: https://controller:8443"))
    controller_site = models.CharField(_("controller site"), max_length=60, blank=True, default="default")
    session_minutes = models.PositiveIntegerField(
        _("session length (minutes)"), default=480, help_text=_("After this, the visitor accepts the terms again.")
    )
    idle_timeout_minutes = models.PositiveIntegerField(_("idle timeout (minutes)"), null=True, blank=True)
    upload_kbps = models.PositiveIntegerField(_("upload limit (kbit/s)"), null=True, blank=True)
    download_kbps = models.PositiveIntegerField(_("download limit (kbit/s)"), null=True, blank=True)

    objects = SitePortalQuerySet.as_manager()

    class Meta:
        ordering = ["site__mds__number", "site__number"]
        verbose_name = _("site portal")
        verbose_name_plural = _("site portals")
        constraints = [
            models.CheckConstraint(condition=models.Q(session_minutes__gte=1), name="portal_session_positive"),
        ]

    def __str__(self):
        return f"{self.site} ({self.get_gateway_kind_display()})"

    @property
    def secrets(self) -> dict:
        return settings.PORTAL_GATEWAY_SECRETS.get(self.secret_name, {}) if self.secret_name else {}


class TermsVersion(models.Model):
    """The terms of use in one language. A new version makes returning devices accept again."""

    language = models.CharField(_("language"), max_length=10, choices=portal_languages)
    version = models.PositiveIntegerField(_("version"))
    summary = models.TextField(_("summary in plain language"))
    full_text = models.TextField(_("full text"))
    published_at = models.DateTimeField(_("published at"), default=timezone.now)

    class Meta:
        ordering = ["language", "-version"]
        verbose_name = _("terms of use version")
        verbose_name_plural = _("terms of use versions")
        constraints = [models.UniqueConstraint(fields=["language", "version"], name="terms_unique_version")]

    def __str__(self):
        return f"{self.language} v{self.version}"


class ContentKind(models.TextChoices):
    MDS_INFO = "mds_info", _("This MDS: hours, address, services")
    PREVENTION = "prevention", _("Prevention (social networks, screens, video games)")
    PUBLIC_SERVICES = "public_services", _("Online public services")
    WORKSHOPS = "workshops", _("Upcoming digital workshops")
    CONTACT = "contact", _("Contact us / ask for an appointment")
    NEWS = "news", _("News")


def _sites_visible_to(agent):
    return Site.objects.visible_to(agent)


class ContentBlockQuerySet(models.QuerySet):
    def visible_to(self, agent):
        """Blocks shown on at least one site the agent sees, and the blocks shown everywhere."""
        if agent is None or not agent.is_authenticated or not agent.is_active:
            return self.none()
        targets = ContentBlock.sites.through.objects.filter(contentblock=models.OuterRef("pk"))
        visible = targets.filter(site__in=_sites_visible_to(agent))
        return self.filter(models.Exists(visible) | ~models.Exists(targets))

    def live(self, *, site: Site, languages: list[str], on=None):
        on = on or timezone.localdate()
        return (
            self.filter(published=True, language__in=languages)
            .filter(models.Q(sites=site) | models.Q(sites__isnull=True))
            .filter(models.Q(starts_on__isnull=True) | models.Q(starts_on__lte=on))
            .filter(models.Q(ends_on__isnull=True) | models.Q(ends_on__gte=on))
            .distinct()
            .order_by("order", "pk")
        )


class ContentBlock(models.Model):
    """A piece of value-added content shown on the splash and connected pages."""

    kind = models.CharField(_("kind"), max_length=20, choices=ContentKind.choices)
    language = models.CharField(_("language"), max_length=10, choices=portal_languages)
    title = models.CharField(_("title"), max_length=120)
    body = models.TextField(_("text"), blank=True)
    image = models.ImageField(_("image"), upload_to="portal/", blank=True)
    image_alt = models.CharField(_("image description"), max_length=200, blank=True)
    sites = models.ManyToManyField(
        Site, blank=True, related_name="portal_blocks", verbose_name=_("sites"), help_text=_("Empty: every site.")
    )
    starts_on = models.DateField(_("shown from"), null=True, blank=True)
    ends_on = models.DateField(_("shown until"), null=True, blank=True)
    order = models.PositiveIntegerField(_("order"), default=100)
    published = models.BooleanField(_("published"), default=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ContentBlockQuerySet.as_manager()

    class Meta:
        ordering = ["order", "pk"]
        verbose_name = _("content block")
        verbose_name_plural = _("content blocks")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(starts_on__isnull=True) | models.Q(ends_on__isnull=True)
                | models.Q(ends_on__gte=models.F("starts_on")),
                name="block_ends_after_start",
            )
        ]  # fmt: skip

    def __str__(self):
        return f"{self.title} ({self.language})"

    def clean(self):
        if self.image and not self.image_alt:
            raise ValidationError({"image_alt": _("Describe the image for people who cannot see it.")})


class ContentLink(models.Model):
    """A link of a block (e.g. CAF, Ameli, impots.gouv): clicks go through the tracking endpoint."""

    block = models.ForeignKey(ContentBlock, on_delete=models.CASCADE, related_name="links")
    label = models.CharField(_("label"), max_length=120)
    url = models.URLField(_("address"))
    order = models.PositiveIntegerField(_("order"), default=100)

    class Meta:
        ordering = ["order", "pk"]
        verbose_name = _("link")
        verbose_name_plural = _("links")

    def __str__(self):
        return self.label


class ContentClickDaily(models.Model):
    """How many times a link was followed, per site and day (no personal data)."""

    link = models.ForeignKey(ContentLink, on_delete=models.CASCADE, related_name="daily_clicks")
    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    clicks = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("daily clicks")
        verbose_name_plural = _("daily clicks")
        constraints = [models.UniqueConstraint(fields=["link", "site", "day"], name="clicks_unique_day")]

    def __str__(self):
        return f"{self.link_id} {self.site_id} {self.day}: {self.clicks}"


class WalledGardenDomainQuerySet(models.QuerySet):
    def visible_to(self, agent):
        """Domains of the sites the agent sees, and those of every site."""
        if agent is None or not agent.is_authenticated or not agent.is_active:
            return self.none()
        return self.filter(models.Q(site__in=_sites_visible_to(agent)) | models.Q(site__isnull=True))


class WalledGardenDomain(models.Model):
    """A domain reachable before the visitor accepts (for every site when `site` is empty)."""

    site = models.ForeignKey(Site, on_delete=models.CASCADE, null=True, blank=True, related_name="walled_garden")
    domain = models.CharField(_("domain"), max_length=253)
    note = models.CharField(_("why"), max_length=200, blank=True)

    objects = WalledGardenDomainQuerySet.as_manager()

    class Meta:
        ordering = ["domain"]
        verbose_name = _("walled-garden domain")
        verbose_name_plural = _("walled garden")
        constraints = [
            models.UniqueConstraint(fields=["site", "domain"], name="garden_unique_domain"),
            models.UniqueConstraint(fields=["domain"], condition=models.Q(site__isnull=True), name="garden_unique_all"),
        ]

    def __str__(self):
        return self.domain


class ConnectionRecordQuerySet(ScopedQuerySet):
    mds_path = "site__mds"

    def open(self):
        return self.filter(ended_at__isnull=True)


class ConnectionRecord(models.Model):
    """The technical data that identify one connection, kept one year (CPCE L34-1 II and II bis; R10-13).

    Never the content nor the sites visited. Reading it is reserved to the legal-requisition role and
    every search or export is written to the audit trail with the requisition reference.
    """

    # No index of its own: the (site, started_at) index below serves every lookup by site.
    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="connections", db_index=False)
    access_point = models.ForeignKey(AccessPoint, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    gateway_kind = models.CharField(max_length=20, choices=GatewayKind.choices)
    client_mac = MacAddressField(_("device MAC address"), null=True, blank=True)
    client_ip = models.GenericIPAddressField(_("device IP address"), null=True, blank=True)
    client_port = models.PositiveIntegerField(_("source port"), null=True, blank=True)
    started_at = models.DateTimeField(_("start"))
    last_seen_at = models.DateTimeField(_("last accepted"))
    ended_at = models.DateTimeField(_("end"), null=True, blank=True)
    terms = models.ForeignKey(TermsVersion, on_delete=models.PROTECT, related_name="+", verbose_name=_("terms"))
    language = models.CharField(_("language"), max_length=10)
    # Keyed hash of the MAC (monthly key): counts unique and returning devices without the raw MAC. Read only
    # by the roll-up, within a time range: no index (one cost 2 × 147 MB a year and was never scanned).
    device_hash = models.CharField(max_length=64)

    objects = ConnectionRecordQuerySet.as_manager()

    class Meta:
        ordering = ["-started_at"]
        verbose_name = _("connection record")
        verbose_name_plural = _("connection log")
        permissions = [("search_connectionrecord", "Can search and export the legal connection log")]
        constraints = [
            # One device reconnecting is one open record, not a pile of duplicates.
            models.UniqueConstraint(
                fields=["site", "client_mac"], condition=models.Q(ended_at__isnull=True),
                name="connection_one_open_per_device",
            ),
        ]  # fmt: skip
        # Every reader goes by start time: requisitions by device, address or site within a window, the
        # time window alone, the retention purge and the hourly roll-up (benchmarks/README.md has the figures).
        # (started_at, ended_at) in a B-tree rather than BRIN: it returns rows in order (purge batches and the
        # roll-up's first pending row need no sort), tests "still running at the window's start" in the index
        # (legal_log.connection_records), and stays exact once the purge has freed the oldest pages and new
        # rows fill them, which breaks the physical order BRIN depends on.
        indexes = [
            models.Index(fields=["client_mac", "started_at"]),
            models.Index(fields=["client_ip", "started_at"]),
            models.Index(fields=["site", "started_at"]),
            models.Index(fields=["started_at", "ended_at"], name="connection_started_ended"),
        ]

    def __str__(self):
        return f"{self.site_id} {self.started_at:%Y-%m-%d %H:%M}"


class DeviceHashKey(models.Model):
    """The month's secret for device hashes. Deleted after its month, so old hashes cannot be linked again."""

    month = models.DateField(unique=True)
    key = models.CharField(max_length=64)

    class Meta:
        verbose_name = _("device-hash key")
        verbose_name_plural = _("device-hash keys")

    def __str__(self):
        return f"{self.month:%Y-%m}"


class GatewayAuthorisation(models.Model):
    """openNDS level 3: a client the portal accepted, waiting for the gateway's authmon to fetch it."""

    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="+")
    gateway_hash = models.CharField(max_length=64, db_index=True)
    rhid = models.CharField(max_length=64)
    session_minutes = models.PositiveIntegerField()
    upload_kbps = models.PositiveIntegerField(default=0)
    download_kbps = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("pending gateway authorisation")
        verbose_name_plural = _("pending gateway authorisations")
        constraints = [models.UniqueConstraint(fields=["gateway_hash", "rhid"], name="authorisation_unique")]

    def __str__(self):
        return f"{self.gateway_hash[:8]}… {self.rhid[:8]}…"


class PortalRejection(models.Model):
    """Requests refused (bad token, wrong hash, absurd parameters), counted per site, day and reason."""

    site = models.ForeignKey(Site, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    day = models.DateField()
    reason = models.CharField(max_length=40)
    count = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("refused portal request")
        verbose_name_plural = _("refused portal requests")
        constraints = [
            models.UniqueConstraint(fields=["site", "day", "reason"], name="rejection_unique_day"),
            models.UniqueConstraint(
                fields=["day", "reason"], condition=models.Q(site__isnull=True), name="rejection_unique_day_nosite"
            ),
        ]

    def __str__(self):
        return f"{self.day} {self.reason}: {self.count}"


class PortalStatsHourly(models.Model):
    """Connections per site and hour, rolled up from the log (which goes after a year); no personal data."""

    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="+")
    hour = models.DateTimeField()
    connections = models.PositiveIntegerField(default=0)
    unique_devices = models.PositiveIntegerField(default=0)
    returning_devices = models.PositiveIntegerField(default=0)
    languages = models.JSONField(default=dict)  # {"fr": 12, "ar": 3}

    class Meta:
        ordering = ["site", "hour"]
        verbose_name = _("hourly portal statistics")
        verbose_name_plural = _("hourly portal statistics")
        constraints = [models.UniqueConstraint(fields=["site", "hour"], name="portal_stats_unique_hour")]

    def __str__(self):
        return f"{self.site_id} {self.hour:%Y-%m-%d %H}h"
