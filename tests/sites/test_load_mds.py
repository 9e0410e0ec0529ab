import json

import pytest
from auditlog.models import LogEntry
from django.conf import settings
from django.core.management import CommandError, call_command

from sites.models import Mds, Site, Zone
from tests.factories import ZoneFactory

pytestmark = pytest.mark.django_db

DURANCE_ALPILLES = 16


def test_load_mds_loads_the_27_mds_and_their_29_sites():
    call_command("load_mds", verbosity=0)
    assert Mds.objects.count() == 27
    assert Site.objects.count() == 29
    assert list(Mds.objects.values_list("number", flat=True)) == list(range(1, 28))
    assert Mds.objects.get(number=1).name == "Pressensé"
    assert Mds.objects.get(number=27).name == "Vitrolles"
    assert Mds.objects.get(number=DURANCE_ALPILLES).sites.count() == 3
    assert Mds.objects.filter(number__lte=13, commune="Marseille").count() == 13


def test_load_mds_invents_nothing_the_seeds_do_not_say():
    """No addresses, coordinates or kinds are in the sources: they stay empty, to be completed."""
    call_command("load_mds", verbosity=0)
    assert not Site.objects.exclude(street="").exists()
    assert not Site.objects.filter(latitude__isnull=False).exists()
    assert not Mds.objects.exclude(kind="").exists()
    assert list(Site.objects.filter(mds__number=DURANCE_ALPILLES).values_list("name", flat=True)) == ["", "", ""]


def test_running_load_mds_twice_changes_nothing(capsys):
    call_command("load_mds", verbosity=0)
    before = list(Site.objects.values("pk", "name", "updated_at"))
    log_entries = LogEntry.objects.count()

    call_command("load_mds")

    assert "0 créé, 0 champ vide complété, 56 déjà à jour" in capsys.readouterr().out
    assert list(Site.objects.values("pk", "name", "updated_at")) == before
    assert LogEntry.objects.count() == log_entries


def test_load_mds_keeps_what_agents_completed_and_deletes_nothing():
    call_command("load_mds", verbosity=0)
    site = Site.objects.get(mds__number=DURANCE_ALPILLES, number=1)
    site.name, site.street = "Site de Châteaurenard (saisi par un agent)", "1 avenue Test"
    site.save()
    pressense = Mds.objects.get(number=1)
    pressense.name = "Pressensé (renommée)"
    pressense.save()
    ZoneFactory(site=site, name="Salle d'attente")

    call_command("load_mds", verbosity=0)

    site.refresh_from_db()
    assert site.name == "Site de Châteaurenard (saisi par un agent)"
    assert site.street == "1 avenue Test"
    assert Mds.objects.get(number=1).name == "Pressensé (renommée)"
    assert Zone.objects.filter(site=site).count() == 1


def test_load_mds_fills_fields_a_newer_data_file_provides(tmp_path):
    call_command("load_mds", verbosity=0)
    data = json.loads(settings.MDS_DATA_FILE.read_text(encoding="utf-8"))
    data["mds"][14]["sites"][0]["postal_code"] = "13200"
    newer = tmp_path / "mds.json"
    newer.write_text(json.dumps(data), encoding="utf-8")

    call_command("load_mds", str(newer), verbosity=0)

    assert Site.objects.get(mds__number=15).postal_code == "13200"


def test_a_broken_data_file_is_refused_with_a_message_and_loads_nothing(tmp_path):
    broken = tmp_path / "mds.json"
    broken.write_text(json.dumps({"mds": [{"number": 1, "slug": "a"}, {"number": 1, "slug": "b"}]}))
    with pytest.raises(CommandError, match="unique 'number'"):
        call_command("load_mds", str(broken), verbosity=0)
    assert not Mds.objects.exists()
