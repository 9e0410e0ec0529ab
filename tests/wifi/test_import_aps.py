"""`manage.py import_aps`: a report, a summary, and a failing exit status when nothing could be imported."""

import pytest
from django.core.management import CommandError, call_command

from tests.factories import SiteFactory
from wifi.models import AccessPoint

pytestmark = pytest.mark.django_db

HEADER = "site;label;serial_number;mac_address"


@pytest.fixture
def csv_file(tmp_path):
    SiteFactory(slug="arles")

    def _write(*lines):
        path = tmp_path / "bornes.csv"
        path.write_text("\n".join([HEADER, *lines]) + "\n", encoding="utf-8")
        return path

    return _write


def test_the_command_imports_and_summarises(csv_file, capsys):
    path = csv_file("arles;Borne 1;SN-1;aa:bb:cc:dd:ee:01", "arles;Borne 2;SN-2;")
    call_command("import_aps", str(path))
    out, err = capsys.readouterr()
    assert "2 créées, 0 modifiée, 0 inchangée, 0 en erreur" in out
    assert "2/2" in err  # the progress bar
    assert AccessPoint.objects.count() == 2

    call_command("import_aps", str(path))
    assert "0 créée, 0 modifiée, 2 inchangées" in capsys.readouterr().out


def test_an_error_fails_the_command_and_imports_nothing(csv_file, capsys):
    path = csv_file("arles;Borne 1;SN-1;aa:bb:cc:dd:ee:01", "arles;Borne 2;SN-2;pas-une-mac")
    with pytest.raises(CommandError):
        call_command("import_aps", str(path))
    out = capsys.readouterr().out
    assert "ligne 3 (SN-2)" in out and "pas-une-mac" in out
    assert not AccessPoint.objects.exists()


def test_partial_imports_the_good_lines(csv_file, capsys):
    path = csv_file("arles;Borne 1;SN-1;aa:bb:cc:dd:ee:01", "lyon;Borne 2;SN-2;")
    call_command("import_aps", str(path), "--partial")
    assert "1 créée, 0 modifiée, 0 inchangée, 1 en erreur" in capsys.readouterr().out
    assert list(AccessPoint.objects.values_list("serial_number", flat=True)) == ["SN-1"]


def test_dry_run_writes_nothing(csv_file, capsys):
    call_command("import_aps", str(csv_file("arles;Borne 1;SN-1;")), "--dry-run")
    assert "Le fichier serait importé" in capsys.readouterr().out
    assert not AccessPoint.objects.exists()


def test_a_missing_file_is_an_error(tmp_path):
    with pytest.raises(CommandError):
        call_command("import_aps", str(tmp_path / "absent.csv"))


def test_the_command_says_the_encoding_and_groups_warnings(tmp_path, capsys):
    """A French Excel file is read as Windows-1252, and 3 lines naming the same missing set are one warning."""
    SiteFactory(slug="arles")
    path = tmp_path / "bornes.csv"
    lines = ["site;label;serial_number;credential_name", *(f"arles;Borne é {i};SN-{i};x" for i in range(3))]
    path.write_bytes("\r\n".join(lines).encode("cp1252"))

    call_command("import_aps", str(path))

    out = capsys.readouterr().out
    assert "Lu en Windows-1252." in out
    assert out.count("WIFI_CREDENTIALS") == 1 and "3 lignes (2, 3, 4)" in out
    assert AccessPoint.objects.filter(label__startswith="Borne é").count() == 3
