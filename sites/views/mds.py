"""Dashboard, MDS, sites and zones.

Every object is looked up in `Model.objects.visible_to(request.user)` first, so an object of an
MDS the agent does not see is a 404; only then is the object permission checked (403).
"""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import DeleteView, TemplateView, UpdateView

from sites import selectors, services
from sites.forms import MdsForm, OpeningPeriodFormSet, SiteForm, ZoneForm
from sites.models import Mds, Site, Zone


class DashboardView(LoginRequiredMixin, TemplateView):
    template_name = "sites/dashboard.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(mds_cards=selectors.dashboard(self.request.user), **kwargs)


def _require(request, permission: str, obj) -> None:
    if not request.user.has_perm(permission, obj):
        raise PermissionDenied


class MdsDetailView(LoginRequiredMixin, TemplateView):
    template_name = "sites/mds_detail.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        mds = get_object_or_404(selectors.mds_detail_queryset(user), slug=self.kwargs["slug"])
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


class MdsEditView(LoginRequiredMixin, View):
    """The MDS's details and its opening hours, saved together or not at all."""

    template_name = "sites/mds_form.html"

    def _mds(self):
        mds = get_object_or_404(Mds.objects.visible_to(self.request.user), slug=self.kwargs["slug"])
        _require(self.request, "mds_sites.change_mds", mds)
        return mds

    def _render(self, mds, form, formset):
        return render(self.request, self.template_name, {"mds": mds, "form": form, "formset": formset})

    def get(self, request, slug):
        mds = self._mds()
        return self._render(mds, MdsForm(instance=mds), OpeningPeriodFormSet(instance=mds))

    def post(self, request, slug):
        mds = self._mds()
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


class ScopedObjectMixin(LoginRequiredMixin):
    """get_object() through visible_to() (404 outside the agent's MDS), then the object permission (403)."""

    model = None
    permission_required = ""

    def get_queryset(self):
        return self.model.objects.visible_to(self.request.user)

    def get_object(self, queryset=None):
        obj = super().get_object(queryset)
        _require(self.request, self.permission_required, obj)
        return obj


class SiteEditView(ScopedObjectMixin, UpdateView):
    model = Site
    form_class = SiteForm
    permission_required = "mds_sites.change_site"
    template_name = "sites/site_form.html"

    def get_queryset(self):
        return super().get_queryset().select_related("mds")

    def form_valid(self, form):
        site = services.site_save(actor=self.request.user, site=form.instance)
        messages.success(self.request, _("The site %(name)s was updated.") % {"name": site})
        return redirect(site.mds)


class ZoneCreateView(LoginRequiredMixin, View):
    template_name = "sites/zone_form.html"

    def _site(self):
        sites = Site.objects.visible_to(self.request.user).select_related("mds")
        site = get_object_or_404(sites, slug=self.kwargs["slug"])
        _require(self.request, "mds_sites.add_zone", site)
        return site

    def get(self, request, slug):
        site = self._site()
        return render(request, self.template_name, {"form": ZoneForm(instance=Zone(site=site)), "site": site})

    def post(self, request, slug):
        site = self._site()
        form = ZoneForm(request.POST, instance=Zone(site=site))
        if not form.is_valid():
            return render(request, self.template_name, {"form": form, "site": site})
        zone = services.zone_save(actor=request.user, zone=form.instance)
        messages.success(request, _("The zone %(name)s was added.") % {"name": zone.name})
        return redirect(site.mds)


class ZoneEditView(ScopedObjectMixin, UpdateView):
    model = Zone
    form_class = ZoneForm
    permission_required = "mds_sites.change_zone"
    template_name = "sites/zone_form.html"

    def get_queryset(self):
        return super().get_queryset().select_related("site__mds")

    def get_context_data(self, **kwargs):
        return super().get_context_data(site=self.object.site, **kwargs)

    def form_valid(self, form):
        zone = services.zone_save(actor=self.request.user, zone=form.instance)
        messages.success(self.request, _("The zone %(name)s was updated.") % {"name": zone.name})
        return redirect(zone.site.mds)


class ZoneDeleteView(ScopedObjectMixin, DeleteView):
    model = Zone
    permission_required = "mds_sites.delete_zone"
    template_name = "sites/zone_confirm_delete.html"

    def get_queryset(self):
        return super().get_queryset().select_related("site__mds")

    def get_success_url(self):
        return self.object.site.mds.get_absolute_url()

    def form_valid(self, form):
        name, success_url = self.object.name, self.get_success_url()
        services.zone_delete(actor=self.request.user, zone=self.object)
        messages.success(self.request, _("The zone %(name)s was deleted.") % {"name": name})
        return redirect(success_url)
