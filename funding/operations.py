"""The operation as approved, loaded from its data file, and the amendments (avenants) that change its plan."""

import tomllib
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from funding.models import (
    Amendment,
    DeploymentPhase,
    ExpenseLine,
    Financer,
    Operation,
    PublicityRequirement,
)
from funding.money import split
from sites.models import Agent
from sites.services import LoadReport

OPERATION_FIELDS = (
    "title",
    "fund",
    "programme",
    "priority_axis",
    "thematic_objective",
    "investment_priority",
    "specific_objective",
    "codification",
    "call_reference",
    "call_title",
    "committee",
    "committee_date",
    "execution_start",
    "execution_end",
    "vat_basis",
    "payment_schedule",
    "advance_requested",
    "instructing_service",
    "instruction_opinion",
    "instruction_score",
    "instruction_reasons",
    "documents_kept_until",
    "durability_years",
)
LINE_FIELDS = ("category", "label", "direct", "nature", "planned_amount")
FINANCER_FIELDS = ("name", "aid_scheme", "rate", "approved_amount")
PHASE_FIELDS = ("name", "description", "per_site")
PUBLICITY_FIELDS = ("label", "legal_reference", "per_mds")


class OperationDataError(Exception):
    """The operation's data file is not usable; the message says where and why."""


def _read(path: Path) -> dict[str, Any]:
    try:
        with Path(path).open("rb") as file:
            # Decimal, never float: 211310.16 must stay 211310.16.
            data = tomllib.load(file, parse_float=Decimal)
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise OperationDataError(f"{path}: {exc}") from exc
    for key in ("reference", "lines", "financers"):
        if not data.get(key):
            raise OperationDataError(f"{path}: '{key}' is required")
    total = sum((Decimal(line["planned_amount"]) for line in data["lines"]), Decimal("0.00"))
    rates = [Decimal(f["rate"]) for f in data["financers"]]
    try:
        shares = split(total, rates)
    except ValueError as exc:
        raise OperationDataError(f"{path}: financers: {exc}") from exc
    for financer, share in zip(data["financers"], shares, strict=True):
        if Decimal(financer["approved_amount"]) != share:
            raise OperationDataError(
                f"{path}: financer {financer['kind']}: {financer['rate']} % of {total} is {share}, "
                f"not {financer['approved_amount']}"
            )
    return data


def _save(
    obj: Any, values: dict[str, Any], fields: tuple[str, ...], *, label: str, path: Path, report: LoadReport
) -> None:
    """Create `obj`, or bring the fields the file gives up to date; say which changed."""
    changed = [name for name in fields if name in values and getattr(obj, name) != values[name]]
    for name in changed:
        setattr(obj, name, values[name])
    try:
        obj.full_clean()
    except ValidationError as exc:
        problems = "; ".join(f"{name}: {' '.join(messages)}" for name, messages in exc.message_dict.items())
        raise OperationDataError(f"{path}: {label}: {problems}") from exc
    if obj.pk is None:
        obj.save()
        report.created.append(label)
    elif changed:
        obj.save(update_fields=changed)
        report.completed.extend(f"{label}: {name}" for name in changed)
    else:
        report.unchanged += 1


@transaction.atomic
def operation_load(*, path: Path) -> LoadReport:
    """Load an operation from its data file. Idempotent: a second run changes nothing.

    The file is the operation as approved. Once an amendment has changed the plan, the plan (lines' amounts and
    the financers' rates and amounts) is the amendments' and a reload leaves it alone.
    """
    data = _read(path)
    report = LoadReport()
    operation = Operation.objects.filter(reference=data["reference"]).first() or Operation(reference=data["reference"])
    _save(operation, data, OPERATION_FIELDS, label=f"operation {data['reference']}", path=path, report=report)
    amended = operation.amendments.exists()
    for entry in data["lines"]:
        line = operation.lines.filter(number=entry["number"]).first() or ExpenseLine(
            operation=operation, number=entry["number"]
        )
        fields = (
            LINE_FIELDS if not amended or line.pk is None else tuple(f for f in LINE_FIELDS if f != "planned_amount")
        )
        _save(line, entry, fields, label=f"expense line {entry['number']}", path=path, report=report)
    for position, entry in enumerate(data["financers"], start=1):
        financer = operation.financers.filter(kind=entry["kind"]).first() or Financer(
            operation=operation, kind=entry["kind"]
        )
        financer.position = position
        fields = FINANCER_FIELDS if not amended or financer.pk is None else ("name", "aid_scheme")
        _save(financer, entry, fields, label=f"financer {entry['kind']}", path=path, report=report)
    for entry in data.get("phases", []):
        phase = operation.phases.filter(number=entry["number"]).first() or DeploymentPhase(
            operation=operation, number=entry["number"]
        )
        _save(phase, entry, PHASE_FIELDS, label=f"phase {entry['number']}", path=path, report=report)
    for position, entry in enumerate(data.get("publicity", []), start=1):
        requirement = operation.publicity_requirements.filter(code=entry["code"]).first() or PublicityRequirement(
            operation=operation, code=entry["code"], position=position
        )
        _save(requirement, entry, PUBLICITY_FIELDS, label=f"publicity {entry['code']}", path=path, report=report)
    return report


def plan_snapshot(operation: Operation) -> dict[str, Any]:
    """The plan as it stands, in strings (JSON keeps no Decimal): what an amendment records before and after."""
    return {
        "lines": {str(line.number): str(line.planned_amount) for line in operation.lines.all()},
        "financers": {
            f.kind: {"rate": str(f.rate), "amount": str(f.approved_amount)} for f in operation.financers.all()
        },
    }


class AmendmentError(ValueError):
    pass


@transaction.atomic
def amendment_record(
    *,
    operation: Operation,
    signed_on: date,
    reason: str,
    planned_amounts: dict[int, Decimal],
    rates: dict[str, Decimal] | None = None,
    actor: Agent | None,
) -> Amendment:
    """Change the plan by an avenant: new planned amounts per line (and rates), shares recomputed to the cent.

    The plan before and after is kept on the amendment; past claims are not touched.
    """
    from sites.audit import acting_as

    if not reason.strip():
        raise AmendmentError(_("Give the reason of the amendment."))
    operation = Operation.objects.select_for_update().get(pk=operation.pk)
    before = plan_snapshot(operation)
    lines = {line.number: line for line in operation.lines.all()}
    unknown = set(planned_amounts) - set(lines)
    if unknown:
        raise AmendmentError(_("No expense line numbered %(n)s.") % {"n": ", ".join(map(str, sorted(unknown)))})
    financers = list(operation.financers.all())
    new_rates = {f.kind: (rates or {}).get(f.kind, f.rate) for f in financers}
    total = sum((planned_amounts.get(n, line.planned_amount) for n, line in lines.items()), Decimal("0.00"))
    try:
        shares = split(total, [new_rates[f.kind] for f in financers])
    except ValueError as exc:
        raise AmendmentError(_("The rates must sum to 100 %.")) from exc
    with acting_as(actor):
        for number, amount in planned_amounts.items():
            line = lines[number]
            line.planned_amount = amount
            line.full_clean()
            line.save(update_fields=["planned_amount"])
        for financer, share in zip(financers, shares, strict=True):
            financer.rate, financer.approved_amount = new_rates[financer.kind], share
            financer.save(update_fields=["rate", "approved_amount"])
        number = (operation.amendments.order_by("-number").values_list("number", flat=True).first() or 0) + 1
        return Amendment.objects.create(
            operation=operation,
            number=number,
            signed_on=signed_on,
            reason=reason.strip(),
            before=before,
            after=plan_snapshot(operation),
            recorded_by=actor,
        )
