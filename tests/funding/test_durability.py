"""Durability (art. 71 of Regulation 1303/2013): the window, to the day, from the final payment; a funded access
point retired or moved inside it — or before the final payment — warns finance, once, by email; finance
acknowledges, who and when audited."""

import datetime
from datetime import date

import pytest
from auditlog.models import LogEntry
from django.core import mail
from django.core.exceptions import ValidationError

from funding import durability
from funding.durability import DurabilityWindow, WindowState, durability_window, open_warnings_count, years_after
from funding.models import ClaimKind, DurabilityEvent, DurabilityWarning, InvoiceStatus
from sites.roles import Role
from tests.factories import MdsFactory, SiteFactory, agent_with_role
from tests.funding.factories import AssetFactory, DurabilityWarningFactory, PaymentClaimFactory, final_payment
from tests.wifi.factories import AccessPointFactory
from wifi.inventory import access_point_move, access_point_save
from wifi.inventory_import import aps_import
from wifi.models import Lifecycle

pytestmark = pytest.mark.django_db


@pytest.fixture
def ops():
    return agent_with_role(Role.OPS)


@pytest.fixture
def arles():
    return SiteFactory(mds=MdsFactory(name="Arles"), name="Arles centre", slug="arles-centre")


@pytest.fixture
def funded(operation, arles):
    """An access point of Arles centre registered on an invoice line of the operation."""
    ap = AccessPointFactory(site=arles, label="Borne accueil", serial_number="U6-ARL-1")
    AssetFactory(access_point=ap)
    return ap


# --- The window ------------------------------------------------------------------------------------


def test_the_window_has_not_started_until_the_feder_of_the_final_claim_is_received(operation):
    window = durability_window(operation)
    assert (window.started, window.ends_on, window.state()) == (False, None, WindowState.NOT_STARTED)
    assert window.covers(date(2040, 1, 1))  # funded all the same: every move is reported
    PaymentClaimFactory(operation=operation, kind=ClaimKind.INTERIM, received_on=date(2022, 3, 1))
    assert durability_window(operation).ends_on is None  # an interim payment is not the final one
    final = PaymentClaimFactory(operation=operation, kind=ClaimKind.FINAL)
    assert durability_window(operation).ends_on is None  # sent, not paid yet
    final.received_on = date(2023, 3, 15)
    final.save()
    window = durability_window(operation)
    assert (window.final_payment_on, window.ends_on) == (date(2023, 3, 15), date(2028, 3, 15))


def test_the_window_ends_five_years_after_the_final_payment_that_day_included(operation):
    final_payment(operation, received_on=date(2023, 3, 15))
    window = durability_window(operation)
    assert window.covers(date(2023, 3, 15)) and window.covers(date(2028, 3, 15))
    assert not window.covers(date(2028, 3, 16))
    assert window.state(today=date(2028, 3, 15)) == WindowState.OPEN
    assert window.state(today=date(2028, 3, 16)) == WindowState.CLOSED


@pytest.mark.parametrize(
    ("paid_on", "years", "ends_on"),
    [
        (date(2024, 2, 29), 5, date(2029, 2, 28)),  # no 29 February in 2029: the last day of February
        (date(2024, 2, 29), 4, date(2028, 2, 29)),  # a leap year again: the same day
        (date(2023, 2, 28), 5, date(2028, 2, 28)),  # not the 29th of a leap year
        (date(2022, 12, 31), 5, date(2027, 12, 31)),
    ],
)
def test_years_are_counted_as_eu_law_counts_periods(paid_on, years, ends_on, operation):
    assert years_after(paid_on, years) == ends_on
    operation.durability_years = years
    operation.save()
    final_payment(operation, received_on=paid_on)
    assert durability_window(operation).ends_on == ends_on


def test_the_window_is_read_in_one_query(operation, django_assert_num_queries):
    final_payment(operation, received_on=date(2023, 3, 15))
    with django_assert_num_queries(1):
        durability_window(operation)


def test_a_window_not_started_says_so():
    assert (
        DurabilityWindow(years=5, final_payment_on=None).state_label() == "Pas commencée (jusqu’au paiement du solde)"
    )


# --- Retirements -----------------------------------------------------------------------------------


def test_retiring_a_funded_access_point_inside_the_window_creates_exactly_one_warning(operation, funded, ops):
    final_payment(operation, received_on=date(2023, 3, 15))
    access_point_move(actor=ops, access_point=funded, to=Lifecycle.RETIRED, on=date(2026, 11, 30))
    warning = DurabilityWarning.objects.get()
    assert (warning.asset.access_point, warning.event) == (funded, DurabilityEvent.RETIRED)
    assert warning.window_ends_on == date(2028, 3, 15)
    assert warning.detail == "Arles — Arles centre, 30/11/2026"
    assert warning.acknowledged_at is None
    funded.refresh_from_db()
    funded.notes = "Déposée, stockée au sous-sol"
    access_point_save(actor=ops, access_point=funded)  # saved again: not retired again
    assert DurabilityWarning.objects.count() == 1


def test_retiring_an_access_point_nobody_funded_warns_nobody(operation, arles, ops):
    ap = AccessPointFactory(site=arles)
    access_point_move(actor=ops, access_point=ap, to=Lifecycle.RETIRED, on=date(2026, 11, 30))
    assert not DurabilityWarning.objects.exists()


def test_retiring_an_access_point_of_an_invoice_withdrawn_from_the_operation_warns_nobody(operation, funded, ops):
    invoice = funded.funded_asset.invoice_line.invoice
    invoice.status = InvoiceStatus.WITHDRAWN
    invoice.save()
    access_point_move(actor=ops, access_point=funded, to=Lifecycle.RETIRED, on=date(2026, 11, 30))
    assert not DurabilityWarning.objects.exists()


def test_retiring_a_funded_access_point_after_the_window_warns_nobody(operation, funded, ops):
    final_payment(operation, received_on=date(2021, 3, 15))
    access_point_move(actor=ops, access_point=funded, to=Lifecycle.RETIRED, on=date(2026, 3, 16))
    assert not DurabilityWarning.objects.exists()


def test_retiring_on_the_last_day_of_the_window_still_warns(operation, funded, ops):
    final_payment(operation, received_on=date(2021, 3, 15))
    access_point_move(actor=ops, access_point=funded, to=Lifecycle.RETIRED, on=date(2026, 3, 15))
    assert DurabilityWarning.objects.get().window_ends_on == date(2026, 3, 15)


def test_retiring_before_the_final_payment_warns_with_the_window_not_started(operation, funded, ops):
    access_point_move(actor=ops, access_point=funded, to=Lifecycle.RETIRED, on=date(2022, 5, 2))
    warning = DurabilityWarning.objects.get()
    assert (warning.event, warning.window_ends_on) == (DurabilityEvent.RETIRED, None)


def test_other_lifecycle_moves_warn_nobody(operation, funded, ops):
    access_point_move(actor=ops, access_point=funded, to=Lifecycle.FAULTY, on=date(2026, 11, 30))
    access_point_move(actor=ops, access_point=funded, to=Lifecycle.IN_SERVICE, on=date(2026, 12, 1))
    assert not DurabilityWarning.objects.exists()


# --- Moves -----------------------------------------------------------------------------------------


def test_moving_a_funded_access_point_to_another_site_warns(operation, funded, ops):
    final_payment(operation, received_on=date(2023, 3, 15))
    aubagne = SiteFactory(mds=MdsFactory(name="Aubagne"), name="Aubagne gare")
    funded.site, funded.zone = aubagne, None
    access_point_save(actor=ops, access_point=funded)
    warning = DurabilityWarning.objects.get()
    assert (warning.event, warning.detail) == (DurabilityEvent.MOVED, "Arles — Arles centre → Aubagne — Aubagne gare")
    assert warning.window_ends_on == date(2028, 3, 15)
    entry = LogEntry.objects.get_for_object(warning).get()
    assert (entry.action, entry.actor) == (LogEntry.Action.CREATE, ops)


def test_a_move_within_the_same_site_warns_nobody(operation, funded, ops):
    funded.label = "Borne accueil (renommée)"
    access_point_save(actor=ops, access_point=funded)
    assert not DurabilityWarning.objects.exists()


def test_the_inventory_import_warns_of_the_funded_access_points_it_retires_or_moves(
    operation, funded, arles, django_capture_on_commit_callbacks, monkeypatch
):
    """The CSV import writes in one UPDATE (no post_save): wifi's access_points_changed signal carries it; finance
    gets one email for the whole file."""
    from sites import tasks

    monkeypatch.setattr(tasks.send_email, "delay", lambda **kwargs: tasks.send_email(**kwargs))  # the worker, here
    agent_with_role(Role.FINANCE, email="finance@departement.test")
    final_payment(operation, received_on=date(2023, 3, 15))
    SiteFactory(mds=MdsFactory(name="Istres"), name="Istres", slug="istres")
    moved = AccessPointFactory(site=arles, label="Borne bureau", serial_number="U6-ARL-2")
    AssetFactory(access_point=moved)
    unfunded = AccessPointFactory(site=arles, label="Borne non financée", serial_number="U6-ARL-3")
    rows = [
        {"site": "arles-centre", "label": "Borne accueil", "serial_number": "U6-ARL-1", "lifecycle": "retired"},
        {"site": "istres", "label": "Borne bureau", "serial_number": "U6-ARL-2", "lifecycle": ""},
        {"site": "arles-centre", "label": "Borne non financée", "serial_number": "U6-ARL-3", "lifecycle": "retired"},
    ]
    with django_capture_on_commit_callbacks(execute=True):
        report = aps_import(actor=None, rows=rows)
    assert report.imported and report.updated == 3
    assert [email.subject for email in mail.outbox] == ["[FEDER] 2 biens financés ont été retirés ou déplacés"]
    assert "Borne bureau (U6-ARL-2)" in mail.outbox[0].body
    assert "Arles — Arles centre → Istres — Istres" in mail.outbox[0].body
    unfunded.refresh_from_db()
    assert unfunded.lifecycle == Lifecycle.RETIRED
    warnings = {
        w.asset.access_point.serial_number: w for w in DurabilityWarning.objects.select_related("asset__access_point")
    }
    assert sorted(warnings) == ["U6-ARL-1", "U6-ARL-2"]
    assert warnings["U6-ARL-1"].event == DurabilityEvent.RETIRED
    assert (warnings["U6-ARL-2"].event, warnings["U6-ARL-2"].detail) == (
        DurabilityEvent.MOVED, "Arles — Arles centre → Istres — Istres"
    )  # fmt: skip
    aps_import(actor=None, rows=rows)  # the same file again changes nothing, and warns of nothing
    assert DurabilityWarning.objects.count() == 2


# --- Finance told ----------------------------------------------------------------------------------


def test_the_finance_agents_get_one_email_once_the_change_is_committed(
    operation, funded, ops, django_capture_on_commit_callbacks, monkeypatch
):
    from sites import tasks

    monkeypatch.setattr(tasks.send_email, "delay", lambda **kwargs: tasks.send_email(**kwargs))  # the worker, here
    agent_with_role(Role.FINANCE, email="finance@departement.test")
    agent_with_role(Role.FINANCE, email="parti@departement.test", is_active=False)
    agent_with_role(Role.PROGRAMME, email="programme@departement.test")
    with django_capture_on_commit_callbacks(execute=False) as queued:
        access_point_move(actor=ops, access_point=funded, to=Lifecycle.RETIRED, on=date(2026, 11, 30))
    assert mail.outbox == []  # nothing leaves before the commit
    for callback in queued:
        callback()
    assert len(mail.outbox) == 1
    email = mail.outbox[0]
    assert email.to == ["finance@departement.test"]
    assert email.subject == "[FEDER] 1 bien financé a été retiré ou déplacé"
    assert "Retirée\u00a0: Borne accueil (U6-ARL-1)" in email.body
    assert "paiement du solde" in email.body


def test_nothing_is_emailed_for_an_unfunded_access_point(operation, arles, ops, django_capture_on_commit_callbacks):
    agent_with_role(Role.FINANCE, email="finance@departement.test")
    with django_capture_on_commit_callbacks() as queued:
        access_point_move(
            actor=ops, access_point=AccessPointFactory(site=arles), to=Lifecycle.RETIRED, on=date(2026, 11, 30)
        )
    assert queued == []


def test_acknowledging_keeps_who_and_when_in_the_audit_trail(operation, funded):
    finance = agent_with_role(Role.FINANCE)
    warning = DurabilityWarningFactory(asset=funded.funded_asset)
    assert open_warnings_count(operation) == 1
    durability.durability_warning_acknowledge(actor=finance, warning=warning)
    warning.refresh_from_db()
    assert warning.acknowledged_by == finance
    assert warning.acknowledged_at is not None
    assert open_warnings_count(operation) == 0
    entry = LogEntry.objects.get_for_object(warning).filter(action=LogEntry.Action.UPDATE).get()
    assert entry.actor == finance
    assert set(entry.changes_dict) == {"acknowledged_by", "acknowledged_at"}


def test_a_warning_is_acknowledged_once(operation, funded):
    first, second = agent_with_role(Role.FINANCE, first_name="Fanny"), agent_with_role(Role.PROGRAMME)
    warning = DurabilityWarningFactory(asset=funded.funded_asset)
    durability.durability_warning_acknowledge(actor=first, warning=warning)
    with pytest.raises(ValidationError, match="déjà été prise en compte par Fanny"):
        durability.durability_warning_acknowledge(actor=second, warning=warning)
    warning.refresh_from_db()
    assert warning.acknowledged_by == first


def test_the_open_warnings_are_counted_per_operation(operation, funded):
    DurabilityWarningFactory(asset=funded.funded_asset)
    DurabilityWarningFactory(asset=funded.funded_asset, event=DurabilityEvent.MOVED)
    DurabilityWarningFactory(
        asset=funded.funded_asset, acknowledged_by=agent_with_role(Role.FINANCE),
        acknowledged_at=datetime.datetime(2026, 12, 1, 9, tzinfo=datetime.UTC),
    )  # fmt: skip
    assert open_warnings_count(operation) == 2
