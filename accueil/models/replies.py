"""Reply templates: the texts agents start from when they answer a person by email or SMS."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from sites.scoping import ScopedQuerySet


class ReplyTemplateQuerySet(ScopedQuerySet):
    def for_mds(self, mds_id: int):
        """The templates an agent of that MDS may start from: the MDS's own and the département's (no MDS)."""
        return self.filter(Q(mds_id=mds_id) | Q(mds__isnull=True), active=True)


class ReplyTemplate(models.Model):
    """A ready-made answer; `{prenom}`, `{nom}`, `{mds}`, `{reference}` are filled in before the agent edits it.

    Placeholders in French and in braces: the people who write these texts are reception managers, not
    developers; an unknown placeholder is left as typed rather than failing the reply.
    """

    BODY_MAX_LENGTH = 1000  # an SMS of 6–7 segments at most; emails rarely need more for a first answer

    mds = models.ForeignKey("mds_sites.Mds", on_delete=models.CASCADE, null=True, blank=True,
                            related_name="+", verbose_name=_("MDS"),
                            help_text=_("Empty: offered to every MDS."))  # fmt: skip
    name = models.CharField(_("name"), max_length=100)
    body = models.TextField(_("text"), max_length=BODY_MAX_LENGTH)
    active = models.BooleanField(_("active"), default=True)

    mds_path = "mds"
    objects = ReplyTemplateQuerySet.as_manager()

    class Meta:
        ordering = ["name", "pk"]
        verbose_name = _("reply template")
        verbose_name_plural = _("reply templates")

    def __str__(self) -> str:
        return self.name
