"""The asset register's lists (core.lists): the register, the invoice lines of equipment, the durability warnings."""

import django_filters
import django_tables2 as tables
from django import forms
from django.db.models import F, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from core.lists import SearchFilter, Table, visible
from funding.assets import EQUIPMENT_KINDS
from funding.models import Asset, DurabilityWarning, InvoiceLine
from sites.models import Mds, Site
from wifi.models import Lifecycle

_SEARCH = forms.TextInput(attrs={"type": "search", "spellcheck": "false", "autocomplete": "off", "maxlength": 80})
_EQUIPMENT_CHOICES = [(kind.value, kind.label) for kind in EQUIPMENT_KINDS]


_ASSET_SEARCH = (
    "serial_number",
    "label",
    "access_point__label",
    "invoice_line__invoice__number",
    "invoice_line__invoice__supplier__name",
    "invoice_line__description",
)


class AssetStatus:
    IN_OPERATION = "in_operation"
    RETIRED = "retired"


class AssetFilter(django_filters.FilterSet):
    q = SearchFilter(
        label=_("Search"),
        help_text=_("Serial number, label, invoice number, supplier or description, or part of it."),
        widget=_SEARCH,
        fields=_ASSET_SEARCH,
    )
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=_EQUIPMENT_CHOICES, empty_label=_("All"))
    mds = django_filters.ModelChoiceFilter(
        label=_("MDS"), method="filter_mds", empty_label=_("All"), queryset=visible(Mds, order_by=("number",))
    )
    site = django_filters.ModelChoiceFilter(
        label=_("Site"),
        method="filter_site",
        empty_label=_("All sites"),
        queryset=visible(Site, select_related=("mds",), order_by=("mds__number", "number")),
    )
    status = django_filters.ChoiceFilter(
        label=_("Status of the access point"),
        method="filter_status",
        empty_label=_("All"),
        choices=[(AssetStatus.IN_OPERATION, _("Not retired")), (AssetStatus.RETIRED, _("Retired"))],
    )

    class Meta:
        model = Asset
        fields = ["q", "kind", "mds", "site", "status"]

    def filter_mds(self, queryset: QuerySet[Asset], name: str, value: Mds) -> QuerySet[Asset]:
        return queryset.filter(Q(access_point__site__mds=value) | Q(site__mds=value))

    def filter_site(self, queryset: QuerySet[Asset], name: str, value: Site) -> QuerySet[Asset]:
        return queryset.filter(Q(access_point__site=value) | Q(site=value))

    def filter_status(self, queryset: QuerySet[Asset], name: str, value: str) -> QuerySet[Asset]:
        retired = Q(access_point__lifecycle=Lifecycle.RETIRED)
        if value == AssetStatus.RETIRED:
            return queryset.filter(retired)
        return queryset.filter(access_point__isnull=False).exclude(retired)


_INVOICE_LINE_LINK = (
    "{% load i18n %}<a href=\"{% url 'funding_assets:line' record.invoice_line_id %}\">"
    '{{ record.invoice_line.invoice.number }}<span class="visually-hidden"> — '
    '{% translate "line" %}</span> #{{ record.invoice_line.position }}</a>'
)


class AssetTable(Table):
    caption = _("Asset register")
    serial = tables.TemplateColumn(
        "{% if record.access_point %}"
        "<a href=\"{% url 'funding_assets:access_point' record.access_point.serial_number %}\">"
        "{{ record.serial_number }}</a>{% else %}{{ record.serial_number|default:'—' }}{% endif %}",
        verbose_name=_("Serial number"), order_by=("serial_number", "pk"), attrs={"td": {"class": "font-monospace"}},
    )  # fmt: skip
    kind = tables.Column(verbose_name=_("Kind"), order_by=("kind", "serial_number", "pk"))
    label = tables.TemplateColumn(
        "{% if record.access_point %}{{ record.access_point.label }}"
        "{% else %}{{ record.label|default:'—' }}{% endif %}",
        verbose_name=_("Label"), orderable=False,
    )  # fmt: skip
    place = tables.TemplateColumn(
        "{% with place=record.place %}{% if place %}{{ place.mds.name }} — {{ place }}"
        "{% if record.access_point.zone %} — {{ record.access_point.zone.name }}{% endif %}"
        "{% else %}—{% endif %}{% endwith %}",
        verbose_name=_("MDS and site"), orderable=False,
    )  # fmt: skip
    status = tables.TemplateColumn(
        "{% if record.access_point %}{% if record.access_point.lifecycle == 'retired' %}"
        '<span class="badge text-bg-danger">{{ record.access_point.get_lifecycle_display }}</span>'
        "{% else %}{{ record.access_point.get_lifecycle_display }}{% endif %}{% else %}—{% endif %}",
        verbose_name=_("Status"), order_by=("access_point__lifecycle", "pk"),
    )  # fmt: skip
    supplier = tables.Column(
        verbose_name=_("Supplier"), accessor="invoice_line__invoice__supplier__name",
        order_by=("invoice_line__invoice__supplier__name", "invoice_line__invoice__number", "pk"),
    )  # fmt: skip
    invoice = tables.TemplateColumn(
        _INVOICE_LINE_LINK, verbose_name=_("Invoice and line"),
        order_by=("invoice_line__invoice__issued_on", "invoice_line__invoice__number", "invoice_line__position", "pk"),
    )  # fmt: skip

    class Meta(Table.Meta):
        model = Asset
        fields = ()
        sequence = ("serial", "kind", "label", "place", "status", "supplier", "invoice")


# --- Invoice lines ---------------------------------------------------------------------------------


class LineFilter(django_filters.FilterSet):
    q = SearchFilter(
        label=_("Search"),
        help_text=_("Invoice number, supplier or description, or part of it."),
        widget=_SEARCH,
        fields=("invoice__number", "invoice__supplier__name", "description"),
    )
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=_EQUIPMENT_CHOICES, empty_label=_("All"))
    incomplete = django_filters.BooleanFilter(
        label=_("Only lines not fully registered"),
        method="filter_incomplete",
        widget=forms.CheckboxInput,
    )

    class Meta:
        model = InvoiceLine
        fields = ["q", "kind", "incomplete"]

    def filter_incomplete(self, queryset: QuerySet[InvoiceLine], name: str, value: bool) -> QuerySet[InvoiceLine]:
        return queryset.filter(registered__lt=F("quantity")) if value else queryset


class LineTable(Table):
    caption = _("Invoice lines of equipment")
    line = tables.TemplateColumn(
        '{% load i18n %}<a href="{% url \'funding_assets:line\' record.pk %}">{{ record.invoice.number }}'
        '<span class="visually-hidden"> — {% translate "line" %}</span> #{{ record.position }}</a>',
        verbose_name=_("Invoice and line"), order_by=("invoice__issued_on", "invoice__number", "position", "pk"),
    )  # fmt: skip
    supplier = tables.Column(
        verbose_name=_("Supplier"), accessor="invoice__supplier__name", order_by=("invoice__supplier__name", "pk")
    )
    description = tables.Column(verbose_name=_("Description"), order_by=("description", "pk"))
    kind = tables.Column(verbose_name=_("Kind"), order_by=("kind", "pk"))
    registered = tables.TemplateColumn(
        '{% load l10n %}{{ record.registered }} / {{ record.quantity|floatformat:"-2" }}',
        verbose_name=_("Registered / quantity"), order_by=("registered", "pk"),
    )  # fmt: skip

    class Meta(Table.Meta):
        model = InvoiceLine
        fields = ()
        sequence = ("line", "supplier", "description", "kind", "registered")


# --- Durability warnings ---------------------------------------------------------------------------


class WarningState:
    OPEN = "open"
    ACKNOWLEDGED = "acknowledged"


class WarningFilter(django_filters.FilterSet):
    state = django_filters.ChoiceFilter(
        label=_("State"),
        method="filter_state",
        empty_label=_("All"),
        choices=[(WarningState.OPEN, _("To acknowledge")), (WarningState.ACKNOWLEDGED, _("Acknowledged"))],
    )
    q = SearchFilter(
        label=_("Search"),
        help_text=_("Serial number, label or invoice number, or part of it."),
        widget=_SEARCH,
        fields=(
            "asset__serial_number",
            "asset__label",
            "asset__access_point__label",
            "asset__invoice_line__invoice__number",
        ),
    )

    class Meta:
        model = DurabilityWarning
        fields = ["state", "q"]

    def filter_state(self, queryset: QuerySet[DurabilityWarning], name: str, value: str):
        return queryset.filter(acknowledged_at__isnull=value == WarningState.OPEN)


class WarningTable(Table):
    caption = _("Durability warnings")
    asset = tables.TemplateColumn(
        "{% if record.asset.access_point %}<a href=\"{% url 'funding_assets:access_point' "
        'record.asset.access_point.serial_number %}">{{ record.asset }}</a>{% else %}{{ record.asset }}{% endif %}',
        verbose_name=_("Asset"), order_by=("asset__serial_number", "pk"),
    )  # fmt: skip
    event = tables.Column(verbose_name=_("Event"), order_by=("event", "pk"))
    detail = tables.Column(verbose_name=_("Detail"), orderable=False)
    occurred = tables.TemplateColumn(
        '{{ record.occurred_at|date:"SHORT_DATETIME_FORMAT" }}',
        verbose_name=_("Recorded at"), order_by=("occurred_at", "pk"),
    )  # fmt: skip
    window = tables.TemplateColumn(
        '{% load i18n %}{% if record.window_ends_on %}{{ record.window_ends_on|date:"SHORT_DATE_FORMAT" }}'
        '{% else %}{% translate "Not started (until the final payment)" %}{% endif %}',
        verbose_name=_("Durability window until"), order_by=("window_ends_on", "pk"),
    )  # fmt: skip
    acknowledged = tables.TemplateColumn(
        template_name="funding/assets/_acknowledge_cell.html",
        verbose_name=_("Acknowledged"), order_by=("acknowledged_at", "pk"),
    )  # fmt: skip

    class Meta(Table.Meta):
        model = DurabilityWarning
        fields = ()
        sequence = ("asset", "event", "detail", "occurred", "window", "acknowledged")
