"""The WiFi back-office lists (core.lists): incidents, and the access points the inventory finds."""

import django_filters
import django_tables2 as tables
from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from core.lists import SearchFilter, Table, visible
from sites.models import Mds, Site
from wifi import reports
from wifi.models import AccessPoint, Health, Incident, Lifecycle
from wifi.reports import IncidentState
from wifi.selectors import access_point_search

_DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
_SEARCH = forms.TextInput(attrs={"type": "search", "spellcheck": "false", "autocomplete": "off", "maxlength": 80})
_AP_HELP = _("Label, serial number or MAC address, or part of it.")
_SITES = visible(Site, select_related=("mds",), order_by=("mds__number", "number"))


# --- Incidents -------------------------------------------------------------------------------------


class _PeriodForm(forms.Form):
    def clean(self):
        data = super().clean()
        since, until = data.get("since"), data.get("until")
        if since and until and until < since:
            self.add_error("until", _("The end of the period comes before its start."))
        return data


class IncidentFilter(django_filters.FilterSet):
    site = django_filters.ModelChoiceFilter(
        label=_("Site"), field_name="access_point__site", queryset=_SITES, empty_label=_("All sites")
    )
    state = django_filters.ChoiceFilter(
        label=_("State"), method="filter_state", empty_label=_("All"),
        choices=[
            (IncidentState.OPEN, _("Open")),
            (IncidentState.UNASSIGNED, _("Open, nobody has it")),
            (IncidentState.CLOSED, _("Closed")),
            (IncidentState.PLANNED, _("Planned (maintenance or snoozed)")),
        ],
    )  # fmt: skip
    since = django_filters.DateFilter(label=_("From"), method="filter_period", widget=_DATE)
    until = django_filters.DateFilter(label=_("To"), method="filter_period", widget=_DATE)
    q = SearchFilter(
        label=_("Access point"), help_text=_AP_HELP, widget=_SEARCH,
        query=lambda text: access_point_search(text, prefix="access_point__"),
    )  # fmt: skip

    class Meta:
        model = Incident
        fields = ["site", "state", "since", "until", "q"]
        form = _PeriodForm

    def filter_state(self, queryset: QuerySet[Incident], name: str, value: str) -> QuerySet[Incident]:
        return reports.incidents_in_state(queryset, value)

    def filter_period(self, queryset: QuerySet[Incident], name: str, value) -> QuerySet[Incident]:
        return reports.incidents_overlapping(queryset, **{name: value})


class IncidentTable(Table):
    caption = _("Incidents")
    ap = tables.TemplateColumn(
        '<a href="{{ record.access_point.get_absolute_url }}">{{ record.access_point.label }}</a>',
        verbose_name=_("Access point"), order_by=("access_point__label", "pk"),
    )  # fmt: skip
    site = tables.Column(
        verbose_name=_("Site"), accessor="access_point__site",
        order_by=("access_point__site__mds__number", "access_point__site__number", "access_point__label", "pk"),
    )  # fmt: skip
    started = tables.TemplateColumn(
        '{% load i18n %}<a href="{% url \'wifi:incident_detail\' record.pk %}">'
        '{{ record.started_at|date:"DATETIME_FORMAT" }}'
        '<span class="visually-hidden"> — {% translate "incident details" %}</span></a>',
        verbose_name=_("Started"), order_by=("started_at", "pk"),
    )  # fmt: skip
    ended = tables.TemplateColumn(
        '{% load i18n %}{% if record.ended_at %}{{ record.ended_at|date:"DATETIME_FORMAT" }}'
        '{% else %}<span class="marker marker--incident">{% translate "open" %}</span>{% endif %}',
        verbose_name=_("Ended"), order_by=("ended_at", "pk"),
    )  # fmt: skip
    duration = tables.TemplateColumn(
        "{% load durations %}{% lasted record.started_at record.ended_at %}",  # the page's one now
        verbose_name=_("Duration"), orderable=False,
    )  # fmt: skip
    cause = tables.TemplateColumn(
        '{% load i18n %}{{ record.get_cause_display|default:"—" }}{% if record.planned %} · '
        '<span class="marker marker--maintenance">{% translate "planned" %}</span>{% endif %}',
        verbose_name=_("Cause"), order_by=("cause", "pk"),
    )  # fmt: skip
    assignee = tables.TemplateColumn(
        '{% include "wifi/includes/incident_owner.html" with incident=record %}',
        verbose_name=_("Who has it"),
        order_by=("assigned_to__last_name", "assigned_to__first_name", "assigned_to__email", "pk"),
    )

    class Meta(Table.Meta):
        attrs = {"class": "table table-sm wifi-table"}


# --- Inventory -------------------------------------------------------------------------------------


class AccessPointFilter(django_filters.FilterSet):
    q = SearchFilter(label=_("Find an access point"), help_text=_AP_HELP, widget=_SEARCH, query=access_point_search)
    mds = django_filters.ModelChoiceFilter(
        label=_("MDS"), field_name="site__mds", empty_label=_("All"), queryset=visible(Mds, order_by=("number",))
    )
    site = django_filters.ModelChoiceFilter(label=_("Site"), queryset=_SITES, empty_label=_("All sites"))
    lifecycle = django_filters.ChoiceFilter(label=_("Lifecycle"), choices=Lifecycle.choices, empty_label=_("All"))
    health = django_filters.ChoiceFilter(label=_("Health"), choices=Health.choices, empty_label=_("All"))

    class Meta:
        model = AccessPoint
        fields = ["q", "mds", "site", "lifecycle", "health"]


class AccessPointTable(Table):
    caption = _("Access points found")
    label = tables.Column(verbose_name=_("Label"), linkify=True, order_by=("label", "pk"))
    site = tables.TemplateColumn(
        "<a href=\"{% url 'wifi:site_inventory' record.site.slug %}\">{{ record.site }}</a>"
        "{% if record.zone %} — {{ record.zone.name }}{% endif %}",
        verbose_name=_("Site"), order_by=("site__mds__number", "site__number", "label", "pk"),
    )  # fmt: skip
    serial = tables.Column(
        verbose_name=_("Serial number"), accessor="serial_number", order_by=("serial_number", "pk"),
        attrs={"td": {"class": "font-monospace"}},
    )  # fmt: skip
    mac = tables.Column(
        verbose_name=_("MAC address"), accessor="mac_address", order_by=("mac_address", "pk"),
        attrs={"td": {"class": "font-monospace"}},
    )  # fmt: skip
    lifecycle = tables.Column(verbose_name=_("Lifecycle"), order_by=("lifecycle", "label", "pk"))
    health = tables.TemplateColumn(
        '{% include "wifi/includes/health_badge.html" with health=record.health label=record.get_health_display %}',
        verbose_name=_("Health"), order_by=("health", "label", "pk"),
    )  # fmt: skip

    class Meta(Table.Meta):
        model = AccessPoint
        fields = ()
        sequence = ("label", "site", "serial", "mac", "lifecycle", "health")

    def render_lifecycle(self, record: AccessPoint) -> str:
        return record.get_lifecycle_display()


# makemessages reads no template inside a Python string: the cell templates' msgids, for the catalogue.
_CELL_MSGIDS = (
    gettext_noop("incident details"),
    gettext_noop("open"),
    gettext_noop("planned"),
)
