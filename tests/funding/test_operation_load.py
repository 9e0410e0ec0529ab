"""`load_feder_operation` records the operation exactly as approved, and a second run changes nothing."""

from datetime import date
from decimal import Decimal

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from funding.models import Amendment, ExpenseLine, Financer, Operation
from funding.operations import AmendmentError, amendment_record, operation_load
from tests.factories import AgentFactory

pytestmark = pytest.mark.django_db


def test_the_approved_operation_is_loaded_to_the_cent(operation):
    """Codification, call, committee, period, basis, the two lines and the 70/30 plan, as the sheet says."""
    assert operation.codification == "AP02-OT02-PI02c-OS2c"
    assert operation.call_reference == "AP-2019-FEDER-PI2c"
    assert operation.committee_date == date(2021, 3, 26)
    assert (operation.execution_start, operation.execution_end) == (date(2019, 10, 1), date(2022, 10, 1))
    assert operation.vat_basis == "HT" and not operation.advance_requested and not operation.payment_schedule
    lines = list(operation.lines.values_list("number", "planned_amount", "direct", "nature"))
    assert lines == [(1, Decimal("49200.00"), True, "investment"), (2, Decimal("211310.16"), True, "investment")]
    assert operation.total_planned == Decimal("260510.16")
    plan = {f.kind: (f.rate, f.approved_amount) for f in operation.financers.all()}
    assert plan == {"feder": (Decimal("70.00"), Decimal("182357.11")), "self": (Decimal("30.00"), Decimal("78153.05"))}
    assert operation.shares() == {"feder": Decimal("182357.11"), "self": Decimal("78153.05")}
    assert operation.phases.count() == 5
    assert operation.publicity_requirements.filter(per_mds=True).count() == 1


def test_loading_twice_changes_nothing(operation):
    report = operation_load(path=settings.FEDER_OPERATION_FILE)
    assert not report.changed
    assert (Operation.objects.count(), ExpenseLine.objects.count(), Financer.objects.count()) == (1, 2, 2)


def test_a_file_whose_approved_amount_disagrees_with_its_rate_is_refused(tmp_path, db):
    """A typo in the plan (182,357.12 for 70 %) is named, and nothing is loaded."""
    text = settings.FEDER_OPERATION_FILE.read_text(encoding="utf-8").replace("182357.11", "182357.12")
    path = tmp_path / "op.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(CommandError, match=r"70.00 % of 260510.16 is 182357.11, not 182357.12"):
        call_command("load_feder_operation", str(path))
    assert not Operation.objects.exists()


def test_an_amendment_changes_the_plan_keeps_the_history_and_survives_a_reload(operation):
    """A line raised by an avenant: shares recomputed to the cent, before/after kept, a reload keeps the avenant."""
    agent = AgentFactory()
    amendment = amendment_record(
        operation=operation,
        signed_on=date(2022, 6, 1),
        reason="Extension to the three Durance Alpilles sites",
        planned_amounts={2: Decimal("221310.16")},
        actor=agent,
    )
    assert amendment.before["lines"]["2"] == "211310.16" and amendment.after["lines"]["2"] == "221310.16"
    assert amendment.after["financers"]["feder"]["amount"] == "189357.11"  # 70 % of 270,510.16 = 189,357.112
    assert amendment.after["financers"]["self"]["amount"] == "81153.05"
    operation_load(path=settings.FEDER_OPERATION_FILE)
    assert operation.lines.get(number=2).planned_amount == Decimal("221310.16")
    assert Amendment.objects.count() == 1


def test_an_amendment_without_a_reason_is_refused(operation):
    with pytest.raises(AmendmentError):
        amendment_record(operation=operation, signed_on=date(2022, 6, 1), reason=" ", planned_amounts={}, actor=None)
