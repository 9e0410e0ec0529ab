"""Incidents: the list (filters, search, sortable columns: core.lists), one incident's page, and ops working it.

As everywhere in the back-office: an incident is looked up among those the agent sees first (404
outside their MDS), then the permission is checked on it (403) by
`core.permissions.ScopedPermissionRequiredMixin`. Acknowledging, assigning and commenting need
"wifi.change_incident", which only ops (and admins) hold; writes are in wifi/incidents.py.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from core.lists import ScopedListView
from core.permissions import ScopedPermissionRequiredMixin
from wifi import reports
from wifi.forms_board import AssignForm, CommentForm
from wifi.incidents import incident_acknowledge, incident_assign, incident_comment
from wifi.lists import IncidentFilter, IncidentTable
from wifi.models import Incident


class IncidentListView(ScopedListView):
    model = Incident
    permission_required = "wifi.view_incident"
    template_name = "wifi/incidents.html"
    table_class = IncidentTable
    filterset_class = IncidentFilter

    def refine_queryset(self, queryset):
        return reports.incident_rows(queryset)

    def get_context_data(self, **kwargs):
        return super().get_context_data(now=timezone.now(), **kwargs)


class _IncidentMixin(ScopedPermissionRequiredMixin):
    scoped_model = Incident

    def get_scoped_queryset(self):
        return reports.incident_detail_queryset(self.request.user)


class IncidentDetailView(_IncidentMixin, TemplateView):
    permission_required = "wifi.view_incident"
    template_name = "wifi/incident_detail.html"

    def get_context_data(self, **kwargs):
        incident = self.scoped_object
        can_work = self.request.user.has_perm("wifi.change_incident", incident)
        return super().get_context_data(
            incident=incident,
            ap=incident.access_point,
            comments=incident.comments.select_related("author"),
            can_work=can_work,
            assign_form=AssignForm(initial={"assignee": incident.assigned_to_id}) if can_work else None,
            comment_form=kwargs.pop("comment_form", None) or (CommentForm() if can_work else None),
            now=timezone.now(),
            **kwargs,
        )


class _IncidentActionView(_IncidentMixin, View):
    """A POST from the incident's page; GET goes back to the page."""

    permission_required = "wifi.change_incident"

    def get(self, request, pk):
        return redirect("wifi:incident_detail", pk=pk)


class IncidentAcknowledgeView(_IncidentActionView):
    def post(self, request, pk):
        incident = incident_acknowledge(actor=request.user, incident=self.scoped_object)
        messages.success(request, _("Incident acknowledged by %(agent)s.") % {"agent": incident.acknowledged_by})
        return redirect("wifi:incident_detail", pk=pk)


class IncidentAssignView(_IncidentActionView):
    def post(self, request, pk):
        form = AssignForm(request.POST)
        if form.is_valid():
            try:
                incident = incident_assign(
                    actor=request.user, incident=self.scoped_object, assignee=form.cleaned_data["assignee"]
                )
            except ValidationError as exc:
                messages.error(request, " ".join(exc.messages))
            else:
                if incident.assigned_to:
                    messages.success(request, _("Incident assigned to %(agent)s.") % {"agent": incident.assigned_to})
                else:
                    messages.success(request, _("Nobody has this incident any more."))
        else:
            messages.error(request, _("Choose an ops agent from the list."))
        return redirect("wifi:incident_detail", pk=pk)


class IncidentCommentView(_IncidentActionView):
    def post(self, request, pk):
        form = CommentForm(request.POST)
        if not form.is_valid():
            page = IncidentDetailView(request=request, kwargs={"pk": pk}, scoped_object=self.scoped_object)
            return render(request, IncidentDetailView.template_name, page.get_context_data(comment_form=form))
        incident_comment(actor=request.user, incident=self.scoped_object, body=form.cleaned_data["body"])
        messages.success(request, _("Comment added."))
        return redirect("wifi:incident_detail", pk=pk)
