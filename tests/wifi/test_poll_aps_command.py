"""`manage.py poll_aps`: one round now, a readable table and a summary."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from tests.factories import SiteFactory
from tests.wifi.factories import AccessPointFactory
from wifi.models import HealthSample, Lifecycle

pytestmark = pytest.mark.django_db


def run(*args):
    out = StringIO()
    call_command("poll_aps", *args, "--timeout", "0.3", "--retries", "0", stdout=out)
    return out.getvalue()


def test_polls_one_site_and_prints_a_table(tcp_listener, closed_port):
    site, other = SiteFactory(slug="mds-nord"), SiteFactory()
    AccessPointFactory(site=site, label="Accueil", probe_kind="tcp", probe_port=tcp_listener)
    AccessPointFactory(site=site, label="Salle 2", probe_kind="tcp", probe_port=closed_port)
    AccessPointFactory(site=other, label="Elsewhere", probe_port=tcp_listener)

    output = run("--site", "mds-nord")

    lines = output.splitlines()
    assert lines[0].split()[:3] == ["borne", "site", "méthode"]
    accueil = next(line for line in lines if line.startswith("Accueil"))
    assert "mds-nord" in accueil and " oui " in accueil and "Joignable" in accueil
    salle = next(line for line in lines if line.startswith("Salle 2"))
    assert " non " in salle and "Connexion refusée" in salle
    assert "Elsewhere" not in output
    assert "2 interrogées, 1 joignable, 0 incident ouvert, 0 fermé" in lines[-1]
    assert HealthSample.objects.count() == 2


def test_one_ap_by_serial_even_before_service(tcp_listener):
    """--ap polls the named AP whatever its lifecycle step: useful during acceptance."""
    AccessPointFactory(serial_number="SN-RECETTE", lifecycle=Lifecycle.INSTALLED, probe_port=tcp_listener)
    AccessPointFactory(probe_port=tcp_listener)
    output = run("--ap", "SN-RECETTE")
    assert "1 interrogée, 1 joignable" in output
    assert HealthSample.objects.get().access_point.serial_number == "SN-RECETTE"


def test_unknown_serial_is_an_error():
    with pytest.raises(CommandError, match="SN-NOPE"):
        run("--ap", "SN-NOPE")
