"""The legal connection log in the back-office: a requisition's search, its results, its CSV export.

Searching is a POST (the requisition reference and the MAC or IP never travel in a URL, so never
in a server log); it records the search in the audit trail and redirects to the results, which
re-read the criteria from that audit entry. Every agent without the legal-requisition role gets
403 — superusers and administrators too (see captive_portal.legal_log).
"""

from auditlog.models import LogEntry
from django.shortcuts import redirect, render
from django.views import View
from django_tables2 import RequestConfig

from captive_portal import legal_log
from captive_portal.forms_log import LogSearchForm
from captive_portal.lists import ConnectionTable
from core.csv import csv_response
from core.lists import PagedData
from core.permissions import ScopedPermissionRequiredMixin

PAGE_SIZE = 50
RECENT_SEARCHES = 10
REFUSED_TEMPLATE = "captive_portal/backoffice/log_refused.html"


def _refused(request):
    return render(request, REFUSED_TEMPLATE, status=403)


class _OfficerOnly(ScopedPermissionRequiredMixin):
    """Signed in (else the sign-in page), then the legal-requisition role (else 403, whoever the agent is:
    a role, not a permission, which a superuser would hold)."""

    def has_permission(self):
        try:
            legal_log.require_officer(self.request.user)
        except legal_log.NotAnOfficer:
            return False
        return True

    def handle_no_permission(self):
        if not self.request.user.is_authenticated:
            return super().handle_no_permission()
        return _refused(self.request)


class LogSearchView(_OfficerOnly, View):
    template_name = "captive_portal/backoffice/log_search.html"

    def _render(self, request, form):
        recent = legal_log.searches(request.user)[:RECENT_SEARCHES]
        return render(request, self.template_name, {"form": form, "recent": recent})

    def get(self, request):
        return self._render(request, LogSearchForm())

    def post(self, request):
        form = LogSearchForm(request.POST)
        if not form.is_valid():
            return self._render(request, form)
        search = legal_log.log_search(
            agent=request.user,
            criteria=form.criteria(),
            reference=form.cleaned_data["reference"],
            reason=form.cleaned_data["reason"],
        )
        return redirect("portal_log:results", pk=search.pk)


class _OneSearch(_OfficerOnly):
    """A search is looked up among the agent's own first (404 otherwise), then the role is checked (403)."""

    scoped_model = LogEntry

    def get_scoped_queryset(self):
        return legal_log.searches(self.request.user)

    @property
    def search(self) -> LogEntry:
        return self.scoped_object


class LogResultsView(_OneSearch, View):
    template_name = "captive_portal/backoffice/log_results.html"

    def get(self, request, pk):
        criteria = legal_log.search_criteria(self.search)
        table = ConnectionTable(PagedData(legal_log.connection_records(criteria)))
        RequestConfig(request, paginate={"per_page": PAGE_SIZE}).configure(table)
        return render(
            request,
            self.template_name,
            {
                "search": self.search,
                "data": self.search.additional_data,
                "criteria": criteria,
                "site": legal_log.search_site(self.search),
                "table": table,
            },
        )


class LogExportView(_OneSearch, View):
    """POST only (a download that writes to the audit trail is not something a prefetch may trigger)."""

    def post(self, request, pk):
        records = legal_log.log_export(agent=request.user, search=self.search)
        return csv_response(legal_log.csv_rows(records), filename=f"connection-log-search-{self.search.pk}.csv")
