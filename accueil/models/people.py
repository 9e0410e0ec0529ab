"""The person (usager, as RDV-Solidarités calls it) behind requests and appointments, held by one MDS."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.constraints import ConstraintErrorsOnFields
from core.fields import PhoneNumberField
from sites.scoping import ScopedQuerySet


class PersonQuerySet(ScopedQuerySet):
    def current(self):
        """The records in use: neither merged into another nor anonymised."""
        return self.filter(merged_into__isnull=True, anonymised_at__isnull=True)


class Person(ConstraintErrorsOnFields, models.Model):
    """Someone the MDS is in touch with. Minimal collection: a name and a way to answer, nothing else.

    `responsible` is the relative who acts for them (a parent booking for a child, a carer); `merged_into`
    points to the record a duplicate was merged into, so links to the old record still lead somewhere.
    """

    mds = models.ForeignKey("mds_sites.Mds", on_delete=models.PROTECT, related_name="people", verbose_name=_("MDS"))
    first_name = models.CharField(_("first name"), max_length=100, blank=True)
    last_name = models.CharField(_("last name"), max_length=100, blank=True)
    phone = PhoneNumberField(_("phone"), blank=True)
    email = models.EmailField(_("email"), blank=True)
    responsible = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="dependants",
        verbose_name=_("relative acting for them"),
    )  # fmt: skip
    relationship = models.CharField(_("relationship"), max_length=60, blank=True)  # "mother", "guardian"…
    merged_into = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="merged_records",
        verbose_name=_("merged into"),
    )  # fmt: skip
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("created by"),
    )  # fmt: skip
    anonymised_at = models.DateTimeField(_("anonymised at"), null=True, blank=True)

    mds_path = "mds"
    objects = PersonQuerySet.as_manager()

    class Meta:
        ordering = ["last_name", "first_name", "pk"]
        verbose_name = _("person")
        verbose_name_plural = _("people")
        indexes = [models.Index(fields=["mds", "phone"]), models.Index(fields=["mds", "email"])]
        constraints = [
            models.CheckConstraint(
                condition=~Q(responsible=models.F("pk")),
                name="person_not_own_relative",
                violation_error_code="person_not_own_relative",
                violation_error_message=_("A person cannot be their own relative."),
            ),
            models.CheckConstraint(
                condition=~Q(merged_into=models.F("pk")),
                name="person_not_merged_into_itself",
                violation_error_code="person_not_merged_into_itself",
                violation_error_message=_("A record cannot be merged into itself."),
            ),
        ]

    def __str__(self) -> str:
        if self.anonymised_at:
            return str(_("Anonymised person"))
        return " ".join(part for part in (self.first_name, self.last_name.upper()) if part) or str(_("Unnamed person"))
