"""An MDS's phone is kept in E.164 and shown the French way with a tel: link; a site's postal code is checked;
the data file and the migration of older rows go through the same rules."""

import importlib
import json

import pytest
from django.apps import apps
from django.conf import settings
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import translation

from sites.models import Mds, Site
from sites.roles import Role
from tests.captive_portal.factories import SitePortalFactory
from tests.factories import MdsFactory, SiteFactory, agent_with_role
from tests.platform.forms_page import FormPage

pytestmark = pytest.mark.django_db


def _mds_form(phone: str) -> dict:
    return {"kind": "", "commune": "Arles", "phone": phone, "email": "", "opening_periods-TOTAL_FORMS": "0",
            "opening_periods-INITIAL_FORMS": "0"}  # fmt: skip


@pytest.mark.parametrize(
    ("typed", "stored", "shown"),
    [
        ("04.13.31.20.00", "+33413312000", "04 13 31 20 00"),
        ("+33 6 12 34 56 78", "+33612345678", "06 12 34 56 78"),
        ("0033612345678", "+33612345678", "06 12 34 56 78"),
        ("0262 12 34 56", "+262262123456", "0262 12 34 56"),
        ("+32 2 555 12 12", "+3225551212", "+32 2 555 12 12"),
    ],
)
def test_a_phone_saved_on_the_mds_page_is_stored_in_e164_and_shown_the_french_way(typed, stored, shown, signed_in):
    mds = MdsFactory(phone="")
    client = signed_in(agent_with_role(Role.MDS_MANAGER, mds))
    response = client.post(reverse("sites:mds_edit", args=[mds.slug]), _mds_form(typed))
    assert response.status_code == 302
    mds.refresh_from_db()
    assert mds.phone == stored
    detail = client.get(reverse("sites:mds_detail", args=[mds.slug])).content.decode()
    assert f'<a href="tel:{stored}">{shown}</a>' in detail
    edit = FormPage(client.get(reverse("sites:mds_edit", args=[mds.slug])).content.decode())
    assert edit.value("phone") == shown  # the agent reads back the number as they would write it
    assert edit.control("phone").attrs["type"] == "tel"


@pytest.mark.parametrize("typed", ["04 13 31 ab", "06 12", "+33 6 12"])
def test_a_phone_that_does_not_exist_is_refused_and_nothing_is_saved(typed, signed_in):
    mds = MdsFactory(phone="+33413312000")
    client = signed_in(agent_with_role(Role.MDS_MANAGER, mds))
    response = client.post(reverse("sites:mds_edit", args=[mds.slug]), _mds_form(typed), HTTP_ACCEPT_LANGUAGE="fr")
    assert response.status_code == 200
    page = FormPage(response.content.decode())
    assert page.value("phone") == typed
    assert "téléphone" in page.described_by("phone")
    mds.refresh_from_db()
    assert mds.phone == "+33413312000"


def test_the_portal_page_shows_the_mds_phone_the_french_way_with_a_tel_link(client):
    call_command("load_portal_content", verbosity=0)
    SitePortalFactory(site__slug="arles", site__mds__phone="04 13 31 20 00")
    assert Mds.objects.get().phone == "+33413312000"  # whatever writes it (here a factory), E.164 is stored
    page = client.get(reverse("captive_portal:splash", kwargs={"slug": "arles"})).content.decode()
    assert '<a href="tel:+33413312000" dir="ltr">04 13 31 20 00</a>' in page


@pytest.mark.parametrize(("typed", "stored"), [("13001", "13001"), ("13 200", "13200"), ("20000", "20000"),
                                               ("97400", "97400")])  # fmt: skip
def test_a_french_postal_code_is_saved_as_its_five_digits(typed, stored, signed_in):
    site = SiteFactory(slug="arles", postal_code="")
    client = signed_in(agent_with_role(Role.MDS_MANAGER, site.mds))
    data = {"name": "Arles centre", "street": "5 rue Test", "postal_code": typed, "commune": "Arles"}
    assert client.post(reverse("sites:site_edit", args=["arles"]), data).status_code == 302
    site.refresh_from_db()
    assert site.postal_code == stored


@pytest.mark.parametrize("typed", ["2A000", "00000", "99999", "1300", "130011", "13-001"])
def test_a_postal_code_that_is_not_french_is_refused_and_nothing_is_saved(typed, signed_in):
    site = SiteFactory(slug="arles", postal_code="13200", street="")
    client = signed_in(agent_with_role(Role.MDS_MANAGER, site.mds))
    data = {"name": "Arles centre", "street": "5 rue Test", "postal_code": typed, "commune": "Arles"}
    response = client.post(reverse("sites:site_edit", args=["arles"]), data, HTTP_ACCEPT_LANGUAGE="fr")
    assert response.status_code == 200
    page = FormPage(response.content.decode())
    assert page.value("postal_code") == typed and page.value("street") == "5 rue Test"
    assert "code postal" in page.described_by("postal_code").replace("codes postaux", "code postal")
    site.refresh_from_db()
    assert (site.postal_code, site.street) == ("13200", "")


def test_the_data_file_still_loads_and_its_numbers_are_normalised(tmp_path):
    data = json.loads(settings.MDS_DATA_FILE.read_text(encoding="utf-8"))
    data["mds"][0]["phone"] = "04 91 00 00 00"
    data["mds"][0]["sites"][0]["postal_code"] = "13 003"
    newer = tmp_path / "mds.json"
    newer.write_text(json.dumps(data), encoding="utf-8")
    call_command("load_mds", str(newer), verbosity=0)
    assert Mds.objects.count() == 27
    assert Mds.objects.get(number=1).phone == "+33491000000"
    assert Site.objects.get(mds__number=1, number=1).postal_code == "13003"


def test_a_data_file_with_a_wrong_postal_code_is_refused_with_where_and_why(tmp_path):
    data = json.loads(settings.MDS_DATA_FILE.read_text(encoding="utf-8"))
    data["mds"][2]["sites"][0]["postal_code"] = "2A004"
    broken = tmp_path / "mds.json"
    broken.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(CommandError, match=r"belle-de-mai.*postal_code.*20"):
        call_command("load_mds", str(broken), verbosity=0)
    assert not Mds.objects.exists()  # all or nothing


def test_the_migration_normalises_older_rows_and_reports_those_it_cannot_read():
    """Rows written before the check: valid ones become E.164 / five digits, the others stay and are listed."""
    good, bad = MdsFactory(number=1, name="Pressensé"), MdsFactory(number=2, name="Littoral")
    Mds.objects.filter(pk=good.pk).update(phone="04 91 00 00 00")  # .update(): as the rows were stored
    Mds.objects.filter(pk=bad.pk).update(phone="04 13 31 ab")
    spaced, corsican = SiteFactory(mds=good, slug="pressense"), SiteFactory(mds=bad, slug="littoral")
    Site.objects.filter(pk=spaced.pk).update(postal_code="13 003")
    Site.objects.filter(pk=corsican.pk).update(postal_code="2A004")
    migration = importlib.import_module("sites.migrations.0004_phone_e164_postal_code_checked")
    printed = []

    left = migration.normalise_contact_data(apps, None, out=printed.append)

    assert Mds.objects.get(pk=good.pk).phone == "+33491000000"
    assert Mds.objects.get(pk=bad.pk).phone == "04 13 31 ab"
    assert Site.objects.get(pk=spaced.pk).postal_code == "13003"
    assert Site.objects.get(pk=corsican.pk).postal_code == "2A004"
    assert left == ["MDS 2. Littoral: phone '04 13 31 ab'", "site littoral: postal code '2A004'"]
    assert "04 13 31 ab" in printed[0] and "2A004" in printed[0]


def test_an_older_invalid_phone_or_postal_code_is_listed_as_to_correct():
    """What the migration could not convert shows among what the MDS page and the site still need."""
    site = SiteFactory(postal_code="13001", mds=MdsFactory(phone="04 13 31 20 00"))
    assert not any("valid" in str(label) for label in site.missing_information() + site.mds.missing_information())
    Mds.objects.filter(pk=site.mds.pk).update(phone="04 13 31 ab")
    Site.objects.filter(pk=site.pk).update(postal_code="2A004")
    site = Site.objects.select_related("mds").get(pk=site.pk)
    with translation.override("fr"):
        assert "téléphone (numéro invalide\u00a0: à corriger)" in [str(x) for x in site.mds.missing_information()]
        assert "code postal (invalide\u00a0: à corriger)" in [str(x) for x in site.missing_information()]
