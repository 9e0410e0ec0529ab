"""Dashboard, MDS, sites and zones.

Every object is looked up in `Model.objects.visible_to(request.user)` first, so an object of an
MDS the agent does not see is a 404; only then is the object permission checked (403): both by
`core.permissions.ScopedPermissionRequiredMixin`.
"""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import DeleteView, TemplateView, UpdateView

from core.csv import csv_response
from core.lists import ScopedCsvView, ScopedListView
from core.permissions import ScopedPermissionRequiredMixin
from sites import selectors, services
from sites.forms import DashboardFilterForm, MdsForm, OpeningPeriodFormSet, SiteForm, ZoneForm
from sites.lists import SiteFilter, SiteTable
from sites.models import Mds, Site, Zone


class DashboardView(LoginRequiredMixin, TemplateView):
    template_name = "sites/dashboard.html"

    def get_context_data(self, **kwargs):
        form = DashboardFilterForm(self.request.GET)
        form.is_valid()  # fills cleaned_data with what it could read; the selector ignores unknown choices
        board = selectors.dashboard(self.request.user, **{k: v for k, v in form.cleaned_data.items() if v})
        form.set_choices(mds=board.mds_choices, missing=board.missing_choices)
        return super().get_context_data(board=board, form=form, **kwargs)


class SiteListView(ScopedListView):
    """Every site the agent sees, in one table: where it is, what it still lacks, a link to complete it."""

    model = Site
    permission_required = "mds_sites.view_site"
    template_name = "sites/site_list.html"
    table_class = SiteTable
    filterset_class = SiteFilter

    def refine_queryset(self, queryset):
        return queryset.select_related("mds").prefetch_related("zones").order_by("mds__number", "number")


class SiteCsvView(ScopedCsvView, SiteListView):
    """The sites of the list, filtered and searched as on its page."""

    def csv_response(self, rows):
        header = [_("Site"), _("MDS"), _("Street address"), _("Postal code"), _("Commune"), _("Latitude"),
                  _("Longitude"), _("To complete")]  # fmt: skip
        lines = (
            [
                site.display_name,
                site.mds.name,
                site.street,
                site.postal_code,
                site.commune,
                site.latitude,
                site.longitude,
                ", ".join(str(label) for label in site.missing_information()),
            ]
            for site in rows
        )
        return csv_response([header, *lines], filename=f"sites-{timezone.localdate():%Y-%m-%d}.csv")


class MdsDetailView(ScopedPermissionRequiredMixin, TemplateView):
    scoped_model = Mds
    lookup_field = "slug"
    permission_required = "mds_sites.view_mds"
    template_name = "sites/mds_detail.html"

    def get_scoped_queryset(self):
        return selectors.mds_detail_queryset(self.request.user)

    def get_context_data(self, **kwargs):
        user = self.request.user
        mds = self.scoped_object
        sites = [
            {
                "site": site,
                "missing": site.missing_information(),
                "can_change": user.has_perm("mds_sites.change_site", site),
                "can_add_zone": user.has_perm("mds_sites.add_zone", site),
                "can_change_zone": user.has_perm("mds_sites.change_zone", site),
                "can_delete_zone": user.has_perm("mds_sites.delete_zone", site),
            }
            for site in mds.sites.all()
        ]
        return super().get_context_data(
            mds=mds,
            missing=mds.missing_information(),
            sites=sites,
            can_change_mds=user.has_perm("mds_sites.change_mds", mds),
            **kwargs,
        )


class MdsEditView(ScopedPermissionRequiredMixin, View):
    """The MDS's details and its opening hours, saved together or not at all."""

    scoped_model = Mds
    lookup_field = "slug"
    permission_required = "mds_sites.change_mds"
    template_name = "sites/mds_form.html"

    def _render(self, mds, form, formset):
        return render(self.request, self.template_name, {"mds": mds, "form": form, "formset": formset})

    def get(self, request, slug):
        mds = self.scoped_object
        return self._render(mds, MdsForm(instance=mds), OpeningPeriodFormSet(instance=mds))

    def post(self, request, slug):
        mds = self.scoped_object
        form = MdsForm(request.POST, instance=mds)
        formset = OpeningPeriodFormSet(request.POST, instance=mds)
        if not (form.is_valid() and formset.is_valid()):
            return self._render(mds, form, formset)
        services.mds_update(
            actor=request.user, mds=form.instance, services=form.cleaned_data["services"],
            periods=formset.save(commit=False), periods_removed=formset.deleted_objects,
        )  # fmt: skip
        messages.success(request, _("The MDS %(name)s was updated.") % {"name": mds.name})
        return redirect(mds)


class SiteEditView(ScopedPermissionRequiredMixin, UpdateView):
    scoped_model = Site
    lookup_field = "slug"
    form_class = SiteForm
    permission_required = "mds_sites.change_site"
    template_name = "sites/site_form.html"

    def get_scoped_queryset(self):
        return super().get_scoped_queryset().select_related("mds")

    def form_valid(self, form):
        site = services.site_save(actor=self.request.user, site=form.instance)
        messages.success(self.request, _("The site %(name)s was updated.") % {"name": site})
        return redirect(site.mds)


class ZoneCreateView(ScopedPermissionRequiredMixin, View):
    """A zone added to a site: the permission is checked on that site."""

    scoped_model = Site
    lookup_field = "slug"
    permission_required = "mds_sites.add_zone"
    template_name = "sites/zone_form.html"

    def get_scoped_queryset(self):
        return super().get_scoped_queryset().select_related("mds")

    def get(self, request, slug):
        site = self.scoped_object
        return render(request, self.template_name, {"form": ZoneForm(instance=Zone(site=site)), "site": site})

    def post(self, request, slug):
        site = self.scoped_object
        form = ZoneForm(request.POST, instance=Zone(site=site))
        if not form.is_valid():
            return render(request, self.template_name, {"form": form, "site": site})
        zone = services.zone_save(actor=request.user, zone=form.instance)
        messages.success(request, _("The zone %(name)s was added.") % {"name": zone.name})
        return redirect(site.mds)


class ZoneEditView(ScopedPermissionRequiredMixin, UpdateView):
    scoped_model = Zone
    form_class = ZoneForm
    permission_required = "mds_sites.change_zone"
    template_name = "sites/zone_form.html"

    def get_scoped_queryset(self):
        return super().get_scoped_queryset().select_related("site__mds")

    def get_context_data(self, **kwargs):
        return super().get_context_data(site=self.object.site, **kwargs)

    def form_valid(self, form):
        zone = services.zone_save(actor=self.request.user, zone=form.instance)
        messages.success(self.request, _("The zone %(name)s was updated.") % {"name": zone.name})
        return redirect(zone.site.mds)


class ZoneDeleteView(ScopedPermissionRequiredMixin, DeleteView):
    scoped_model = Zone
    permission_required = "mds_sites.delete_zone"
    template_name = "sites/zone_confirm_delete.html"

    def get_scoped_queryset(self):
        return super().get_scoped_queryset().select_related("site__mds")

    def get_success_url(self):
        return self.object.site.mds.get_absolute_url()

    def form_valid(self, form):
        name, success_url = self.object.name, self.get_success_url()
        services.zone_delete(actor=self.request.user, zone=self.object)
        messages.success(self.request, _("The zone %(name)s was deleted.") % {"name": name})
        return redirect(success_url)
