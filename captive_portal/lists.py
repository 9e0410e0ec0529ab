"""The portal's back-office lists (core.lists): the content blocks."""

import django_filters
import django_tables2 as tables
from django.conf import settings
from django.db.models import QuerySet
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext, gettext_noop
from django.utils.translation import gettext_lazy as _

from captive_portal import content
from captive_portal.content import Period
from captive_portal.models import ContentBlock, ContentKind
from core.lists import SearchFilter, Table, visible
from sites.models import Site

CHANGE = "captive_portal.change_contentblock"


class BlockFilter(django_filters.FilterSet):
    q = SearchFilter(fields=("title", "body"))
    language = django_filters.ChoiceFilter(label=_("Language"), choices=settings.PORTAL_LANGUAGES, empty_label=_("All"))
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=ContentKind.choices, empty_label=_("All"))
    site = django_filters.ModelChoiceFilter(
        label=_("Site"), method="filter_site", empty_label=_("All"),
        queryset=visible(Site, select_related=("mds",), order_by=("mds__number", "number")),
    )  # fmt: skip
    period = django_filters.ChoiceFilter(
        label=_("Dates"), method="filter_period", empty_label=_("All"),
        choices=[(Period.CURRENT, _("Shown today")), (Period.UPCOMING, _("Upcoming")), (Period.PAST, _("Past"))],
    )  # fmt: skip

    class Meta:
        model = ContentBlock
        fields = ["q", "language", "kind", "site", "period"]

    def filter_site(self, queryset: QuerySet[ContentBlock], name: str, value: Site) -> QuerySet[ContentBlock]:
        return content.blocks_for_site(queryset, value)

    def filter_period(self, queryset: QuerySet[ContentBlock], name: str, value: str) -> QuerySet[ContentBlock]:
        return content.blocks_in_period(queryset, value)


class BlockTable(Table):
    caption = _("Portal content blocks")
    title = tables.TemplateColumn(
        "<a href=\"{% url 'portal_content:block_detail' record.pk %}\" lang=\"{{ record.language }}\">"
        "{{ record.title }}</a>",
        verbose_name=_("Title"), order_by=("title", "pk"),
    )  # fmt: skip
    kind = tables.Column(verbose_name=_("Kind"), order_by=("kind", "title", "pk"))
    language = tables.Column(verbose_name=_("Language"), order_by=("language", "order", "pk"))
    sites = tables.TemplateColumn(
        "{% load i18n %}{% for site in record.sites.all %}{{ site }}{% if not forloop.last %}, {% endif %}"
        '{% empty %}{% translate "Every site" %}{% endfor %}',
        verbose_name=_("Sites"), orderable=False,
    )  # fmt: skip
    dates = tables.TemplateColumn(
        "{% load i18n %}{% if record.starts_on or record.ends_on %}"
        '{% if record.starts_on %}{% blocktranslate with day=record.starts_on|date:"j F Y" %}from {{ day }}'
        "{% endblocktranslate %}{% endif %} "
        '{% if record.ends_on %}{% blocktranslate with day=record.ends_on|date:"j F Y" %}until {{ day }}'
        '{% endblocktranslate %}{% endif %}{% else %}{% translate "Always" %}{% endif %}',
        verbose_name=_("Dates"), order_by=("starts_on", "ends_on", "pk"),
    )  # fmt: skip
    published = tables.TemplateColumn(
        '{% load i18n %}{% if record.published %}{% translate "Published" %}'
        '{% else %}{% translate "Draft" %}{% endif %}',
        verbose_name=_("Status"), order_by=("published", "pk"),
    )  # fmt: skip
    actions = tables.Column(verbose_name=_("Actions"), orderable=False, empty_values=())

    class Meta(Table.Meta):
        model = ContentBlock
        fields = ()
        sequence = ("title", "kind", "language", "sites", "dates", "published", "actions")

    def render_kind(self, record: ContentBlock) -> str:
        return record.get_kind_display()

    def render_language(self, record: ContentBlock) -> str:
        return record.get_language_display()

    def render_actions(self, record: ContentBlock) -> str:
        if not content.may(self.request.user, CHANGE, record.sites.all()):  # the sites are prefetched
            return ""
        url = reverse("portal_content:block_edit", args=[record.pk])
        return format_html(
            '<a href="{}">{}<span class="visually-hidden"> {}</span></a>', url, gettext("Edit"), record.title
        )


class ConnectionTable(Table):
    """The connections a legal-log search found, in start order (legal_log.Records): paged, never re-sorted."""

    caption = _("Connections found")
    started = tables.TemplateColumn('{{ record.started_at|date:"DATETIME_FORMAT" }}', verbose_name=_("Start"))
    ended = tables.TemplateColumn(
        '{% load i18n %}{% if record.ended_at %}{{ record.ended_at|date:"DATETIME_FORMAT" }}'
        '{% else %}{% translate "not reported" %}{% endif %}',
        verbose_name=_("End"),
    )  # fmt: skip
    site = tables.TemplateColumn(
        '{{ record.site }} <span class="text-muted">— {{ record.site.mds.name }}</span>', verbose_name=_("Site")
    )
    access_point = tables.Column(verbose_name=_("Access point"), accessor="access_point__label")
    gateway = tables.Column(verbose_name=_("Gateway"), accessor="get_gateway_kind_display")
    mac = tables.TemplateColumn('<code>{{ record.client_mac|default:"—" }}</code>', verbose_name=_("MAC address"))
    ip = tables.TemplateColumn(
        '{% load i18n %}<code>{{ record.client_ip|default:"—" }}</code>{% if record.client_ip_source == "portal" %} '
        '<small>({% translate "NAT or proxy address" %})</small>{% endif %}',
        verbose_name=_("IP address"),
    )  # fmt: skip
    port = tables.Column(verbose_name=_("Source port"), accessor="client_port", attrs={"td": {"class": "num"}})
    terms = tables.TemplateColumn("{{ record.terms.language }} v{{ record.terms.version }}", verbose_name=_("Terms"))
    language = tables.Column(verbose_name=_("Language"))

    class Meta(Table.Meta):
        orderable = False


# makemessages reads no template inside a Python string: the cell templates' msgids, for the catalogue.
_CELL_MSGIDS = (
    gettext_noop("Every site"),
    gettext_noop("from %(day)s"),
    gettext_noop("until %(day)s"),
    gettext_noop("Always"),
    gettext_noop("Published"),
    gettext_noop("Draft"),
    gettext_noop("not reported"),
    gettext_noop("NAT or proxy address"),
)
