"""The inventory CSV: checked line by line, all-or-nothing unless partial, upserted by serial, round-trips."""

import datetime
import io

import pytest

from core.csv import csv_text
from tests.factories import SiteFactory, ZoneFactory
from tests.wifi.factories import AccessPointFactory
from wifi.inventory import aps_export
from wifi.inventory_import import COLUMNS, LineStatus, aps_import
from wifi.models import AccessPoint, Lifecycle

pytestmark = pytest.mark.django_db

HEADER = (
    "site;zone;label;vendor;model;serial_number;mac_address;management_address;probe_kind;probe_port;lifecycle;"
    "installed_on"
)


def _file(*lines: str, header: str = HEADER, bom: bool = False) -> io.BytesIO:
    text = "\n".join([header, *lines]) + "\n"
    return io.BytesIO((("\ufeff" if bom else "") + text).encode())


@pytest.fixture
def site():
    site = SiteFactory(slug="arles", name="MDS Arles")
    ZoneFactory(site=site, name="Salle d'attente")
    return site


def _good(serial="SN-1", mac="F0-9F-C2-00-00-01", label="Borne attente"):
    return f"arles;Salle d'attente;{label};Ubiquiti;U6-Lite;{serial};{mac};10.0.0.1;snmp_v2c;161;in_service;03/02/2025"


def test_a_valid_file_creates_the_access_points(site):
    """Each line becomes an access point of its site and zone, French and ISO dates alike."""
    report = aps_import(
        actor=None, file=_file(_good(), "arles;;Borne bureau;;;SN-2;;;;;planned;2025-01-15"), partial=False
    )

    assert report.imported and not report.has_errors
    assert [line.status for line in report.lines] == [LineStatus.CREATED, LineStatus.CREATED]
    ap = AccessPoint.objects.get(serial_number="SN-1")
    assert (ap.site, ap.zone.name, ap.label, ap.hardware_model) == (site, "Salle d'attente", "Borne attente", "U6-Lite")
    assert (ap.mac_address, ap.probe_kind, ap.probe_port) == ("f0:9f:c2:00:00:01", "snmp_v2c", 161)
    assert (ap.lifecycle, ap.installed_on) == (Lifecycle.IN_SERVICE, datetime.date(2025, 2, 3))
    other = AccessPoint.objects.get(serial_number="SN-2")
    assert (other.zone, other.mac_address, other.probe_kind, other.installed_on) == (
        None,
        None,
        "tcp",
        datetime.date(2025, 1, 15),
    )


def test_one_bad_line_imports_nothing_and_each_error_is_reported_with_its_line(site):
    """Bad MAC, unknown site, duplicate serial: nothing written, one message per faulty line."""
    report = aps_import(
        actor=None,
        file=_file(
            _good(serial="SN-1", mac="f0:9f:c2:00:00:01", label="A"),  # line 2: fine
            _good(serial="SN-2", mac="not-a-mac", label="B"),  # line 3
            "nimes;;C;;;SN-3;;;;;;",  # line 4
            _good(serial="SN-4", mac="f0:9f:c2:00:00:04", label="D"),  # line 5 and 6: same serial
            _good(serial="SN-4", mac="f0:9f:c2:00:00:05", label="E"),
        ),
        partial=False,
    )

    assert AccessPoint.objects.count() == 0
    assert report.refused and not report.imported
    by_line = {line.line: line for line in report.lines}
    assert by_line[2].status == LineStatus.CREATED and by_line[2].errors == []
    assert "not-a-mac" in by_line[3].errors[0]
    assert "nimes" in by_line[4].errors[0]
    assert "SN-4" in by_line[5].errors[0] and "SN-4" in by_line[6].errors[0]
    assert report.errors == 4


def test_partial_imports_the_valid_lines_only(site):
    report = aps_import(
        actor=None, file=_file(_good(serial="SN-1"), _good(serial="SN-2", mac="zz", label="B")), partial=True
    )

    assert report.imported
    assert (report.created, report.errors) == (1, 1)
    assert list(AccessPoint.objects.values_list("serial_number", flat=True)) == ["SN-1"]


def test_importing_the_same_file_twice_changes_nothing_the_second_time(site):
    aps_import(actor=None, file=_file(_good(serial="SN-1"), _good(serial="SN-2", mac="", label="B")), partial=False)
    before = list(AccessPoint.objects.order_by("pk").values())

    report = aps_import(
        actor=None, file=_file(_good(serial="SN-1"), _good(serial="SN-2", mac="", label="B")), partial=False
    )

    assert [line.status for line in report.lines] == [LineStatus.UNCHANGED, LineStatus.UNCHANGED]
    assert list(AccessPoint.objects.order_by("pk").values()) == before


def test_an_existing_serial_is_updated_with_the_columns_given_only(site):
    """Columns absent from the file keep what the database holds."""
    ap = AccessPointFactory(site=site, serial_number="SN-1", label="Ancien", notes="Au plafond", vendor="Cisco")

    report = aps_import(actor=None, file=_file("arles;Nouveau;SN-1", header="site;label;serial_number"), partial=False)

    assert report.lines[0].status == LineStatus.UPDATED and report.lines[0].changed == ["label"]
    ap.refresh_from_db()
    assert (ap.label, ap.notes, ap.vendor) == ("Nouveau", "Au plafond", "Cisco")


@pytest.mark.parametrize(
    ("written", "stored"),
    [
        ("F0-9F-C2-AB-CD-EF", "f0:9f:c2:ab:cd:ef"),
        ("f09f.c2ab.cdef", "f0:9f:c2:ab:cd:ef"),
        ("F09FC2ABCDEF", "f0:9f:c2:ab:cd:ef"),
        (" f0:9f:c2:ab:cd:ef ", "f0:9f:c2:ab:cd:ef"),
    ],
)
def test_mac_addresses_are_stored_in_one_form(site, written, stored):
    aps_import(actor=None, file=_file(_good(mac=written)), partial=False)
    assert AccessPoint.objects.get().mac_address == stored


def test_a_mac_address_used_by_another_access_point_is_refused(site):
    AccessPointFactory(site=site, serial_number="SN-OLD", mac_address="f0:9f:c2:00:00:01", label="Vieille")

    report = aps_import(actor=None, file=_file(_good(serial="SN-NEW", mac="F0:9F:C2:00:00:01")), partial=False)

    assert "SN-OLD" in report.lines[0].errors[0]
    assert not AccessPoint.objects.filter(serial_number="SN-NEW").exists()


@pytest.mark.parametrize(
    ("line", "message_part"),
    [
        ("arles;Cuisine;A;;;SN-1;;;;;;", "Cuisine"),
        ("arles;;A;;;SN-1;;;carrier_pigeon;;;", "carrier_pigeon"),
        ("arles;;A;;;SN-1;;;;;installed_maybe;", "installed_maybe"),
        ("arles;;A;;;SN-1;;;;;;31/02/2025", "31/02/2025"),
        ("arles;;A;;;SN-1;;;;70000;;", "70000"),
        ("arles;;;;;SN-1;;;;;;", "label"),
        ("arles;;A;;;SN-1;;;;;in_service;", "management_address"),  # the model's clean(): nothing to poll
    ],
)
def test_each_kind_of_bad_value_is_reported(site, line, message_part):
    report = aps_import(actor=None, file=_file(line), partial=False)
    assert report.lines[0].status == LineStatus.ERROR
    assert message_part in " ".join(report.lines[0].errors)
    assert not AccessPoint.objects.exists()


def test_a_label_taken_in_the_site_by_another_access_point_is_refused(site):
    AccessPointFactory(site=site, serial_number="SN-OLD", label="Borne attente")
    report = aps_import(actor=None, file=_file(_good(serial="SN-NEW")), partial=False)
    assert "SN-OLD" in report.lines[0].errors[0]


def test_a_file_without_the_required_columns_is_refused_as_a_whole(site):
    report = aps_import(actor=None, file=_file("arles;A", header="site;label"), partial=True)
    assert report.file_errors and report.refused and not report.lines
    assert not AccessPoint.objects.exists()


def test_a_comma_separated_file_with_a_bom_is_read(site):
    file = _file("arles,Borne,SN-1,AA:BB:CC:DD:EE:FF", header="site,label,serial_number,mac_address", bom=True)
    report = aps_import(actor=None, file=file, partial=False)
    assert report.imported
    assert AccessPoint.objects.get().mac_address == "aa:bb:cc:dd:ee:ff"


def test_a_dry_run_writes_nothing(site):
    report = aps_import(actor=None, file=_file(_good()), partial=False, dry_run=True)
    assert report.created == 1 and not report.imported
    assert not AccessPoint.objects.exists()


def test_rows_can_be_given_instead_of_a_file(site):
    report = aps_import(actor=None, rows=[{"site": "arles", "label": "A", "serial_number": "SN-1"}], partial=False)
    assert report.lines[0].line == 2
    assert AccessPoint.objects.get().label == "A"


def _varied_access_points(site):
    zone = site.zones.get()
    AccessPointFactory(
        site=site, zone=zone, label="=SUM(A1)", notes="Au plafond; côté fenêtre\nsecond line", probe_port=8443,
        lifecycle=Lifecycle.ACCEPTED, planned_on=datetime.date(2024, 11, 1), accepted_on=datetime.date(2025, 3, 2),
        credential_name="snmp-office", probe_kind="snmp_v3",
        probe_settings={"if_indexes": [1, 2], "clients_oid": "1.3.6.1.4.1.41112.1.6.1.2.1.8", "clients_oid_walk": True},
    )  # fmt: skip
    AccessPointFactory(site=site, zone=None, label="Borne, bureau", mac_address=None, lifecycle=Lifecycle.PLANNED)
    AccessPointFactory(site=SiteFactory(slug="tarascon"), lifecycle=Lifecycle.IN_SERVICE)


_COMPARED = [
    "site_id", "zone_id", "label", "vendor", "hardware_model", "serial_number", "mac_address",
    "management_address", "probe_kind", "probe_port", "credential_name", "lifecycle", "planned_on",
    "ordered_on", "installed_on", "accepted_on", "in_service_on", "notes", "probe_settings",
]  # fmt: skip


def _snapshot():
    return list(AccessPoint.objects.order_by("serial_number").values(*_COMPARED))


def test_an_export_imports_back_to_the_same_access_points(site):
    """Export, empty the table, import the export: the same rows come back."""
    _varied_access_points(site)
    before = _snapshot()
    exported = csv_text(aps_export(AccessPoint.objects.all()))
    AccessPoint.objects.all().delete()

    report = aps_import(actor=None, file=io.StringIO(exported), partial=False)

    assert report.imported and report.created == 3, report.lines
    assert _snapshot() == before


def test_importing_an_export_into_the_same_database_changes_nothing(site):
    _varied_access_points(site)
    exported = csv_text(aps_export(AccessPoint.objects.all()))

    report = aps_import(actor=None, file=io.BytesIO(("\ufeff" + exported).encode()), partial=False)

    assert {line.status for line in report.lines} == {LineStatus.UNCHANGED}


def test_the_export_defuses_spreadsheet_formulas(site):
    _varied_access_points(site)
    rows = list(aps_export(AccessPoint.objects.filter(label__startswith="=")))
    assert rows[0] == list(COLUMNS)
    assert rows[1][list(COLUMNS).index("label")] == "'=SUM(A1)"
