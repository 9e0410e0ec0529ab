"""Importing from the back-office: upload, read the report, confirm; the confirmation imports what was checked."""

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from sites.roles import Role
from tests.conftest import sign_in
from tests.factories import MdsFactory, SiteFactory, agent_with_role
from tests.wifi.factories import AccessPointFactory
from wifi.models import AccessPoint, InventoryImport

pytestmark = pytest.mark.django_db

IMPORT = reverse("wifi:inventory_import")
CONFIRM = reverse("wifi:inventory_import_confirm")


@pytest.fixture
def site():
    return SiteFactory(slug="arles")


@pytest.fixture
def ops(signed_in):
    return signed_in(agent_with_role(Role.OPS))


def _upload(*lines, header="site;label;serial_number;credential_name", encoding="cp1252"):
    content = "\r\n".join([header, *lines, ""]).encode(encoding)
    return SimpleUploadedFile("bornes.csv", content, content_type="text/csv")


def _check(client, *lines, partial=False, **kwargs):
    data = {"file": _upload(*lines, **kwargs)} | ({"partial": "on"} if partial else {})
    return client.post(IMPORT, data)


def test_ops_check_a_file_then_confirm_it(site, ops):
    """The report comes first, in French, with the encoding read; nothing is written until the confirmation."""
    response = _check(ops, "arles;Borne é;SN-1;", "arles;Borne 2;SN-2;x", "arles;Borne 3;SN-3;x")

    html = response.content.decode()
    assert response.status_code == 200
    assert "Fichier lu en Windows-1252" in html
    assert "3 bornes à créer" in html
    assert "2 lignes (3, 4)" in html  # the grouped warning about the set "x"
    assert not AccessPoint.objects.exists()

    token = response.context["confirm_form"].initial["token"]
    confirmed = ops.post(CONFIRM, {"token": token}, follow=True)

    assert "Import terminé\xa0: 3 créées" in confirmed.content.decode()
    assert AccessPoint.objects.get(serial_number="SN-1").label == "Borne é"
    assert InventoryImport.objects.get().created == 3


def test_a_file_with_errors_shows_each_line_and_offers_no_confirmation(site, ops):
    response = _check(ops, "arles;A;SN-1;", "lyon;B;SN-2;")
    html = response.content.decode()
    assert "Site inconnu «\xa0lyon\xa0»." in html
    assert response.context["confirm_form"] is None
    assert not AccessPoint.objects.exists()


def test_partial_imports_the_valid_lines_after_confirmation(site, ops):
    response = _check(ops, "arles;A;SN-1;", "lyon;B;SN-2;", partial=True)
    ops.post(CONFIRM, {"token": response.context["confirm_form"].initial["token"]})
    assert list(AccessPoint.objects.values_list("serial_number", flat=True)) == ["SN-1"]


def test_the_confirmation_imports_nothing_when_the_inventory_changed_since_the_check(site, ops):
    """The new report is shown to be confirmed again: nobody imports what they did not see."""
    ap = AccessPointFactory(site=site, serial_number="SN-1", label="A")
    response = _check(ops, "arles;B;SN-1;", "arles;C;SN-2;")
    AccessPoint.objects.filter(pk=ap.pk).update(label="B")

    again = ops.post(CONFIRM, {"token": response.context["confirm_form"].initial["token"]})

    assert "L’inventaire a changé depuis la vérification" in again.content.decode()
    assert not AccessPoint.objects.filter(serial_number="SN-2").exists()
    again_token = again.context["confirm_form"].initial["token"]
    ops.post(CONFIRM, {"token": again_token})
    assert AccessPoint.objects.filter(serial_number="SN-2").exists()


def test_a_token_is_good_once_and_only_for_whoever_checked_the_file(site, ops):
    token = _check(ops, "arles;A;SN-1;").context["confirm_form"].initial["token"]
    colleague = sign_in(Client(), agent_with_role(Role.OPS))

    refused = colleague.post(CONFIRM, {"token": token}, follow=True)
    assert "Cette vérification a expiré" in refused.content.decode()
    assert not AccessPoint.objects.exists()

    ops.post(CONFIRM, {"token": token})
    ops.post(CONFIRM, {"token": token})
    assert AccessPoint.objects.count() == 1 and InventoryImport.objects.count() == 1


def test_a_file_over_the_size_limit_is_refused_unread(site, ops, settings):
    settings.WIFI_IMPORT_MAX_BYTES = 60
    response = _check(ops, "arles;A;SN-1;", "arles;B;SN-2;")
    assert "Le fichier est trop volumineux" in response.content.decode()
    assert "report" not in response.context
    assert not AccessPoint.objects.exists()


def test_the_forms_need_the_csrf_token(site):
    client = sign_in(Client(enforce_csrf_checks=True), agent_with_role(Role.OPS))
    assert client.post(IMPORT, {"file": _upload("arles;A;SN-1;")}).status_code == 403
    assert client.post(CONFIRM, {"token": "x"}).status_code == 403


@pytest.mark.parametrize("role", [Role.RECEPTION, Role.MDS_MANAGER, Role.PROGRAMME])
def test_only_who_may_edit_the_inventory_may_import(site, signed_in, role):
    mds = site.mds if role in (Role.RECEPTION, Role.MDS_MANAGER) else None
    client = signed_in(agent_with_role(role, mds))
    assert client.get(IMPORT).status_code == 403
    assert _check(client, "arles;A;SN-1;").status_code == 403
    assert not AccessPoint.objects.exists()


def test_a_local_agent_sees_the_lines_of_other_mds_refused(signed_in):
    """An agent allowed to edit the inventory of one MDS imports there only; other MDS's lines are line errors."""
    group = Group.objects.get(name=Role.MDS_MANAGER.group_name)
    group.permissions.add(*Permission.objects.filter(codename__in=["add_accesspoint", "change_accesspoint"]))
    mds = MdsFactory()
    SiteFactory(mds=mds, slug="alpha")
    SiteFactory(mds=MdsFactory(), slug="bravo")
    client = signed_in(agent_with_role(Role.MDS_MANAGER, mds))

    response = _check(client, "alpha;A;SN-1;", "bravo;B;SN-2;", partial=True)
    assert "Vous ne pouvez pas modifier les bornes du site «\xa0bravo\xa0»." in response.content.decode()
    client.post(CONFIRM, {"token": response.context["confirm_form"].initial["token"]})
    assert list(AccessPoint.objects.values_list("site__slug", flat=True)) == ["alpha"]


def test_the_check_costs_the_same_queries_for_5_lines_or_100(site, ops, django_assert_max_num_queries):
    """The report page makes no query per line."""
    _check(ops, *(f"arles;Borne {i};SN-{i};" for i in range(5)))  # warms the session and permission caches
    with django_assert_max_num_queries(14):
        _check(ops, *(f"arles;Borne {i};SN-{i};" for i in range(100)))


def test_the_inventory_page_links_to_the_import_for_who_may_import(site, ops, signed_in):
    assert IMPORT in ops.get(reverse("wifi:inventory")).content.decode()
    reader = signed_in(agent_with_role(Role.PROGRAMME))
    assert IMPORT not in reader.get(reverse("wifi:inventory")).content.decode()
