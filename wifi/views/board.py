"""Placeholder: being written."""

from django.http import Http404
from django.views import View


class _Pending(View):
    def get(self, request, *args, **kwargs):
        raise Http404


class BoardView(_Pending):
    pass


class BoardFragmentView(_Pending):
    pass


class AccessPointDetailView(_Pending):
    pass


class AccessPointSnoozeView(_Pending):
    pass


class IncidentListView(_Pending):
    pass


class MaintenanceListView(_Pending):
    pass


class MaintenanceCreateView(_Pending):
    pass


class ReportView(_Pending):
    pass


class ReportCsvView(_Pending):
    pass
