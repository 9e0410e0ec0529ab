"""Mediators (staff and interns) and the agents' trainings in the back-office: lists, records, a mediator's
activity by month, an agent's trainings and hours. Scoped like every page (core.permissions); writes through
mediation.team."""

from typing import Any

import django_filters
import django_tables2 as tables
from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy
from django.views import View

from core.lists import ScopedListView, SearchFilter, Table, visible
from core.permissions import ScopedPermissionRequiredMixin
from mediation import team
from mediation.forms_activities import MediatorForm, TrainingForm
from mediation.models import AgentTraining, Mediator, MediatorKind
from sites.models import Agent, Mds

_SEARCH = forms.TextInput(attrs={"type": "search", "spellcheck": "false", "autocomplete": "off", "maxlength": 80})
_MDS_FILTER = {"label": gettext_lazy("MDS"), "empty_label": gettext_lazy("All"),
               "queryset": visible(Mds, order_by=("number",))}  # fmt: skip


class _RecordForm(ScopedPermissionRequiredMixin, View):
    """Create a `record_model` or, with `scoped_model` set (a pk in the URL), edit one, through `save`; the MDS's
    choices come from `?mds=` or the form."""

    record_model: type[Mediator] | type[AgentTraining]
    form_class: type[MediatorForm] | type[TrainingForm]
    template_name = "mediation/backoffice/team/_form.html"
    saved_message: Any
    heading: Any
    section: Any
    section_url_name: str

    def instance(self) -> Any:
        if self.scoped_model is not None:
            return self.scoped_object
        if not hasattr(self, "_new"):
            self._new = self.record_model()
        return self._new

    def _form(self, data: Any = None) -> Any:
        instance = self.instance()
        initial = {"mds": self.request.GET.get("mds")} if instance.pk is None else {}
        return self.form_class(data, instance=instance, initial=initial, agent=self.request.user)

    def _render(self, form: Any, status: int = 200) -> HttpResponse:
        context = {"form": form, "record": self.instance(), "heading": self.heading, "section": self.section,
                   "section_url": reverse(self.section_url_name)}  # fmt: skip
        return render(self.request, self.template_name, context, status=status)

    def get(self, request: HttpRequest, **kwargs: Any) -> HttpResponse:
        return self._render(self._form())

    def post(self, request: HttpRequest, **kwargs: Any) -> HttpResponse:
        form = self._form(request.POST)
        if not form.is_valid():
            return self._render(form, status=400)
        self.check_object_permission(form.cleaned_data["mds"])
        try:
            record = self.save(form)
        except ValidationError as error:
            form.add_error(None, error)
            return self._render(form, status=400)
        messages.success(request, self.saved_message)
        return redirect(self.success_url(record))

    def save(self, form: Any) -> Any:
        raise NotImplementedError

    def success_url(self, record: Any) -> str:
        raise NotImplementedError


# --- Mediators -----------------------------------------------------------------------------------------------


class MediatorFilter(django_filters.FilterSet):
    q = SearchFilter(label=gettext_lazy("Search"), help_text=gettext_lazy("Name, school or diploma."), widget=_SEARCH,
                     fields=("agent__first_name", "agent__last_name", "school", "diploma"))  # fmt: skip
    kind = django_filters.ChoiceFilter(label=gettext_lazy("Kind"), choices=MediatorKind.choices,
                                       empty_label=gettext_lazy("All"))  # fmt: skip
    mds = django_filters.ModelChoiceFilter(**_MDS_FILTER)

    class Meta:
        model = Mediator
        fields = ["q", "kind", "mds"]


class MediatorTable(Table):
    caption = gettext_lazy("Mediators")
    name = tables.TemplateColumn(
        '<a href="{% url \'mediation_activities:mediator_detail\' record.pk %}"><bdi>{{ record.agent }}</bdi></a>',
        verbose_name=gettext_lazy("Name"), order_by=("agent__last_name", "agent__first_name", "pk"),
    )  # fmt: skip
    kind = tables.Column(verbose_name=gettext_lazy("Kind"), order_by=("kind", "pk"))
    school = tables.TemplateColumn("{{ record.school|default:'—' }}", verbose_name=gettext_lazy("School"),
                                   order_by=("school", "pk"))  # fmt: skip
    diploma = tables.TemplateColumn("{{ record.diploma|default:'—' }}", verbose_name=gettext_lazy("Diploma"),
                                    order_by=("diploma", "pk"))  # fmt: skip
    internship = tables.TemplateColumn(
        "{% if record.internship_starts_on %}{{ record.internship_starts_on|date:'SHORT_DATE_FORMAT' }} – "
        "{{ record.internship_ends_on|date:'SHORT_DATE_FORMAT' }}{% else %}—{% endif %}",
        verbose_name=gettext_lazy("Internship"), order_by=("internship_starts_on", "pk"),
    )  # fmt: skip
    tutor = tables.TemplateColumn("{{ record.tutor|default:'—' }}", verbose_name=gettext_lazy("Tutor"),
                                  order_by=("tutor__last_name", "pk"))  # fmt: skip
    sites = tables.TemplateColumn(
        "{% for site in record.sites.all %}{{ site.name }}{% if not forloop.last %}, {% endif %}{% empty %}—"
        "{% endfor %}",
        verbose_name=gettext_lazy("Sites"), orderable=False,
    )  # fmt: skip
    accompaniment_count = tables.Column(verbose_name=gettext_lazy("Accompaniments"),
                                        order_by=("accompaniment_count", "pk"))  # fmt: skip
    workshop_count = tables.Column(verbose_name=gettext_lazy("Workshops"), order_by=("workshop_count", "pk"))


class MediatorListView(ScopedListView):
    model = Mediator
    permission_required = "mediation.view_mediator"
    template_name = "mediation/backoffice/team/mediators.html"
    extra_context = {"heading": gettext_lazy("Mediators"), "filters_label": gettext_lazy("Find a mediator")}
    table_class = MediatorTable
    filterset_class = MediatorFilter

    def refine_queryset(self, queryset: Any) -> QuerySet[Mediator]:
        return team.mediators_list(queryset).order_by("agent__last_name", "agent__first_name", "pk")


class MediatorDetailView(ScopedPermissionRequiredMixin, View):
    scoped_model = Mediator
    permission_required = "mediation.view_mediator"

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        mediator: Mediator = self.scoped_object  # type: ignore[assignment]
        months = team.mediator_activity(mediator, request.user)
        context = {
            "mediator": mediator,
            "months": months,
            "totals": {
                "accompaniments": sum(m.accompaniments for m in months),
                "accompaniment_hours": round(sum(m.accompaniment_hours for m in months), 1),
                "workshops": sum(m.workshops for m in months),
                "workshop_hours": round(sum(m.workshop_hours for m in months), 1),
            },
            "can_change": request.user.has_perm("mediation.change_mediator", mediator),
        }
        return render(request, "mediation/backoffice/team/mediator_detail.html", context)


class MediatorCreateView(_RecordForm):
    permission_required = "mediation.add_mediator"
    record_model = Mediator
    form_class = MediatorForm
    saved_message = gettext_lazy("The mediator's record was saved.")
    heading = gettext_lazy("Add a mediator")
    section = gettext_lazy("Mediators")
    section_url_name = "mediation_activities:mediators"

    def save(self, form: MediatorForm) -> Mediator:
        return team.mediator_save(actor=self.request.user, mediator=form.save(commit=False),
                                  sites=form.cleaned_data["sites"])  # fmt: skip

    def success_url(self, record: Mediator) -> str:
        return reverse("mediation_activities:mediator_detail", kwargs={"pk": record.pk})


class MediatorEditView(MediatorCreateView):
    scoped_model = Mediator
    permission_required = "mediation.change_mediator"
    heading = gettext_lazy("Edit the mediator's record")


# --- Agent trainings -----------------------------------------------------------------------------------------


class TrainingFilter(django_filters.FilterSet):
    q = SearchFilter(label=gettext_lazy("Search"), help_text=gettext_lazy("Topic or trainer."), widget=_SEARCH,
                     fields=("topic", "trainer"))  # fmt: skip
    mds = django_filters.ModelChoiceFilter(**_MDS_FILTER)
    # Two labelled dates (a range widget's two inputs would share one label: none for a screen reader).
    after = django_filters.DateFilter(label=gettext_lazy("From"), field_name="date", lookup_expr="gte",
                                      widget=forms.DateInput(attrs={"type": "date"}))  # fmt: skip
    before = django_filters.DateFilter(label=gettext_lazy("Until"), field_name="date", lookup_expr="lte",
                                       widget=forms.DateInput(attrs={"type": "date"}))  # fmt: skip

    class Meta:
        model = AgentTraining
        fields = ["q", "mds", "after", "before"]


class TrainingTable(Table):
    caption = gettext_lazy("Agent trainings")
    topic = tables.TemplateColumn(
        "{% if perms.mediation.change_agenttraining %}"
        "<a href=\"{% url 'mediation_activities:training_edit' record.pk %}\">{{ record.topic }}</a>"
        "{% else %}{{ record.topic }}{% endif %}",
        verbose_name=gettext_lazy("Topic"), order_by=("topic", "pk"),
    )  # fmt: skip
    date = tables.DateColumn(verbose_name=gettext_lazy("Date"), order_by=("date", "pk"))
    trainer = tables.Column(verbose_name=gettext_lazy("Trainer"), order_by=("trainer", "pk"))
    where = tables.TemplateColumn(
        "{% load i18n %}{% if record.online %}{% translate 'Online' %}{% else %}{{ record.site.name }}{% endif %}",
        verbose_name=gettext_lazy("Where"), order_by=("online", "site__name", "pk"),
    )  # fmt: skip
    duration = tables.TemplateColumn(
        "{% load activity_durations %}{{ record.duration_minutes|minutes }}",
        verbose_name=gettext_lazy("Duration"),
        order_by=("duration_minutes", "pk"),
    )
    attendee_count = tables.Column(verbose_name=gettext_lazy("Attendees"), order_by=("attendee_count", "pk"))


class TrainingListView(ScopedListView):
    model = AgentTraining
    permission_required = "mediation.view_agenttraining"
    template_name = "mediation/backoffice/team/trainings.html"
    extra_context = {"heading": gettext_lazy("Agent trainings"), "filters_label": gettext_lazy("Find a training")}
    table_class = TrainingTable
    filterset_class = TrainingFilter

    def refine_queryset(self, queryset: Any) -> QuerySet[AgentTraining]:
        return team.trainings_list(queryset).order_by("-date", "-pk")


class TrainingCreateView(_RecordForm):
    permission_required = "mediation.add_agenttraining"
    record_model = AgentTraining
    form_class = TrainingForm
    saved_message = gettext_lazy("The training was saved.")
    heading = gettext_lazy("Add a training")
    section = gettext_lazy("Agent trainings")
    section_url_name = "mediation_activities:trainings"

    def save(self, form: TrainingForm) -> AgentTraining:
        return team.training_save(actor=self.request.user, training=form.save(commit=False),
                                  attendees=form.cleaned_data["attendees"])  # fmt: skip

    def success_url(self, record: AgentTraining) -> str:
        return reverse("mediation_activities:trainings")


class TrainingEditView(TrainingCreateView):
    scoped_model = AgentTraining
    permission_required = "mediation.change_agenttraining"
    heading = gettext_lazy("Edit the training")


class AgentTrainingFilter(django_filters.FilterSet):
    q = SearchFilter(label=gettext_lazy("Search"), help_text=gettext_lazy("Name or email address."), widget=_SEARCH,
                     fields=("first_name", "last_name", "email"))  # fmt: skip

    class Meta:
        model = Agent
        fields = ["q"]


class AgentTrainingTable(Table):
    caption = gettext_lazy("Training hours per agent")
    name = tables.TemplateColumn(
        '<a href="{% url \'mediation_activities:agent_trainings\' record.pk %}"><bdi>{{ record }}</bdi></a>',
        verbose_name=gettext_lazy("Agent"), order_by=("last_name", "first_name", "pk"),
    )  # fmt: skip
    training_count = tables.Column(verbose_name=gettext_lazy("Trainings"), order_by=("training_count", "pk"))
    hours = tables.TemplateColumn("{% load activity_durations %}{{ record.training_hours|hours }}",
                                  verbose_name=gettext_lazy("Hours"), order_by=("training_minutes", "pk"))  # fmt: skip


class AgentTrainingListView(ScopedListView):
    """Every agent the viewer sees, with the trainings they attended and their hours."""

    model = Agent
    permission_required = "mediation.view_agenttraining"
    template_name = "mediation/backoffice/team/agents.html"
    extra_context = {
        "heading": gettext_lazy("Training hours per agent"),
        "filters_label": gettext_lazy("Find an agent"),
    }
    table_class = AgentTrainingTable
    filterset_class = AgentTrainingFilter

    def get_queryset(self) -> QuerySet[Agent]:
        return team.agents_training_totals(self.request.user).order_by("last_name", "first_name", "pk")


class AgentTrainingHistoryView(ScopedPermissionRequiredMixin, View):
    """One agent's trainings and their total hours."""

    scoped_model = Agent
    object_permission = False  # an agent may work in several MDS: the permission held in a role is enough
    permission_required = "mediation.view_agenttraining"

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        agent: Agent = self.scoped_object  # type: ignore[assignment]
        trainings = list(team.agent_trainings(agent, request.user))
        minutes = sum(training.duration_minutes for training in trainings)
        context = {"agent": agent, "trainings": trainings, "hours": round(minutes / 60, 1)}
        return render(request, "mediation/backoffice/team/agent_trainings.html", context)
