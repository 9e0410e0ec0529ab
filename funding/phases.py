"""The WiFi deployment phases: their planned and actual dates for the operation and site by site (services), and
where the deployment stands (selector for the phases page: the per-site progress table and the timeline).

A phase's state, for the operation or one site, read from its dates and today (Paris):

- **done**: it has an actual end; **done late** if that end is after the planned end;
- **late**: not done and its planned end is past;
- **in progress**: started (actual start), not done, not late;
- **planned**: dates planned, nothing started; **not planned**: no date at all.
"""

import datetime
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy

from funding.models import DeploymentPhase, Operation, SitePhase
from sites.audit import acting_as
from sites.models import Agent, Site

DATE_FIELDS = ("planned_start", "planned_end", "actual_start", "actual_end")


class PhaseError(ValueError):
    pass


@transaction.atomic
def phase_dates_set(
    *,
    phase: DeploymentPhase,
    planned_start: datetime.date | None,
    planned_end: datetime.date | None,
    actual_start: datetime.date | None,
    actual_end: datetime.date | None,
    actor: Agent | None,
) -> DeploymentPhase:
    """Record a phase's planned and actual dates for the whole operation (audited; ValidationError when a phase
    would end before it starts)."""
    phase = DeploymentPhase.objects.select_for_update().get(pk=phase.pk)
    values = {"planned_start": planned_start, "planned_end": planned_end, "actual_start": actual_start,
              "actual_end": actual_end}  # fmt: skip
    changed = [name for name, value in values.items() if getattr(phase, name) != value]
    if not changed:
        return phase
    for name in changed:
        setattr(phase, name, values[name])
    phase.full_clean()
    with acting_as(actor):
        phase.save(update_fields=changed)
    return phase


@transaction.atomic
def site_phase_dates_set(
    *,
    phase: DeploymentPhase,
    site: Site,
    planned_start: datetime.date | None,
    planned_end: datetime.date | None,
    actual_start: datetime.date | None,
    actual_end: datetime.date | None,
    note: str = "",
    actor: Agent | None,
) -> SitePhase | None:
    """Record a phase's dates at one site. Only phases followed site by site have per-site dates. A site with no
    date and no note yet gets no row (the table shows it "not planned"); an existing row is kept, emptied."""
    if not phase.per_site:
        raise PhaseError(_("The phase “%(phase)s” is followed for the whole operation, not site by site.")
                         % {"phase": phase.name})  # fmt: skip
    values = {"planned_start": planned_start, "planned_end": planned_end, "actual_start": actual_start,
              "actual_end": actual_end, "note": note.strip()}  # fmt: skip
    # Locked: two people saving the same site's dates at once each write a whole row, one after the other.
    row = SitePhase.objects.select_for_update().filter(phase=phase, site=site).first()
    if row is None:
        if not any(values.values()):
            return None
        row = SitePhase(phase=phase, site=site)
    changed = [name for name, value in values.items() if getattr(row, name) != value]
    if row.pk is not None and not changed:
        return row
    for name in changed:
        setattr(row, name, values[name])
    row.full_clean()
    with acting_as(actor):
        if row.pk is None:
            row.save()
        else:
            row.save(update_fields=changed)
    return row


# --- Where the deployment stands ------------------------------------------------------------------------------


class State:
    NOT_PLANNED = "not_planned"
    PLANNED = "planned"
    IN_PROGRESS = "in_progress"
    LATE = "late"
    DONE = "done"
    DONE_LATE = "done_late"


STATE_LABELS = {
    State.NOT_PLANNED: pgettext_lazy("phase", "Not planned"),
    State.PLANNED: pgettext_lazy("phase", "Planned"),
    State.IN_PROGRESS: pgettext_lazy("phase", "In progress"),
    State.LATE: pgettext_lazy("phase", "Late"),
    State.DONE: pgettext_lazy("phase", "Done"),
    State.DONE_LATE: pgettext_lazy("phase", "Done late"),
}


def state_of(dates: DeploymentPhase | SitePhase | None, today: datetime.date) -> str:
    """The state of a phase or site phase (anything with the four date attributes; None: no row)."""
    if dates is None:
        return State.NOT_PLANNED
    if dates.actual_end:
        return State.DONE_LATE if dates.planned_end and dates.actual_end > dates.planned_end else State.DONE
    if dates.planned_end and dates.planned_end < today:
        return State.LATE
    if dates.actual_start:
        return State.IN_PROGRESS
    if dates.planned_start or dates.planned_end:
        return State.PLANNED
    return State.NOT_PLANNED


@dataclass(frozen=True)
class Cell:
    phase: DeploymentPhase
    dates: SitePhase | None
    state: str

    @property
    def state_label(self) -> str:
        return str(STATE_LABELS[self.state])

    @property
    def done(self) -> bool:
        return self.state in (State.DONE, State.DONE_LATE)

    @property
    def late(self) -> bool:
        return self.state in (State.LATE, State.DONE_LATE)


@dataclass(frozen=True)
class SiteRow:
    site: Site
    cells: list[Cell]


@dataclass(frozen=True)
class PhaseRow:
    phase: DeploymentPhase
    state: str
    sites_done: int | None  # per-site phases: how many sites are done
    sites_late: int | None

    @property
    def state_label(self) -> str:
        return str(STATE_LABELS[self.state])

    @property
    def late(self) -> bool:
        return self.state in (State.LATE, State.DONE_LATE)


@dataclass(frozen=True)
class DeploymentProgress:
    today: datetime.date
    phases: list[PhaseRow]
    site_phases: list[DeploymentPhase]  # the columns of the per-site table
    sites: list[SiteRow]

    @property
    def site_count(self) -> int:
        return len(self.sites)


def deployment_progress(operation: Operation, *, today: datetime.date | None = None) -> DeploymentProgress:
    """The phases of `operation` and, for those followed site by site, every site's state: three queries."""
    today = today or timezone.localdate()
    phases = list(operation.phases.order_by("number"))
    per_site = [phase for phase in phases if phase.per_site]
    sites = list(Site.objects.select_related("mds").order_by("mds__number", "number"))
    rows = {(row.phase_id, row.site_id): row for row in SitePhase.objects.filter(phase__in=per_site)}
    site_rows = [
        SiteRow(
            site=site,
            cells=[
                Cell(phase, rows.get((phase.pk, site.pk)), state_of(rows.get((phase.pk, site.pk)), today))
                for phase in per_site
            ],
        )
        for site in sites
    ]
    phase_rows = []
    for phase in phases:
        done = late = None
        if phase.per_site:
            column = per_site.index(phase)
            cells = [row.cells[column] for row in site_rows]
            done = sum(cell.done for cell in cells)
            late = sum(cell.late for cell in cells)
        phase_rows.append(PhaseRow(phase=phase, state=state_of(phase, today), sites_done=done, sites_late=late))
    return DeploymentProgress(today=today, phases=phase_rows, site_phases=per_site, sites=site_rows)
