"""The captive portal: per-site gateway settings, versioned terms, content, and the legal connection log."""

import ipaddress
from datetime import timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models.lookups import GreaterThan
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from captive_portal.gateways.base import KIND_MAX_LENGTH, GatewayError, gateway_class, gateway_classes
from core.constraints import ConstraintErrorsOnFields
from sites.models import Site
from sites.scoping import ScopedQuerySet
from wifi.models import AccessPoint, MacAddressField


def portal_languages():
    return settings.PORTAL_LANGUAGES


def gateway_kind_choices() -> list[tuple[str, str]]:
    """The gateway kinds of settings.PORTAL_GATEWAYS, labelled by their classes: what a portal may store."""
    try:
        return [(kind, cls.label) for kind, cls in gateway_classes().items()]
    except ImproperlyConfigured:
        return []  # `manage.py check` says what is wrong (captive_portal.E001); meanwhile no kind is valid


class GatewayOptionsField(models.JSONField):
    """A portal's gateway options, validated (and normalised) by the class of its gateway kind."""

    def clean(self, value, model_instance):
        value = super().clean(value, model_instance)
        try:
            gateway = gateway_class(model_instance.gateway_kind)
        except GatewayError:
            return value  # an unknown kind: the kind's own validation refuses it
        try:
            return gateway.clean_options(value or {})
        except ValidationError as error:
            fields = gateway.options_form.base_fields
            raise ValidationError(
                [
                    _("%(option)s: %(message)s")
                    % {"option": (fields[name].label if name in fields else None) or name, "message": text}
                    for name, messages in error.message_dict.items()
                    for text in messages
                ]
            ) from None


def parse_networks(text: str) -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    """Networks written one per line (commas and spaces also separate them); raises ValueError on a bad one."""
    return [ipaddress.ip_network(part, strict=False) for part in text.replace(",", " ").split()]


def validate_networks(text: str) -> None:
    try:
        networks = parse_networks(text)
    except ValueError as error:
        raise ValidationError(_("Not a network address: %(error)s"), params={"error": error}) from None
    for network in networks:
        _refuse_every_address(network)


def _refuse_every_address(network) -> None:
    """0.0.0.0/0 or ::/0 as a guard (gateway's source, site's egress) would let the whole internet in."""
    if network.prefixlen == 0:
        raise ValidationError(_("A network of every address guards nothing."))


class SitePortal(ConstraintErrorsOnFields, models.Model):
    """How a site's WiFi gateway talks to the portal. Secrets live in PORTAL_GATEWAY_SECRETS, by name."""

    site = models.OneToOneField(Site, on_delete=models.CASCADE, related_name="portal", verbose_name=_("site"))
    enabled = models.BooleanField(_("enabled"), default=True)
    gateway_kind = models.CharField(_("gateway"), max_length=KIND_MAX_LENGTH, choices=gateway_kind_choices)
    # What only this kind of gateway needs (its router's name, its controller…), checked by its class. Secrets
    # are never here: the `secret_name` option names a set of PORTAL_GATEWAY_SECRETS.
    gateway_options = GatewayOptionsField(_("gateway options"), default=dict, blank=True, encoder=DjangoJSONEncoder)
    session_minutes = models.PositiveIntegerField(
        _("session length (minutes)"), default=480, help_text=_("After this, the visitor accepts the terms again.")
    )
    idle_timeout_minutes = models.PositiveIntegerField(_("idle timeout (minutes)"), null=True, blank=True)
    upload_kbps = models.PositiveIntegerField(_("upload limit (kbit/s)"), null=True, blank=True)
    download_kbps = models.PositiveIntegerField(_("download limit (kbit/s)"), null=True, blank=True)
    # Set by load_portal_content on the click-through portal it gives a site that had none (so that a new
    # install shows a splash everywhere); cleared when ops save the site's gateway (site_portals.portal_gateway_save).
    needs_setup = models.BooleanField(
        _("to configure"), default=False,
        help_text=_("Created with the defaults at installation: the gateway of this site is still to be configured."),
    )  # fmt: skip

    mds_path = "site__mds"
    objects = ScopedQuerySet.as_manager()

    constraint_error_fields = {"portal_session_positive": "session_minutes"}

    class Meta:
        ordering = ["site__mds__number", "site__number"]
        verbose_name = _("site portal")
        verbose_name_plural = _("site portals")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(session_minutes__gte=1),
                name="portal_session_positive",
                violation_error_code="portal_session_positive",
                violation_error_message=_("A session lasts at least one minute."),
            ),
        ]

    def __str__(self):
        return f"{self.site} ({self.get_gateway_kind_display()})"

    @property
    def secret_name(self) -> str:
        return str((self.gateway_options or {}).get("secret_name") or "")

    @property
    def secrets(self) -> dict:
        return settings.PORTAL_GATEWAY_SECRETS.get(self.secret_name, {}) if self.secret_name else {}


class TermsVersion(ConstraintErrorsOnFields, models.Model):
    """The terms of use in one language. A new version makes returning devices accept again."""

    language = models.CharField(_("language"), max_length=10, choices=portal_languages)
    version = models.PositiveIntegerField(_("version"))
    summary = models.TextField(_("summary in plain language"))
    full_text = models.TextField(_("full text"))
    published_at = models.DateTimeField(_("published at"), default=timezone.now)

    constraint_error_fields = {"terms_unique_version": "version"}

    class Meta:
        ordering = ["language", "-version"]
        verbose_name = _("terms of use version")
        verbose_name_plural = _("terms of use versions")
        constraints = [
            models.UniqueConstraint(
                fields=["language", "version"],
                name="terms_unique_version",
                violation_error_code="terms_unique_version",
                violation_error_message=_("These terms already have this version in this language."),
            )
        ]

    def __str__(self):
        return f"{self.language} v{self.version}"


class LoadedDefault(models.Model):
    """A default content block `load_portal_content` has loaded once in one language.

    Remembered apart from the block, so that a later run leaves the block to the agents even when
    they renamed or deleted it. Deleting this row lets the next run load the default again.
    """

    key = models.CharField(_("default block"), max_length=120)
    language = models.CharField(_("language"), max_length=10, choices=portal_languages)
    loaded_at = models.DateTimeField(_("loaded at"), default=timezone.now)

    class Meta:
        ordering = ["key", "language"]
        verbose_name = _("loaded default block")
        verbose_name_plural = _("loaded default blocks")
        constraints = [
            models.UniqueConstraint(
                fields=["key", "language"],
                name="loaded_default_unique",
                violation_error_code="loaded_default_unique",
                violation_error_message=_("This default content was already loaded in this language."),
            )
        ]

    def __str__(self):
        return f"{self.key} ({self.language})"


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


class ContentBlock(ConstraintErrorsOnFields, models.Model):
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
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = ContentBlockQuerySet.as_manager()

    constraint_error_fields = {"block_ends_after_start": "ends_on"}

    class Meta:
        ordering = ["order", "pk"]
        verbose_name = _("content block")
        verbose_name_plural = _("content blocks")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(starts_on__isnull=True) | models.Q(ends_on__isnull=True)
                | models.Q(ends_on__gte=models.F("starts_on")),
                name="block_ends_after_start", violation_error_code="block_ends_after_start",
                violation_error_message=_("The end date must be on or after the start date."),
            )
        ]  # fmt: skip

    def __str__(self):
        return f"{self.title} ({self.language})"

    def clean(self):
        if self.image and not self.image_alt:
            raise ValidationError({"image_alt": _("Describe the image for people who cannot see it.")})


class ContentLink(models.Model):
    """A link of a block (e.g. CAF, Ameli, impots.gouv): clicks go through the tracking endpoint."""

    block = models.ForeignKey(ContentBlock, on_delete=models.CASCADE, related_name="links", verbose_name=_("block"))
    label = models.CharField(_("label"), max_length=120)
    url = models.URLField(_("address"))
    order = models.PositiveIntegerField(_("order"), default=100)

    class Meta:
        ordering = ["order", "pk"]
        verbose_name = _("link")
        verbose_name_plural = _("links")

    def __str__(self):
        return self.label

    def clean(self):
        # Never javascript:, data: or ftp: behind a portal link, whichever form wrote it (URLField takes ftp://).
        if self.url and urlsplit(self.url).scheme.lower() not in ("http", "https"):
            raise ValidationError({"url": _("Only http:// and https:// addresses can be linked.")})


class ContentClickDaily(models.Model):
    """How many times a link was followed, per site and day (no personal data)."""

    link = models.ForeignKey(ContentLink, on_delete=models.CASCADE, related_name="daily_clicks")
    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="+")
    day = models.DateField(_("day"))
    clicks = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("daily clicks")
        verbose_name_plural = _("daily clicks")
        constraints = [
            models.UniqueConstraint(
                fields=["link", "site", "day"],
                name="clicks_unique_day",
                violation_error_code="clicks_unique_day",
                violation_error_message=_("This link already has its clicks for this site and day."),
            )
        ]

    def __str__(self):
        return f"{self.link_id} {self.site_id} {self.day}: {self.clicks}"


class WalledGardenDomainQuerySet(models.QuerySet):
    def visible_to(self, agent):
        """Domains of the sites the agent sees, and those of every site."""
        if agent is None or not agent.is_authenticated or not agent.is_active:
            return self.none()
        return self.filter(models.Q(site__in=_sites_visible_to(agent)) | models.Q(site__isnull=True))


class WalledGardenDomain(ConstraintErrorsOnFields, models.Model):
    """A domain reachable before the visitor accepts (for every site when `site` is empty)."""

    site = models.ForeignKey(Site, on_delete=models.CASCADE, null=True, blank=True, related_name="walled_garden")
    domain = models.CharField(_("domain"), max_length=253)
    note = models.CharField(_("why"), max_length=200, blank=True)

    mds_path = "site__mds"  # for object permissions; a domain of every site (no site) belongs to no MDS
    objects = WalledGardenDomainQuerySet.as_manager()

    constraint_error_fields = {"garden_unique_domain": "domain", "garden_unique_all": "domain"}

    class Meta:
        ordering = ["domain"]
        verbose_name = _("walled-garden domain")
        verbose_name_plural = _("walled garden")
        constraints = [
            models.UniqueConstraint(
                fields=["site", "domain"],
                name="garden_unique_domain",
                violation_error_code="garden_unique_domain",
                violation_error_message=_("This domain is already open for this site."),
            ),
            models.UniqueConstraint(
                fields=["domain"],
                condition=models.Q(site__isnull=True),
                name="garden_unique_all",
                violation_error_code="garden_unique_all",
                violation_error_message=_("This domain is already open for every site."),
            ),
        ]

    def __str__(self):
        return self.domain


# A connection longer than this is rare (sessions last hours): the legal-log searches find such connections
# through their own small index.
LONG_CONNECTION = timedelta(days=1)


class ConnectionRecordQuerySet(ScopedQuerySet):
    def open(self):
        return self.filter(ended_at__isnull=True)


class ClockTimestamp(models.Func):
    """The database's wall clock now, not the transaction's start (`now()`): a CHECK evaluated late in a
    long transaction must still accept an end time taken a moment ago."""

    template = "clock_timestamp()"
    output_field = models.DateTimeField()


# Clocks of the web servers and the database may differ a little: an end time is refused only when it is
# clearly in the future.
END_CLOCK_SLACK = timedelta(minutes=5)


class AddressSource(models.TextChoices):
    GATEWAY = "gateway", _("reported by the gateway (the device's own address)")
    PORTAL = "portal", _("seen by the portal (the site's NAT or a proxy address)")


class ConnectionRecord(models.Model):
    """The technical data that identify one connection, kept one year (CPCE L34-1 II and II bis; R10-13).

    Never the content nor the sites visited. Reading it is reserved to the legal-requisition role and
    every search or export is written to the audit trail with the requisition reference.

    Append-only: a row is written once the gateway accepted the device (UniFi: the controller authorised it;
    openNDS level 3: authmon acknowledged it; openNDS level 1 and click-through, where the browser itself is
    handed to the gateway: when the portal hands it over), and never rewritten; the one
    later write is its end time. Each row carries a hash chained to the previous row of the same site
    (captive_portal.log_chain), checked by `manage.py verify_connection_log`.
    """

    # No index of its own: the (site, started_at) index below serves every lookup by site.
    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="connections", db_index=False)
    access_point = models.ForeignKey(AccessPoint, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    gateway_kind = models.CharField(max_length=KIND_MAX_LENGTH, choices=gateway_kind_choices)
    client_mac = MacAddressField(_("device MAC address"), null=True, blank=True)
    client_ip = models.GenericIPAddressField(_("device IP address"), null=True, blank=True)
    client_ip_source = models.CharField(
        _("address seen by"), max_length=10, choices=AddressSource.choices, default=AddressSource.GATEWAY
    )
    client_port = models.PositiveIntegerField(_("source port"), null=True, blank=True)
    started_at = models.DateTimeField(_("start"))
    # Kept equal to started_at: a record is never refreshed (a device accepting again is a new connection).
    last_seen_at = models.DateTimeField(_("last accepted"))
    ended_at = models.DateTimeField(_("end"), null=True, blank=True)
    terms = models.ForeignKey(TermsVersion, on_delete=models.PROTECT, related_name="+", verbose_name=_("terms"))
    language = models.CharField(_("language"), max_length=10)
    # Keyed hash of the MAC (monthly key): counts unique and returning devices without the raw MAC. Read only
    # by the roll-up, within a time range: no index (one cost 2 × 147 MB a year and was never scanned).
    device_hash = models.CharField(max_length=64)
    # The chain (see captive_portal.log_chain): position in the site's log, the previous row's hash and start
    # (so that a gap left by the one-year purge can be told from a deletion), this row's hash, its end's hash.
    chain_seq = models.PositiveBigIntegerField(_("position in the site's log"))
    prev_hash = models.CharField(max_length=64)
    prev_started_at = models.DateTimeField(null=True, blank=True)
    row_hash = models.CharField(max_length=64)
    end_hash = models.CharField(max_length=64, blank=True)

    mds_path = "site__mds"
    objects = ConnectionRecordQuerySet.as_manager()

    class Meta:
        ordering = ["-started_at"]
        verbose_name = _("connection record")
        verbose_name_plural = _("connection log")
        # No add/change/delete: nothing edits the log (the one-year purge deletes with the ORM, not a permission).
        default_permissions = ("view",)
        permissions = [("search_connectionrecord", "Can search and export the legal connection log")]
        constraints = [
            # One device is connected once at a site: accepting again closes the previous record first.
            models.UniqueConstraint(
                fields=["site", "client_mac"], condition=models.Q(ended_at__isnull=True),
                name="connection_one_open_per_device", violation_error_code="connection_one_open_per_device",
                violation_error_message=_("This device already has an open connection on this site."),
            ),
            models.UniqueConstraint(
                fields=["site", "chain_seq"], name="connection_chain_unique_seq",
                violation_error_code="connection_chain_unique_seq",
                violation_error_message=_("This position in the site's log chain is taken."),
            ),
            models.CheckConstraint(
                condition=models.Q(ended_at__isnull=True) | models.Q(ended_at__gte=models.F("started_at")),
                name="connection_ends_after_start", violation_error_code="connection_ends_after_start",
                violation_error_message=_("A connection ends after it started."),
            ),
            models.CheckConstraint(
                condition=models.Q(ended_at__isnull=True) | models.Q(ended_at__lte=ClockTimestamp() + END_CLOCK_SLACK),
                name="connection_ends_in_the_past", violation_error_code="connection_ends_in_the_past",
                violation_error_message=_("A connection cannot end in the future."),
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
            # With the end, a site's search tests "not ended before the window" inside the index: without it the
            # planner, misjudging that test's selectivity, scanned the day's rows of every site instead (3× slower
            # at one year).
            models.Index(fields=["site", "started_at", "ended_at"], name="connection_site_started_ended"),
            models.Index(fields=["started_at", "ended_at"], name="connection_started_ended"),
            # Connections that lasted over a day: what a search's week of lookback looks for beyond its last day,
            # so that the week is not read from the start-time index (legal_log.connection_records). With the end,
            # so that the end's test is made in the index (on the start alone the planner priced it as heap reads
            # and kept to the start-time index), and the search's count reads the index alone.
            models.Index(
                fields=["started_at", "ended_at"],
                name="connection_long_started_ended",
                condition=models.Q(GreaterThan(models.F("ended_at") - models.F("started_at"), LONG_CONNECTION)),
            ),
        ]

    def __str__(self):
        return f"{self.site_id} {self.started_at:%Y-%m-%d %H:%M}"

    def clean(self):
        if self.ended_at is not None:
            if self.started_at and self.ended_at < self.started_at:
                raise ValidationError({"ended_at": _("A connection cannot end before it started.")})
            if self.ended_at > timezone.now() + END_CLOCK_SLACK:
                raise ValidationError({"ended_at": _("A connection cannot end in the future.")})


class AcceptClaim(models.Model):
    """A gateway token (or, without one, a signed state) already used to let a device in: never twice.

    Inserted before the gateway is asked, in the same transaction as its answer and the connection record:
    a gateway that fails rolls it back, so the visitor may retry. Kept in the database, so that flushing the
    cache does not reopen replays.
    """

    key = models.CharField(max_length=64, primary_key=True)
    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="+")
    claimed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("used gateway token")
        verbose_name_plural = _("used gateway tokens")

    def __str__(self):
        return f"{self.key[:8]}…"


class EgressNetwork(ConstraintErrorsOnFields, models.Model):
    """An internet address (or network) the site's visitors reach the portal from: its NAT's public address.

    UniFi and click-through redirects carry no signature: an arrival is believed only from these networks.
    """

    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="egress_networks", verbose_name=_("site"))
    network = models.CharField(
        _("network"), max_length=49, help_text=_("An IPv4 or IPv6 address or network, e.g. 203.0.113.8/29.")
    )
    note = models.CharField(_("note"), max_length=200, blank=True)

    mds_path = "site__mds"
    objects = ScopedQuerySet.as_manager()

    constraint_error_fields = {"egress_unique_network": "network"}

    class Meta:
        ordering = ["site", "network"]
        verbose_name = _("egress network")
        verbose_name_plural = _("egress networks")
        constraints = [
            models.UniqueConstraint(
                fields=["site", "network"],
                name="egress_unique_network",
                violation_error_code="egress_unique_network",
                violation_error_message=_("This network is already declared for this site."),
            )
        ]

    def __str__(self):
        return self.network

    def clean(self):
        try:
            self.network = normalise_network(self.network)
        except ValidationError as error:
            raise ValidationError({"network": error.messages}) from None


def normalise_network(value: str) -> str:
    """`value` as a canonical CIDR network (host bits cleared), or ValidationError."""
    try:
        network = ipaddress.ip_network((value or "").strip(), strict=False)
    except ValueError:
        raise ValidationError(_("Enter an IPv4 or IPv6 address or network (CIDR), e.g. 203.0.113.8/29.")) from None
    _refuse_every_address(network)
    return str(network)


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
    # What the connection record will hold (device, address, terms, language): it is written only when
    # authmon acknowledges, i.e. once the gateway has let the device in (services.authorisations_acknowledged).
    connection = models.JSONField(null=True, blank=True)

    class Meta:
        verbose_name = _("pending gateway authorisation")
        verbose_name_plural = _("pending gateway authorisations")
        constraints = [
            models.UniqueConstraint(
                fields=["gateway_hash", "rhid"],
                name="authorisation_unique",
                violation_error_code="authorisation_unique",
                violation_error_message=_("This gateway authorisation was already recorded."),
            )
        ]

    def __str__(self):
        return f"{self.gateway_hash[:8]}… {self.rhid[:8]}…"


class PortalRejection(models.Model):
    """Requests refused (bad token, wrong hash, absurd parameters), counted per site, day and reason."""

    site = models.ForeignKey(Site, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    day = models.DateField(_("day"))
    reason = models.CharField(max_length=40)
    count = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("refused portal request")
        verbose_name_plural = _("refused portal requests")
        constraints = [
            models.UniqueConstraint(
                fields=["site", "day", "reason"],
                name="rejection_unique_day",
                violation_error_code="rejection_unique_day",
                violation_error_message=_("This refusal is already counted for this site and day."),
            ),
            models.UniqueConstraint(
                fields=["day", "reason"],
                condition=models.Q(site__isnull=True),
                name="rejection_unique_day_nosite",
                violation_error_code="rejection_unique_day_nosite",
                violation_error_message=_("This refusal is already counted for this day."),
            ),
        ]

    def __str__(self):
        return f"{self.day} {self.reason}: {self.count}"


class PortalStatsHourly(models.Model):
    """Connections per site and hour, rolled up from the log (which goes after a year); no personal data."""

    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="+")
    hour = models.DateTimeField(_("hour"))
    connections = models.PositiveIntegerField(default=0)
    unique_devices = models.PositiveIntegerField(default=0)
    returning_devices = models.PositiveIntegerField(default=0)
    languages = models.JSONField(default=dict)  # {"fr": 12, "ar": 3}

    class Meta:
        ordering = ["site", "hour"]
        verbose_name = _("hourly portal statistics")
        verbose_name_plural = _("hourly portal statistics")
        constraints = [
            models.UniqueConstraint(
                fields=["site", "hour"],
                name="portal_stats_unique_hour",
                violation_error_code="portal_stats_unique_hour",
                violation_error_message=_("This site already has its statistics for this hour."),
            )
        ]

    def __str__(self):
        return f"{self.site_id} {self.hour:%Y-%m-%d %H}h"
