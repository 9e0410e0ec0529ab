"""Factories of the funding app. Most tests start from the operation as approved (the `operation` fixture)."""

import hashlib
from datetime import date
from decimal import Decimal

import factory
from django.core.files.base import ContentFile

from funding import models
from tests.factories import AgentFactory, MdsFactory


class SupplierFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Supplier

    name = factory.Sequence(lambda n: f"Fournisseur {n}")
    siret = factory.Sequence(lambda n: f"{n:014d}")


class PublicContractFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.PublicContract

    operation = factory.LazyFunction(lambda: models.Operation.objects.get(reference="mds-connectees"))
    number = factory.Sequence(lambda n: f"2020-{n:04d}")
    subject = "Fourniture et pose de bornes WiFi"
    supplier = factory.SubFactory(SupplierFactory)
    procedure = models.Procedure.ADAPTED
    procedure_reason = "Valeur estimée sous le seuil des procédures formalisées"
    notified_on = date(2020, 6, 1)
    amount = Decimal("100000.00")


class InvoiceFactory(factory.django.DjangoModelFactory):
    """A paid invoice, within the execution period, on line 2, entirely eligible."""

    class Meta:
        model = models.Invoice

    operation = factory.LazyFunction(lambda: models.Operation.objects.get(reference="mds-connectees"))
    supplier = factory.SubFactory(SupplierFactory)
    number = factory.Sequence(lambda n: f"F-{n:05d}")
    issued_on = date(2021, 5, 10)
    amount_excl_vat = Decimal("10000.00")
    vat = factory.LazyAttribute(lambda o: (o.amount_excl_vat * Decimal("0.20")).quantize(Decimal("0.01")))
    amount_incl_vat = factory.LazyAttribute(lambda o: o.amount_excl_vat + o.vat)
    eligible_amount = factory.LazyAttribute(lambda o: o.amount_excl_vat)
    expense_line = factory.LazyAttribute(lambda o: o.operation.lines.get(number=2))
    paid_on = date(2021, 6, 15)
    payment_reference = factory.Sequence(lambda n: f"M-{n:06d}")
    status = models.InvoiceStatus.PAID


class InvoiceLineFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.InvoiceLine

    invoice = factory.SubFactory(InvoiceFactory)
    position = factory.Sequence(lambda n: n + 1)
    description = "Borne WiFi 6 intérieure"
    kind = models.ItemKind.ACCESS_POINT
    quantity = Decimal("1")
    unit_price = Decimal("500.00")
    amount = Decimal("500.00")


class PaymentClaimFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.PaymentClaim

    operation = factory.LazyFunction(lambda: models.Operation.objects.get(reference="mds-connectees"))
    number = factory.Sequence(lambda n: n + 1)
    kind = models.ClaimKind.INTERIM
    period_start = date(2019, 10, 1)
    period_end = date(2021, 12, 31)
    entered_by = factory.SubFactory(AgentFactory)


class ClaimedInvoiceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.ClaimedInvoice

    claim = factory.SubFactory(PaymentClaimFactory)
    invoice = factory.SubFactory(InvoiceFactory)
    presented_amount = factory.LazyAttribute(lambda o: o.invoice.eligible_amount)


def document(operation, *, content: bytes = b"%PDF-1.4 test", name: str = "facture.pdf", kind="invoice"):
    """A supporting document as filed (its SHA-256 recorded); needs the `private_storage` fixture."""
    digest = hashlib.sha256(content).hexdigest()
    doc = models.Document(
        operation=operation, kind=kind, original_name=name, content_type="application/pdf", size=len(content),
        sha256=digest, kept_until=operation.documents_kept_until,
    )  # fmt: skip
    doc.file.save(name, ContentFile(content), save=False)
    doc.save()
    return doc


class PublicityEvidenceFactory(factory.django.DjangoModelFactory):
    """A photo of the A3 poster in an MDS, filed by programme staff; needs the `private_storage` fixture."""

    class Meta:
        model = models.PublicityEvidence
        skip_postgeneration_save = True

    requirement = factory.LazyFunction(
        lambda: models.PublicityRequirement.objects.get(operation__reference="mds-connectees", code="poster-a3")
    )
    mds = factory.LazyAttribute(lambda o: MdsFactory() if o.requirement.per_mds else None)
    observed_on = date(2021, 9, 1)
    document = factory.LazyAttribute(
        lambda o: document(o.requirement.operation, content=b"\xff\xd8\xff photo", name="affiche.jpg", kind="publicity")
    )
    recorded_by = factory.SubFactory(AgentFactory)


def finance_agent(**fields):
    """An agent of the finance role (département-wide): enters claims, records retained amounts and payments."""
    from sites.roles import Role
    from tests.factories import agent_with_role

    return agent_with_role(Role.FINANCE, None, **fields)


def programme_agent(**fields):
    """An agent of the programme staff (département-wide): validates the claims finance entered."""
    from sites.roles import Role
    from tests.factories import agent_with_role

    return agent_with_role(Role.PROGRAMME, None, **fields)


# --- The asset register (funding.assets, funding.durability) ---------------------------------------


class AssetFactory(factory.django.DjangoModelFactory):
    """An access point of the WiFi inventory registered on a line for access points."""

    class Meta:
        model = models.Asset

    invoice_line = factory.SubFactory(InvoiceLineFactory, quantity=Decimal("10"))
    kind = models.ItemKind.ACCESS_POINT
    access_point = factory.SubFactory("tests.wifi.factories.AccessPointFactory")
    serial_number = factory.LazyAttribute(lambda o: o.access_point.serial_number if o.access_point else "")


def _now():
    from django.utils import timezone

    return timezone.now()


class DurabilityWarningFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.DurabilityWarning

    asset = factory.SubFactory(AssetFactory)
    event = models.DurabilityEvent.RETIRED
    detail = factory.LazyAttribute(lambda o: str(o.asset.place) if o.asset.place else "")
    occurred_at = factory.LazyFunction(_now)


def final_payment(operation, *, received_on: date):
    """The final claim, its FEDER received on `received_on`: the durability window starts that day."""
    return PaymentClaimFactory(
        operation=operation, kind=models.ClaimKind.FINAL, status=models.ClaimStatus.PAID,
        feder_received=Decimal("1000.00"), received_on=received_on,
    )  # fmt: skip
