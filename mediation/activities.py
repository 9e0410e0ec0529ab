"""The activity record's write path: a held session's Activity (kept in step with its attendance), and one-to-one
help logged in one call (an Activity and its Accompaniment)."""

import datetime as dt
from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from mediation.models import (
    Accompaniment,
    Activity,
    ActivityKind,
    AttendanceStatus,
    Beneficiary,
    Mediator,
    RegistrationStatus,
    Theme,
    WorkshopSession,
)
from sites.audit import acting_as, audited_delete
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


# --- One-to-one help in the back-office: the quick log's defaults, corrections by the author -------------------

EDIT_WINDOW = dt.timedelta(days=30)  # a mediator fixes a typo of the last weeks; older figures are reported already


def usual_site(agent: Agent, sites: Iterable[Site]) -> Site | None:
    """The site the quick log proposes among `sites` (those where the agent may log): the one of their last
    accompaniment, else the first of their mediator record's sites, else the only one there is."""
    allowed = {site.pk: site for site in sites}
    last = (
        Activity.objects.filter(kind=ActivityKind.INDIVIDUAL, created_by=agent, site_id__in=allowed)
        .order_by("-created_at", "-pk")
        .values_list("site_id", flat=True)
        .first()
    )
    if last is not None:
        return allowed[last]
    mediator = Mediator.objects.filter(agent=agent).first()
    if mediator is not None:
        for site_id in mediator.sites.order_by("number", "pk").values_list("pk", flat=True):
            if site_id in allowed:
                return allowed[site_id]
    return next(iter(allowed.values())) if len(allowed) == 1 else None


def frequent_themes(agent: Agent, *, limit: int = 8) -> list[Theme]:
    """The chips shown first on the quick log (every theme stays reachable below): the themes the agent logged most
    in the last 90 days, then those their MDS logged most (a new mediator starts with their colleagues' usual
    ones), then the taxonomy's first. Three queries at most."""
    since = timezone.localdate() - dt.timedelta(days=90)
    recent = Activity.objects.filter(kind=ActivityKind.INDIVIDUAL, date__gte=since)
    chosen: list[Theme] = []
    for activities in (recent.filter(created_by=agent), recent.visible_to(agent)):
        used = (
            Theme.objects.active()
            .filter(activities__in=activities)
            .exclude(pk__in=[theme.pk for theme in chosen])
            .annotate(uses=Count("activities"))
            .order_by("-uses", "order", "code")
        )
        chosen += used[: limit - len(chosen)]
        if len(chosen) >= limit:
            return chosen
    return chosen + list(Theme.objects.active().exclude(pk__in=[t.pk for t in chosen])[: limit - len(chosen)])


def recent_accompaniments(agent: Agent, *, limit: int = 10) -> QuerySet[Accompaniment]:
    """The agent's own last accompaniments, with what their line shows."""
    rows: QuerySet[Accompaniment] = (
        Accompaniment.objects.filter(activity__created_by=agent)
        .select_related("activity__site")
        .prefetch_related("activity__themes")
        .order_by("-activity__created_at", "-pk")
    )
    return rows[:limit]


def may_correct(agent: Agent, accompaniment: Accompaniment) -> bool:
    """Only its author corrects or deletes an accompaniment, and only a recent one."""
    activity = accompaniment.activity
    return activity.created_by_id == agent.pk and activity.created_at >= timezone.now() - EDIT_WINDOW


def _check_may_correct(agent: Agent, accompaniment: Accompaniment) -> None:
    if not may_correct(agent, accompaniment):
        raise PermissionDenied(_("Only its author corrects an accompaniment, within 30 days."))


@transaction.atomic
def accompaniment_update(
    *,
    actor: Agent,
    accompaniment: Accompaniment,
    site: Site,
    themes: Iterable[Theme],
    duration_minutes: int,
    date: dt.date,
    **profile: object,
) -> Accompaniment:
    """Correct one's own recent accompaniment (same fields as `accompaniment_log`), with its audit entries."""
    _check_may_correct(actor, accompaniment)
    themes = list(themes)
    if not themes:
        raise ValidationError({"themes": _("Choose at least one theme.")}, code="themes_required")
    if accompaniment.beneficiary is not None and accompaniment.beneficiary.mds_id != site.mds_id:
        raise ValidationError({"site": _("This person is recorded in another MDS.")}, code="beneficiary_other_mds")
    activity = accompaniment.activity
    activity.mds_id, activity.site, activity.date, activity.duration_minutes = site.mds_id, site, date, duration_minutes
    for name, value in profile.items():
        setattr(accompaniment, name, value)
    activity.full_clean()
    accompaniment.full_clean()
    with acting_as(actor):
        activity.save()
        activity.themes.set(themes)
        accompaniment.save()
    return accompaniment


@transaction.atomic
def accompaniment_delete(*, actor: Agent, accompaniment: Accompaniment) -> None:
    """Delete one's own recent accompaniment (logged by mistake, or twice): its Activity goes with it, audited."""
    _check_may_correct(actor, accompaniment)
    audited_delete(accompaniment.activity, actor=actor)
