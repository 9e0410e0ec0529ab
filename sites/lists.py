"""The agents list (core.lists): search by name or address, MDS, role and status filters, sortable columns; and
the base of every download of people's data (audited)."""

from typing import Any

import django_filters
import django_tables2 as tables
from django.db.models import F, QuerySet
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from core.lists import ScopedCsvView, SearchFilter, Table, visible
from sites import selectors
from sites.audit import record_event
from sites.models import Agent, GrantStatus, Mds, Privilege, PrivilegeGrant, Site
from sites.roles import Role

ACTIVE, INACTIVE, ALL = "", "inactive", "all"


def _applied_in_filter_queryset(queryset: QuerySet, name: str, value) -> QuerySet:
    return queryset  # these filters combine (a role in an MDS; active by default): see AgentFilter.filter_queryset


class AgentFilter(django_filters.FilterSet):
    q = SearchFilter(fields=("first_name", "last_name", "email"), help_text=_("Name or email address."))
    mds = django_filters.ModelChoiceFilter(
        label=_("MDS"), queryset=visible(Mds, order_by=("number",)), empty_label=_("All MDS"),
        method=_applied_in_filter_queryset,
    )  # fmt: skip
    role = django_filters.ChoiceFilter(
        label=_("Role"), choices=Role.choices, empty_label=_("All roles"), method=_applied_in_filter_queryset
    )
    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=[(INACTIVE, _("Deactivated")), (ALL, _("All"))], empty_label=_("Active"),
        method=_applied_in_filter_queryset,
    )  # fmt: skip

    class Meta:
        model = Agent
        fields = ["q", "mds", "role", "status"]

    def filter_queryset(self, queryset: QuerySet) -> QuerySet:
        queryset = super().filter_queryset(queryset)
        data = self.form.cleaned_data
        mds, role, status = data.get("mds"), data.get("role") or "", data.get("status") or ACTIVE
        if mds is not None or role:  # the role held in that MDS, among the roles the signed-in agent sees
            queryset = selectors.agents_holding(self.request.user, queryset, mds=mds, role=role)
        if status == INACTIVE:
            return queryset.filter(is_active=False)
        if status == ALL:
            return queryset
        return queryset.filter(is_active=True)


class AgentTable(Table):
    caption = _("Agents")
    name = tables.TemplateColumn(
        "{% load i18n %}<a href=\"{% url 'sites:agent_detail' record.pk %}\">"
        "{{ record.get_full_name|default:record.email }}</a>{% if not record.is_active %} "
        '<span class="badge text-bg-secondary">{% translate "deactivated" %}</span>{% endif %}',
        verbose_name=_("Name"), order_by=("last_name", "first_name", "email", "pk"),
    )  # fmt: skip
    email = tables.Column(verbose_name=_("Email address"), order_by=("email", "pk"))
    roles = tables.TemplateColumn(
        "{% for membership in record.visible_memberships %}"
        '{% if forloop.first %}<ul class="list-unstyled mb-0">{% endif %}'
        "<li>{{ membership.get_role_display }}{% if membership.mds %} — {{ membership.mds.name }}{% endif %}</li>"
        "{% if forloop.last %}</ul>{% endif %}{% empty %}—{% endfor %}",
        verbose_name=_("Roles"), orderable=False, accessor="pk",  # Agent.roles would query its roles, row by row
    )  # fmt: skip
    last_login = tables.TemplateColumn(
        '{% load i18n %}{% if record.last_login %}{{ record.last_login|date:"SHORT_DATETIME_FORMAT" }}'
        '{% else %}{% translate "never" %}{% endif %}',
        verbose_name=_("Last sign-in"),
    )  # fmt: skip

    def order_last_login(self, queryset: QuerySet, is_descending: bool) -> tuple[QuerySet, bool]:
        """Never signed in counts as the oldest sign-in, both ways."""
        last = F("last_login").desc(nulls_last=True) if is_descending else F("last_login").asc(nulls_first=True)
        return queryset.order_by(last, "last_name", "pk"), True


# makemessages reads no template inside a Python string: the cell templates' msgids, for the catalogue.
_CELL_MSGIDS = (
    gettext_noop("deactivated"),
    gettext_noop("never"),
)


# --- Sites -----------------------------------------------------------------------------------------

ANY_MISSING = "any"


class SiteFilter(django_filters.FilterSet):
    q = SearchFilter(
        fields=("name", "mds__name", "commune", "postal_code"), help_text=_("Site name, MDS, commune or postal code.")
    )
    mds = django_filters.ModelChoiceFilter(
        label=_("MDS"), queryset=visible(Mds, order_by=("number",)), empty_label=_("All MDS")
    )
    missing = django_filters.ChoiceFilter(
        label=_("Missing information"), method="filter_missing", empty_label=_("Complete or not"),
        choices=[(ANY_MISSING, _("Something to complete")), *Site.MISSING_LABELS.items()],
    )  # fmt: skip

    class Meta:
        model = Site
        fields = ["q", "mds", "missing"]

    def filter_missing(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        """Sites lacking `value` (or anything): `Site.missing_codes` decides, the one rule the dashboard and the
        site's page show, read once over the agent's sites (a département has dozens, not thousands)."""
        lacking = [
            site.pk
            for site in queryset.prefetch_related("zones")
            if (site.missing_codes() if value == ANY_MISSING else value in site.missing_codes())
        ]
        return queryset.filter(pk__in=lacking)


class SiteTable(Table):
    caption = _("Sites")
    site = tables.TemplateColumn(
        '{% load i18n %}<a href="{% if record.may_change %}{% url \'sites:site_edit\' record.slug %}{% else %}'
        '{{ record.mds.get_absolute_url }}#site-{{ record.pk }}{% endif %}">{{ record.display_name }}</a>',
        verbose_name=_("Site"), order_by=("name", "mds__number", "number"),
    )  # fmt: skip
    mds = tables.TemplateColumn(
        '<a href="{{ record.mds.get_absolute_url }}">{{ record.mds.name }}</a>',
        verbose_name=_("MDS"), order_by=("mds__name", "number"),
    )  # fmt: skip
    commune = tables.Column(verbose_name=_("Commune"), order_by=("commune", "mds__number", "number"), default="—")
    postal_code = tables.Column(
        verbose_name=_("Postal code"), order_by=("postal_code", "mds__number", "number"), default="—"
    )
    missing = tables.TemplateColumn(
        "{% load i18n %}{% for label in record.missing_labels %}"
        '{% if forloop.first %}<ul class="list-unstyled mb-0">{% endif %}<li>{{ label|capfirst }}</li>'
        '{% if forloop.last %}</ul>{% endif %}{% empty %}<span class="text-success">{% translate "complete" %}'
        "</span>{% endfor %}",
        verbose_name=_("To complete"), orderable=False, accessor="pk",
    )  # fmt: skip
    panels = tables.TemplateColumn(
        "{% for panel in record.panels %}{% include panel.template_name with site=record data=panel.data %}"
        "{% endfor %}",
        verbose_name=_("At a glance"), orderable=False, accessor="pk",
    )  # fmt: skip
    actions = tables.TemplateColumn(
        "{% load i18n %}{% if record.may_change %}<a class=\"btn btn-sm btn-outline-primary\" "
        "href=\"{% url 'sites:site_edit' record.slug %}\">{% translate \"Edit\" %}"
        '<span class="visually-hidden"> {{ record.display_name }}</span></a>{% endif %}',
        verbose_name=_("Actions"), orderable=False, accessor="pk",
    )  # fmt: skip

    class Meta(Table.Meta):
        model = Site
        fields = ()
        sequence = ("site", "mds", "commune", "postal_code", "missing", "panels", "actions")

    def before_render(self, request) -> None:
        """What each row of the page says that its fields do not: missing labels, whether the agent may edit it,
        and the panels later apps add to the site cards (WiFi status), for the page's sites only."""
        sites = [row.record for row in self.paginated_rows]
        panels = selectors.site_panels(request.user, sites)
        for site in sites:
            site.missing_labels = site.missing_information()
            site.may_change = request.user.has_perm("mds_sites.change_site", site)
            site.panels = panels.get(site.pk, [])
        if not any(site.panels for site in sites):
            self.columns.hide("panels")


_CELL_MSGIDS_SITES = (gettext_noop("complete"), gettext_noop("Edit"))


# --- Privilege decisions ---------------------------------------------------------------------------


class PrivilegeDecisionFilter(django_filters.FilterSet):
    q = SearchFilter(
        fields=("agent__first_name", "agent__last_name", "agent__email", "requested_by_name", "decided_by__first_name",
                "decided_by__last_name", "decided_by__email", "reason"),
        help_text=_("Agent, who asked or decided, or reason."),
    )  # fmt: skip
    privilege = django_filters.ChoiceFilter(label=_("Privilege"), choices=Privilege.choices, empty_label=_("All"))
    status = django_filters.ChoiceFilter(
        label=_("Decision"), choices=[(GrantStatus.APPROVED, GrantStatus.APPROVED.label),
                                      (GrantStatus.REFUSED, GrantStatus.REFUSED.label)],
        empty_label=_("All"),
    )  # fmt: skip

    class Meta:
        model = PrivilegeGrant
        fields = ["q", "privilege", "status"]


class PrivilegeDecisionTable(Table):
    caption = _("Decisions")
    agent = tables.TemplateColumn(
        "<a href=\"{% url 'sites:agent_detail' record.agent_id %}\">{{ record.agent }}</a>",
        verbose_name=_("Agent"), order_by=("agent__last_name", "agent__first_name", "agent__email", "pk"),
    )  # fmt: skip
    privilege = tables.Column(verbose_name=_("Privilege"), order_by=("privilege", "-decided_at", "pk"))
    status = tables.Column(verbose_name=_("Decision"), order_by=("status", "-decided_at", "pk"))
    reason = tables.Column(verbose_name=_("Reason"), orderable=False)
    requested = tables.TemplateColumn(
        '{{ record.requested_by_name }}, {{ record.requested_at|date:"SHORT_DATETIME_FORMAT" }}',
        verbose_name=_("Requested by"), order_by=("requested_at", "pk"),
    )  # fmt: skip
    decided = tables.TemplateColumn(
        "{% if record.decided_by %}{{ record.decided_by }}, {% endif %}"
        '{{ record.decided_at|date:"SHORT_DATETIME_FORMAT" }}',
        verbose_name=_("Decided by"), order_by=("decided_at", "pk"),
    )  # fmt: skip

    class Meta(Table.Meta):
        model = PrivilegeGrant
        fields = ()
        sequence = ("agent", "privilege", "status", "reason", "requested", "decided")


class PersonalDataCsvView(ScopedCsvView):
    """A download of people's data: who took which rows (the list's filters, how many) goes to the audit trail
    before the file leaves. Here rather than in core: the audit trail is sites'."""

    def get(self, request: Any, *args: Any, **kwargs: Any) -> Any:
        rows = self.filtered_rows()
        record_event(
            actor=request.user, instance=request.user, subject="personal_data_csv",
            event=f"{request.path}?{request.GET.urlencode()} ({rows.count()} rows)",
        )  # fmt: skip
        return self.csv_response(rows)
