"""One-to-one help in the back-office: the quick log (a phone's page), one's own corrections, the MDS's list of
accompaniments and its CSV, and the beneficiaries (list, page, merge, audited export).

Pages look their object up among those the agent sees (core.permissions: 404 outside their MDS), then check the
permission on it; writes go through mediation.activities and mediation.beneficiaries.
"""

from typing import Any

import django_filters
import django_tables2 as tables
from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from core.csv import csv_response
from core.lists import ScopedCsvView, ScopedListView, SearchFilter, Table, email_column, phone_column, visible
from core.permissions import ScopedPermissionRequiredMixin
from core.phone import phone_display
from mediation import activities, beneficiaries
from mediation.forms_activities import AccompanimentForm, BeneficiaryMergeForm, RecontactForm
from mediation.models import Accompaniment, Activity, ActivityKind, Beneficiary, Outcome, Theme
from sites.lists import PersonalDataCsvView
from sites.models import Agent, Mds, Site

_SEARCH = forms.TextInput(attrs={"type": "search", "spellcheck": "false", "autocomplete": "off", "maxlength": 80})
LOG_PERMISSION = "mediation.add_accompaniment"


def loggable_sites(agent: Agent) -> QuerySet[Site]:
    """The sites where the agent may log an accompaniment (a forged id of another is an invalid choice)."""
    sites = Site.objects.visible_to(agent).select_related("mds").order_by("mds__number", "number", "pk")
    return Site.objects.filter(pk__in=[site.pk for site in sites if agent.has_perm(LOG_PERMISSION, site)]).order_by(
        "mds__number", "number", "pk"
    )


# --- The quick log -------------------------------------------------------------------------------------------


class QuickLogView(ScopedPermissionRequiredMixin, View):
    """Log an accompaniment in a few taps; after saving, the message, the empty form again and one's last ones."""

    permission_required = LOG_PERMISSION
    template_name = "mediation/backoffice/accompaniments/quick_log.html"

    def _forms(self, data: Any = None) -> tuple[AccompanimentForm, RecontactForm]:
        agent = self.request.user
        sites = loggable_sites(agent)
        usual = activities.usual_site(agent, sites)
        form = AccompanimentForm(data, sites=sites, frequent=activities.frequent_themes(agent),
                                 initial={"site": usual.pk if usual else None})  # fmt: skip
        return form, RecontactForm(data, prefix="contact")

    def _render(self, form: AccompanimentForm, contact: RecontactForm, status: int = 200) -> HttpResponse:
        context = {"form": form, "contact": contact, "recent": activities.recent_accompaniments(self.request.user),
                   "edit_window_days": activities.EDIT_WINDOW.days}  # fmt: skip
        return render(self.request, self.template_name, context, status=status)

    def get(self, request: HttpRequest) -> HttpResponse:
        return self._render(*self._forms())

    def post(self, request: HttpRequest) -> HttpResponse:
        form, contact = self._forms(request.POST)
        if not (form.is_valid() and contact.is_valid()):
            return self._render(form, contact, status=400)
        data, site = form.cleaned_data, form.cleaned_data["site"]
        self.check_object_permission(site)
        try:
            with transaction.atomic():
                beneficiary = None
                if contact.cleaned_data["recontact"]:
                    beneficiary = beneficiaries.beneficiary_record(
                        actor=request.user, mds=site.mds, first_name=contact.cleaned_data["first_name"],
                        phone=contact.cleaned_data["phone"], email=contact.cleaned_data["email"],
                    )  # fmt: skip
                activities.accompaniment_log(
                    actor=request.user, site=site, themes=data["themes"], duration_minutes=data["duration_minutes"],
                    date=data["date"], beneficiary=beneficiary, **form.profile(),
                )  # fmt: skip
        except ValidationError as error:
            form.add_error(None, error)
            return self._render(form, contact, status=400)
        messages.success(request, _("Accompaniment saved. You can log the next one."))
        return redirect("mediation_activities:log")


class _OwnAccompaniment(ScopedPermissionRequiredMixin):
    """One of one's own recent accompaniments (activities.may_correct), looked up among those the agent sees."""

    scoped_model = Accompaniment

    def get_scoped_queryset(self) -> QuerySet[Accompaniment]:
        return super().get_scoped_queryset().select_related("activity__site", "beneficiary")

    @property
    def accompaniment(self) -> Accompaniment:
        return self.scoped_object  # type: ignore[return-value]

    def has_permission(self) -> bool:
        return super().has_permission() and activities.may_correct(self.request.user, self.accompaniment)


class AccompanimentEditView(_OwnAccompaniment, View):
    permission_required = "mediation.change_accompaniment"
    template_name = "mediation/backoffice/accompaniments/edit.html"

    def _form(self, data: Any = None) -> AccompanimentForm:
        agent = self.request.user
        return AccompanimentForm(data, sites=loggable_sites(agent), frequent=activities.frequent_themes(agent),
                                 initial=AccompanimentForm.initial_of(self.accompaniment))  # fmt: skip

    def _render(self, form: AccompanimentForm, status: int = 200) -> HttpResponse:
        return render(self.request, self.template_name, {"form": form, "accompaniment": self.accompaniment},
                      status=status)  # fmt: skip

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        return self._render(self._form())

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        form = self._form(request.POST)
        if not form.is_valid():
            return self._render(form, status=400)
        data = form.cleaned_data
        self.check_object_permission(data["site"])
        try:
            activities.accompaniment_update(
                actor=request.user, accompaniment=self.accompaniment, site=data["site"], themes=data["themes"],
                duration_minutes=data["duration_minutes"], date=data["date"], **form.profile(),
            )  # fmt: skip
        except ValidationError as error:
            form.add_error(None, error)
            return self._render(form, status=400)
        messages.success(request, _("The accompaniment was corrected."))
        return redirect("mediation_activities:log")


class AccompanimentDeleteView(_OwnAccompaniment, View):
    permission_required = "mediation.delete_accompaniment"

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        return render(request, "mediation/backoffice/accompaniments/delete.html",
                      {"accompaniment": self.accompaniment})  # fmt: skip

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        activities.accompaniment_delete(actor=request.user, accompaniment=self.accompaniment)
        messages.success(request, _("The accompaniment was deleted."))
        return redirect("mediation_activities:log")


# --- The MDS's accompaniments ----------------------------------------------------------------------------------


def _mediators(request: HttpRequest | None) -> QuerySet[Agent]:
    """The agents who logged accompaniments the signed-in agent sees: an agent of another MDS is an invalid choice."""
    if request is None:
        return Agent.objects.none()
    logged = Activity.objects.visible_to(request.user).filter(kind=ActivityKind.INDIVIDUAL).values("mediators")
    return Agent.objects.filter(pk__in=logged).order_by("last_name", "first_name", "email")


class AccompanimentFilter(django_filters.FilterSet):
    q = SearchFilter(
        label=gettext_lazy("Search"), help_text=gettext_lazy("Commune, partner or site."), widget=_SEARCH,
        fields=("commune", "redirected_to", "activity__site__name"),
    )  # fmt: skip
    site = django_filters.ModelChoiceFilter(
        label=gettext_lazy("Site"), field_name="activity__site", empty_label=gettext_lazy("All"),
        queryset=visible(Site, order_by=("mds__number", "number")),
    )  # fmt: skip
    mediator = django_filters.ModelChoiceFilter(
        label=gettext_lazy("Mediator"), field_name="activity__mediators", queryset=_mediators,
        empty_label=gettext_lazy("All"), distinct=True,
    )  # fmt: skip
    # Two labelled dates (a range widget's two inputs would share one label: none for a screen reader).
    after = django_filters.DateFilter(label=gettext_lazy("From"), field_name="activity__date", lookup_expr="gte",
                                      widget=forms.DateInput(attrs={"type": "date"}))  # fmt: skip
    before = django_filters.DateFilter(label=gettext_lazy("Until"), field_name="activity__date", lookup_expr="lte",
                                       widget=forms.DateInput(attrs={"type": "date"}))  # fmt: skip
    theme = django_filters.ModelChoiceFilter(
        label=gettext_lazy("Theme"), field_name="activity__themes", queryset=Theme.objects.active(),
        empty_label=gettext_lazy("All"), distinct=True,
    )  # fmt: skip
    outcome = django_filters.ChoiceFilter(label=gettext_lazy("Outcome"), choices=Outcome.choices,
                                          empty_label=gettext_lazy("All"))  # fmt: skip

    class Meta:
        model = Accompaniment
        fields = ["q", "site", "mediator", "after", "before", "theme", "outcome"]


class AccompanimentTable(Table):
    caption = gettext_lazy("Accompaniments")
    date = tables.TemplateColumn(
        '<time datetime="{{ record.activity.date|date:\'Y-m-d\' }}">{{ record.activity.date|date:"SHORT_DATE_FORMAT" }}'
        "</time>",
        verbose_name=gettext_lazy("Date"), order_by=("activity__date", "pk"),
    )  # fmt: skip
    site = tables.Column(verbose_name=gettext_lazy("Site"), accessor="activity__site__name",
                         order_by=("activity__site__name", "pk"))  # fmt: skip
    mediator = tables.TemplateColumn(
        "{{ record.activity.created_by|default:'—' }}", verbose_name=gettext_lazy("Mediator"),
        order_by=("activity__created_by__last_name", "activity__created_by__first_name", "pk"),
    )  # fmt: skip
    duration = tables.TemplateColumn(
        "{% load activity_durations %}{{ record.activity.duration_minutes|minutes }}",
        verbose_name=gettext_lazy("Duration"),
        order_by=("activity__duration_minutes", "pk"),
    )  # fmt: skip
    themes = tables.TemplateColumn(
        "{% for theme in record.activity.themes.all %}{{ theme }}{% if not forloop.last %}, {% endif %}{% endfor %}",
        verbose_name=gettext_lazy("Themes"), orderable=False,
    )  # fmt: skip
    age_band = tables.Column(verbose_name=gettext_lazy("Age"), order_by=("age_band", "pk"))
    outcome = tables.TemplateColumn(
        "{{ record.get_outcome_display|default:'—' }}", verbose_name=gettext_lazy("Outcome"), order_by=("outcome", "pk")
    )


class AccompanimentListView(ScopedListView):
    model = Accompaniment
    permission_required = "mediation.view_accompaniment"
    template_name = "mediation/backoffice/accompaniments/list.html"
    table_class = AccompanimentTable
    filterset_class = AccompanimentFilter

    def refine_queryset(self, queryset: Any) -> QuerySet[Accompaniment]:
        rows = queryset.select_related("activity__site", "activity__created_by").prefetch_related("activity__themes")
        return rows.order_by("-activity__date", "-pk")


class AccompanimentCsvView(ScopedCsvView, AccompanimentListView):
    """The accompaniments as filtered on the list: anonymous (no beneficiary's details, only whether one is
    recorded), so not a personal-data export."""

    def csv_response(self, rows: QuerySet[Accompaniment]) -> HttpResponse:
        header = [_("Date"), _("MDS"), _("Site"), _("Mediator"), _("Duration (minutes)"), _("Themes"), _("Place"),
                  _("Equipment used"), _("Gender"), _("Age"), _("Status"), _("First accompaniment"), _("Commune"),
                  _("Autonomy before"), _("Autonomy after"), _("Outcome"), _("Redirected to"),
                  _("Person recorded")]  # fmt: skip
        labels = dict(Accompaniment._meta.get_field("equipment").base_field.choices)  # type: ignore[attr-defined]
        lines = (
            [
                a.activity.date,
                a.activity.mds.name,
                a.activity.site.name,
                str(a.activity.created_by or ""),
                a.activity.duration_minutes,
                ", ".join(str(t) for t in a.activity.themes.all()),
                a.get_place_type_display(),
                ", ".join(str(labels.get(e, e)) for e in a.equipment),
                a.get_gender_display(),
                a.get_age_band_display(),
                a.get_social_status_display(),
                {True: _("Yes"), False: _("No"), None: ""}[a.first_time],
                a.commune,
                a.get_autonomy_before_display(),
                a.get_autonomy_after_display(),
                a.get_outcome_display(),
                a.redirected_to,
                _("Yes") if a.beneficiary_id else _("No"),
            ]
            for a in rows.select_related("activity__mds")
        )
        return csv_response([header, *lines], filename=f"accompagnements-{timezone.localdate():%Y-%m-%d}.csv")


# --- Beneficiaries -------------------------------------------------------------------------------------------


class BeneficiaryFilter(django_filters.FilterSet):
    q = SearchFilter(label=gettext_lazy("Find a person"), help_text=gettext_lazy("Name, phone number or email."),
                     widget=_SEARCH, query=beneficiaries.beneficiary_search)  # fmt: skip
    mds = django_filters.ModelChoiceFilter(label=gettext_lazy("MDS"), empty_label=gettext_lazy("All"),
                                           queryset=visible(Mds, order_by=("number",)))  # fmt: skip

    class Meta:
        model = Beneficiary
        fields = ["q", "mds"]


class BeneficiaryTable(Table):
    caption = gettext_lazy("People helped")
    name = tables.TemplateColumn(
        '<a href="{% url \'mediation_activities:beneficiary_detail\' record.pk %}"><bdi>{{ record }}</bdi></a>',
        verbose_name=gettext_lazy("Name"), order_by=("last_name", "first_name", "pk"),
    )  # fmt: skip
    phone = phone_column()
    email = email_column()
    mds = tables.Column(verbose_name=gettext_lazy("MDS"), accessor="mds__name", order_by=("mds__number", "pk"))
    accompaniment_count = tables.Column(verbose_name=gettext_lazy("Accompaniments"),
                                        order_by=("accompaniment_count", "pk"))  # fmt: skip
    last_seen_on = tables.DateColumn(verbose_name=gettext_lazy("Last seen on"), order_by=("last_seen_on", "pk"))


class BeneficiaryListView(ScopedListView):
    model = Beneficiary
    permission_required = "mediation.view_beneficiary"
    template_name = "mediation/backoffice/beneficiaries/list.html"
    table_class = BeneficiaryTable
    filterset_class = BeneficiaryFilter

    def refine_queryset(self, queryset: Any) -> QuerySet[Beneficiary]:
        return beneficiaries.beneficiaries_list(queryset).order_by("last_name", "first_name", "pk")


class BeneficiaryCsvView(PersonalDataCsvView, BeneficiaryListView):
    """One line per person, as filtered on the list; the download is in the audit trail."""

    def csv_response(self, rows: QuerySet[Beneficiary]) -> HttpResponse:
        header = [_("Last name"), _("First name"), _("Phone"), _("Email"), _("MDS"), _("Accompaniments"),
                  _("Last seen on"), _("Consent given at")]  # fmt: skip
        lines = (
            [
                b.last_name,
                b.first_name,
                phone_display(b.phone) if b.phone else "",
                b.email,
                b.mds.name,
                b.accompaniment_count,
                b.last_seen_on or "",
                timezone.localtime(b.consent_at),
            ]
            for b in rows
        )
        return csv_response([header, *lines], filename=f"beneficiaires-{timezone.localdate():%Y-%m-%d}.csv")


class _OneBeneficiary(ScopedPermissionRequiredMixin):
    scoped_model = Beneficiary

    @property
    def beneficiary(self) -> Beneficiary:
        return self.scoped_object  # type: ignore[return-value]


class BeneficiaryDetailView(_OneBeneficiary, View):
    permission_required = "mediation.view_beneficiary"

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        beneficiary = self.beneficiary
        beneficiaries.beneficiary_view(actor=request.user, beneficiary=beneficiary)
        context = {
            "beneficiary": beneficiary,
            "accompaniments": beneficiaries.beneficiary_accompaniments(beneficiary),
            "registrations": beneficiaries.beneficiary_registrations(beneficiary),
            "can_merge": request.user.has_perm(beneficiaries.MERGE_PERMISSION, beneficiary),
        }
        return render(request, "mediation/backoffice/beneficiaries/detail.html", context)


class BeneficiaryMergeView(_OneBeneficiary, View):
    """Merge a duplicate into the record of this page (the one kept); only among the same MDS's records."""

    permission_required = beneficiaries.MERGE_PERMISSION
    template_name = "mediation/backoffice/beneficiaries/merge.html"

    def _form(self, data: Any = None) -> BeneficiaryMergeForm:
        candidates = beneficiaries.merge_candidates(self.beneficiary, self.request.user)
        return BeneficiaryMergeForm(data, candidates=candidates)

    def _render(self, form: forms.Form, status: int = 200) -> HttpResponse:
        return render(self.request, self.template_name, {"form": form, "beneficiary": self.beneficiary}, status=status)

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        return self._render(self._form())

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        form = self._form(request.POST)
        if not form.is_valid():
            return self._render(form, status=400)
        try:
            kept = beneficiaries.beneficiary_merge(
                actor=request.user, kept=self.beneficiary, duplicate=form.cleaned_data["duplicate"]
            )
        except ValidationError as error:
            form.add_error(None, error)
            return self._render(form, status=400)
        messages.success(request, _("The duplicate record was merged into this one."))
        return redirect("mediation_activities:beneficiary_detail", pk=kept.pk)
