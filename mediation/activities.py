"""The activity record's write path: a held session's Activity (kept in step with its attendance), and one-to-one
help logged in one call (an Activity and its Accompaniment)."""

import datetime as dt
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from mediation.models import (
    Accompaniment,
    Activity,
    ActivityKind,
    AttendanceStatus,
    Beneficiary,
    RegistrationStatus,
    Theme,
    WorkshopSession,
)
from sites.audit import acting_as
from sites.models import Agent, Site


def session_activity_sync(*, session: WorkshopSession, actor: Agent | None) -> Activity:
    """The collective Activity of a held session (the caller holds the session's lock), created or updated from
    the session itself: participants are those marked present, themes and duration the workshop's, mediators the
    facilitators. Called again, it updates the same row (one per session: a OneToOne)."""
    workshop = session.workshop
    present = session.registrations.filter(
        status=RegistrationStatus.CONFIRMED, attendance=AttendanceStatus.PRESENT
    ).count()
    fields = {
        "kind": ActivityKind.COLLECTIVE,
        "mds_id": workshop.mds_id,
        "site_id": session.site_id,
        "date": timezone.localdate(session.starts_at),
        "duration_minutes": workshop.duration_minutes,
        "participants": present,
    }
    activity = Activity.objects.select_for_update().filter(session=session).first()
    with acting_as(actor):
        if activity is None:
            activity = Activity.objects.create(session=session, created_by=actor, **fields)
        elif any(getattr(activity, name) != value for name, value in fields.items()):
            for name, value in fields.items():
                setattr(activity, name, value)
            activity.save()
        activity.themes.set(workshop.themes.all())
        activity.mediators.set(session.facilitators.all())
    return activity


@transaction.atomic
def accompaniment_log(
    *,
    actor: Agent,
    site: Site,
    themes: Iterable[Theme],
    duration_minutes: int,
    date: dt.date | None = None,
    participants: int = 1,
    beneficiary: Beneficiary | None = None,
    **profile: object,
) -> Accompaniment:
    """One-to-one help, logged by the mediator who gave it: one individual Activity (date, site, duration, themes,
    the mediator) and its Accompaniment (place, equipment, anonymous profile, autonomy, outcome, redirection;
    `profile` are its fields). Names nobody unless a consenting `beneficiary` is given."""
    themes = list(themes)
    if not themes:
        raise ValidationError({"themes": _("Choose at least one theme.")}, code="themes_required")
    if beneficiary is not None and beneficiary.mds_id != site.mds_id:
        raise ValidationError({"beneficiary": _("This person is recorded in another MDS.")},
                              code="beneficiary_other_mds")  # fmt: skip
    activity = Activity(
        kind=ActivityKind.INDIVIDUAL, mds_id=site.mds_id, site=site, date=date or timezone.localdate(),
        duration_minutes=duration_minutes, participants=participants, created_by=actor,
    )  # fmt: skip
    accompaniment = Accompaniment(beneficiary=beneficiary, **profile)
    activity.full_clean()
    accompaniment.full_clean(exclude=["activity"])
    with acting_as(actor):
        activity.save()
        activity.themes.set(themes)
        activity.mediators.set([actor])
        accompaniment.activity = activity
        accompaniment.save()
        if beneficiary is not None and (beneficiary.last_seen_on is None or beneficiary.last_seen_on < activity.date):
            beneficiary.last_seen_on = activity.date
            beneficiary.save(update_fields=["last_seen_on"])
    return accompaniment
