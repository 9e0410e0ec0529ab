"""Placeholder: being written."""

from django.http import Http404
from django.views import View


class _Pending(View):
    def get(self, request, *args, **kwargs):
        raise Http404


class InventoryView(_Pending):
    pass


class InventoryCsvView(_Pending):
    pass


class SiteInventoryView(_Pending):
    pass


class AccessPointCreateView(_Pending):
    pass


class AccessPointEditView(_Pending):
    pass


class AccessPointLifecycleView(_Pending):
    pass
