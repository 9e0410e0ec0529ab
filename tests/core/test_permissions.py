"""The back-office permission mixin: signed in, the object among those visible (404), the permission on it (403)."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.test import RequestFactory
from django.urls import reverse
from django.views import View

from core.permissions import ScopedPermissionRequiredMixin
from sites.models import Membership, Site, Zone
from sites.roles import PER_MDS_ROLES, Role
from tests.factories import AgentFactory, MdsFactory, SiteFactory, ZoneFactory, agent_with_role
from tests.wifi.factories import AccessPointFactory, IncidentFactory
from wifi.models import Incident

pytestmark = pytest.mark.django_db


class ZoneEdit(ScopedPermissionRequiredMixin, View):
    scoped_model = Zone
    permission_required = "mds_sites.change_zone"

    def get(self, request, pk):
        return HttpResponse(self.scoped_object.name)


class ZoneAdd(ScopedPermissionRequiredMixin, View):
    """Acts on a parent: the site a zone is added to."""

    scoped_model = Site
    lookup_field = "slug"
    permission_required = "mds_sites.add_zone"

    def get(self, request, slug):
        return HttpResponse(f"new zone at {self.scoped_object.name}")


class PremisesList(ScopedPermissionRequiredMixin, View):
    permission_required = "mds_sites.change_site"

    def get(self, request):
        return HttpResponse("premises")


class IncidentPage(ScopedPermissionRequiredMixin, View):
    scoped_model = Incident
    permission_required = "wifi.view_incident"

    def get(self, request, pk):
        return HttpResponse(self.scoped_object.access_point.label)


def _open(view, agent, **kwargs):
    request = RequestFactory().get("/backoffice/somewhere/")
    request.user = agent
    return view.as_view()(request, **kwargs)


@pytest.fixture
def alpha_and_bravo():
    alpha, bravo = MdsFactory(name="Alpha"), MdsFactory(name="Bravo")
    return ZoneFactory(site=SiteFactory(mds=alpha), name="Attente Alpha"), ZoneFactory(
        site=SiteFactory(mds=bravo), name="Attente Bravo"
    )


def test_an_agent_holding_the_permission_in_the_objects_mds_gets_the_page(alpha_and_bravo):
    """The MDS manager of Alpha opens the edit page of Alpha's zone."""
    zone_a, _zone_b = alpha_and_bravo
    response = _open(ZoneEdit, agent_with_role(Role.MDS_MANAGER, zone_a.site.mds), pk=zone_a.pk)
    assert response.status_code == 200
    assert response.content.decode() == "Attente Alpha"


def test_an_agent_without_the_permission_is_refused(alpha_and_bravo):
    """A reception agent sees Alpha's zone but may not change it: 403."""
    zone_a, _zone_b = alpha_and_bravo
    with pytest.raises(PermissionDenied):
        _open(ZoneEdit, agent_with_role(Role.RECEPTION, zone_a.site.mds), pk=zone_a.pk)


def test_an_object_of_another_mds_is_not_found_rather_than_refused(alpha_and_bravo):
    """Bravo's zone does not exist for Alpha's manager (404), so a 403 never tells it is there."""
    zone_a, zone_b = alpha_and_bravo
    with pytest.raises(Http404):
        _open(ZoneEdit, agent_with_role(Role.MDS_MANAGER, zone_a.site.mds), pk=zone_b.pk)


def test_the_permission_is_checked_on_the_object_not_in_any_role(alpha_and_bravo):
    """Manager of Alpha and reception agent of Bravo: Bravo's zone is visible, but changing it is refused there."""
    zone_a, zone_b = alpha_and_bravo
    agent = agent_with_role(Role.MDS_MANAGER, zone_a.site.mds)
    Membership.objects.create(agent=agent, role=Role.RECEPTION, mds=zone_b.site.mds)
    assert agent.has_perm("mds_sites.change_zone")  # held in one role, so a check without object would pass
    with pytest.raises(PermissionDenied):
        _open(ZoneEdit, agent, pk=zone_b.pk)
    assert _open(ZoneEdit, agent, pk=zone_a.pk).status_code == 200


def test_a_page_acting_on_a_parent_checks_the_permission_on_that_parent(alpha_and_bravo):
    """Adding a zone: the site is looked up among those visible (404) and add_zone checked on it (403)."""
    zone_a, zone_b = alpha_and_bravo
    site_a, site_b = zone_a.site, zone_b.site
    manager = agent_with_role(Role.MDS_MANAGER, site_a.mds)
    assert _open(ZoneAdd, manager, slug=site_a.slug).content.decode() == f"new zone at {site_a.name}"
    with pytest.raises(Http404):
        _open(ZoneAdd, manager, slug=site_b.slug)
    with pytest.raises(PermissionDenied):
        _open(ZoneAdd, agent_with_role(Role.SOCIAL_WORKER, site_a.mds), slug=site_a.slug)


@pytest.mark.parametrize(
    ("role", "allowed"), [(Role.MDS_MANAGER, True), (Role.OPS, True), (Role.RECEPTION, False), (None, False)]
)
def test_a_list_page_needs_the_permission_in_at_least_one_role(role, allowed):
    """Without an object, the permission held anywhere opens the page; nobody else gets in."""
    agent = agent_with_role(role, MdsFactory() if role in PER_MDS_ROLES else None) if role else AgentFactory()
    if allowed:
        assert _open(PremisesList, agent).status_code == 200
    else:
        with pytest.raises(PermissionDenied):
            _open(PremisesList, agent)


def test_a_visitor_not_signed_in_is_sent_to_sign_in_before_anything_is_looked_up(rf):
    """No 404 nor 403 for a visitor: the sign-in page, even for an object that does not exist."""
    request = rf.get("/backoffice/zones/999999/")
    request.user = AnonymousUser()
    response = ZoneEdit.as_view()(request, pk=999999)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("sites:login"))


def test_a_model_declaring_only_its_mds_path_is_scoped_and_permission_checked():
    """Incident says only `mds_path = "access_point__site__mds"`: the list and the object check both follow it."""
    alpha, bravo = MdsFactory(name="Alpha"), MdsFactory(name="Bravo")
    incident_a = IncidentFactory(access_point=AccessPointFactory(site=SiteFactory(mds=alpha), label="Borne Alpha"))
    incident_b = IncidentFactory(access_point=AccessPointFactory(site=SiteFactory(mds=bravo), label="Borne Bravo"))
    agent = agent_with_role(Role.RECEPTION, alpha)
    assert list(Incident.objects.visible_to(agent)) == [incident_a]
    assert agent.has_perm("wifi.view_incident", incident_a)
    assert not agent.has_perm("wifi.view_incident", incident_b)
    assert _open(IncidentPage, agent, pk=incident_a.pk).content.decode() == "Borne Alpha"
    with pytest.raises(Http404):
        _open(IncidentPage, agent, pk=incident_b.pk)


def test_any_object_naming_its_mds_path_is_placed_by_the_permission_backend():
    """No per-model branch: a plain object with `mds_path` and the link it names is checked in that MDS."""
    alpha, bravo = MdsFactory(), MdsFactory()

    class Note:
        mds_path = "site__mds"

        def __init__(self, site):
            self.site = site

    manager = agent_with_role(Role.MDS_MANAGER, alpha)
    assert manager.has_perm("mds_sites.change_site", Note(SiteFactory(mds=alpha)))
    assert not manager.has_perm("mds_sites.change_site", Note(SiteFactory(mds=bravo)))
    assert not manager.has_perm("mds_sites.change_site", Note(None))  # no site: no MDS, département-wide roles only
    assert agent_with_role(Role.OPS).has_perm("mds_sites.change_site", Note(None))
