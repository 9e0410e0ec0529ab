"""A legal-requisition officer searches the connection log and exports it; every search and export is audited."""

import csv
import datetime
import io
import re
from zoneinfo import ZoneInfo

import pytest
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import NON_FIELD_ERRORS
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape
from django.utils.translation import gettext as _

from captive_portal import legal_log
from captive_portal.gateways.click_through import ClickThrough
from captive_portal.models import ConnectionRecord
from sites.roles import Role
from tests.captive_portal.scoping_pages_log import connection_record
from tests.factories import MdsFactory, SiteFactory, agent_with_role
from tests.wifi.factories import AccessPointFactory

pytestmark = pytest.mark.django_db

PARIS = ZoneInfo("Europe/Paris")
MAC = "a4:5e:60:c2:11:7f"


def _paris(*args):
    return datetime.datetime(*args, tzinfo=PARIS)


@pytest.fixture
def officer():
    return agent_with_role(Role.LEGAL_REQUISITION, first_name="Inès", last_name="Réquisition")


@pytest.fixture
def site():
    return SiteFactory(mds=MdsFactory(name="MDS Aubagne"), name="Aubagne accueil")


@pytest.fixture
def log(site):
    """A device's connections in March 2026 (Paris time), and others'."""
    ap = AccessPointFactory(site=site, label="Borne hall")
    return {
        "march_3": connection_record(
            site,
            started_at=_paris(2026, 3, 3, 10),
            mac=MAC,
            ip="10.20.0.5",
            port=51234,
            ended_at=_paris(2026, 3, 3, 11),
            access_point=ap,
        ),
        "march_20": connection_record(
            site, started_at=_paris(2026, 3, 20, 15), mac=MAC, ip="10.20.0.9", ended_at=_paris(2026, 3, 20, 16)
        ),
        "other": connection_record(
            site,
            started_at=_paris(2026, 3, 3, 10, 30),
            mac="02:11:22:33:44:55",
            ip="10.20.0.6",
            language="ar",
            ended_at=_paris(2026, 3, 3, 12),
        ),
        "april": connection_record(site, started_at=_paris(2026, 4, 2, 9), mac=MAC, ip="10.20.0.5"),
    }


def _entries():
    """The audit trail's reads of the connection log."""
    return LogEntry.objects.filter(content_type=ContentType.objects.get_for_model(ConnectionRecord))


def _form(**overrides):
    return {
        "reference": "PV 2026/1234 — TJ Marseille",
        "reason": "Identifier l'appareil ayant utilisé l'adresse 10.20.0.5",
        "starts_at": "2026-03-01T00:00",
        "ends_at": "2026-03-31T23:59",
        **overrides,
    }


def _search(client, **overrides):
    return client.post(reverse("portal_log:search"), _form(**overrides))


@pytest.mark.parametrize("typed", [MAC, MAC.upper(), "A4-5E-60-C2-11-7F", "a45e.60c2.117f", "A45E60C2117F"])
def test_a_mac_address_is_found_whatever_its_format(signed_in, officer, log, typed):
    client = signed_in(officer)
    response = _search(client, mac=typed)
    assert response.status_code == 302
    search = LogEntry.objects.get(actor=officer)
    assert search.additional_data["criteria"]["mac"] == MAC
    assert search.additional_data["count"] == 2
    html = client.get(response["Location"]).content.decode()
    assert html.count(f"<code>{MAC}</code>") == 3  # the criteria, and the two March connections
    assert "02:11:22:33:44:55" not in html


def _shown(response, message) -> bool:
    """The back-office speaks French: compare with the message as the page's language renders it."""
    with translation.override(response["Content-Language"]):
        return escape(str(message)) in response.content.decode()


def test_a_malformed_mac_address_is_refused_with_a_message(signed_in, officer):
    response = _search(signed_in(officer), mac="a4:5e:60:zz")
    assert response.status_code == 200
    assert response.context["form"].has_error("mac")
    assert _shown(response, _("“%(value)s” is not a MAC address (12 hexadecimal digits).") % {"value": "a4:5e:60:zz"})
    assert not LogEntry.objects.filter(actor=officer).exists()


def test_search_by_ip_finds_whoever_held_the_address_in_the_window(officer, log):
    criteria = legal_log.LogCriteria(starts_at=_paris(2026, 3, 1), ends_at=_paris(2026, 3, 31), ip="10.20.0.5")
    assert list(legal_log.connection_records(criteria)) == [log["march_3"]]


def test_search_by_site_alone(officer, log, site):
    SiteFactory(mds=site.mds, number=2, name="Aubagne annexe")
    criteria = legal_log.LogCriteria(starts_at=_paris(2026, 3, 3), ends_at=_paris(2026, 3, 4), site_id=site.pk)
    assert list(legal_log.connection_records(criteria)) == [log["march_3"], log["other"]]


def test_a_connection_in_progress_when_the_window_opens_is_found_and_one_ended_before_is_not(log):
    criteria = legal_log.LogCriteria(starts_at=_paris(2026, 3, 3, 11, 30), ends_at=_paris(2026, 3, 3, 13), mac="")
    assert list(legal_log.connection_records(criteria)) == [log["other"]]
    still_open = legal_log.LogCriteria(starts_at=_paris(2026, 4, 3), ends_at=_paris(2026, 4, 4), mac=MAC)
    assert list(legal_log.connection_records(still_open)) == [log["april"]]  # the gateway never said it ended


@pytest.mark.parametrize(
    ("started", "found"),
    [((2026, 5, 9, 12), True), ((2026, 5, 7, 9), True), ((2026, 5, 3, 12), True), ((2026, 5, 2, 9), False)],
    ids=["hours-before", "days-before", "six-days-before", "beyond-the-week"],
)
def test_a_connection_begun_before_the_window_and_ended_in_it_is_found_however_long_ago_within_the_week(
    site, started, found
):
    """Begun hours, days or six days before the window (each through its own index range) and ended inside it:
    in progress when the window opened, so found; begun more than the week before: beyond the search's reach."""
    record = connection_record(site, started_at=_paris(*started), mac=MAC, ended_at=_paris(2026, 5, 10, 10))
    criteria = legal_log.LogCriteria(starts_at=_paris(2026, 5, 10, 9), ends_at=_paris(2026, 5, 10, 11), mac=MAC)
    assert list(legal_log.connection_records(criteria)) == ([record] if found else [])


def test_a_window_over_31_days_is_refused_with_a_clear_message(signed_in, officer, log):
    response = _search(signed_in(officer), starts_at="2026-03-01T00:00", ends_at="2026-04-01T00:01")
    assert response.status_code == 200
    assert response.context["form"].has_error(NON_FIELD_ERRORS, "window_too_long")
    assert _shown(response, _("A search covers at most 31 days: split the requisition's period into several searches."))
    assert not LogEntry.objects.filter(actor=officer).exists()
    with pytest.raises(ValueError, match="31 days"):
        legal_log.LogCriteria(starts_at=_paris(2026, 3, 1), ends_at=_paris(2026, 4, 2))


def test_exactly_31_days_is_accepted_in_paris_time(signed_in, officer, log):
    response = _search(signed_in(officer), starts_at="2026-03-01T00:00", ends_at="2026-04-01T00:00")
    assert response.status_code == 302
    criteria = LogEntry.objects.get(actor=officer).additional_data["criteria"]
    # 1 March 00:00 in Paris is 23:00 UTC the day before; the clocks change on 29 March.
    assert criteria["starts_at"] == "2026-03-01T00:00:00+01:00"
    assert criteria["ends_at"] == "2026-04-01T00:00:00+02:00"


@pytest.mark.parametrize("missing", ["reference", "reason", "starts_at", "ends_at"])
def test_the_requisition_reference_reason_and_window_are_required(signed_in, officer, missing):
    response = _search(signed_in(officer), **{missing: ""})
    assert response.status_code == 200
    assert response.context["form"].has_error(missing, "required")
    assert not LogEntry.objects.filter(actor=officer).exists()


def test_every_search_is_in_the_audit_trail_with_who_when_why_what_and_how_many(signed_in, officer, log, site):
    _search(signed_in(officer), ip="10.20.0.5", site=site.pk)
    entry = _entries().get()
    assert entry.action == LogEntry.Action.ACCESS
    assert entry.actor == officer
    assert entry.content_type == ContentType.objects.get_for_model(ConnectionRecord)
    assert entry.timestamp is not None
    assert entry.additional_data == {
        "purpose": "legal_log_search",
        "reference": "PV 2026/1234 — TJ Marseille",
        "reason": "Identifier l'appareil ayant utilisé l'adresse 10.20.0.5",
        "criteria": {
            "starts_at": "2026-03-01T00:00:00+01:00",
            "ends_at": "2026-03-31T23:59:00+02:00",
            "mac": "",
            "ip": "10.20.0.5",
            "site_id": site.pk,
        },
        "count": 1,
    }


def test_the_results_are_paginated_and_reading_pages_adds_no_audit_entry(signed_in, officer, site):
    for minute in range(55):
        connection_record(site, started_at=_paris(2026, 3, 5, 9, minute), ip=f"10.30.0.{minute}",
                          ended_at=_paris(2026, 3, 5, 9, minute, 30))  # fmt: skip
    client = signed_in(officer)
    results = _search(client, site=site.pk)["Location"]
    first, second = client.get(results).content.decode(), client.get(results, {"page": 2}).content.decode()
    assert "10.30.0.0<" in first and "10.30.0.49<" in first and "10.30.0.50<" not in first
    assert "10.30.0.50<" in second and "10.30.0.54<" in second and "10.30.0.49<" not in second
    assert LogEntry.objects.filter(actor=officer).count() == 1


def test_the_pages_and_the_export_list_the_same_connections_in_start_order(signed_in, officer, site):
    """Rows of every kind a search finds — begun in the window, the day before, open for days, lasting days —
    interleaved and across pages: the pages, the export and the audited count agree, in (start, id) order."""
    found = [
        connection_record(site, started_at=_paris(2026, 3, 9, 20), ip="10.40.1.1", ended_at=_paris(2026, 3, 10, 9, 30)),
        connection_record(site, started_at=_paris(2026, 3, 8, 12), ip="10.40.1.2"),  # still open
        connection_record(site, started_at=_paris(2026, 3, 5, 10), ip="10.40.1.3", ended_at=_paris(2026, 3, 10, 10)),
        connection_record(site, started_at=_paris(2026, 3, 10, 10, 30, 30), ip="10.40.1.4"),  # still open
    ]
    for n in range(52):  # two at each start: the id decides their order
        found.append(connection_record(site, started_at=_paris(2026, 3, 10, 9, n // 2), ip=f"10.40.2.{n}",
                                       ended_at=_paris(2026, 3, 10, 12)))  # fmt: skip
    connection_record(site, started_at=_paris(2026, 3, 10, 7), ip="10.40.9.1", ended_at=_paris(2026, 3, 10, 8))
    connection_record(site, started_at=_paris(2026, 3, 10, 11, 30), ip="10.40.9.2")
    expected = [record.client_ip for record in sorted(found, key=lambda record: (record.started_at, record.pk))]
    client = signed_in(officer)
    results = _search(client, starts_at="2026-03-10T09:00", ends_at="2026-03-10T11:00")["Location"]
    pages = [client.get(results, {"page": page}).content.decode() for page in (1, 2)]
    shown = [ip for html in pages for ip in re.findall(r"10\.40\.\d+\.\d+", html)]
    search = _entries().get()
    export = client.post(reverse("portal_log:export", kwargs={"pk": search.pk})).getvalue().decode("utf-8")
    exported = [row[5] for row in csv.reader(io.StringIO(export.removeprefix("\ufeff")), delimiter=";")][1:]
    assert shown == exported == expected
    assert search.additional_data["count"] == len(expected) == 56


def test_the_csv_export_has_the_legal_columns_and_is_audited_as_an_export(signed_in, officer, log):
    client = signed_in(officer)
    results = _search(client, mac=MAC)["Location"]
    search = _entries().get()
    response = client.post(reverse("portal_log:export", kwargs={"pk": search.pk}))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    body = response.getvalue().decode("utf-8")
    assert body.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(body.removeprefix("\ufeff")), delimiter=";"))
    with translation.override("fr"):  # the back-office speaks French, so does its export
        click_through = str(ClickThrough.label)
    BY_GATEWAY = "signalée par la passerelle (l'adresse de l'appareil)"
    assert rows == [
        ["site", "MDS", "borne", "passerelle", "adresse MAC du client", "adresse IP du client",
         "origine de l’adresse IP", "port source", "début", "fin", "version des conditions", "langue"],
        ["Aubagne accueil", "MDS Aubagne", "Borne hall", click_through, MAC, "10.20.0.5", BY_GATEWAY,
         "51234", "2026-03-03T10:00:00+01:00", "2026-03-03T11:00:00+01:00", "fr v1", "fr"],
        ["Aubagne accueil", "MDS Aubagne", "", click_through, MAC, "10.20.0.9", BY_GATEWAY, "",
         "2026-03-20T15:00:00+01:00", "2026-03-20T16:00:00+01:00", "fr v1", "fr"],
    ]  # fmt: skip
    export = _entries().exclude(pk=search.pk).get()
    assert (export.action, export.actor) == (LogEntry.Action.ACCESS, officer)
    assert export.additional_data["purpose"] == "legal_log_export"
    assert export.additional_data["reference"] == "PV 2026/1234 — TJ Marseille"
    assert export.additional_data["criteria"] == search.additional_data["criteria"]
    assert (export.additional_data["count"], export.additional_data["search"]) == (2, search.pk)
    assert client.get(results).status_code == 200  # the results stay readable after the export


def test_the_export_is_a_post_so_that_no_prefetch_writes_to_the_audit_trail(signed_in, officer, log):
    client = signed_in(officer)
    _search(client, mac=MAC)
    search = _entries().get()
    assert client.get(reverse("portal_log:export", kwargs={"pk": search.pk})).status_code == 405
    assert _entries().count() == 1


def test_an_officer_never_reopens_a_colleagues_search(signed_in, officer, log):
    colleague = agent_with_role(Role.LEGAL_REQUISITION)
    _search(signed_in(colleague), mac=MAC)
    search = _entries().get()
    client = signed_in(officer)
    assert client.get(reverse("portal_log:results", kwargs={"pk": search.pk})).status_code == 404
    assert client.post(reverse("portal_log:export", kwargs={"pk": search.pk})).status_code == 404
    assert _entries().count() == 1


def test_the_search_page_lists_the_officers_recent_searches(signed_in, officer, log):
    client = signed_in(officer)
    _search(client, mac=MAC)
    html = client.get(reverse("portal_log:search")).content.decode()
    assert "PV 2026/1234 — TJ Marseille" in html
