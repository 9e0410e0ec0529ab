"""The FEDER operation as approved: its identity, its expense lines, its co-financing plan and their amendments.

The operation is data (`load_feder_operation`, from a file of `data/feder/`): another département runs the
platform with its own. Amounts are `Decimal` euros excluding VAT (the operation's basis is HT).
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from core.constraints import ConstraintErrorsOnFields
from funding.money import ZERO, split

MONEY = {"max_digits": 12, "decimal_places": 2}


class VatBasis(models.TextChoices):
    EXCLUDING_VAT = "HT", _("Excluding VAT (HT)")
    INCLUDING_VAT = "TTC", _("Including VAT (TTC)")


class Operation(ConstraintErrorsOnFields, models.Model):
    reference = models.SlugField(_("reference"), max_length=60, unique=True)
    title = models.CharField(_("title"), max_length=200)
    fund = models.CharField(_("fund"), max_length=120)
    programme = models.CharField(_("programme"), max_length=200)
    priority_axis = models.CharField(_("priority axis"), max_length=200)
    thematic_objective = models.CharField(_("thematic objective"), max_length=300)
    investment_priority = models.CharField(_("investment priority"), max_length=400)
    specific_objective = models.CharField(_("specific objective"), max_length=300)
    codification = models.CharField(_("codification"), max_length=60)
    call_reference = models.CharField(_("call for proposals"), max_length=60)
    call_title = models.CharField(_("call title"), max_length=200, blank=True)
    committee = models.CharField(_("programming committee"), max_length=200)
    committee_date = models.DateField(_("committee date"))
    execution_start = models.DateField(_("execution period start"))
    execution_end = models.DateField(_("execution period end"))
    vat_basis = models.CharField(_("VAT basis"), max_length=3, choices=VatBasis.choices, default=VatBasis.EXCLUDING_VAT)
    payment_schedule = models.BooleanField(_("payment schedule"), default=False)
    advance_requested = models.BooleanField(_("advance requested"), default=False)
    instructing_service = models.CharField(_("instructing service"), max_length=120, blank=True)
    instruction_opinion = models.CharField(_("instructing service's opinion"), max_length=60, blank=True)
    instruction_score = models.CharField(_("score"), max_length=20, blank=True)
    instruction_reasons = models.TextField(_("instructing service's reasons"), blank=True)
    # Supporting documents are kept, unchanged, until this date (set by the grant agreement; the loaded file says).
    documents_kept_until = models.DateField(_("supporting documents kept until"), null=True, blank=True)
    durability_years = models.PositiveSmallIntegerField(
        _("durability (years after the final payment)"),
        default=5,
        help_text=_("Article 71 of Regulation (EU) 1303/2013: funded equipment stays in place this long."),
    )

    class Meta:
        verbose_name = _("FEDER operation")
        verbose_name_plural = _("FEDER operations")
        constraints = [
            models.CheckConstraint(
                condition=Q(execution_end__gt=F("execution_start")),
                name="funding_operation_period_ordered",
                violation_error_message=_("The execution period must end after it starts."),
                violation_error_code="funding_operation_period_ordered",
            )
        ]

    constraint_error_fields = {"funding_operation_period_ordered": "execution_end"}

    def __str__(self) -> str:
        return self.title

    @property
    def total_planned(self):
        return sum((line.planned_amount for line in self.lines.all()), start=ZERO)

    def shares(self) -> dict[str, object]:
        """Each financer's share of the total planned, apportioned to the cent (funding.money.split)."""
        financers = list(self.financers.all())
        amounts = split(self.total_planned, [f.rate for f in financers])
        return {f.kind: amount for f, amount in zip(financers, amounts, strict=True)}


class CostNature(models.TextChoices):
    INVESTMENT = "investment", _("Investment")
    OPERATING = "operating", _("Operating")


class ExpenseLine(ConstraintErrorsOnFields, models.Model):
    """A poste de dépense of the approved budget."""

    operation = models.ForeignKey(Operation, on_delete=models.CASCADE, related_name="lines")
    number = models.PositiveSmallIntegerField(_("number"), validators=[MinValueValidator(1)])
    category = models.CharField(_("expense category"), max_length=200)
    label = models.CharField(_("label"), max_length=200)
    direct = models.BooleanField(_("direct cost"), default=True)
    nature = models.CharField(_("nature"), max_length=12, choices=CostNature.choices, default=CostNature.INVESTMENT)
    planned_amount = models.DecimalField(_("planned amount (HT)"), **MONEY, validators=[MinValueValidator(0)])

    class Meta:
        verbose_name = _("expense line")
        verbose_name_plural = _("expense lines")
        ordering = ["operation", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["operation", "number"],
                name="funding_line_number_unique",
                violation_error_message=_("This operation already has an expense line with this number."),
                violation_error_code="funding_line_number_unique",
            ),
            models.CheckConstraint(
                condition=Q(planned_amount__gte=0),
                name="funding_line_planned_not_negative",
                violation_error_message=_("A planned amount cannot be negative."),
                violation_error_code="funding_line_planned_not_negative",
            ),
        ]

    constraint_error_fields = {"funding_line_planned_not_negative": "planned_amount"}

    def __str__(self) -> str:
        return f"{self.number}. {self.label}"


class FinancerKind(models.TextChoices):
    FEDER = "feder", _("FEDER (European Union)")
    SELF_FINANCING = "self", _("Self-financing (Département)")
    OTHER = "other", _("Other co-financer")


class Financer(ConstraintErrorsOnFields, models.Model):
    """A line of the co-financing plan: who pays which percentage of the eligible cost."""

    operation = models.ForeignKey(Operation, on_delete=models.CASCADE, related_name="financers")
    position = models.PositiveSmallIntegerField(_("position"))
    kind = models.CharField(_("kind"), max_length=8, choices=FinancerKind.choices)
    name = models.CharField(_("financer"), max_length=200)
    aid_scheme = models.CharField(_("aid scheme"), max_length=120, blank=True)
    rate = models.DecimalField(
        _("rate (%)"), max_digits=5, decimal_places=2, validators=[MinValueValidator(0), MaxValueValidator(100)]
    )
    # As approved, to the cent: the platform's computed share is checked against it (funding.operations).
    approved_amount = models.DecimalField(_("approved amount (HT)"), **MONEY)

    class Meta:
        verbose_name = _("co-financer")
        verbose_name_plural = _("co-financing plan")
        ordering = ["operation", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["operation", "kind"],
                condition=~Q(kind="other"),
                name="funding_financer_kind_unique",
                violation_error_message=_("The plan already has this financer."),
                violation_error_code="funding_financer_kind_unique",
            ),
            models.CheckConstraint(
                condition=Q(rate__gte=0, rate__lte=100),
                name="funding_financer_rate_percentage",
                violation_error_message=_("A rate is a percentage between 0 and 100."),
                violation_error_code="funding_financer_rate_percentage",
            ),
        ]

    constraint_error_fields = {"funding_financer_rate_percentage": "rate"}

    def __str__(self) -> str:
        return f"{self.name} {self.rate} %"


class Amendment(models.Model):
    """An avenant: the plan changed on a date, for a reason. `before` and `after` keep both plans whole."""

    operation = models.ForeignKey(Operation, on_delete=models.CASCADE, related_name="amendments")
    number = models.PositiveSmallIntegerField(_("number"))
    signed_on = models.DateField(_("signed on"))
    reason = models.TextField(_("reason"))
    before = models.JSONField(_("plan before"))
    after = models.JSONField(_("plan after"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("amendment")
        verbose_name_plural = _("amendments")
        ordering = ["operation", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["operation", "number"],
                name="funding_amendment_number_unique",
                violation_error_message=_("This operation already has an amendment with this number."),
                violation_error_code="funding_amendment_number_unique",
            )
        ]

    def __str__(self) -> str:
        return _("Amendment %(number)s of %(date)s") % {"number": self.number, "date": self.signed_on}
