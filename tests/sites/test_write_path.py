"""An MDS, a site and a zone are each written by one service, from the back-office pages and the admin alike:
the audit trail names who did it, and the object's rules hold wherever the write comes from."""

import pytest
from django.urls import reverse

from sites import services
from sites.models import Mds, OpeningPeriod, Site, Zone, ZoneKind
from sites.roles import Role
from tests.audit_trail import CREATE, DELETE, UPDATE, actors
from tests.factories import AgentFactory, MdsFactory, SiteFactory, ZoneFactory, agent_with_role
from tests.sites.admin_forms import admin_form

pytestmark = pytest.mark.django_db


@pytest.fixture
def site():
    return SiteFactory(mds=MdsFactory(name="MDS Arles", phone=""), name="Arles centre", slug="arles")


@pytest.fixture
def administrator():
    return AgentFactory(is_staff=True, is_superuser=True)


def test_an_mds_edited_on_its_page_names_its_manager_for_the_mds_and_its_hours(site, signed_in):
    """The MDS page saves the details and the opening hours through the service: both entries name the manager."""
    manager = agent_with_role(Role.MDS_MANAGER, site.mds)
    data = {"phone": "04 90 00 00 00", "commune": "Arles", "kind": "", "email": "",
            "opening_periods-TOTAL_FORMS": "1", "opening_periods-INITIAL_FORMS": "0", "opening_periods-0-weekday": "1",
            "opening_periods-0-opens": "08:30", "opening_periods-0-closes": "12:00"}  # fmt: skip
    response = signed_in(manager).post(reverse("sites:mds_edit", kwargs={"slug": site.mds.slug}), data)
    assert response.status_code == 302
    period = OpeningPeriod.objects.get()
    assert Mds.objects.get().phone == "+33490000000"
    assert actors(Mds, site.mds.pk, UPDATE) == {manager}
    assert actors(OpeningPeriod, period.pk, CREATE) == {manager}


def test_an_mds_edited_in_the_admin_saves_its_hours_and_names_the_administrator(site, administrator, signed_in):
    """The admin's MDS page, inline hours included, goes through the same service as the back-office page."""
    client = signed_in(administrator)
    url = reverse("admin:mds_sites_mds_change", args=[site.mds.pk])
    data = admin_form(client, url, "mds_form")
    data |= {"phone": ["04 90 11 11 11"], "opening_periods-TOTAL_FORMS": ["1"], "opening_periods-0-weekday": ["2"],
             "opening_periods-0-opens": ["13:30"], "opening_periods-0-closes": ["17:00"]}  # fmt: skip
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    period = OpeningPeriod.objects.get()
    assert (period.mds, period.weekday, f"{period.opens:%H:%M}") == (site.mds, 2, "13:30")
    assert Mds.objects.get().phone == "+33490111111"
    assert actors(Mds, site.mds.pk, UPDATE) == {administrator}
    assert actors(OpeningPeriod, period.pk, CREATE) == {administrator}


def test_a_site_saved_in_the_admin_needs_both_coordinates_as_on_its_page(site, administrator, signed_in):
    """A latitude alone is refused in the admin as on the back-office page; both together are saved, audited."""
    client = signed_in(administrator)
    url = reverse("admin:mds_sites_site_change", args=[site.pk])
    data = admin_form(client, url, "site_form")
    assert client.post(url, data | {"latitude": ["43.67"], "longitude": [""]}).status_code == 200
    assert Site.objects.get().latitude is None
    assert client.post(url, data | {"latitude": ["43.67"], "longitude": ["4.63"]}).status_code == 302
    assert (str(Site.objects.get().latitude), str(Site.objects.get().longitude)) == ("43.670000", "4.630000")
    assert actors(Site, site.pk, UPDATE) == {administrator}


def test_a_site_edited_on_its_page_names_the_manager(site, signed_in):
    manager = agent_with_role(Role.MDS_MANAGER, site.mds)
    response = signed_in(manager).post(
        reverse("sites:site_edit", kwargs={"slug": "arles"}), {"name": "Arles centre", "street": "5 rue Test"}
    )
    assert response.status_code == 302
    assert Site.objects.get().street == "5 rue Test"
    assert actors(Site, site.pk, UPDATE) == {manager}


def test_a_zone_name_is_once_per_site_whatever_the_case_in_the_admin_too(site, administrator, signed_in):
    """The admin, which the back-office form's own check never covered, refuses "ACCUEIL" beside "Accueil"."""
    ZoneFactory(site=site, name="Accueil")
    client = signed_in(administrator)
    url = reverse("admin:mds_sites_zone_add")
    refused = client.post(url, {"site": site.pk, "kind": ZoneKind.RECEPTION, "name": "ACCUEIL", "floor": ""})
    assert refused.status_code == 200
    assert "Ce site a déjà une zone portant ce nom." in refused.content.decode()
    assert Zone.objects.count() == 1
    office = {"site": site.pk, "kind": ZoneKind.PERMANENCE_OFFICE, "name": "Bureau 2"}
    assert client.post(url, office).status_code == 302
    assert actors(Zone, Zone.objects.get(name="Bureau 2").pk, CREATE) == {administrator}


def test_zones_added_in_a_sites_admin_page_are_audited_under_the_administrator(site, administrator, signed_in):
    client = signed_in(administrator)
    url = reverse("admin:mds_sites_site_change", args=[site.pk])
    data = admin_form(client, url, "site_form")
    data |= {"zones-TOTAL_FORMS": ["1"], "zones-0-kind": [ZoneKind.WAITING_ROOM], "zones-0-name": ["Attente"]}
    assert client.post(url, data).status_code == 302
    assert actors(Zone, Zone.objects.get(name="Attente").pk, CREATE) == {administrator}


def test_a_zone_added_edited_and_deleted_on_the_pages_names_the_agent_each_time(site, signed_in):
    agent = agent_with_role(Role.OPS)
    client = signed_in(agent)
    added = client.post(reverse("sites:zone_create", kwargs={"slug": "arles"}),
                        {"kind": ZoneKind.WAITING_ROOM, "name": "Attente"})  # fmt: skip
    assert added.status_code == 302
    zone = Zone.objects.get()
    edited = client.post(reverse("sites:zone_edit", kwargs={"pk": zone.pk}),
                         {"kind": ZoneKind.WAITING_ROOM, "name": "Attente RDC"})  # fmt: skip
    assert edited.status_code == 302 and Zone.objects.get().name == "Attente RDC"
    assert client.post(reverse("sites:zone_delete", kwargs={"pk": zone.pk})).status_code == 302
    assert not Zone.objects.exists()
    assert [actors(Zone, zone.pk, action) for action in (CREATE, UPDATE, DELETE)] == [{agent}] * 3


def test_a_zone_deleted_in_the_admin_is_audited_under_the_administrator(site, administrator, signed_in):
    zone = ZoneFactory(site=site)
    client = signed_in(administrator)
    response = client.post(reverse("admin:mds_sites_zone_delete", args=[zone.pk]), {"post": "yes"})
    assert response.status_code == 302 and not Zone.objects.exists()
    assert actors(Zone, zone.pk, DELETE) == {administrator}


def test_a_service_called_outside_any_request_still_names_its_actor(site):
    """A command or a task has no request for auditlog's middleware to read: the service names the actor."""
    agent = AgentFactory()
    site.access_notes = "Entrée par la cour."
    services.site_save(actor=agent, site=site)
    assert actors(Site, site.pk, UPDATE) == {agent}
