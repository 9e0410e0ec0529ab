"""The write path of workshops: what a workshop is about (its sessions are mediation.sessions')."""

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from mediation.models import Theme, Workshop
from sites.audit import acting_as, audited_save
from sites.models import Agent


@transaction.atomic
def workshop_save(*, workshop: Workshop, themes: Iterable[Theme], actor: Agent | None) -> Workshop:
    """Create or change a workshop and its themes, validated and audited (the themes' change too). At least one
    theme: a held session's activity takes them, and the figures count activities by theme."""
    themes = list(themes)
    if not themes:
        raise ValidationError({"themes": _("Choose at least one theme.")}, code="themes_required")
    workshop = audited_save(workshop, actor=actor)
    with acting_as(actor):
        workshop.themes.set(themes)
    return workshop
