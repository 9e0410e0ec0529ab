from functools import cached_property

from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from core.constraints import ConstraintErrorsOnFields
from core.fields import PhoneNumberField, PostalCodeField, is_valid
from sites.roles import DEPARTEMENT_WIDE_ROLES, PER_MDS_ROLES, Role
from sites.scoping import ScopedQuerySet


class MdsKind(models.TextChoices):
    TERRITOIRE = "territoire", _("Territorial MDS")
    PROXIMITE = "proximite", _("Local MDS")


class Service(models.Model):
    """A service an MDS offers to the public (PMI, social work, digital mediation…)."""

    code = models.SlugField(_("code"), unique=True)
    name = models.CharField(_("name"), max_length=120)

    class Meta:
        ordering = ["name"]
        verbose_name = _("service")
        verbose_name_plural = _("services")

    def __str__(self):
        return self.name


class Mds(ConstraintErrorsOnFields, models.Model):
    """A Maison départementale de la solidarité, numbered as in the FEDER operation sheet."""

    number = models.PositiveSmallIntegerField(_("number"), unique=True, validators=[MinValueValidator(1)])
    name = models.CharField(_("name"), max_length=120)
    slug = models.SlugField(_("slug"), unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=MdsKind.choices, blank=True)
    commune = models.CharField(_("commune"), max_length=120, blank=True)
    phone = PhoneNumberField(_("phone"), blank=True)
    email = models.EmailField(_("email"), blank=True)
    services = models.ManyToManyField(Service, verbose_name=_("services offered"), blank=True, related_name="mds")
    notes = models.TextField(_("notes"), blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    mds_path = ""
    objects = ScopedQuerySet.as_manager()

    constraint_error_fields = {"mds_number_positive": "number"}

    class Meta:
        ordering = ["number"]
        verbose_name = _("MDS")
        verbose_name_plural = _("MDS")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(number__gte=1),
                name="mds_number_positive",
                violation_error_code="mds_number_positive",
                violation_error_message=_("The MDS number starts at 1."),
            )
        ]

    def __str__(self):
        return f"{self.number}. {self.name}"

    def get_absolute_url(self):
        return reverse("sites:mds_detail", kwargs={"slug": self.slug})

    @property
    def public_name(self) -> str:
        """How the public calls it, in the messages they receive: "MDS Belle de Mai" (the seeds' names are bare)."""
        return self.name if self.name.upper().startswith("MDS") else f"MDS {self.name}"

    # What the MDS page may lack (the seeds gave no details), by the code the dashboard's filter uses.
    MISSING_LABELS = {
        "kind": _("kind (territorial or local)"),
        "commune": _("commune"),
        "phone": _("phone"),
        "phone_invalid": _("phone (not a valid number: correct it)"),
        "email": _("email"),
        "opening_hours": _("opening hours"),
    }

    def missing_codes(self) -> list[str]:
        missing = [field for field in ("kind", "commune", "phone", "email") if not getattr(self, field)]
        if self.phone and not is_valid(self._meta.get_field("phone"), self.phone):
            missing.append("phone_invalid")  # older rows, from before the check
        if not self.opening_periods.all():
            missing.append("opening_hours")
        return missing

    def missing_information(self) -> list[str]:
        """What the MDS page still lacks, for the back-office to show."""
        return [self.MISSING_LABELS[code] for code in self.missing_codes()]


class Weekday(models.IntegerChoices):
    MONDAY = 1, _("Monday")
    TUESDAY = 2, _("Tuesday")
    WEDNESDAY = 3, _("Wednesday")
    THURSDAY = 4, _("Thursday")
    FRIDAY = 5, _("Friday")
    SATURDAY = 6, _("Saturday")
    SUNDAY = 7, _("Sunday")


class OpeningPeriod(ConstraintErrorsOnFields, models.Model):
    """One period an MDS is open to the public, e.g. Monday 8:30–12:00."""

    mds = models.ForeignKey(Mds, on_delete=models.CASCADE, related_name="opening_periods", verbose_name=_("MDS"))
    weekday = models.PositiveSmallIntegerField(_("day"), choices=Weekday.choices)
    opens = models.TimeField(_("opens at"))
    closes = models.TimeField(_("closes at"))

    mds_path = "mds"
    objects = ScopedQuerySet.as_manager()

    constraint_error_fields = {
        "opening_closes_after_opens": "closes",
        "opening_weekday_valid": "weekday",
        "opening_unique_start": "opens",
    }

    class Meta:
        ordering = ["mds", "weekday", "opens"]
        verbose_name = _("opening period")
        verbose_name_plural = _("opening hours")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(closes__gt=models.F("opens")),
                name="opening_closes_after_opens",
                violation_error_code="opening_closes_after_opens",
                violation_error_message=_("The closing time must be after the opening time."),
            ),
            models.CheckConstraint(
                condition=models.Q(weekday__gte=1, weekday__lte=7),
                name="opening_weekday_valid",
                violation_error_code="opening_weekday_valid",
                violation_error_message=_("Choose a day from Monday to Sunday."),
            ),
            models.UniqueConstraint(
                fields=["mds", "weekday", "opens"],
                name="opening_unique_start",
                violation_error_code="opening_unique_start",
                violation_error_message=_("This MDS already has a period starting at this time on this day."),
            ),
        ]

    def __str__(self):
        return f"{self.get_weekday_display()} {self.opens:%H:%M}–{self.closes:%H:%M}"


class Site(ConstraintErrorsOnFields, models.Model):
    """A physical building of an MDS (Durance Alpilles has three). Address may still be unknown."""

    mds = models.ForeignKey(Mds, on_delete=models.PROTECT, related_name="sites", verbose_name=_("MDS"))
    number = models.PositiveSmallIntegerField(_("site number within the MDS"), validators=[MinValueValidator(1)])
    name = models.CharField(_("name"), max_length=120, blank=True)
    slug = models.SlugField(_("slug"), unique=True)
    street = models.CharField(_("street address"), max_length=200, blank=True)
    postal_code = PostalCodeField(_("postal code"), blank=True)
    commune = models.CharField(_("commune"), max_length=120, blank=True)
    latitude = models.DecimalField(
        _("latitude"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-90), MaxValueValidator(90)],
    )
    longitude = models.DecimalField(
        _("longitude"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-180), MaxValueValidator(180)],
    )
    access_notes = models.TextField(_("access notes"), blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    mds_path = "mds"
    objects = ScopedQuerySet.as_manager()

    constraint_error_fields = {
        "site_unique_number_in_mds": "number",
        "site_latitude_range": "latitude",
        "site_longitude_range": "longitude",
    }

    class Meta:
        ordering = ["mds__number", "number"]
        verbose_name = _("site")
        verbose_name_plural = _("sites")
        constraints = [
            models.UniqueConstraint(
                fields=["mds", "number"],
                name="site_unique_number_in_mds",
                violation_error_code="site_unique_number_in_mds",
                violation_error_message=_("This MDS already has a site with this number."),
            ),
            models.CheckConstraint(
                condition=models.Q(latitude__isnull=True) | models.Q(latitude__gte=-90, latitude__lte=90),
                name="site_latitude_range",
                violation_error_code="site_latitude_range",
                violation_error_message=_("The latitude is between -90 and 90."),
            ),
            models.CheckConstraint(
                condition=models.Q(longitude__isnull=True) | models.Q(longitude__gte=-180, longitude__lte=180),
                name="site_longitude_range",
                violation_error_code="site_longitude_range",
                violation_error_message=_("The longitude is between -180 and 180."),
            ),
        ]

    def __str__(self):
        return self.display_name

    @property
    def display_name(self) -> str:
        """The site's name wherever it is shown. The seeds do not name Durance Alpilles' three sites: until an
        agent does, say which one it is and that it awaits a name, never an empty cell."""
        if self.name:
            return self.name
        return _("%(mds)s — site %(number)s, to be named") % {"mds": self.mds.name, "number": self.number}

    def clean(self):
        # A point needs both coordinates; one alone would put the site nowhere.
        if (self.latitude is None) != (self.longitude is None):
            raise ValidationError(_("Enter both latitude and longitude, or neither."), code="coordinates")

    MISSING_LABELS = {
        "street": _("street address"),
        "postal_code": _("postal code"),
        "postal_code_invalid": _("postal code (not valid: correct it)"),
        "commune": _("commune"),
        "coordinates": _("coordinates"),
        "name": _("name"),
        "zones": _("zones"),
    }

    def missing_codes(self) -> list[str]:
        missing = [field for field in ("street", "postal_code", "commune") if not getattr(self, field)]
        if self.postal_code and not is_valid(self._meta.get_field("postal_code"), self.postal_code):
            missing.append("postal_code_invalid")  # older rows, from before the check
        if self.latitude is None or self.longitude is None:
            missing.append("coordinates")
        if not self.name:
            missing.append("name")
        if not self.zones.all():
            missing.append("zones")
        return missing

    def missing_information(self) -> list[str]:
        return [self.MISSING_LABELS[code] for code in self.missing_codes()]


class ZoneKind(models.TextChoices):
    WAITING_ROOM = "waiting_room", _("Waiting room")
    RECEPTION = "reception", _("Reception desk")
    PERMANENCE_OFFICE = "permanence_office", _("Permanence office")
    MEETING_ROOM = "meeting_room", _("Meeting room")
    WORKSHOP_ROOM = "workshop_room", _("Workshop room")
    OTHER = "other", _("Other")


class Zone(ConstraintErrorsOnFields, models.Model):
    """A coverage area of a site in the per-site WiFi study (waiting room, office…)."""

    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="zones", verbose_name=_("site"))
    kind = models.CharField(_("kind"), max_length=30, choices=ZoneKind.choices)
    name = models.CharField(_("name"), max_length=120)
    floor = models.CharField(_("floor"), max_length=30, blank=True)
    notes = models.TextField(_("notes"), blank=True)

    mds_path = "site__mds"
    objects = ScopedQuerySet.as_manager()

    constraint_error_fields = {"zone_unique_name_in_site": "name"}

    class Meta:
        ordering = ["site", "name"]
        verbose_name = _("zone")
        verbose_name_plural = _("zones")
        constraints = [
            models.UniqueConstraint(
                fields=["site", "name"],
                name="zone_unique_name_in_site",
                violation_error_code="zone_unique_name_in_site",
                violation_error_message=_("This site already has a zone with this name."),
            )
        ]

    def __str__(self):
        return f"{self.site} — {self.name}"

    def clean(self):
        # The constraint tells "Accueil" from "accueil"; an agent would not: one name per site, whatever its case.
        if self.site_id and self.name:
            taken = Zone.objects.filter(site_id=self.site_id, name__iexact=self.name.strip()).exclude(pk=self.pk)
            if taken.exists():
                message = _("This site already has a zone with this name.")
                raise ValidationError({"name": ValidationError(message, code="unique")})


class AgentQuerySet(models.QuerySet):
    def visible_to(self, agent) -> models.QuerySet:
        """The agents holding a role in an MDS `agent` sees; every agent for département-wide roles.

        Through the memberships' own scoping, so that an agent of MDS A never lists one of MDS B.
        """
        if agent is not None and agent.is_authenticated and agent.is_active and agent.sees_every_mds:
            return self
        return self.filter(pk__in=Membership.objects.visible_to(agent).values("agent_id"))


class AgentManager(BaseUserManager):
    use_in_migrations = True

    def get_queryset(self):
        return AgentQuerySet(self.model, using=self._db)

    def visible_to(self, agent) -> models.QuerySet:
        return self.get_queryset().visible_to(agent)

    def get_by_natural_key(self, username):
        # Agents type their address as they like: the login is case-insensitive.
        return self.get(email__iexact=username)

    def _create(self, email, password, **extra):
        if not email:
            raise ValueError("An agent needs an email address.")
        agent = self.model(email=self.normalize_email(email).lower(), **extra)
        agent.set_password(password)
        agent.save(using=self._db)
        return agent

    def create_user(self, email, password=None, **extra):
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create(email, password, **extra)

    def create_superuser(self, email, password=None, **extra):
        extra.update(is_staff=True, is_superuser=True)
        return self._create(email, password, **extra)


class Agent(AbstractUser):
    """A member of the Département's staff who signs in to the back-office."""

    username = None
    email = models.EmailField(_("email address"), unique=True)

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = []

    objects = AgentManager()

    class Meta:
        verbose_name = _("agent")
        verbose_name_plural = _("agents")
        ordering = ["last_name", "first_name", "email"]
        constraints = [
            models.UniqueConstraint(
                Lower("email"),
                name="agent_unique_email_ci",
                violation_error_code="agent_unique_email_ci",
                violation_error_message=_("An agent already has this email address."),
            )
        ]

    def __str__(self):
        return self.get_full_name() or self.email

    def save(self, *args, **kwargs):
        self.email = self.email.lower()
        super().save(*args, **kwargs)

    @cached_property
    def roles(self) -> frozenset[tuple[str, int | None]]:
        """(role, mds id or None) for each membership; loaded once per request."""
        return frozenset(self.memberships.values_list("role", "mds_id"))

    @property
    def sees_every_mds(self) -> bool:
        return self.is_superuser or any(mds_id is None for _role, mds_id in self.roles)

    def has_role(self, role: Role, mds: "Mds | None" = None) -> bool:
        return any(r == role and (mds_id is None or mds is None or mds_id == mds.pk) for r, mds_id in self.roles)


class Membership(models.Model):
    """An agent's role in one MDS, or across the département for département-wide roles."""

    agent = models.ForeignKey(Agent, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("agent"))
    mds = models.ForeignKey(
        Mds,
        on_delete=models.CASCADE,
        related_name="memberships",
        null=True,
        blank=True,
        verbose_name=_("MDS"),
        help_text=_("Empty for département-wide roles."),
    )
    role = models.CharField(_("role"), max_length=30, choices=Role.choices)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    mds_path = "mds"
    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["agent", "mds__number", "role"]
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(role__in=sorted(r.value for r in PER_MDS_ROLES), mds__isnull=False)
                    | models.Q(role__in=sorted(r.value for r in DEPARTEMENT_WIDE_ROLES), mds__isnull=True)
                ),
                name="membership_scope_matches_role",
                violation_error_code="membership_scope_matches_role",
                violation_error_message=_(
                    "Reception, social work, mediation and manager roles belong to one MDS; "
                    "the other roles cover the whole département and take no MDS."
                ),
            ),
            models.UniqueConstraint(
                fields=["agent", "mds", "role"],
                condition=models.Q(mds__isnull=False),
                name="membership_unique_local",
                violation_error_code="membership_unique_local",
                violation_error_message=_("This agent already holds this role in this MDS."),
            ),
            models.UniqueConstraint(
                fields=["agent", "role"],
                condition=models.Q(mds__isnull=True),
                name="membership_unique_wide",
                violation_error_code="membership_unique_wide",
                violation_error_message=_("This agent already holds this role."),
            ),
        ]

    def __str__(self):
        where = self.mds.name if self.mds_id else _("all MDS")
        return f"{self.agent} — {self.get_role_display()} ({where})"


class Privilege(models.TextChoices):
    """What no administrator grants alone: a second administrator approves it, or a command on the server."""

    LEGAL_REQUISITION = Role.LEGAL_REQUISITION.value, _("Legal-requisition officer role")
    ADMIN = Role.ADMIN.value, _("Administrator role")
    SUPERUSER = "superuser", _("Superuser status")


class GrantStatus(models.TextChoices):
    PENDING = "pending", _("Awaiting a second administrator")
    APPROVED = "approved", _("Granted")
    REFUSED = "refused", _("Refused")


class PrivilegeGrant(models.Model):
    """A request to give an agent a privilege, and its outcome: the record of who asked, who approved and why.

    Asked by one administrator and decided by another (neither of them the agent), or recorded as granted
    by a command run on the server (no requester account; `requested_by_name` says who ran it).
    """

    agent = models.ForeignKey(Agent, on_delete=models.CASCADE, related_name="privilege_grants", verbose_name=_("agent"))
    privilege = models.CharField(_("privilege"), max_length=30, choices=Privilege.choices)
    reason = models.TextField(_("reason"))
    requested_by = models.ForeignKey(
        Agent,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("requested by"),
        help_text=_("Empty when granted by a command on the server."),
    )
    requested_by_name = models.CharField(_("requested by (name)"), max_length=200)
    requested_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    status = models.CharField(_("status"), max_length=20, choices=GrantStatus.choices, default=GrantStatus.PENDING)
    decided_by = models.ForeignKey(
        Agent, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("decided by")
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)

    class Meta:
        ordering = ["-requested_at"]
        verbose_name = _("privilege grant")
        verbose_name_plural = _("privilege grants")
        constraints = [
            # Four eyes: the requester, the approver and the agent are three different people.
            models.CheckConstraint(
                condition=models.Q(requested_by__isnull=True) | ~models.Q(requested_by=models.F("agent")),
                name="privilege_grant_not_requested_by_agent",
                violation_error_code="privilege_grant_not_requested_by_agent",
                violation_error_message=_("Nobody asks for a privilege for themselves."),
            ),
            models.CheckConstraint(
                condition=models.Q(decided_by__isnull=True)
                | (~models.Q(decided_by=models.F("agent")) & ~models.Q(decided_by=models.F("requested_by"))),
                name="privilege_grant_decided_by_another",
                violation_error_code="privilege_grant_decided_by_another",
                violation_error_message=_("The request is decided by someone other than the agent and the requester."),
            ),
            models.CheckConstraint(
                condition=models.Q(status=GrantStatus.PENDING, decided_at__isnull=True)
                | (~models.Q(status=GrantStatus.PENDING) & models.Q(decided_at__isnull=False)),
                name="privilege_grant_decision_dated",
                violation_error_code="privilege_grant_decision_dated",
                violation_error_message=_("A decided request carries its decision date; a pending one has none."),
            ),
            # Approved by an account, or granted on the server (no requester account): never by nobody.
            models.CheckConstraint(
                condition=~models.Q(status=GrantStatus.APPROVED)
                | models.Q(decided_by__isnull=False)
                | models.Q(requested_by__isnull=True),
                name="privilege_grant_approved_by_someone",
                violation_error_code="privilege_grant_approved_by_someone",
                violation_error_message=_("An approved request names who approved it."),
            ),
            models.UniqueConstraint(
                fields=["agent", "privilege"],
                condition=models.Q(status=GrantStatus.PENDING),
                name="privilege_grant_one_pending",
                violation_error_code="privilege_grant_one_pending",
                violation_error_message=_("A request for this privilege is already waiting for a decision."),
            ),
        ]

    def __str__(self):
        return f"{self.get_privilege_display()} → {self.agent} ({self.get_status_display()})"
