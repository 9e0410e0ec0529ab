"""The deployment phases (/backoffice/funding/phases/): the five phases with their planned and actual dates, the
per-site progress table (site × phase followed site by site), the timeline; and the forms programme staff keep
them with (funding.phases: phase_dates_set, site_phase_dates_set)."""

import datetime
from typing import Any, cast

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import TemplateView

from funding import charts
from funding.models import DeploymentPhase, SitePhase
from funding.phases import (
    DATE_FIELDS,
    DeploymentProgress,
    PhaseError,
    deployment_progress,
    phase_dates_set,
    site_phase_dates_set,
)
from funding.views.dashboard import FundingPageMixin
from sites.models import Agent, Site

VIEW = "funding.view_deploymentphase"
CHANGE_PHASE = "funding.change_deploymentphase"
EDIT_SITE_PHASES = ("funding.add_sitephase", "funding.change_sitephase")


def _date_input() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class PhaseDatesForm(forms.Form):
    planned_start = forms.DateField(label=gettext_lazy("Planned start"), required=False, widget=_date_input())
    planned_end = forms.DateField(label=gettext_lazy("Planned end"), required=False, widget=_date_input())
    actual_start = forms.DateField(label=gettext_lazy("Actual start"), required=False, widget=_date_input())
    actual_end = forms.DateField(label=gettext_lazy("Actual end"), required=False, widget=_date_input())

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for prefix, field in (("planned", "planned_end"), ("actual", "actual_end")):
            start, end = data.get(f"{prefix}_start"), data.get(f"{prefix}_end")
            if start and end and end < start:
                self.add_error(field, _("A phase ends on or after the day it starts."))
        if data.get("actual_end") and not data.get("actual_start"):
            self.add_error("actual_start", _("Give the actual start of a phase that is done."))
        return data

    def dates(self) -> dict[str, datetime.date | None]:
        return {name: self.cleaned_data.get(name) for name in DATE_FIELDS}


class SitePhaseForm(PhaseDatesForm):
    note = forms.CharField(label=gettext_lazy("Note"), required=False, max_length=300)


def phases_chart(progress: DeploymentProgress, period: tuple[datetime.date, datetime.date]) -> charts.Chart:
    title = _("Timeline of the deployment phases")
    sentences = []
    for row in progress.phases:
        phase = row.phase
        sentences.append(
            _("%(phase)s: planned %(planned)s, actual %(actual)s, %(state)s.") % {
                "phase": f"{phase.number}. {phase.name}",
                "planned": _span(phase.planned_start, phase.planned_end),
                "actual": _span(phase.actual_start, phase.actual_end, going_on=True),
                "state": row.state_label.lower(),
            }
        )  # fmt: skip
    description = " ".join([*sentences, _("The table above gives every date.")])
    rows = [
        charts.GanttRow(f"{r.phase.number}. {r.phase.name}", r.phase.planned_start, r.phase.planned_end,
                        r.phase.actual_start, r.phase.actual_end)
        for r in progress.phases
    ]  # fmt: skip
    svg = charts.gantt_chart(chart_id="funding-phases", title=title, description=description, rows=rows,
                             today=progress.today, period=period)  # fmt: skip
    return charts.Chart(title, svg)


def _span(start: datetime.date | None, end: datetime.date | None, *, going_on: bool = False) -> str:
    if start and end:
        return _("from %(start)s to %(end)s") % {"start": date_format(start), "end": date_format(end)}
    if start:
        return (_("since %(start)s") if going_on else _("from %(start)s")) % {"start": date_format(start)}
    if end:
        return _("until %(end)s") % {"end": date_format(end)}
    return _("no date")


class PhasesView(FundingPageMixin, TemplateView):
    permission_required = VIEW
    template_name = "funding/dashboard/phases.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        progress = deployment_progress(self.operation)
        user = self.request.user
        return super().get_context_data(
            operation=self.operation,
            progress=progress,
            chart=phases_chart(progress, (self.operation.execution_start, self.operation.execution_end)),
            may_edit_phases=user.has_perm(CHANGE_PHASE),
            may_edit_sites=user.has_perms(EDIT_SITE_PHASES),
            **kwargs,
        )


class PhasesEditView(FundingPageMixin, View):
    """The five phases' planned and actual dates, for the whole operation, on one form."""

    permission_required = CHANGE_PHASE
    template_name = "funding/dashboard/phases_form.html"

    def _forms(self, data: QueryDict | None = None) -> list[tuple[DeploymentPhase, PhaseDatesForm]]:
        phases = list(self.operation.phases.order_by("number"))
        return [
            (phase, PhaseDatesForm(data, prefix=f"phase-{phase.number}",
                                   initial={name: getattr(phase, name) for name in DATE_FIELDS}))
            for phase in phases
        ]  # fmt: skip

    def _render(self, pairs: list[tuple[DeploymentPhase, PhaseDatesForm]]) -> HttpResponse:
        return render(self.request, self.template_name, {"operation": self.operation, "pairs": pairs})

    def get(self, request: HttpRequest) -> HttpResponse:
        return self._render(self._forms())

    def post(self, request: HttpRequest) -> HttpResponse:
        pairs = self._forms(request.POST)
        if not all(form.is_valid() for _phase, form in pairs):
            return self._render(pairs)
        try:
            with transaction.atomic():
                for phase, form in pairs:
                    if form.has_changed():
                        phase_dates_set(phase=phase, **form.dates(), actor=cast(Agent, request.user))
        except ValidationError as error:
            pairs[0][1].add_error(None, error.messages)
            return self._render(pairs)
        messages.success(request, _("Dates of the phases saved."))
        return redirect("funding_dashboard:phases")


class SitePhasesEditView(FundingPageMixin, View):
    """One phase followed site by site (`?phase=N`, the first such phase by default): its dates at every site."""

    permission_required = EDIT_SITE_PHASES
    template_name = "funding/dashboard/site_phases_form.html"

    def _phase(self) -> DeploymentPhase:
        phases = self.operation.phases.filter(per_site=True).order_by("number")
        number = self.request.GET.get("phase", "")
        phase = phases.filter(number=number).first() if number.isdigit() else phases.first() if not number else None
        if phase is None:
            raise Http404(_("No phase followed site by site has this number."))
        return phase

    def _forms(self, phase: DeploymentPhase, data: QueryDict | None = None) -> list[tuple[Site, SitePhaseForm]]:
        sites = list(Site.objects.select_related("mds").order_by("mds__number", "number"))
        rows = {row.site_id: row for row in SitePhase.objects.filter(phase=phase)}
        pairs = []
        for site in sites:
            row = rows.get(site.pk)
            initial = {name: getattr(row, name) for name in (*DATE_FIELDS, "note")} if row else {}
            pairs.append((site, SitePhaseForm(data, prefix=f"site-{site.pk}", initial=initial)))
        return pairs

    def _render(self, phase: DeploymentPhase, pairs: list[tuple[Site, SitePhaseForm]]) -> HttpResponse:
        others = self.operation.phases.filter(per_site=True).order_by("number")
        context = {"operation": self.operation, "phase": phase, "pairs": pairs, "other_phases": others}
        return render(self.request, self.template_name, context)

    def get(self, request: HttpRequest) -> HttpResponse:
        phase = self._phase()
        return self._render(phase, self._forms(phase))

    def post(self, request: HttpRequest) -> HttpResponse:
        phase = self._phase()
        pairs = self._forms(phase, request.POST)
        if not all(form.is_valid() for _site, form in pairs):
            return self._render(phase, pairs)
        try:
            with transaction.atomic():
                for site, form in pairs:
                    if form.has_changed():
                        site_phase_dates_set(
                            phase=phase,
                            site=site,
                            **form.dates(),
                            note=form.cleaned_data["note"],
                            actor=cast(Agent, request.user),
                        )
        except (ValidationError, PhaseError) as error:
            pairs[0][1].add_error(None, error.messages if isinstance(error, ValidationError) else str(error))
            return self._render(phase, pairs)
        messages.success(request, _("Dates of “%(phase)s” at the sites saved.") % {"phase": phase.name})
        return redirect(reverse("funding_dashboard:phases") + "#sites")
