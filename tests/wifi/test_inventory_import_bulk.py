"""The inventory import at scale: French Excel encodings, probe settings from the CSV, bulk writes, one audit
entry, grouped warnings, a fixed number of queries, scoped agents, and a confirmation that must match its check."""

import io

import pytest
from auditlog.models import LogEntry
from django.contrib.auth.models import Group, Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext

from sites.roles import Role
from tests.factories import MdsFactory, SiteFactory, agent_with_role
from tests.wifi.factories import AccessPointFactory
from wifi.inventory_import import LineStatus, aps_import
from wifi.models import AccessPoint, Health, InventoryImport

pytestmark = pytest.mark.django_db

UNIFI_OID = "1.3.6.1.4.1.41112.1.6.1.2.1.8"


@pytest.fixture
def site():
    return SiteFactory(slug="arles")


def _bytes(lines: list[str], *, header: str = "site;label;serial_number", encoding: str = "utf-8") -> io.BytesIO:
    return io.BytesIO("\r\n".join([header, *lines, ""]).encode(encoding))


def _many(n: int, *, start: int = 0, note: str = "") -> io.BytesIO:
    lines = [f"arles;Borne {i};SN-{i};{note}" for i in range(start, start + n)]
    return _bytes(lines, header="site;label;serial_number;notes")


# --- Encodings -------------------------------------------------------------------------------------


def test_a_windows_1252_file_from_french_excel_is_read_and_said_so(site):
    """é, è and the typographic apostrophe (0x92 in Windows-1252) arrive intact; the report names the encoding."""
    data = _bytes(["arles;Borne é près de l’accueil;SN-1"], encoding="cp1252")
    assert b"\x92" in data.getvalue()

    report = aps_import(actor=None, file=data)

    assert report.encoding == "Windows-1252" and report.imported
    assert AccessPoint.objects.get().label == "Borne é près de l’accueil"


@pytest.mark.parametrize(("prefix", "encoding"), [(b"\xef\xbb\xbf", "UTF-8 (BOM)"), (b"", "UTF-8")])
def test_utf8_with_or_without_a_bom_is_read_as_utf8(site, prefix, encoding):
    report = aps_import(actor=None, file=io.BytesIO(prefix + "site;label;serial_number\narles;Borne é;SN-1\n".encode()))
    assert report.encoding == encoding
    assert AccessPoint.objects.get().label == "Borne é"


def test_bytes_that_are_no_known_encoding_refuse_the_file(site):
    """0x81 is neither UTF-8 alone nor a Windows-1252 character: the file is refused, not imported as garbage."""
    report = aps_import(actor=None, file=io.BytesIO(b"site;label;serial_number\narles;Borne \x81;SN-1\n"))
    assert report.refused and "Windows-1252" in report.file_errors[0]
    assert not AccessPoint.objects.exists()


# --- Probe settings --------------------------------------------------------------------------------

PROBE_HEADER = "site;label;serial_number;management_address;probe_kind;interfaces;clients_oid;clients_oid_walk"


def test_the_csv_sets_interfaces_and_the_client_count_oid(site):
    """The settings the admin used to be the only one to set arrive from the installer's file."""
    report = aps_import(
        actor=None, file=_bytes([f"arles;A;SN-1;10.0.0.1;snmp_v2c;1, 2;{UNIFI_OID};oui"], header=PROBE_HEADER)
    )
    assert report.imported, report.lines
    settings = AccessPoint.objects.get().probe_settings
    assert settings == {"if_indexes": [1, 2], "clients_oid": UNIFI_OID, "clients_oid_walk": True}


@pytest.mark.parametrize(
    ("cells", "message_part"),
    [
        ("tcp;1 2;;", "interfaces"),  # a TCP probe has no interfaces to read
        ("snmp_v2c;un deux;;", "un deux"),
        ("snmp_v2c;;iso.3.6;", "clients_oid"),  # refused by the SNMP driver: not a numeric OID
        ("snmp_v2c;;;peut-être", "peut-être"),
    ],
)
def test_probe_settings_the_driver_refuses_are_line_errors(site, cells, message_part):
    report = aps_import(actor=None, file=_bytes([f"arles;A;SN-1;10.0.0.1;{cells}"], header=PROBE_HEADER))
    assert report.lines[0].status == LineStatus.ERROR
    assert message_part in " ".join(report.lines[0].errors)
    assert not AccessPoint.objects.exists()


def test_an_empty_setting_cell_removes_it_and_other_settings_stay(site):
    ap = AccessPointFactory(
        site=site, serial_number="SN-1", label="A", probe_kind="snmp_v2c",
        probe_settings={"if_indexes": [1], "clients_oid": UNIFI_OID},
    )  # fmt: skip
    report = aps_import(actor=None, file=_bytes(["arles;A;SN-1;"], header="site;label;serial_number;interfaces"))
    assert report.lines[0].changed == ["probe settings"]
    ap.refresh_from_db()
    assert ap.probe_settings == {"clients_oid": UNIFI_OID}


def test_a_new_polling_method_drops_the_settings_of_the_old_one(site):
    ap = AccessPointFactory(site=site, serial_number="SN-1", label="A", probe_kind="snmp_v2c",
                            probe_settings={"if_indexes": [1, 2]})  # fmt: skip
    report = aps_import(actor=None, file=_bytes(["arles;A;SN-1;tcp"], header="site;label;serial_number;probe_kind"))
    assert report.imported, report.lines
    ap.refresh_from_db()
    assert (ap.probe_kind, ap.probe_settings) == ("tcp", {})


COMMUNITY_HEADER = "site;label;serial_number;community;credential_name"


def test_a_community_names_the_credential_set_that_holds_it(site, settings):
    """The community itself is never stored: the line gets the name of the set configured with it."""
    settings.WIFI_CREDENTIALS = {"bureau": {"community": "s3cret"}, "v3": {"user": "poller"}}
    aps_import(actor=None, file=_bytes(["arles;A;SN-1;s3cret;"], header=COMMUNITY_HEADER))
    ap = AccessPoint.objects.get()
    assert ap.credential_name == "bureau"
    assert "s3cret" not in str(AccessPoint.objects.values().get())


def test_an_unknown_community_is_refused_without_repeating_it(site, settings):
    settings.WIFI_CREDENTIALS = {"bureau": {"community": "s3cret"}}
    report = aps_import(actor=None, file=_bytes(["arles;A;SN-1;wrong-one;"], header=COMMUNITY_HEADER))
    [error] = report.lines[0].errors
    assert "WIFI_CREDENTIALS" in error and "wrong-one" not in error
    assert not AccessPoint.objects.exists()


def test_a_community_that_contradicts_the_credential_set_is_refused(site, settings):
    settings.WIFI_CREDENTIALS = {"bureau": {"community": "s3cret"}, "autre": {"community": "other"}}
    report = aps_import(actor=None, file=_bytes(["arles;A;SN-1;s3cret;autre"], header=COMMUNITY_HEADER))
    assert "bureau" in report.lines[0].errors[0] and "autre" in report.lines[0].errors[0]


# --- Bulk, audit, warnings, queries ----------------------------------------------------------------


def _queries(file) -> int:
    with CaptureQueriesContext(connection) as queries:
        report = aps_import(actor=None, file=file)
    assert report.imported and not report.has_errors
    return len(queries)


def test_an_import_costs_the_same_queries_for_3_lines_or_60(site):
    """No query per line, whether the lines create, update or change nothing."""
    created = (_queries(_many(3)), _queries(_many(60, start=100)))
    updated = (_queries(_many(3, note="x")), _queries(_many(60, start=100, note="x")))
    unchanged = (_queries(_many(3, note="x")), _queries(_many(60, start=100, note="x")))
    assert created[0] == created[1] and updated[0] == updated[1] and unchanged[0] == unchanged[1]
    assert max(created + updated + unchanged) <= 14
    assert AccessPoint.objects.filter(notes="x").count() == 63


def test_one_audit_entry_per_import_with_its_counts(site):
    """Not one entry per access point: one InventoryImport, logged once, saying what the import did."""
    AccessPointFactory(site=site, serial_number="SN-0", label="Borne 0")
    agent = agent_with_role(Role.OPS)
    file = _bytes(["arles;Borne 0 bis;SN-0", "arles;Borne 1;SN-1", "arles;Borne 2;SN-2", "nimes;Borne 3;SN-3"])
    ap_entries = LogEntry.objects.filter(content_type__model="accesspoint").count()

    report = aps_import(actor=agent, file=file, filename="bornes.csv", partial=True)

    record = InventoryImport.objects.get()
    assert report.record == record
    assert (record.created, record.updated, record.unchanged, record.refused) == (2, 1, 0, 1)
    assert (record.agent, record.filename, record.encoding) == (agent, "bornes.csv", "UTF-8")
    assert record.changes == {"created": ["SN-1", "SN-2"], "updated": {"SN-0": ["label"]}}
    entry = LogEntry.objects.get(content_type__model="inventoryimport")
    assert entry.actor == agent
    assert entry.changes_dict["created"][1] == "2" and entry.changes_dict["refused"][1] == "1"
    assert LogEntry.objects.filter(content_type__model="accesspoint").count() == ap_entries


def test_identical_warnings_are_grouped_with_their_first_lines(site):
    """30 lines naming the same missing credential set are one warning, not 30."""
    lines = [f"arles;Borne {i};SN-{i};x" for i in range(30)]
    report = aps_import(actor=None, file=_bytes(lines, header="site;label;serial_number;credential_name"))
    [group] = report.grouped_warnings()
    assert (group.count, group.first_lines, group.lines_text) == (30, [2, 3, 4, 5, 6], "2, 3, 4, 5, 6, …")
    assert "«\xa0x\xa0»" in group.message or "“x”" in group.message


def test_an_update_leaves_the_health_the_poller_wrote(site):
    """The bulk update writes the file's columns only: never the health a polling round recorded meanwhile."""
    ap = AccessPointFactory(site=site, serial_number="SN-1", label="A", health=Health.DOWN, clients_now=7)
    aps_import(actor=None, file=_bytes(["arles;B;SN-1"]))
    ap.refresh_from_db()
    assert (ap.label, ap.health, ap.clients_now) == ("B", Health.DOWN, 7)


def test_a_conflict_raised_between_the_check_and_the_write_writes_nothing(site):
    """Another writer takes a serial after the lines were checked: the database refuses, the import says so."""

    def meanwhile(done, total):
        if done == total:
            AccessPointFactory(site=site, serial_number="SN-2", label="Ailleurs")

    report = aps_import(actor=None, file=_bytes(["arles;A;SN-1", "arles;B;SN-2"]), progress=meanwhile)

    assert not report.imported and report.file_errors
    assert list(AccessPoint.objects.values_list("serial_number", flat=True)) == ["SN-2"]
    assert not InventoryImport.objects.exists()


def test_an_import_whose_plan_changed_since_its_check_writes_nothing(site):
    """The confirmation imports what was checked, or nothing: here the AP was renamed in between."""
    ap = AccessPointFactory(site=site, serial_number="SN-1", label="A")
    checked = aps_import(actor=None, file=_bytes(["arles;B;SN-1", "arles;C;SN-2"]), dry_run=True)
    AccessPoint.objects.filter(pk=ap.pk).update(label="B")

    report = aps_import(actor=None, file=_bytes(["arles;B;SN-1", "arles;C;SN-2"]), expected_plan=checked.plan())

    assert report.stale and not report.imported
    assert not AccessPoint.objects.filter(serial_number="SN-2").exists()


# --- Scope -----------------------------------------------------------------------------------------


@pytest.fixture
def local_editor():
    """An MDS manager whose role was given the inventory permissions (no per-MDS role has them by default)."""
    group = Group.objects.get(name=Role.MDS_MANAGER.group_name)
    group.permissions.add(*Permission.objects.filter(codename__in=["add_accesspoint", "change_accesspoint"]))
    mds = MdsFactory(name="Alpha")
    return agent_with_role(Role.MDS_MANAGER, mds), SiteFactory(mds=mds, slug="alpha")


def test_a_local_agent_imports_only_where_they_may_edit(local_editor):
    """Lines of another MDS's site, or moving an AP away from one, are refused one by one."""
    agent, _own = local_editor
    other = SiteFactory(mds=MdsFactory(name="Bravo"), slug="bravo")
    AccessPointFactory(site=other, serial_number="SN-B", label="Borne Bravo")

    report = aps_import(actor=agent, file=_bytes(["alpha;A;SN-1", "bravo;B;SN-2", "alpha;Ramenée;SN-B"]), partial=True)

    assert [line.status for line in report.lines] == [LineStatus.CREATED, LineStatus.ERROR, LineStatus.ERROR]
    assert "bravo" in report.lines[1].errors[0] and "bravo" in report.lines[2].errors[0]
    assert set(AccessPoint.objects.values_list("serial_number", "site__slug")) == {("SN-1", "alpha"), ("SN-B", "bravo")}


def test_a_line_keeping_a_polling_method_no_longer_configured_is_refused(site):
    """The model's choices are not re-read per line: the import itself refuses a method gone from WIFI_PROBES."""
    AccessPointFactory(site=site, serial_number="SN-1", label="A", probe_kind="retired_driver")
    report = aps_import(actor=None, file=_bytes(["arles;B;SN-1"]))
    assert "retired_driver" in report.lines[0].errors[0]
    assert AccessPoint.objects.get().label == "A"
