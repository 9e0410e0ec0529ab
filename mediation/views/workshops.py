"""The agents' workshops: the list (sortable, searched by title, theme or MDS) and the create/edit form. Rows come
from `visible_to(agent)`; writes go through mediation.workshops.workshop_save."""

import django_filters
import django_tables2 as tables
from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from core.lists import ScopedListView, SearchFilter, Table, visible
from core.permissions import ScopedPermissionRequiredMixin
from mediation.models import Level, SessionStatus, Theme, Workshop
from mediation.workshops import workshop_save
from sites.models import Mds

VIEW = "mediation.view_workshop"
ADD = "mediation.add_workshop"
CHANGE = "mediation.change_workshop"


class ThemeChoice(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Theme) -> str:
        return obj.display_label


class WorkshopFilter(django_filters.FilterSet):
    q = SearchFilter(fields=("title", "themes__label", "mds__name"), distinct=True,
                     help_text=gettext_lazy("Title, theme or MDS."))  # fmt: skip
    theme = django_filters.ModelChoiceFilter(label=gettext_lazy("Theme"), field_name="themes",
                                             queryset=Theme.objects.active(),
                                             empty_label=gettext_lazy("Every theme"))  # fmt: skip
    mds = django_filters.ModelChoiceFilter(label=gettext_lazy("MDS"), queryset=visible(Mds, order_by=("number",)),
                                           empty_label=gettext_lazy("All MDS"))  # fmt: skip
    active = django_filters.BooleanFilter(label=gettext_lazy("Active"))

    class Meta:
        model = Workshop
        fields = ["q", "theme", "mds", "active"]


class WorkshopTable(Table):
    caption = gettext_lazy("Workshops")
    title = tables.TemplateColumn(
        '<a href="{% url \'mediation_workshops:edit\' record.pk %}">{{ record.title }}</a>',
        verbose_name=gettext_lazy("Title"), order_by=("title", "pk"),
    )  # fmt: skip
    themes = tables.TemplateColumn("{{ record.themes.all|join:', ' }}", verbose_name=gettext_lazy("Themes"),
                                   orderable=False)  # fmt: skip
    mds = tables.Column(verbose_name=gettext_lazy("MDS"), order_by=("mds__number", "title"))
    duration_minutes = tables.TemplateColumn("{{ record.duration_minutes }} min", verbose_name=gettext_lazy("Duration"),
                                             order_by=("duration_minutes", "title"))  # fmt: skip
    upcoming = tables.Column(verbose_name=gettext_lazy("Sessions to come"), order_by=("upcoming", "title"))
    active = tables.BooleanColumn(verbose_name=gettext_lazy("Active"), order_by=("active", "title"))

    class Meta(Table.Meta):
        model = Workshop
        fields = ()
        sequence = ("title", "themes", "mds", "duration_minutes", "upcoming", "active")


class WorkshopListView(ScopedListView):
    model = Workshop
    permission_required = VIEW
    template_name = "mediation/backoffice/workshops.html"
    table_class = WorkshopTable
    filterset_class = WorkshopFilter

    def refine_queryset(self, queryset):
        to_come = Q(sessions__status=SessionStatus.PLANNED, sessions__starts_at__gte=timezone.now())
        return (
            queryset.select_related("mds")
            .prefetch_related("themes")
            .annotate(upcoming=Count("sessions", filter=to_come))
            .order_by("title", "pk")
        )


class WorkshopForm(forms.ModelForm):
    themes = ThemeChoice(label=gettext_lazy("Themes"), queryset=Theme.objects.none(),
                         widget=forms.CheckboxSelectMultiple)  # fmt: skip

    class Meta:
        model = Workshop
        fields = ["mds", "title", "themes", "description", "audience", "level", "duration_minutes", "languages",
                  "active"]  # fmt: skip
        widgets = {"description": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, agent, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["mds"].queryset = Mds.objects.visible_to(agent).order_by("number")
        self.fields["themes"].queryset = Theme.objects.active().select_related("parent")
        self.fields["level"].choices = Level.choices
        if self.instance.pk is not None:
            del self.fields["mds"]  # a workshop stays in its MDS: its sessions are at that MDS's sites


class WorkshopFormView(ScopedPermissionRequiredMixin, View):
    """Create a workshop (no pk) or change one; the MDS chosen is checked like the object (add in that MDS)."""

    template_name = "mediation/backoffice/workshop_form.html"

    def _render(self, form):
        return render(self.request, self.template_name, {"form": form, "workshop": self.scoped_object})

    def get(self, request, **kwargs):
        return self._render(WorkshopForm(instance=self.scoped_object, agent=request.user))

    def post(self, request, **kwargs):
        form = WorkshopForm(request.POST, instance=self.scoped_object, agent=request.user)
        if not form.is_valid():
            return self._render(form)
        workshop = form.save(commit=False)
        self.check_object_permission(workshop.mds)
        try:
            workshop_save(workshop=workshop, themes=form.cleaned_data["themes"], actor=request.user)
        except ValidationError as error:
            form.add_error(None, error)
            return self._render(form)
        messages.success(request, _("Workshop saved."))
        return redirect("mediation_workshops:list")


class WorkshopCreateView(WorkshopFormView):
    permission_required = ADD


class WorkshopEditView(WorkshopFormView):
    scoped_model = Workshop
    permission_required = CHANGE
