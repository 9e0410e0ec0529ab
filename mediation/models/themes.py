"""The theme taxonomy shared by workshops and one-to-one help.

It follows La Coop de la médiation numérique's activity taxonomy (19 digital-skills themes, and 11 administrative
sub-themes under "help with administrative procedures"), so that our figures can feed the national dashboards:
`national_code` is the Coop's API value. The Département's own tags (kind "local") have no national code. The rows
are seeded by migration 0002 and editable in the admin; labels are English msgids, shown in French through the
catalogue (a local tag typed in French in the admin is shown as typed).
"""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.constraints import ConstraintErrorsOnFields


class ThemeKind(models.TextChoices):
    DIGITAL_SKILL = "digital_skill", _("Digital skill")
    ADMINISTRATIVE = "administrative", _("Administrative procedure")
    LOCAL = "local", _("Local tag")


class ThemeQuerySet(models.QuerySet):
    def active(self):
        return self.filter(active=True)


class Theme(ConstraintErrorsOnFields, models.Model):
    """A theme of the taxonomy. Shared by every MDS (it belongs to none): no `mds_path`, read by every agent."""

    code = models.SlugField(_("code"), max_length=60, unique=True)
    label = models.CharField(_("label"), max_length=120)
    kind = models.CharField(_("kind"), max_length=20, choices=ThemeKind.choices)
    parent = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="children",
                               verbose_name=_("parent theme"))  # fmt: skip
    national_code = models.CharField(_("national code"), max_length=60, blank=True,
                                     help_text=_("La Coop de la médiation numérique's code; blank for a local "
                                                 "tag."))  # fmt: skip
    active = models.BooleanField(_("active"), default=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    objects = ThemeQuerySet.as_manager()

    constraint_error_fields = {
        "theme_parent_for_administrative_only": "parent",
        "theme_national_code_unless_local": "national_code",
        "theme_unique_national_code": "national_code",
    }

    class Meta:
        ordering = ["order", "code"]
        verbose_name = _("theme")
        verbose_name_plural = _("themes")
        constraints = [
            # The 11 administrative sub-themes sit under "help with administrative procedures"; nothing else
            # has a parent (the national taxonomy has two levels only).
            models.CheckConstraint(
                condition=Q(kind=ThemeKind.ADMINISTRATIVE, parent__isnull=False)
                | (~Q(kind=ThemeKind.ADMINISTRATIVE) & Q(parent__isnull=True)),
                name="theme_parent_for_administrative_only",
                violation_error_code="theme_parent_for_administrative_only",
                violation_error_message=_("An administrative sub-theme has a parent theme, and only it."),
            ),
            models.CheckConstraint(
                condition=Q(kind=ThemeKind.LOCAL, national_code="") | (~Q(kind=ThemeKind.LOCAL) & ~Q(national_code="")),
                name="theme_national_code_unless_local",
                violation_error_code="theme_national_code_unless_local",
                violation_error_message=_("A national theme has its national code; a local tag has none."),
            ),
            models.UniqueConstraint(
                fields=["national_code"],
                condition=~Q(national_code=""),
                name="theme_unique_national_code",
                violation_error_code="theme_unique_national_code",
                violation_error_message=_("Another theme already has this national code."),
            ),
        ]

    def __str__(self) -> str:
        return self.display_label

    @property
    def display_label(self) -> str:
        """The label in the active language: the seeded labels are msgids of the catalogue."""
        return gettext(self.label)

    @property
    def is_national(self) -> bool:
        return self.kind != ThemeKind.LOCAL
