import pytest
from django.urls import reverse

from sites.models import OpeningPeriod, Zone, ZoneKind
from sites.roles import Role
from tests.factories import MdsFactory, OpeningPeriodFactory, ServiceFactory, SiteFactory, ZoneFactory, agent_with_role

pytestmark = pytest.mark.django_db


@pytest.fixture
def mds():
    mds = MdsFactory(name="MDS Arles", phone="")
    SiteFactory(mds=mds, name="MDS Arles", slug="arles", street="")
    return mds


def _formset(prefix="opening_periods", rows=(), initial=0):
    data = {f"{prefix}-TOTAL_FORMS": str(len(rows)), f"{prefix}-INITIAL_FORMS": str(initial)}
    for i, row in enumerate(rows):
        data |= {f"{prefix}-{i}-{key}": value for key, value in row.items()}
    return data


def test_the_dashboard_shows_each_site_and_what_it_still_lacks_with_where_to_complete_it(mds, signed_in):
    client = signed_in(agent_with_role(Role.MDS_MANAGER, mds))
    html = client.get(reverse("sites:dashboard")).content.decode()
    assert "MDS Arles" in html
    assert "adresse postale" in html
    for url in (
        reverse("sites:site_edit", kwargs={"slug": "arles"}),
        reverse("sites:mds_edit", kwargs={"slug": mds.slug}),
    ):
        assert f'href="{url}"' in html and client.get(url).status_code == 200


def test_an_agent_who_cannot_edit_the_site_is_not_asked_to_complete_it(mds, signed_in):
    """Before: a reception agent was told "À compléter: adresse postale" and the edit page answered 403."""
    html = signed_in(agent_with_role(Role.RECEPTION, mds)).get(reverse("sites:dashboard")).content.decode()
    assert "MDS Arles" in html
    assert "adresse postale" not in html and "compléter" not in html.lower()
    assert "Informations complètes" not in html  # nor told that everything is filled in when it is not


@pytest.mark.parametrize("count", [1, 27])
def test_the_dashboard_costs_the_same_queries_for_one_mds_or_all_of_them(
    count, signed_in, django_assert_max_num_queries
):
    for _ in range(count):
        ZoneFactory(site=SiteFactory(mds=OpeningPeriodFactory().mds))
    client = signed_in(agent_with_role(Role.PROGRAMME))
    with django_assert_max_num_queries(12):
        assert client.get(reverse("sites:dashboard")).status_code == 200


def test_a_manager_completes_the_site_address(mds, signed_in):
    client = signed_in(agent_with_role(Role.MDS_MANAGER, mds))
    response = client.post(
        reverse("sites:site_edit", kwargs={"slug": "arles"}),
        {"name": "MDS Arles", "street": "5 rue Test", "postal_code": "13200", "commune": "Arles"},
    )
    assert response.status_code == 302
    site = mds.sites.get()
    assert (site.street, site.postal_code, site.commune) == ("5 rue Test", "13200", "Arles")


def test_a_latitude_without_a_longitude_is_refused_and_nothing_saved(mds, signed_in):
    client = signed_in(agent_with_role(Role.MDS_MANAGER, mds))
    response = client.post(
        reverse("sites:site_edit", kwargs={"slug": "arles"}), {"name": "MDS Arles", "latitude": "43.67"}
    )
    assert response.status_code == 200
    assert mds.sites.get().latitude is None


@pytest.mark.parametrize("role", [Role.RECEPTION, Role.SOCIAL_WORKER, Role.MEDIATOR])
def test_agents_who_are_not_managers_cannot_edit(mds, role, signed_in):
    client = signed_in(agent_with_role(role, mds))
    assert client.get(reverse("sites:site_edit", kwargs={"slug": "arles"})).status_code == 403
    assert client.get(reverse("sites:mds_edit", kwargs={"slug": mds.slug})).status_code == 403
    assert client.post(reverse("sites:zone_create", kwargs={"slug": "arles"}), {"name": "X"}).status_code == 403
    assert not Zone.objects.exists()


def test_ops_add_a_zone_to_any_site(mds, signed_in):
    client = signed_in(agent_with_role(Role.OPS))
    response = client.post(
        reverse("sites:zone_create", kwargs={"slug": "arles"}),
        {"kind": ZoneKind.WAITING_ROOM, "name": "Salle d'attente RDC", "floor": "RDC"},
    )
    assert response.status_code == 302
    assert Zone.objects.get().site.mds == mds


def test_a_zone_name_is_unique_in_its_site_whatever_the_case(mds, signed_in):
    ZoneFactory(site=mds.sites.get(), name="Salle d'attente")
    client = signed_in(agent_with_role(Role.MDS_MANAGER, mds))
    response = client.post(
        reverse("sites:zone_create", kwargs={"slug": "arles"}), {"kind": "waiting_room", "name": "SALLE D'ATTENTE"}
    )
    assert response.status_code == 200
    assert Zone.objects.count() == 1


def test_a_manager_sets_the_phone_and_opening_hours_together(mds, signed_in):
    client = signed_in(agent_with_role(Role.MDS_MANAGER, mds))
    services = ServiceFactory(code="pmi")
    data = {"phone": "04 90 00 00 00", "email": "mds.arles@departement.test", "kind": "", "commune": "Arles",
            "services": [services.pk]}  # fmt: skip
    data |= _formset(rows=[{"weekday": "1", "opens": "08:30", "closes": "12:00"}])
    response = client.post(reverse("sites:mds_edit", kwargs={"slug": mds.slug}), data)
    assert response.status_code == 302
    mds.refresh_from_db()
    assert mds.phone == "+33490000000"  # stored in E.164, whatever the spaces typed
    assert list(mds.services.values_list("code", flat=True)) == ["pmi"]
    assert OpeningPeriod.objects.filter(mds=mds).count() == 1


def test_hours_that_close_before_they_open_save_nothing_at_all(mds, signed_in):
    client = signed_in(agent_with_role(Role.MDS_MANAGER, mds))
    data = {"phone": "04 90 00 00 00", "commune": "Arles"}
    data |= _formset(rows=[{"weekday": "1", "opens": "14:00", "closes": "09:00"}])
    response = client.post(reverse("sites:mds_edit", kwargs={"slug": mds.slug}), data)
    assert response.status_code == 200
    mds.refresh_from_db()
    assert mds.phone == ""
    assert not OpeningPeriod.objects.exists()


def test_deleting_a_zone_asks_first_then_removes_it(mds, signed_in):
    zone = ZoneFactory(site=mds.sites.get())
    client = signed_in(agent_with_role(Role.MDS_MANAGER, mds))
    url = reverse("sites:zone_delete", kwargs={"pk": zone.pk})
    assert client.get(url).status_code == 200
    assert Zone.objects.filter(pk=zone.pk).exists()
    assert client.post(url).status_code == 302
    assert not Zone.objects.filter(pk=zone.pk).exists()


def test_edit_links_show_only_to_those_who_may_edit(mds, signed_in, client):
    url = reverse("sites:mds_detail", kwargs={"slug": mds.slug})
    edit = reverse("sites:mds_edit", kwargs={"slug": mds.slug})
    assert edit in signed_in(agent_with_role(Role.MDS_MANAGER, mds)).get(url).content.decode()
    client.logout()
    assert edit not in signed_in(agent_with_role(Role.RECEPTION, mds)).get(url).content.decode()
