"""Why a contract's procedure was the right one: its estimated value against the thresholds in force on the day
it was notified (supplies and services of a local authority, Code de la commande publique).

The thresholds change every two years (European thresholds) or by decree (the direct purchase): each band below
gives its dates and its source. The register shows the band a contract's estimated value falls in, and warns when
the procedure chosen is lighter than the band requires; a controller reads `procedure_reason` for the rest (lots,
urgency, a framework agreement, a central purchasing body).
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.utils.translation import gettext as _

from funding.formats import euros
from funding.models import Procedure, PublicContract


@dataclass(frozen=True)
class Thresholds:
    since: date
    direct: Decimal  # R2122-8: below it, no advertising nor competition required
    formal: (
        Decimal  # the European threshold for supplies and services of local authorities: formal procedure at or above
    )


# Avis relatif aux seuils de procédure (JORF) and décret 2019-1344 (direct purchase raised to 40,000 € HT in 2020).
THRESHOLDS = (
    Thresholds(date(2018, 1, 1), Decimal("25000.00"), Decimal("221000.00")),
    Thresholds(date(2020, 1, 1), Decimal("40000.00"), Decimal("214000.00")),
    Thresholds(date(2022, 1, 1), Decimal("40000.00"), Decimal("215000.00")),
    Thresholds(date(2024, 1, 1), Decimal("40000.00"), Decimal("221000.00")),
)
FORMAL = {Procedure.OPEN_TENDER, Procedure.RESTRICTED_TENDER, Procedure.NEGOTIATED}
# Procedures that rest on a competition held elsewhere: the band does not apply to them.
ELSEWHERE = {Procedure.FRAMEWORK_ORDER, Procedure.CENTRAL_PURCHASING}


@dataclass(frozen=True)
class ProcedureCheck:
    band: str  # which band the estimated value falls in, said in words
    warning: str  # empty when the procedure chosen fits the band


def thresholds_on(day: date) -> Thresholds:
    applicable = [t for t in THRESHOLDS if t.since <= day]
    return applicable[-1] if applicable else THRESHOLDS[0]


def procedure_check(contract: PublicContract) -> ProcedureCheck | None:
    """The band of the contract's estimated value on its notification date, and a warning when the procedure chosen
    is lighter than that band requires; None without an estimated value."""
    if contract.estimated_amount is None or contract.notified_on is None:
        return None
    t = thresholds_on(contract.notified_on)
    value = contract.estimated_amount
    amounts = {"value": euros(value), "direct": euros(t.direct), "formal": euros(t.formal)}
    if value < t.direct:
        band = _("Estimated value %(value)s, below the direct purchase threshold (%(direct)s HT).") % amounts
        required: set[str] = set()
    elif value < t.formal:
        band = (
            _("Estimated value %(value)s, between the direct purchase threshold (%(direct)s) and the European "
              "threshold (%(formal)s HT): an adapted procedure (MAPA) at least.") % amounts
        )  # fmt: skip
        required = {Procedure.DIRECT}
    else:
        band = (
            _("Estimated value %(value)s, at or above the European threshold (%(formal)s HT): a formal procedure.")
            % amounts
        )
        required = {Procedure.DIRECT, Procedure.ADAPTED}
    warning = ""
    if contract.procedure in required and contract.procedure not in ELSEWHERE:
        warning = _(
            "The procedure chosen (%(procedure)s) is lighter than this value requires: say why under "
            '"Why this procedure" (lots, urgency…).'
        ) % {"procedure": contract.get_procedure_display()}
    return ProcedureCheck(band=band, warning=warning)
