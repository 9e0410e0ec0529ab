"""The inbox's list (core.lists): filters, search, sortable columns, and its CSV export's rows."""

import datetime
from collections.abc import Iterator
from typing import Any

import django_filters
import django_tables2 as tables
from django import forms
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accueil.models import ContactRequest, RequestKind, RequestStatus, Topic
from accueil.models.requests import FINAL_STATUSES
from accueil.selectors import request_search
from core.lists import SearchFilter, Table, visible
from core.phone import phone_display
from sites.models import Agent, Mds

_SEARCH = forms.TextInput(attrs={"type": "search", "spellcheck": "false", "autocomplete": "off", "maxlength": 80})

OPEN = "open"
AGES = {"1": 1, "3": 3, "7": 7, "30": 30}


def _agents(request) -> QuerySet[Agent]:
    """The agents who hold requests the signed-in agent sees: the assignee filter lists only them, so an
    agent of another MDS is an invalid choice."""
    if request is None:
        return Agent.objects.none()
    holders = ContactRequest.objects.visible_to(request.user).filter(assigned_to__isnull=False).values("assigned_to")
    return Agent.objects.filter(pk__in=holders).order_by("last_name", "first_name", "email")


class InboxFilter(django_filters.FilterSet):
    q = SearchFilter(
        label=_("Search"), help_text=_("Reference, name, phone number or email."), widget=_SEARCH,
        query=request_search,
    )  # fmt: skip
    status = django_filters.ChoiceFilter(
        label=_("Status"), method="filter_status", empty_label=_("All"),
        choices=[(OPEN, _("Open (not closed)")), *RequestStatus.choices],
    )  # fmt: skip
    kind = django_filters.ChoiceFilter(label=_("What for"), choices=RequestKind.choices, empty_label=_("All"))
    topic = django_filters.ChoiceFilter(label=_("Topic"), choices=Topic.choices, empty_label=_("All"))
    age = django_filters.ChoiceFilter(
        label=_("Waiting for"), method="filter_age", empty_label=_("Any time"),
        choices=[("1", _("more than a day")), ("3", _("more than 3 days")), ("7", _("more than a week")),
                 ("30", _("more than a month"))],
    )  # fmt: skip
    mds = django_filters.ModelChoiceFilter(
        label=_("MDS"), queryset=visible(Mds, order_by=("number",)), empty_label=_("All")
    )
    assignee = django_filters.ChoiceFilter(
        label=_("Who has it"), method="filter_assignee", empty_label=_("Anyone"),
        choices=[("mine", _("Mine")), ("none", _("Nobody (unassigned)"))],
    )  # fmt: skip
    agent = django_filters.ModelChoiceFilter(
        label=_("Assigned to"), field_name="assigned_to", queryset=_agents, empty_label=_("Any agent")
    )

    class Meta:
        model = ContactRequest
        fields = ["q", "status", "kind", "topic", "age", "mds", "assignee", "agent"]

    def filter_status(self, queryset: QuerySet[ContactRequest], name: str, value: str) -> QuerySet[ContactRequest]:
        if value == OPEN:
            return queryset.exclude(status__in=FINAL_STATUSES)
        return queryset.filter(status=value)

    def filter_age(self, queryset: QuerySet[ContactRequest], name: str, value: str) -> QuerySet[ContactRequest]:
        return queryset.filter(submitted_at__lte=timezone.now() - datetime.timedelta(days=AGES[value]))

    def filter_assignee(self, queryset: QuerySet[ContactRequest], name: str, value: str) -> QuerySet[ContactRequest]:
        if value == "mine":
            return queryset.filter(assigned_to=self.request.user)
        return queryset.filter(Q(assigned_to__isnull=True))


class InboxTable(Table):
    caption = _("Requests")
    reference = tables.TemplateColumn(
        '<a href="{% url \'accueil:request_detail\' record.pk %}" class="font-monospace">'
        "{{ record.display_reference }}</a>",
        verbose_name=_("Reference"), order_by=("reference",),
    )  # fmt: skip
    submitted = tables.TemplateColumn(
        '<time datetime="{{ record.submitted_at|date:\'c\' }}">{{ record.submitted_at|date:"SHORT_DATETIME_FORMAT" }}'
        "</time>",
        verbose_name=_("Received"), order_by=("submitted_at", "pk"),
    )  # fmt: skip
    person = tables.TemplateColumn(
        '<bdi dir="auto">{{ record.first_name }} {{ record.last_name }}</bdi>',
        verbose_name=_("Person"), order_by=("last_name", "first_name", "pk"),
    )  # fmt: skip
    kind = tables.Column(verbose_name=_("What for"), order_by=("kind", "pk"))
    topic = tables.Column(verbose_name=_("Topic"), order_by=("topic", "pk"))
    status = tables.TemplateColumn(
        '<span class="inbox-status inbox-status--{{ record.status }}">{{ record.get_status_display }}</span>',
        verbose_name=_("Status"), order_by=("status", "submitted_at", "pk"),
    )  # fmt: skip
    assignee = tables.TemplateColumn(
        '{% load i18n %}{{ record.assigned_to|default:_("nobody") }}',
        verbose_name=_("Who has it"),
        order_by=("assigned_to__last_name", "assigned_to__first_name", "assigned_to__email", "pk"),
    )

    class Meta(Table.Meta):
        attrs = {"class": "table table-sm align-middle inbox-table"}


CSV_HEADER = [
    "Référence", "Reçue le", "MDS", "Source", "Motif", "Thème", "Statut", "Prénom", "Nom", "Téléphone", "Courriel",
    "Commune", "Message", "Attribuée à", "Première réponse", "Clôturée le",
]  # fmt: skip


def csv_rows(rows: QuerySet[ContactRequest]) -> Iterator[list[Any]]:
    """One line per request. Every cell goes through core.csv, which keeps a text such as `=HYPERLINK(…)` in a
    name or a message from becoming a live formula."""
    yield CSV_HEADER
    for request in rows.select_related("mds", "assigned_to").iterator(chunk_size=500):
        yield [
            request.display_reference,
            timezone.localtime(request.submitted_at),
            request.mds.name,
            request.get_source_display(),
            request.get_kind_display(),
            request.get_topic_display(),
            request.get_status_display(),
            request.first_name,
            request.last_name,
            phone_display(request.phone) if request.phone else "",
            request.email,
            request.commune,
            request.message,
            str(request.assigned_to) if request.assigned_to else "",
            timezone.localtime(request.first_answered_at) if request.first_answered_at else "",
            timezone.localtime(request.closed_at) if request.closed_at else "",
        ]
