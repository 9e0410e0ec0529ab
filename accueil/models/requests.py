"""A request made to an MDS (online, from the captive portal, or by an agent for a walk-in) and its timeline."""

import secrets

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

# The choices the public form offers live apart: their labels are in the public catalogues (accueil/locale).
from accueil.models.choices import CallbackChannel, CallbackWindow, RequestKind, Topic
from core.constraints import ConstraintErrorsOnFields
from core.fields import PhoneNumberField
from sites.scoping import ScopedQuerySet


class RequestStatus(models.TextChoices):
    NEW = "new", _("New")
    TAKEN = "taken", _("Taken in hand")
    APPOINTMENT_BOOKED = "appointment_booked", _("Appointment booked")
    NOT_REACHABLE = "not_reachable", _("Not reachable")
    REDIRECTED = "redirected", _("Redirected to a partner")
    CLOSED = "closed", _("Closed")


# The statuses after which nothing more is expected from the MDS (the retention clock starts at closed_at).
FINAL_STATUSES = (RequestStatus.CLOSED, RequestStatus.REDIRECTED, RequestStatus.NOT_REACHABLE)


class RequestSource(models.TextChoices):
    FORM = "form", _("Online form")
    PORTAL = "portal", _("WiFi portal")
    AGENT = "agent", _("Entered by an agent")


# References are read over the phone: no 0/O, 1/I/L, U (Crockford's base 32 without them).
REFERENCE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"
REFERENCE_LENGTH = 8  # 29^8 ≈ 5·10^11: not guessable at the form's rate limits


def new_reference() -> str:
    """A short random reference such as `K7M2QX9P` (shown as `K7M2-QX9P`)."""
    return "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(REFERENCE_LENGTH))


class ContactRequestQuerySet(ScopedQuerySet):
    def open(self):
        return self.exclude(status__in=FINAL_STATUSES)

    def unanswered(self):
        return self.filter(first_answered_at__isnull=True).exclude(status__in=FINAL_STATUSES)


class ContactRequest(ConstraintErrorsOnFields, models.Model):
    """What a person asked an MDS for, with the contact details exactly as given (the record of the request).

    Bounded lengths everywhere: a public form must not let anyone store a novel. The contact details stay on
    the request even once it is linked to a `Person`, because an agent answers the way the person asked.
    """

    MESSAGE_MAX_LENGTH = 2000

    reference = models.CharField(_("reference"), max_length=REFERENCE_LENGTH, unique=True, default=new_reference)
    mds = models.ForeignKey("mds_sites.Mds", on_delete=models.PROTECT, related_name="contact_requests",
                            verbose_name=_("MDS"))  # fmt: skip
    site = models.ForeignKey("mds_sites.Site", on_delete=models.SET_NULL, null=True, blank=True,
                             related_name="contact_requests", verbose_name=_("site"))  # fmt: skip
    person = models.ForeignKey("accueil.Person", on_delete=models.SET_NULL, null=True, blank=True,
                               related_name="requests", verbose_name=_("person"))  # fmt: skip
    source = models.CharField(_("source"), max_length=10, choices=RequestSource.choices, default=RequestSource.FORM)
    kind = models.CharField(_("what for"), max_length=20, choices=RequestKind.choices)
    topic = models.CharField(_("topic"), max_length=20, choices=Topic.choices)
    message = models.TextField(_("message"), max_length=MESSAGE_MAX_LENGTH, blank=True)
    first_name = models.CharField(_("first name"), max_length=100, blank=True)
    last_name = models.CharField(_("last name"), max_length=100)
    phone = PhoneNumberField(_("phone"), blank=True)
    email = models.EmailField(_("email"), blank=True)
    commune = models.CharField(_("commune"), max_length=120, blank=True)
    callback_channels = ArrayField(
        models.CharField(max_length=10, choices=CallbackChannel.choices), verbose_name=_("how to answer"),
        default=list, blank=True, size=3,
    )  # fmt: skip
    callback_windows = ArrayField(
        models.CharField(max_length=10, choices=CallbackWindow.choices), verbose_name=_("when to call back"),
        default=list, blank=True, size=3,
    )  # fmt: skip
    interpreter_language = models.CharField(_("interpreter needed in"), max_length=60, blank=True)
    accessibility_needs = models.CharField(_("accessibility needs"), max_length=300, blank=True)
    language = models.CharField(_("language of the request"), max_length=10, default="fr")
    notice_acknowledged_at = models.DateTimeField(_("information notice acknowledged at"))
    status = models.CharField(_("status"), max_length=20, choices=RequestStatus.choices, default=RequestStatus.NEW)
    assigned_to = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="assigned_requests", verbose_name=_("assigned to"))  # fmt: skip
    submitted_at = models.DateTimeField(_("submitted at"), auto_now_add=True, db_index=True)
    first_answered_at = models.DateTimeField(_("first answered at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True, db_index=True)
    anonymised_at = models.DateTimeField(_("anonymised at"), null=True, blank=True)

    mds_path = "mds"
    objects = ContactRequestQuerySet.as_manager()

    constraint_error_fields = {
        "contactrequest_has_a_way_to_answer": "phone",
        "contactrequest_notice_acknowledged": "notice_acknowledged_at",
    }

    class Meta:
        ordering = ["-submitted_at", "-pk"]
        verbose_name = _("contact request")
        verbose_name_plural = _("contact requests")
        indexes = [models.Index(fields=["mds", "status", "submitted_at"])]
        constraints = [
            # Nobody can be answered without one: an anonymised request keeps neither, so it is exempt.
            models.CheckConstraint(
                condition=~Q(phone="", email="") | Q(anonymised_at__isnull=False),
                name="contactrequest_has_a_way_to_answer",
                violation_error_code="contactrequest_has_a_way_to_answer",
                violation_error_message=_("Give a phone number or an email address so that the MDS can answer."),
            ),
            models.CheckConstraint(
                condition=Q(status__in=[s.value for s in FINAL_STATUSES]) | Q(closed_at__isnull=True),
                name="contactrequest_closed_at_only_when_final",
                violation_error_code="contactrequest_closed_at_only_when_final",
                violation_error_message=_("Only a closed, redirected or unreachable request has a closing date."),
            ),
            models.CheckConstraint(
                condition=Q(status__in=[s.value for s in RequestStatus]),
                name="contactrequest_status_known",
                violation_error_code="contactrequest_status_known",
                violation_error_message=_("Unknown status."),
            ),
        ]

    def __str__(self) -> str:
        return self.display_reference

    @property
    def display_reference(self) -> str:
        return f"{self.reference[:4]}-{self.reference[4:]}"

    @property
    def is_final(self) -> bool:
        return self.status in FINAL_STATUSES


class RequestEvent(models.Model):
    """One line of a request's timeline: an internal note, a change of status or assignee, a message sent."""

    class Kind(models.TextChoices):
        NOTE = "note", _("Internal note")
        STATUS = "status", _("Status changed")
        ASSIGNED = "assigned", _("Assigned")
        MESSAGE = "message", _("Message to the person")
        APPOINTMENT = "appointment", _("Appointment")

    request = models.ForeignKey(ContactRequest, on_delete=models.CASCADE, related_name="events",
                                verbose_name=_("request"))  # fmt: skip
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                               related_name="+", verbose_name=_("author"))  # fmt: skip
    text = models.TextField(_("text"), max_length=4000, blank=True)
    created_at = models.DateTimeField(_("at"), auto_now_add=True)
    # The form that wrote it (a token rendered in the form): sent twice — a double click, a reload — it writes
    # one event and sends one message.
    form_token = models.UUIDField(_("form token"), null=True, blank=True, editable=False)

    mds_path = "request__mds"
    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("request event")
        verbose_name_plural = _("request events")
        constraints = [
            models.UniqueConstraint(
                fields=["request", "form_token"],
                name="request_event_form_once",
                violation_error_code="request_event_form_once",
                violation_error_message=_("This form has already been sent."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.request} · {self.get_kind_display()}"


class CommuneRouting(ConstraintErrorsOnFields, models.Model):
    """Which MDS serves a commune. The seeds give no sectorisation: empty at first, filled in the admin; the
    contact form preselects the MDS of a commune found here and falls back to the list otherwise."""

    commune = models.CharField(_("commune"), max_length=120)
    postal_code = models.CharField(_("postal code"), max_length=5, blank=True)
    mds = models.ForeignKey("mds_sites.Mds", on_delete=models.CASCADE, related_name="communes",
                            verbose_name=_("MDS"))  # fmt: skip

    mds_path = "mds"
    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["commune"]
        verbose_name = _("commune served")
        verbose_name_plural = _("communes served")
        constraints = [
            models.UniqueConstraint(
                models.functions.Lower("commune"),
                "postal_code",
                name="communerouting_unique_commune",
                violation_error_code="communerouting_unique_commune",
                violation_error_message=_("This commune is already routed to an MDS."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.commune} → {self.mds}"
